"""The one rule for every file a command writes (`--out`).

- Never the store, its journal/WAL/SHM, the kept evidence, a key or ledger.yaml:
  compared by real path (symlinks resolved) and by inode (hard links), refused even with --force.
- An existing file is replaced only with --force.
- The bytes go to a new temporary file in the same folder, renamed onto the name at the end:
  a failure leaves the old file as it was and no half-written one.

Light imports only: the CLI checks the name before any store is opened.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from ledger.errors import InvalidInput
from ledger.messages import t

SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def _guarded(config: Any) -> tuple[list[Path], list[Path]]:
    """(files, folders) no command may write into: the store's, the evidence's, the keys', ledger.yaml."""
    files: list[Path] = []
    folders: list[Path] = []
    if config is None:
        return files, folders
    from ledger.store import is_url

    store = config.store
    if not is_url(store):
        files += [Path(store + end) for end in SQLITE_COMPANIONS]
        folders.append(Path(store + ".evidence"))
    if config.path is not None:
        files.append(Path(config.path))
    signing = config.section("signing")
    private = config.resolve_path(str(signing["private_key"]))
    files += [private, private.with_name(private.name + ".pub")]
    if signing.get("public_key"):
        files.append(config.resolve_path(str(signing["public_key"])))
    from ledger.identity import config_dir

    folders.append(config_dir() / "keys")  # every person's and the administrator's keys
    given = os.environ.get("LEDGER_KEY", "").strip()
    if given:
        files.append(Path(given))
    return files, folders


def _real(path: Path) -> Path:
    try:
        return Path(os.path.realpath(path))
    except (OSError, ValueError):
        return path


def _identity(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def check_output(out: str | Path, *, force: bool = False, config: Any = None, what: str = "--out", is_key: bool = False) -> Path:
    """Refuse, before anything is done, an output the rule forbids; the path to write."""
    text = str(out)
    target = Path(text)
    try:
        bad = not text or not target.name or target.is_dir() or len(target.name.encode("utf-8", "surrogateescape")) > 255
    except (OSError, ValueError):
        bad = True
    if bad:
        raise InvalidInput(t("{what}: '{text}' is not a file name that can be written", what=what, text=text))
    files, folders = _guarded(config)
    real = _real(target)
    inode = _identity(target)
    for guarded in files:
        if real == _real(guarded) or (inode is not None and inode == _identity(guarded)):
            raise InvalidInput(t("{what}: {text} is the ledger's own {kind}: never written over", what=what, text=text, kind=_kind(guarded, config)))
    for folder in _folders_holding(real, folders):
        if is_key and folder.name == "keys" and not target.exists():
            continue  # a new key pair may go into the keys folder (person keygen's default)
        raise _written_into(what, text, folder)
    if inode is not None and not force:
        raise InvalidInput(t("{what}: {text} already exists: not overwriting it (give --force to replace it)", what=what, text=text))
    if target.is_symlink() and not force:
        raise InvalidInput(t("{what}: {text} already exists: not overwriting it (give --force to replace it)", what=what, text=text))
    return target


def _folders_holding(real: Path, folders: list[Path]) -> Iterator[Path]:
    """The ledger's own folders (kept evidence, keys) that are `real` or hold it."""
    for folder in folders:
        root = _real(folder)
        if real == root or root in real.parents:
            yield folder


def _written_into(what: str, text: str, folder: Path) -> InvalidInput:
    return InvalidInput((t("{what}: {text} is inside the ledger's keys folder: never written into", what=what, text=text) if folder.name == "keys" else t("{what}: {text} is inside the ledger's kept evidence folder: never written into", what=what, text=text)))


def check_output_folder(folder: str | Path, *, config: Any = None, what: str = "--evidence") -> Path:
    """Refuse, before anything is done, a folder to write files into that is (or is inside) one the
    ledger keeps (the kept evidence, the keys), or that holds anything already; the folder to write."""
    target = Path(folder)
    real = _real(target)
    _, folders = _guarded(config)
    kept = next(_folders_holding(real, folders), None)
    if kept is not None:
        raise _written_into(what, str(folder), kept)
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise InvalidInput(t("{what}: {folder} exists and is not an empty folder: not mixing files into it", what=what, folder=folder))
    return target


def _kind(path: Path, config: Any) -> str:
    name = path.name
    if config is not None and config.path is not None and _real(path) == _real(Path(config.path)):
        return "configuration (ledger.yaml)"
    if name.endswith(("-wal", "-shm", "-journal")):
        return "store journal"
    if name.endswith((".key", ".pub", ".pem")) or "key" in name.lower():
        return "key"
    return "store"


def _new_file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


@contextmanager
def replacing(out: str | Path, *, force: bool = False, what: str = "--out", mode: int | None = None) -> Iterator[Path]:
    """A new temporary file beside `out` to write; renamed onto `out` when the block ends without error.

    Without --force the rename refuses a file that appeared meanwhile (a hard link, atomically).
    """
    import tempfile

    target = Path(out)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".tmp", dir=folder)
    except OSError as e:
        raise InvalidInput(t("{what}: cannot write {out}: {value}", what=what, out=out, value=e.strerror or e)) from None
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        os.chmod(tmp, _new_file_mode() if mode is None else mode)
        if force:
            os.replace(tmp, target)
        else:
            try:
                os.link(tmp, target)
            except FileExistsError:
                raise InvalidInput(t("{what}: {out} already exists: not overwriting it (give --force to replace it)", what=what, out=out)) from None
            except OSError:  # a file system without hard links
                if target.exists():
                    raise InvalidInput(t("{what}: {out} already exists: not overwriting it (give --force to replace it)", what=what, out=out)) from None
                os.replace(tmp, target)
    except OSError as e:
        raise InvalidInput(t("{what}: cannot write {out}: {value}", what=what, out=out, value=e.strerror or e)) from None
    finally:
        try:
            tmp.unlink()
        except OSError:
            pass


def write_output(out: str | Path, data: str | bytes, *, force: bool = False, what: str = "--out", encoding: str = "utf-8") -> None:
    """Write `data` to `out` by the rule (the caller checked the name with check_output first)."""
    with replacing(out, force=force, what=what) as tmp:
        if isinstance(data, bytes):
            tmp.write_bytes(data)
        else:
            with tmp.open("w", encoding=encoding, newline="") as f:
                f.write(data)
