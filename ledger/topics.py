"""Stored topics are resolved only against the ledger's own event classes.

eventsourcing turns a stored event's topic (`module:Class.Event`) into a class by
importing the module it names, and an aggregate's first event names the
aggregate class the same way (`originator_topic`). A topic edited in the store
could so make any command import any module on the path (a `.py` file beside
the store, with `python -m ledger`). Here a topic is looked up in the set of the
ledger's own event classes first; anything else is tampering, named, and nothing
is imported.
"""

from __future__ import annotations

from datetime import datetime
from functools import lru_cache
from typing import Any

from eventsourcing.persistence import Mapper

from ledger.errors import TamperingFound
from ledger.messages import t


@lru_cache(maxsize=1)
def event_topics() -> dict[str, str]:
    """Each event class's topic → its aggregate class's topic, for every aggregate of the ledger."""
    from eventsourcing.domain import CanMutateProtocol, DomainEvent  # noqa: F401
    from eventsourcing.utils import get_topic

    from ledger.checkpoint import Checkpoint
    from ledger.domain import Inspection, Problem, SampleDraw
    from ledger.identity import Authority

    topics: dict[str, str] = {}
    for aggregate in (Inspection, Problem, SampleDraw, Checkpoint, Authority):
        for value in vars(aggregate).values():
            if isinstance(value, type) and issubclass(value, DomainEvent):
                topics[get_topic(value)] = get_topic(aggregate)
        for cls in aggregate.__mro__:  # events inherited from a base aggregate class
            for value in vars(cls).values():
                if isinstance(value, type) and issubclass(value, DomainEvent) and value.__qualname__.startswith(aggregate.__name__ + "."):
                    topics.setdefault(get_topic(value), get_topic(aggregate))
    return topics


# Names are refused past 100 characters (ledger.values.person_name); any version of the ledger kept
# them far shorter than a short text. A longer actor was written into the store by hand.
LONGEST_ACTOR = 1_000


class ForeignTopic(TamperingFound):
    """A stored event names a class that is not one of the ledger's events."""

    def __init__(self, stored: Any, what: str):
        self.detail = what
        super().__init__(t("the event of aggregate {aggregate} version {version} {what}", aggregate=stored.originator_id, version=stored.originator_version, what=what))


class LedgerMapper(Mapper):  # type: ignore[type-arg]
    """eventsourcing's Mapper, refusing a topic that is not one of the ledger's own event classes before resolving it."""

    def to_domain_event(self, stored_event: Any) -> Any:
        topics = event_topics()
        topic = stored_event.topic
        if not isinstance(topic, str) or topic not in topics:
            raise ForeignTopic(stored_event, f"has the topic {str(topic)[:200]!r}, which is not one of the ledger's event classes")
        event = super().to_domain_event(stored_event)
        if not isinstance(event.__dict__.get("timestamp"), datetime):  # every event the ledger writes has its time
            raise ForeignTopic(stored_event, t("cannot be read back (has no recorded time): run `ledger audit --verify`"))
        actor = event.__dict__.get("actor")
        if isinstance(actor, str) and len(actor) > LONGEST_ACTOR:
            raise ForeignTopic(stored_event, f"has an actor of {len(actor):,} characters: the ledger never writes one longer than {LONGEST_ACTOR:,}")
        origin = event.__dict__.get("originator_topic")
        if origin is not None and origin != topics[topic]:
            raise ForeignTopic(stored_event, f"names the aggregate class {str(origin)[:200]!r}, not {topics[topic]} whose event it is")
        return event
