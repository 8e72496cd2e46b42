"""ledger.yaml: where the store is and which policies apply.

The file is searched upward from the current folder (like git), unless
`--config` or LEDGER_CONFIG names it. Relative paths in it are relative to the
file itself, so a ledger folder can be moved or shared as a whole.
"""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from ledger.errors import ConfigError, InvalidInput
from ledger.messages import Message, choices, either, headed, t

CONFIG_NAME = "ledger.yaml"

# -- the schema: every key the file may hold, its default and its check ---------
#
# A key not listed here is a typo and is reported, rather than silently
# ignored. Adding a key is one line: `"section.key": Setting(default, check)`.


@dataclass(frozen=True)
class Setting:
    default: Any
    check: Callable[[Any, str], Any]  # (value, "section.key") -> normalised value, or ConfigError


def _brief(value: Any) -> str:
    """A wrong value as a message shows it: its repr, cut short (a YAML alias bomb must not print itself)."""
    if isinstance(value, (list, dict)) and len(value) > 20:
        return (t("a list of {n} items", n=len(value)) if isinstance(value, list) else t("a mapping of {n} items", n=len(value)))
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# A YAML alias may repeat a node; so many that the document expands to more nodes than this is an
# alias bomb (billion laughs), refused before anything is built from it.
MAX_YAML_EXPANSION = 100_000


def refuse_alias_bomb(root: Any, limit: int, where: str) -> None:
    """Refuse a composed YAML node graph whose expansion (aliases counted as copies) exceeds `limit` nodes."""
    import yaml

    sizes: dict[int, int] = {}
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            sizes[key] = total
            if total > limit:
                raise ConfigError(t("{where}: its YAML aliases (*name) expand to more than {limit:,} values: refused (an alias bomb?)", where=where, limit=limit))
            continue
        if key in sizes:
            continue
        if isinstance(node, yaml.ScalarNode):
            sizes[key] = 1
            continue
        sizes[key] = 1  # while in progress: a recursive alias counts once
        stack.append((node, True))
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        stack.extend((c, False) for c in children if id(c) not in sizes)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def boolean(value: Any, key: str) -> bool:
    if not isinstance(value, bool):
        raise ConfigError(t("'{key}' must be true or false, not {brief}", key=key, brief=_brief(value)))
    return value


def whole(low: int, high: int) -> Callable[[Any, str], int]:
    def check(value: Any, key: str) -> int:
        if not _is_int(value) or not low <= value <= high:
            raise ConfigError(t("'{key}' must be a whole number from {low} to {high}, not {brief}", key=key, low=low, high=high, brief=_brief(value)))
        return int(value)

    return check


def days_list(value: Any, key: str) -> list[int]:
    if not isinstance(value, list) or not value or not all(_is_int(v) and 1 <= v <= 3650 for v in value):
        raise ConfigError(t("'{key}' must be a list of whole numbers of days from 1 to 3650, not {brief}", key=key, brief=_brief(value)))
    if value != sorted(set(value)):
        raise ConfigError(t("'{key}' must be in increasing order without repeats", key=key))
    return list(value)


def text(*, required: bool = False, long: bool = False) -> Callable[[Any, str], str]:
    def check(value: Any, key: str) -> str:
        from ledger import values

        if value is None:
            value = ""
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise ConfigError(t("'{key}' must be text, not {brief}", key=key, brief=_brief(value)))
        try:
            parse = values.long_text if long else values.short_text
            return parse(str(value), key, required=required)
        except InvalidInput as e:
            raise ConfigError(headed(e, f"'{key}'")) from None

    return check


def _path_text(value: Any, key: str) -> str:
    """A file path or URL is written as text: `store: 5` is a number, not the file "5"."""
    if not isinstance(value, str):
        raise ConfigError(t("'{key}' must be a file path or postgresql:// URL written as text, not {brief}", key=key, brief=_brief(value)))
    return value


def one_of(*choices: str) -> Callable[[Any, str], str]:
    def check(value: Any, key: str) -> str:
        name = str(value).strip().lower() if isinstance(value, str) else None
        if name not in choices:
            raise ConfigError(t("'{key}' must be {choices}, not {brief}", key=key, choices=either(choices), brief=_brief(value)))
        return name

    return check


def optional_date(value: Any, key: str) -> Any:
    from ledger import values

    if value is None or value == "":
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, date)):
        raise ConfigError(t("'{key}' must be a date such as 2020-09-30, not {brief}", key=key, brief=_brief(value)))
    try:
        return values.parse_date(value, key)
    except InvalidInput as e:
        raise ConfigError(headed(e, f"'{key}'")) from None


def env_name(value: Any, key: str) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,99}", value.strip()):
        raise ConfigError(t("'{key}' must be the name of an environment variable, not {brief}", key=key, brief=_brief(value)))
    return value.strip()


def people_list(value: Any, key: str) -> Any:
    """None (single-user mode) or a list of {name, roles}; names normalised and compared as normalised."""
    from ledger import values
    from ledger.authority import ROLE_ALIASES, ROLES

    if value is None:
        return None
    if not isinstance(value, list):
        raise ConfigError(t("'{key}' must be a list of {{name: …, roles: […]}}", key=key))
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, entry in enumerate(value, 1):
        if not isinstance(entry, dict) or set(entry) - {"name", "roles"}:
            raise ConfigError(t("{key} entry {i} must be a mapping with 'name' and 'roles' only", key=key, i=i))
        if not isinstance(entry.get("name"), str):
            raise ConfigError(t("{key} entry {i} has no name", key=key, i=i))
        try:
            person = values.name(entry["name"], f"{key} entry {i} name")
        except InvalidInput as e:
            raise ConfigError(str(e)) from None
        if person in seen:
            raise ConfigError(t("{key}: '{person}' is listed twice", key=key, person=person))
        seen.add(person)
        roles = entry.get("roles") or []
        if isinstance(roles, str):
            roles = [roles]
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise ConfigError(t("{key}: roles of '{person}' must be a list of role names", key=key, person=person))
        unknown = [r for r in roles if r.strip() not in ROLE_ALIASES]
        if unknown:
            raise ConfigError(t("{key}: unknown role {value!r} for '{person}' (roles: {ROLES})", key=key, value=unknown[0], person=person, ROLES=choices(ROLES)))
        found.append({"name": person, "roles": [r.strip() for r in roles]})
    return found


def column_map(value: Any, key: str) -> dict[str, str]:
    """import.columns: a mapping of a 台账's headings to the fields they hold."""
    from ledger.feedback import parse_column_map

    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
        raise ConfigError(t("'{key}' must map headings to fields, e.g. {example}", key=key, example="{牵头部门: unit, 提示问题金额（万元）: extra}"))
    try:
        return parse_column_map(value, key)  # type: ignore[arg-type]
    except InvalidInput as e:
        raise ConfigError(str(e)) from None


def fraction(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise ConfigError(t("'{key}' must be a number from 0 to 1, not {value!r}", key=key, value=value))
    return float(value)


def word_list(value: Any, key: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(w, str) and w.strip() for w in value):
        raise ConfigError(t("'{key}' must be a list of words, not {value!r}", key=key, value=value))
    return [w.strip() for w in value]


def synonym_groups(value: Any, key: str) -> list[list[str]]:
    """Groups of words meaning the same: each a list, or one text with the words separated by '/'."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise ConfigError(t("'{key}' must be a list of groups such as {example}, not {value!r}", key=key, example="公务用车/公车", value=value))
    groups = []
    for i, group in enumerate(value, 1):
        words = group.split("/") if isinstance(group, str) else group
        if not isinstance(words, list) or not all(isinstance(w, str) and w.strip() for w in words) or len(words) < 2:
            raise ConfigError(t("'{key}' group {i} must name two or more words, such as {example}, not {group!r}", key=key, i=i, example="公务用车/公车", group=group))
        groups.append([w.strip() for w in words])
    return groups


SCHEMA: dict[str, Setting] = {
    "store": Setting("ledger.db", lambda value, key: text(required=True)(_path_text(value, key), key)),
    # 21 CFR Part 11 style separation of duties: whoever completed a
    # measure may not verify it, nor sign the problem off.
    "policy.separate_verifier": Setting(True, boolean),
    "policy.separate_signer": Setting(True, boolean),
    # On a PostgreSQL store: the actor must be the authenticated database login.
    "policy.actor_is_login": Setting(False, boolean),
    # Watching against slippage and relapse: see ledger/watch.py.
    "watch.escalate_after_days_late": Setting(7, whole(0, 3650)),
    "watch.progress_interval_days": Setting(90, whole(1, 3650)),
    "watch.review_points_days": Setting([90, 180], days_list),
    "watch.review_window_days": Setting(30, whole(0, 3650)),
    "watch.due_within_days": Setting(7, whole(0, 3650)),
    # 红黄绿 warning lights by days to the deadline (`ledger due`, `ledger serve`).
    "lights.green_days": Setting(20, whole(0, 3650)),
    "lights.yellow_days": Setting(10, whole(0, 3650)),
    # The public report (整改情况公布) written by `ledger publish`.
    "publication.title": Setting("", text()),
    "publication.authority": Setting("", text()),
    "publication.responsibility": Setting("", text()),
    "publication.effects": Setting("", text()),
    "publication.next_steps": Setting("", text()),
    "publication.closing": Setting("欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。", text(long=True)),
    "publication.contact": Setting("", text()),
    "publication.phone": Setting("", text()),
    "publication.date": Setting("", optional_date),
    "publication.progress_title": Setting("", text()),
    "publication.headline": Setting("last", one_of("first", "last")),
    "publication.accountability": Setting("by-form", one_of("by-form", "total")),
    # Language on screen: zh (Chinese, the default) or en. LEDGER_LANG and --lang override it.
    "language": Setting("zh", one_of("zh", "en")),
    # Hash chain algorithm, read only by `ledger init` (recorded in the ledger).
    "hash": Setting("sha256", lambda value, key: one_of("sha256", "sm3")(str(value).replace("-", ""), key)),
    # Ed25519 key that signs checkpoints; public_key defaults to private_key + ".pub".
    "signing.private_key": Setting("ledger-signing.key", text(required=True)),
    "signing.public_key": Setting("", text()),
    # People and their roles; None (absent) means single-user mode.
    "people": Setting(None, people_list),
    # 双审核: how many different signers a sign-off needs.
    "signoff.required_signers": Setting(1, whole(1, 10)),
    # How `ledger import` reads an office's own headings: {heading: field, or extra} (docs/import.md).
    "import.columns": Setting({}, column_map),
    # Earlier problems like a new one (`ledger similar`, the warning at add-problem and import):
    # the least score listed, synonyms (the first word of each group is the form compared),
    # and words weighted down like 不到位 (see projections/similarity.py).
    "similar.threshold": Setting(0.25, fraction),
    "similar.synonyms": Setting([], synonym_groups),
    "similar.stock_words": Setting([], word_list),
    # Environment variable holding the AES key for sensitive fields.
    "sensitive.key_env": Setting("LEDGER_CIPHER_KEY", env_name),
}


def _defaults() -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for key, setting in SCHEMA.items():
        *sections, name = key.split(".")
        node = tree
        for section in sections:
            node = node.setdefault(section, {})
        node[name] = copy.deepcopy(setting.default)
    return tree


# The defaults as nested sections, as `Config.data` holds them.
DEFAULTS: dict[str, Any] = _defaults()

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

# Watching against slippage and relapse (督办、长期坚持、整改回头看).
watch:
  # `ledger due` suggests the next escalation level (督办通知书 → 提醒书 → 告诫书 → 问责书)
  # for problems late by more than this many days.
  escalate_after_days_late: 7
  # `ledger due` lists long-term problems (长期坚持) whose last progress entry is older than this.
  progress_interval_days: 90
  # 整改回头看: a review falls due this many days after sign-off (对账销号), one per point.
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
  # 一、党组织履行整改主体责任情况 (left out, and the sections after it numbered on, when empty)
  responsibility: ""
  # 三、整改成效: optional narrative printed before the figures.
  effects: ""
  # 四、下一步打算 (left out when empty)
  next_steps: ""
  # The closing sentence; empty to leave it out.
  closing: 欢迎广大干部群众对巡察整改落实情况进行监督。如有意见建议，请及时向我们反映。
  # 联系人 and 联系电话 printed at the end.
  contact: ""
  phone: ""
  # Date printed under the report (YYYY-MM-DD); empty: the --as-of date, or today.
  date: ""
  # Title of the interim report (`publish --stage progress`, 整改进展情况); empty: generated.
  progress_title: ""
  # Where the headline numbers (反馈问题N个，已完成整改N个…) go: last (in 三、整改成效) or first (after the opening).
  headline: last
  # People held accountable: by-form (each form with zeros: 党纪政务处分0人、组织处理0人…) or total.
  accountability: by-form

# Language on screen (table headings, status words, messages): zh or en.
# LEDGER_LANG and the global --lang option override it. JSON output is always English.
language: zh

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
# Roles: registrar 登记员, responsible 责任人, verifier 验收人, signer 销号审批人, auditor 审计人员.
# people:
#   - name: 张三
#     roles: [registrar, verifier]
#   - name: 李四
#     roles: [signer]

# Sign-off (对账销号): 2 = 双审核 (unit head and supervising leader): a problem
# closes only when two different authorised signers have signed.
signoff:
  required_signers: 1

# Earlier problems like a new one (屡查屡犯): `ledger similar`, and the warning line
# at add-problem and import. Scores run from 0 to 1; only those at or above the
# threshold are named. Synonyms: groups of words meaning the same (the first is the
# form compared), added to the built-in ones (公务用车/公车, 组织生活/三会一课,
# 重大事项集体决策/三重一大 …). stock_words: words of every title, weighted down
# like the built-in 关于…的问题, 不到位, 不规范, 落实.
similar:
  threshold: 0.25
  synonyms: []
  #  - 公务接待/公务招待
  #  - [违规吃喝, 大吃大喝]
  stock_words: []

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


def _validate(given: dict[str, Any], defaults: dict[str, Any], where: str = "") -> dict[str, Any]:
    """The defaults, overlaid with `given` checked key by key against SCHEMA."""
    merged = copy.deepcopy(defaults)
    for key, value in given.items():
        if not isinstance(key, str) or key not in defaults:
            known = ", ".join(sorted(defaults))
            raise ConfigError(t("unknown key '{where}{key}' (known: {known})", where=where, key=key, known=known))
        full = f"{where}{key}"
        if full in SCHEMA:
            merged[key] = SCHEMA[full].check(value, full)
            continue
        # a section
        if value is None:
            continue
        if not isinstance(value, dict):
            raise ConfigError(t("'{full}' must be a mapping, not {brief}", full=full, brief=_brief(value)))
        merged[key] = _validate(value, defaults[key], f"{full}.")
    return merged


def yaml_problem(error: Any, text: str) -> tuple[int | None, int | None, Any]:
    """Where a YAML text is broken (line, column, from 1) and why, in the ledger's own keyed words. PyYAML's
    English is never shown (nor read): the error's kind and the characters at its marks say what is wrong."""
    import yaml

    def place(index: int) -> tuple[int, int]:
        start = text.rfind("\n", 0, index) + 1
        return text.count("\n", 0, index) + 1, index - start + 1

    def char(mark: Any) -> str:
        return text[mark.index] if mark is not None and 0 <= mark.index < len(text) else ""

    if isinstance(error, yaml.reader.ReaderError):  # a character no YAML text may hold
        code = error.character if isinstance(error.character, int) else ord(str(error.character)[:1] or "\0")
        return (*place(error.position), t("a character YAML does not allow (U+{code:04X})", code=code))
    problem, here, opened = getattr(error, "problem", None), getattr(error, "problem_mark", None), getattr(error, "context_mark", None)
    at = here or opened
    line, column = (at.line + 1, at.column + 1) if at is not None else (None, None)
    if isinstance(problem, Message):  # the ledger's own (a key given twice)
        return line, column, problem
    found, start = char(here), char(opened)
    if found == "\t":
        reason = t("a tab (YAML indents with spaces)")
    elif start in ("'", '"') and isinstance(error, yaml.scanner.ScannerError):
        line, column, reason = opened.line + 1, opened.column + 1, t("a quoted value begins here and is never closed")
    elif start in ("[", "{") and isinstance(error, yaml.parser.ParserError):
        line, column, reason = opened.line + 1, opened.column + 1, t("a bracket opens here and is never closed")
    elif found == "*" and isinstance(error, yaml.composer.ComposerError):
        reason = t("an alias (*name) that no anchor (&name) defines")
    elif found == "&" and isinstance(error, yaml.composer.ComposerError):
        reason = t("an anchor (&name) defined a second time")
    elif isinstance(error, yaml.composer.ComposerError) and text.startswith("---", here.index if here else 0):
        reason = t("a second document (---): the file holds one")
    elif found == "!" and isinstance(error, yaml.constructor.ConstructorError):
        reason = t("a tag (!…) this file may not use")
    elif found == ":":
        reason = t("a ':' that cannot stand here: quote a value that holds ': ', or check the indentation")
    elif found and found in "@`%|>" and isinstance(error, yaml.scanner.ScannerError):
        reason = t("a value may not begin with {character}: quote the value", character=repr(found))
    else:
        reason = t("the indentation or the structure does not fit here")
    return line, column, reason


def _strict_loader() -> Any:
    """A SafeLoader that refuses a key given twice and keeps dates as text (checked by the schema)."""
    import yaml

    class StrictLoader(yaml.SafeLoader):
        def get_single_node(self) -> Any:
            node = super().get_single_node()
            if node is not None:
                refuse_alias_bomb(node, MAX_YAML_EXPANSION, CONFIG_NAME)
            return node

    def construct_map(loader: Any, node: Any) -> Any:
        loader.flatten_mapping(node)
        data: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            try:
                duplicate = key in data
            except TypeError:  # an unhashable key (a list or mapping used as a key)
                raise yaml.constructor.ConstructorError(None, None, t("a key must be plain text"), key_node.start_mark) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(None, None, t("'{key}' is given twice", key=key), key_node.start_mark)
            data[key] = loader.construct_object(value_node, deep=True)
        return data

    def construct_timestamp(loader: Any, node: Any) -> str:
        return str(node.value)

    StrictLoader.add_constructor("tag:yaml.org,2002:map", construct_map)
    StrictLoader.add_constructor("tag:yaml.org,2002:timestamp", construct_timestamp)
    return StrictLoader


def load_config(path: str | Path | None = None, *, required: bool = True) -> Config:
    """Read ledger.yaml (given, from LEDGER_CONFIG, or found upward)."""
    import yaml

    explicit = path or os.environ.get("LEDGER_CONFIG")
    if explicit:
        try:
            config_path: Path | None = Path(explicit).expanduser().resolve()
            found = config_path.is_file()  # type: ignore[union-attr]
        except (OSError, ValueError, RuntimeError) as e:
            raise ConfigError(t("config file {explicit!r} cannot be used: {value}", explicit=explicit, value=getattr(e, 'strerror', None) or e)) from None
        if not found:
            raise ConfigError(t("config file not found: {explicit}", explicit=explicit))
    else:
        config_path = find_config()
        if config_path is None:
            if required:
                raise ConfigError(
                    t("no {CONFIG_NAME} here or in any parent folder: run `ledger init` first", CONFIG_NAME=CONFIG_NAME)
                )
            return Config(path=None)
    try:
        text = config_path.read_text(encoding="utf-8")
    except UnicodeDecodeError as e:  # the codec's English is not shown: where the file stops being UTF-8 is
        line = e.object[: e.start].count(b"\n") + 1
        raise ConfigError(t("{config_path} is not UTF-8 text (line {line})", config_path=config_path, line=line)) from None
    except OSError as e:
        raise ConfigError(t("cannot read {config_path}: {e}", config_path=config_path, e=e.strerror or e)) from None
    key = (str(config_path), text)
    if key in _loaded:  # a command asks more than once (its language, then its settings)
        return _loaded[key]
    try:
        given = yaml.load(text, Loader=_strict_loader())  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as e:
        line, column, reason = yaml_problem(e, text)
        if isinstance(getattr(e, "problem", None), Message):  # the ledger's own: a key given twice
            where = t(" at line {line}", line=line) if line else ""
            raise ConfigError(t("{config_path}{where}: {problem}", config_path=config_path, where=where, problem=reason)) from None
        if line is None:
            raise ConfigError(t("{config_path} is not valid YAML: {reason}", config_path=config_path, reason=reason)) from None
        raise ConfigError(t("{config_path} is not valid YAML at line {line}, column {column}: {reason}", config_path=config_path, line=line, column=column, reason=reason)) from None
    except RecursionError:
        raise ConfigError(t("{config_path} is nested too deeply", config_path=config_path)) from None
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise ConfigError(t("{config_path} must hold a mapping of settings", config_path=config_path))
    try:
        data = _validate(given, DEFAULTS)
        lights = data["lights"]
        if lights["yellow_days"] > lights["green_days"]:  # yellow is the nearer warning (ledger/watch.py checks it too)
            raise ConfigError(t("'lights.yellow_days' must not be more than 'lights.green_days'"))  # at load, so every command refuses it
    except ConfigError as e:
        raise ConfigError(t("{config_path}: {e}", config_path=config_path, e=e)) from None
    loaded = Config(path=config_path, data=data)
    _loaded[key] = loaded
    return loaded


# Each ledger.yaml parsed once per process while its text is unchanged: parsing is a few ms of a command's
# start-up, and a command asks twice (its language, then its settings). Nothing changes a loaded Config's data.
_loaded: dict[tuple[str, str], Config] = {}
