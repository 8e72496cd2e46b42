"""Reading the files a user names (evidence, import lists, keys, narratives, checkpoints, proofs).

Regular files only, each kind with a size limit, checked on the opened file before a byte is
read: a device (/dev/zero), a FIFO or a symlink to one is refused at once instead of being read
forever. Light imports only.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ledger.errors import InvalidInput
from ledger.messages import t

MiB = 1024 * 1024
MAX_EVIDENCE_BYTES = 512 * MiB  # a scanned 佐证材料 (held in memory and in the store)
MAX_LIST_BYTES = 256 * MiB  # a feedback list (CSV or YAML) or an export
MAX_TEXT_BYTES = 8 * MiB  # a checkpoint, report, proof or narrative
MAX_KEY_BYTES = 64 * 1024  # a key file
MAX_EXPORT_BYTES = 1 << 40  # an export is read a line at a time: only devices and pipes are refused


def _size(n: int) -> str:
    return f"{n // MiB:,} MB" if n >= MiB else f"{n // 1024} KB"


def open_regular(path: str | Path, what: str, limit: int) -> tuple[int, int]:
    """(file descriptor, size) of a regular file no larger than `limit`; refused otherwise (exit 2).

    Opened without blocking, so that opening a FIFO returns at once and is refused.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except (OSError, ValueError) as e:
        raise InvalidInput(t("{what}: cannot read {path}: {value}", what=what, path=path, value=getattr(e, 'strerror', None) or e)) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise InvalidInput(t("{what}: {path} is not a regular file (a device, pipe or folder is not read)", what=what, path=path))
        if st.st_size > limit:
            raise InvalidInput(t("{what}: {path} is {size}: at most {size2} is read", what=what, path=path, size=_size(st.st_size), size2=_size(limit)))
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return fd, st.st_size


def read_regular(path: str | Path, what: str, limit: int = MAX_TEXT_BYTES) -> bytes:
    """The bytes of a regular file no larger than `limit` (one line, exit 2, for anything else)."""
    fd, size = open_regular(path, what, limit)
    try:
        with os.fdopen(fd, "rb", closefd=True) as f:
            data = f.read(limit + 1)
    except OSError as e:
        raise InvalidInput(t("{what}: cannot read {path}: {value}", what=what, path=path, value=e.strerror or e)) from None
    if len(data) > limit:  # it grew while being read
        raise InvalidInput(t("{what}: {path} is more than {size}: at most {size} is read", what=what, path=path, size=_size(limit)))
    return data


def read_regular_text(path: str | Path, what: str, limit: int = MAX_TEXT_BYTES, encoding: str = "utf-8") -> str:
    data = read_regular(path, what, limit)
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        raise InvalidInput(t("{what}: {path} is not {upper} text", what=what, path=path, upper=encoding.upper())) from None
