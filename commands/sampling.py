"""Reverse-check sampling (台账销号反向核查): `sample` draws signed-off problems for on-site checks; `samples` lists every draw."""

from __future__ import annotations

import json
from typing import Any

import click

from commands import i18n
from commands.options import CODE, SAMPLE_SIZE, SEED, LedgerContext, echo, output_options, pass_ledger, render_rows, write_options
from commands.i18n import Command
from ledger import values
from ledger.messages import t, tn

SAMPLE_COLUMNS = ("id", "category", "title", "status", "unit", "person")
DRAW_COLUMNS = ("draw", "inspection", "seed", "size", "population", "drawn", "by", "at")


@click.command(cls=Command)
@click.option("--inspection", type=CODE, required=True, metavar="CODE", help="Draw from this inspection's signed-off problems.")
@click.option("--size", type=SAMPLE_SIZE, required=True, help="How many problems to draw.")
@click.option("--seed", type=SEED, default=None, help="Seed of the draw (default: a fresh random one, recorded).")
@write_options
@pass_ledger
def sample(state: LedgerContext, inspection: str, size: int, seed: int | None, at: Any, actor: str | None, fmt: str) -> None:
    """Draw a reproducible random sample of signed-off problems for on-site re-checking.

    Every draw is recorded (seed, size, the IDs drawn, who drew it), so a
    sample cannot be redrawn quietly until a favourable one comes up.
    """
    import secrets
    from datetime import date

    from projections.sampling import signed_off_population
    from projections.status import load_problems

    code = inspection
    app = state.app
    app.get_inspection(code)  # unknown inspection: one clear line, before who may draw
    who = state.actor(actor, act="sampling")
    chosen_seed = secrets.randbelow(2**32) if seed is None else seed
    draw = app.draw_sample(
        code, size=size, seed=chosen_seed, actor=who, at=at,
        population=lambda c, style: signed_off_population(c, code, style),
    ).draw
    with app.recorder.reading() as c:
        views = {v["id"]: v for v in load_problems(c, style=app.recorder.placeholder, today=date.today(), ids=draw.drawn_ids)}
    rows = []
    for ident in draw.drawn_ids:
        v = views[ident]
        assignee = v.get("assignee") or {}
        rows.append({"id": ident, "category": v["category"], "title": v["title"], "status": v["status"], "unit": assignee.get("unit"), "person": assignee.get("person")})
    if fmt == "json":
        echo(json.dumps({"draw": str(draw.id), "inspection": code, "seed": draw.seed, "size": draw.size, "population": len(draw.population), "drawn_ids": draw.drawn_ids, "by": who.name, "problems": rows}, ensure_ascii=False, indent=2))
        return
    echo(render_rows(rows, fmt, SAMPLE_COLUMNS))
    if fmt == "table":
        echo(i18n.translate(tn("\ndraw {id}: seed {seed}, {size} of {n_population} signed-off problem of {code}, drawn by {who} (recorded)", "\ndraw {id}: seed {seed}, {size} of {n_population} signed-off problems of {code}, drawn by {who} (recorded)", len(draw.population), id=draw.id, seed=draw.seed, size=draw.size, n_population=len(draw.population), code=code, who=who.name), i18n.current()))


def all_draws(app: Any) -> list[Any]:
    """Every recorded draw, oldest first (from the event log)."""
    from eventsourcing.utils import get_topic

    from ledger.domain import SampleDraw

    topic = get_topic(SampleDraw.Drawn)
    draws, start = [], 1
    while True:
        batch = app.recorder.select_notifications(start=start, limit=500, topics=[topic])
        draws.extend(app.mapper.to_domain_event(n) for n in batch)
        if len(batch) < 500:
            return draws
        start = batch[-1].id + 1


@click.command(cls=Command)
@click.option("--inspection", default=None, metavar="CODE", help="Only draws from this inspection.")
@output_options
@pass_ledger
def samples(state: LedgerContext, inspection: str | None, fmt: str) -> None:
    """Every sample drawn for reverse checking, oldest first: who drew what, with which seed."""
    from projections.views import plain

    rows = [
        {
            "draw": str(e.originator_id),
            "inspection": e.inspection,
            "seed": e.seed,
            "size": e.size,
            "population": len(e.population),
            "drawn": e.drawn_ids,
            "by": e.actor,
            "at": plain(e.at),
            "recorded_at": plain(e.timestamp),
        }
        for e in all_draws(state.app)
        if inspection is None or e.inspection == inspection
    ]
    if not rows and fmt == "table":
        from commands import i18n

        echo(i18n.translate(t("no samples drawn"), i18n.current()))
        return
    echo(render_rows(rows, fmt, DRAW_COLUMNS))


COMMANDS = [sample, samples]
