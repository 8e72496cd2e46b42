"""Watching against slippage and relapse: escalation levels, and the `watch:` policy.

The policy says when `due` suggests escalating, how often long-term items
(长期坚持) must report progress, and when 整改回头看 reviews fall due after sign-off.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ledger import vocabulary
from ledger.errors import ConfigError, InvalidInput
from ledger.messages import choices, t

# In order: each level is more serious than the one before.
ESCALATION_LEVELS = vocabulary.zh(vocabulary.ESCALATION_LEVELS)


def escalation_level(value: str) -> str:
    text = value.strip()
    if text.lower() in ESCALATION_LEVELS:
        return text.lower()
    for key, label in ESCALATION_LEVELS.items():
        if text in (label, label[:-1]):  # 督办通知书 or 督办通知
            return key
    raise InvalidInput(t("--level: '{value}' is not one of {choices}", value=value, choices=choices(vocabulary.ESCALATION_LEVELS)))


def next_level(current: str | None) -> str | None:
    order = list(ESCALATION_LEVELS)
    if current is None:
        return order[0]
    i = order.index(current)
    return order[i + 1] if i + 1 < len(order) else None


@dataclass(frozen=True)
class WatchPolicy:
    escalate_after_days_late: int
    progress_interval_days: int
    review_points_days: tuple[int, ...]
    review_window_days: int
    due_within_days: int


def watch_policy(config: Any) -> WatchPolicy:
    """The `watch:` section of ledger.yaml, checked."""
    data = config.section("watch")
    where = f"{config.path}: " if getattr(config, "path", None) else ""
    for key in ("escalate_after_days_late", "progress_interval_days", "review_window_days", "due_within_days"):
        if data[key] < 0:
            raise ConfigError(t("{where}'watch.{key}' must not be negative", where=where, key=key))
    if data["progress_interval_days"] < 1:
        raise ConfigError(t("{where}'watch.progress_interval_days' must be 1 or more", where=where))
    points = data["review_points_days"]
    if not all(isinstance(p, int) and not isinstance(p, bool) and p > 0 for p in points):
        raise ConfigError(t("{where}'watch.review_points_days' must be a list of whole numbers of days, each 1 or more", where=where))
    if list(points) != sorted(set(points)):
        raise ConfigError(t("{where}'watch.review_points_days' must be in increasing order without repeats", where=where))
    return WatchPolicy(
        escalate_after_days_late=data["escalate_after_days_late"],
        progress_interval_days=data["progress_interval_days"],
        review_points_days=tuple(points),
        review_window_days=data["review_window_days"],
        due_within_days=data["due_within_days"],
    )


@dataclass(frozen=True)
class LightPolicy:
    """红黄绿 warning lights by days to the deadline: green from `green_days` left, yellow from `yellow_days`, red when overdue."""

    green_days: int
    yellow_days: int


def light_policy(config: Any) -> LightPolicy:
    """The `lights:` section of ledger.yaml, checked."""
    data = config.section("lights")
    where = f"{config.path}: " if getattr(config, "path", None) else ""
    for key in ("green_days", "yellow_days"):
        if data[key] < 0:
            raise ConfigError(t("{where}'lights.{key}' must not be negative", where=where, key=key))
    if data["yellow_days"] > data["green_days"]:
        raise ConfigError(t("{where}'lights.yellow_days' must not be more than 'lights.green_days'", where=where))
    return LightPolicy(green_days=data["green_days"], yellow_days=data["yellow_days"])
