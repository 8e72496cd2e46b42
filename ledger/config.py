"""ledger.yaml: where the store is and which policies apply.

The file is searched upward from the current folder (like git), unless
`--config` or LEDGER_CONFIG names it. Relative paths in it are relative to the
file itself, so a ledger folder can be moved or shared as a whole.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ledger.errors import ConfigError

CONFIG_NAME = "ledger.yaml"

# Every key the file may hold, with its default. A key not listed here is a
# typo and is reported, rather than silently ignored.
DEFAULTS: dict[str, Any] = {
    "store": "ledger.db",
    "policy": {
        # 21 CFR Part 11 style separation of duties: whoever completed a
        # measure may not verify it, nor sign the problem off.
        "separate_verifier": True,
        "separate_signer": True,
        # On a PostgreSQL store: the actor must be the authenticated database login.
        "actor_is_login": False,
    },
    # Watching against slippage and relapse: see ledger/watch.py.
    "watch": {
        "escalate_after_days_late": 7,
        "progress_interval_days": 90,
        "review_points_days": [90, 180],
        "review_window_days": 30,
        "due_within_days": 7,
    },
    # 红黄绿 warning lights by days to the deadline (`ledger due`, `ledger serve`).
    "lights": {"green_days": 20, "yellow_days": 10},
    # The public report (整改情况公布) written by `ledger publish`.
    "publication": {
        "title": "",
        "authority": "",
        "responsibility": "",
        "effects": "",
        "next_steps": "",
        "closing": "欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。",
        "contact": "",
        "phone": "",
        "date": "",
    },
    # Hash chain algorithm, read only by `ledger init` (recorded in the ledger).
    "hash": "sha256",
    # Ed25519 key that signs checkpoints; public_key defaults to private_key + ".pub".
    "signing": {"private_key": "ledger-signing.key", "public_key": ""},
    # People and their roles; None (absent) means single-user mode.
    "people": None,
    "signoff": {"required_signers": 1},
    # Environment variable holding the AES key for sensitive fields.
    "sensitive": {"key_env": "LEDGER_CIPHER_KEY"},
}

SAMPLE = """\
# rectification-ledger configuration (整改台账配置).
# Paths are relative to this file. Every key is optional; these are the defaults.

# Where the events are kept: a SQLite file (created by `ledger init`), or a
# shared PostgreSQL server for many offices: postgresql://user@host:5432/db
# (password from the URL or PGPASSWORD). LEDGER_STORE overrides this.
store: ledger.db

# Rules the ledger enforces on every command.
policy:
  # The verifier (核查验收) must not be anyone who completed a measure of the problem.
  separate_verifier: true
  # The signer (对账销号) must not be anyone who completed a measure of the problem.
  separate_signer: true
  # On PostgreSQL every event records the database login beside the claimed
  # actor; with this on, the actor must be that login.
  actor_is_login: false

# Watching against slippage and relapse (督办、长期坚持、回头看).
watch:
  # `ledger due` suggests the next escalation level (督办通知书 → 提醒书 → 告诫书 → 问责书)
  # for problems late by more than this many days.
  escalate_after_days_late: 7
  # `ledger due` lists long-term problems (长期坚持) whose last progress entry is older than this.
  progress_interval_days: 90
  # 回头看: a review falls due this many days after sign-off (对账销号), one per point.
  review_points_days: [90, 180]
  # A review point with no review within this many days after it falls due is missed.
  review_window_days: 30
  # What `ledger due` lists as coming due when --within is not given.
  due_within_days: 7

# 红黄绿 warning lights on open problems, by days left to the deadline (`ledger due`
# and the web view, `ledger serve`): red when overdue, yellow with this many days
# or fewer left, green with green_days or fewer; none further off.
lights:
  green_days: 20
  yellow_days: 10

# The public report (整改情况公布) that `ledger publish` writes. Section 二 and the
# figures of 三 come from the ledger; the narrative sections are your own text,
# kept in files (paths relative to this file; plain paragraphs, blank-line separated).
publication:
  # Title of the report; empty: "<organisation>关于<group>巡察反馈意见整改情况的公布".
  title: ""
  # Who ordered the inspection, for the opening line "根据<authority>统一部署，…" (e.g. 县委).
  authority: ""
  # 一、党组织履行整改主体责任情况
  responsibility: ""
  # 三、整改成效: optional narrative printed before the figures.
  effects: ""
  # 四、下一步打算
  next_steps: ""
  # The closing sentence; empty to leave it out.
  closing: 欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。
  # 联系人 and 联系电话 printed at the end.
  contact: ""
  phone: ""
  # Date printed under the report (YYYY-MM-DD); empty: the --as-of date, or today.
  date: ""

# Hash chain over every event (tamper evidence): sha256, or sm3 (国密 GB/T 32905).
# Read only by `ledger init`: the algorithm is recorded in the ledger and never changes.
hash: sha256

# Checkpoints (`ledger checkpoint`, `publish`) are signed with this Ed25519 key,
# made by `ledger keygen` (mode 0600; keep it off shared drives). The public key
# (default: the private key path + ".pub") is all a verifier needs.
signing:
  private_key: ledger-signing.key
  public_key: ""

# Who may do what (21 CFR Part 11 §11.10(g)). Without this list the ledger runs
# in single-user mode (anyone may run any command; `ledger doctor` says so).
# Roles: registrar 登记, responsible 责任人, verifier 验收, signer 销号审批, auditor 审计.
# people:
#   - name: 张三
#     roles: [registrar, verifier]
#   - name: 李四
#     roles: [signer]

# Sign-off (对账销号): 2 = 双审核 (unit head and supervising leader): a problem
# closes only when two different authorised signers have signed.
signoff:
  required_signers: 1

# Sensitive fields (whistle-blower identity, case details: `ledger confide`) are
# stored AES-GCM encrypted with the base64 key in this environment variable
# (`ledger keygen --cipher` prints a new one). Without it they read "[encrypted]".
sensitive:
  key_env: LEDGER_CIPHER_KEY
"""


@dataclass
class Config:
    path: Path | None
    data: dict[str, Any] = field(default_factory=lambda: copy.deepcopy(DEFAULTS))

    @property
    def folder(self) -> Path:
        return self.path.parent if self.path else Path.cwd()

    @property
    def store(self) -> str:
        """The store location: a SQLite file path (absolute) or a URL."""
        value = os.environ.get("LEDGER_STORE") or str(self.data["store"])
        if "://" in value:
            return value
        return str((self.folder / value).resolve())

    @property
    def policy(self) -> dict[str, Any]:
        return self.data["policy"]

    def section(self, name: str) -> Any:
        return self.data[name]

    def resolve_path(self, value: str) -> Path:
        """A path written in ledger.yaml, taken relative to the file."""
        return (self.folder / value).resolve()


def find_config(start: Path | None = None) -> Path | None:
    """The nearest ledger.yaml at or above `start`."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
    return None


def _merge(defaults: dict[str, Any], given: dict[str, Any], where: str) -> dict[str, Any]:
    merged = copy.deepcopy(defaults)
    for key, value in given.items():
        if key not in defaults:
            known = ", ".join(sorted(defaults))
            raise ConfigError(f"unknown key '{where}{key}' (known: {known})")
        default = defaults[key]
        if isinstance(default, dict):
            if value is None:
                continue
            if not isinstance(value, dict):
                raise ConfigError(f"'{where}{key}' must be a mapping, not {value!r}")
            merged[key] = _merge(default, value, f"{where}{key}.")
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise ConfigError(f"'{where}{key}' must be true or false, not {value!r}")
            merged[key] = value
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise ConfigError(f"'{where}{key}' must be a whole number, not {value!r}")
            merged[key] = value
        elif isinstance(default, list):
            if not isinstance(value, list):
                raise ConfigError(f"'{where}{key}' must be a list, not {value!r}")
            merged[key] = value
        else:
            merged[key] = value
    return merged


def load_config(path: str | Path | None = None, *, required: bool = True) -> Config:
    """Read ledger.yaml (given, from LEDGER_CONFIG, or found upward)."""
    import yaml

    explicit = path or os.environ.get("LEDGER_CONFIG")
    if explicit:
        config_path: Path | None = Path(explicit).expanduser().resolve()
        if not config_path.is_file():
            raise ConfigError(f"config file not found: {explicit}")
    else:
        config_path = find_config()
        if config_path is None:
            if required:
                raise ConfigError(
                    f"no {CONFIG_NAME} here or in any parent folder: run `ledger init` first"
                )
            return Config(path=None)
    try:
        text = config_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"cannot read {config_path}: {e}") from None
    try:
        given = yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        raise ConfigError(f"{config_path} is not valid YAML{where}") from None
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise ConfigError(f"{config_path} must hold a mapping of settings")
    try:
        data = _merge(DEFAULTS, given, "")
    except ConfigError as e:
        raise ConfigError(f"{config_path}: {e}") from None
    if not isinstance(data["store"], str) or not data["store"].strip():
        raise ConfigError(f"{config_path}: 'store' must be a file path or a URL")
    return Config(path=config_path, data=data)
