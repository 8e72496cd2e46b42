"""The one place where the write side is told about the read side.

`ledger.store` calls every registered in-transaction writer inside the
transaction that inserts events; `ledger.application` asks its view builder
which read-model rows the saved aggregates need. Both hooks are defined by the
write side and filled here with what the read side (`projections`) provides,
so no other module of `ledger/` imports `projections/`. Another writer that
must commit with the events (e.g. an index over the log) is one more
`register_in_transaction_writer` line here.
"""

from __future__ import annotations

_wired = False


def wire() -> None:
    """Register the read models' writer, tables and view builder (idempotent)."""
    global _wired
    if _wired:
        return
    from ledger import application
    from ledger.store import register_in_transaction_writer
    from projections.tables import PG_TRIGGERS, SCHEMA, SQLITE_TRIGGERS, write_read_models
    from projections.views import read_model_views

    register_in_transaction_writer(
        "read_models", write_read_models, schema=SCHEMA, sqlite_schema=SQLITE_TRIGGERS, pg_schema=PG_TRIGGERS
    )
    from projections import similarity

    register_in_transaction_writer(
        "similarity_index",
        similarity.write_similarity_index,
        schema=similarity.SCHEMA,
        sqlite_schema=similarity.SQLITE_SCHEMA,
        pg_schema=similarity.PG_SCHEMA,
    )
    register_in_transaction_writer("problem_links", similarity.write_problem_links, schema=similarity.LINKS_SCHEMA)
    from ledger.merkle import MERKLE_SCHEMA, write_tree

    register_in_transaction_writer("merkle_tree", write_tree, schema=MERKLE_SCHEMA)
    from ledger import schema
    from projections.tables import DEADLINE_INDEX

    schema.AFTER_UPGRADE[:] = [DEADLINE_INDEX]  # `ledger init` makes it after upgrading: the schema check expects it
    application.RectificationLedger.views_for = staticmethod(read_model_views)  # type: ignore[assignment]
    application.RectificationLedger.events_of = _events_of  # type: ignore[assignment]
    _wired = True


def _events_of(app: object, aggregate_id: object) -> object:
    """One aggregate's (sequence number, domain event) pairs, by the read side's portable reader."""
    from projections.replay import iter_events  # only when asked: start-up stays light

    return iter_events(app, ids=[aggregate_id])
