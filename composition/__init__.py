"""The composition root: where the write side is given the read side, and the interfaces their ledger.

As eventsourcing's persistence modules and Factory choose an application's
recorder from its settings, this package builds the application: the store's
settings (`ledger.store.store_env`), the recorder constructed with the
in-transaction writers (the read models, the similarity index and problem
links, the Merkle tree), the read side's view builder. `ledger/` defines the
hooks (`InTransactionWriter`, `StoreSchema`, `ReadSide`) and never imports
`projections/`; `commands/` (the entry point) opens ledgers here, and hands
`web/` what it reads from. Another writer that must commit with the events
(an index over the log) is one more line in `in_transaction_writers`.

Everything is imported when asked for: CLI start-up stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ledger.application import ReadSide, RectificationLedger
    from ledger.schema import StoreSchema
    from ledger.store import InTransactionWriter


def in_transaction_writers() -> tuple[InTransactionWriter, ...]:
    """What every insert transaction writes after the events and their chain links, in this order."""
    from ledger.merkle import MERKLE_SCHEMA, write_tree
    from ledger.store import InTransactionWriter
    from projections import similarity
    from projections.tables import PG_TRIGGERS, SCHEMA, SQLITE_TRIGGERS, write_read_models

    return (
        InTransactionWriter("read_models", write_read_models, tuple(SCHEMA), tuple(SQLITE_TRIGGERS), tuple(PG_TRIGGERS)),
        InTransactionWriter(
            "similarity_index", similarity.write_similarity_index,
            tuple(similarity.SCHEMA), tuple(similarity.SQLITE_SCHEMA), tuple(similarity.PG_SCHEMA),
        ),
        InTransactionWriter("problem_links", similarity.write_problem_links, tuple(similarity.LINKS_SCHEMA)),
        InTransactionWriter("merkle_tree", write_tree, tuple(MERKLE_SCHEMA)),
    )


def store_schema() -> StoreSchema:
    """What `ledger init` makes beside the events and the chain; the schema check expects exactly this."""
    from ledger.schema import StoreSchema
    from projections.tables import DEADLINE_INDEX

    # The overdue index is made after an older store's tables are upgraded: it needs the `parent` column.
    return StoreSchema(writers=in_transaction_writers(), after_upgrade=(DEADLINE_INDEX,))


def read_side() -> ReadSide:
    from ledger.application import ReadSide
    from projections.views import read_model_views

    return ReadSide(schema=store_schema(), views_for=read_model_views)


def open_ledger(config: Any, *, create: bool = False) -> RectificationLedger:
    """The application over the store `config` names, its read side wired in."""
    from ledger import application

    return application.open_ledger(config, read_side=read_side(), create=create)


def ledger_over(env: dict[str, str], policy: dict[str, Any] | None = None) -> RectificationLedger:
    """The application over a store whose settings are already made (`ledger migrate`'s target, benches, tests)."""
    from ledger.application import RectificationLedger

    return RectificationLedger(env=env, policy=policy, read_side=read_side())


def web_app(config: Any, *, token: str | None = None, lang: str | None = None) -> Any:
    """The read-only web view (`ledger serve`) with what its pages read: the store opened read-only, the schema it verifies."""
    from web.app import create_app

    return create_app(config, schema=store_schema(), token=token, lang=lang)
