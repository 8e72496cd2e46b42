"""Aggregate ids and the clock, without the aggregates.

Kept apart from `ledger.domain` so that opening the application (every read command does) does not
build the event classes: that costs ~30 ms of start-up, and a read command never needs them unless
it loads an aggregate.
"""

from __future__ import annotations

from datetime import datetime, timezone
from uuid import UUID, uuid5

from ledger.values import problem_display_id

# Problem and inspection IDs are derived from their codes and numbers, so the
# event store's uniqueness constraint keeps numbers unique per inspection even
# when two offices register problems at the same moment.
NAMESPACE = UUID("7d1c3f0e-5b8a-4c55-9a51-2f6a3b9e1c44")


def inspection_uuid(code: str) -> UUID:
    return uuid5(NAMESPACE, f"inspection:{code}")


def problem_uuid(code: str, number: int) -> UUID:
    return uuid5(NAMESPACE, f"problem:{problem_display_id(code, number)}")


def utc_now() -> datetime:
    return datetime.now(timezone.utc)
