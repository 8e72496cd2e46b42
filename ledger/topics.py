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


# The ledger's aggregates, by the module that defines them: a command reading one kind of aggregate imports only
# that module (the checkpoint's module is not needed to add a problem; start-up time is a feature).
AGGREGATES: dict[str, tuple[str, ...]] = {
    "ledger.domain": ("Inspection", "Problem", "SampleDraw"),
    "ledger.checkpoint": ("Checkpoint",),
    "ledger.identity": ("Authority",),
}


@lru_cache(maxsize=None)
def _topics_of(module: str) -> dict[str, str]:
    """Each event class's topic → its aggregate class's topic, for the aggregates `module` defines."""
    import importlib

    from eventsourcing.domain import DomainEvent
    from eventsourcing.utils import get_topic

    topics: dict[str, str] = {}
    for name in AGGREGATES[module]:
        aggregate = getattr(importlib.import_module(module), name)
        for value in vars(aggregate).values():
            if isinstance(value, type) and issubclass(value, DomainEvent):
                topics[get_topic(value)] = get_topic(aggregate)
        for cls in aggregate.__mro__:  # events inherited from a base aggregate class
            for value in vars(cls).values():
                if isinstance(value, type) and issubclass(value, DomainEvent) and value.__qualname__.startswith(aggregate.__name__ + "."):
                    topics.setdefault(get_topic(value), get_topic(aggregate))
    return topics


@lru_cache(maxsize=1)
def event_topics() -> dict[str, str]:
    """Each event class's topic → its aggregate class's topic, for every aggregate of the ledger."""
    topics: dict[str, str] = {}
    for module in AGGREGATES:
        for topic, aggregate in _topics_of(module).items():
            topics.setdefault(topic, aggregate)
    return topics


def aggregate_topic(topic: Any) -> str | None:
    """The aggregate class's topic of an event class's topic, if it is one of the ledger's (else None)."""
    if not isinstance(topic, str):
        return None
    module = topic.partition(":")[0]
    if module in AGGREGATES:
        found = _topics_of(module).get(topic)
        if found is not None:
            return found
    return event_topics().get(topic)  # an event defined in another module than its aggregate's, or none


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
        topic = stored_event.topic
        aggregate = aggregate_topic(topic)
        if aggregate is None:
            raise ForeignTopic(stored_event, f"has the topic {str(topic)[:200]!r}, which is not one of the ledger's event classes")
        event = super().to_domain_event(stored_event)
        if not isinstance(event.__dict__.get("timestamp"), datetime):  # every event the ledger writes has its time
            raise ForeignTopic(stored_event, t("cannot be read back (has no recorded time): run `ledger audit --verify`"))
        actor = event.__dict__.get("actor")
        if isinstance(actor, str) and len(actor) > LONGEST_ACTOR:
            raise ForeignTopic(stored_event, f"has an actor of {len(actor):,} characters: the ledger never writes one longer than {LONGEST_ACTOR:,}")
        origin = event.__dict__.get("originator_topic")
        if origin is not None and origin != aggregate:
            raise ForeignTopic(stored_event, f"names the aggregate class {str(origin)[:200]!r}, not {aggregate} whose event it is")
        return event
