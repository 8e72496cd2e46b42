"""Sensitive fields (whistle-blower identity, case details), encrypted at rest.

Only the value is encrypted, inside its own event (`SensitiveRecorded`), with
eventsourcing's AES-GCM cipher (`eventsourcing.cryptography.AESCipher`) and
the base64 key in the environment variable ledger.yaml names
(`sensitive.key_env`). Everything else stays readable without the key; read
models hold only the names of the fields, so summaries and `publish` cannot
print the values.
"""

from __future__ import annotations

import base64
import binascii
import os
from typing import Any

from ledger import vocabulary
from ledger.errors import ConfigError, InvalidInput
from ledger.messages import Field, choices, t

ENCRYPTED = "[encrypted]"
FIELDS = vocabulary.zh(vocabulary.SENSITIVE_FIELDS)
FIELD_ALIASES = {**{f: f for f in FIELDS}, **{zh: f for f, zh in FIELDS.items()}, "whistle-blower": "whistleblower", "case_details": "case-details"}


def field_name(value: str) -> str:
    name = value.strip().lower()
    if name not in FIELD_ALIASES:
        raise InvalidInput(t("{what}: '{value}' is not one of {choices}", what=Field("--field"), value=value, choices=choices(vocabulary.SENSITIVE_FIELDS)))
    return FIELD_ALIASES[name]


def new_cipher_key() -> str:
    from eventsourcing.cryptography import AESCipher

    return AESCipher.create_key(32)


def key_env(config: Any) -> str:
    return str(config.section("sensitive")["key_env"])


def cipher(config: Any, *, required: bool) -> Any:
    """The AES cipher from the key in the environment, or None when unset and not required."""
    from eventsourcing.cryptography import AESCipher

    env = key_env(config)
    key = os.environ.get(env, "").strip()
    if not key:
        if required:
            raise ConfigError(t("sensitive fields need the AES key in the environment variable {env} (make one with `ledger keygen --cipher`)", env=env))
        return None
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) not in AESCipher.KEY_SIZES:
        raise ConfigError(t("the key in {env} is not a base64 AES key of 16, 24 or 32 bytes", env=env))
    return AESCipher({AESCipher.CIPHER_KEY: key})  # type: ignore[arg-type]


def encrypt(config: Any, value: str) -> str:
    return base64.b64encode(cipher(config, required=True).encrypt(value.encode("utf-8"))).decode("ascii")


def decrypt(config: Any, ciphertext: str, what: str) -> str:
    """The plain value, "[encrypted]" without a key, or one clear error with a wrong key."""
    aes = cipher(config, required=False)
    if aes is None:
        return ENCRYPTED
    try:
        return aes.decrypt(base64.b64decode(ciphertext)).decode("utf-8")
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise ConfigError(t("cannot decrypt {what} with the key in {key_env}: wrong key (or the value was damaged)", what=what, key_env=key_env(config))) from None
