"""`--as-of` and `--as-at`: the past state that `status`, `show`, `summary` and `publish` show.

`--as-of T`: what the ledger said at T, from the events *recorded* by then.
`--as-at T`: the state by the dates the acts really happened (their `--at`),
whenever they were entered; what a clerk who entered 2020's work in 2026 expects.
"""

from __future__ import annotations

import functools
from datetime import datetime, time, timezone
from typing import Any

import click

from ledger import values
from ledger.errors import InvalidInput
from ledger.messages import t

AS_OF_HELP = (
    "Show the state as the ledger recorded it at this moment, from the events recorded up to then "
    "(date or date-time, local time; a bare date means the end of that day)."
)
AS_AT_HELP = (
    "Show the state by the dates the acts really happened (their --at), whenever they were entered "
    "(date or date-time, local time; a bare date means the end of that day)."
)


class AsAt(datetime):
    """A moment of `--as-at`: the past state is cut by when acts happened, not when they were recorded."""

    option = "--as-at"
    meaning = "by the dates acts happened"


def past_moment_option(moment: datetime | None) -> str:
    """The option that chose `moment`, for messages."""
    return "--as-at" if isinstance(moment, AsAt) else "--as-of"


def describe_moment(moment: datetime | None) -> str:
    """' as of 2020-09-15T23:59:59+00:00 (recorded time)', or '' for the current state."""
    if moment is None:
        return ""
    if isinstance(moment, AsAt):
        return t(" as at {moment_text} (by the dates acts happened)", moment_text=values.moment_text(moment))
    return t(" as of {moment_text} (recorded time)", moment_text=values.moment_text(moment))


class AsOfType(click.ParamType):
    """A date-time; a bare date is the end of that day (or now, for today)."""

    name = "DATETIME"

    def __init__(self, by_at: bool = False):
        self.by_at = by_at

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, datetime):
            return value
        option = "--as-at" if self.by_at else "--as-of"
        text = str(value).strip()
        try:
            moment = values.parse_datetime(text, option)
            if moment.astimezone().time() == time(0) and values.is_bare_date(text):
                day = values.parse_date(text, option)
                end = datetime.combine(day, time.max).astimezone().astimezone(timezone.utc)
                now = datetime.now(timezone.utc)
                moment = now if day == datetime.now().date() and end > now else end
        except InvalidInput as e:
            from commands.options import fail

            fail(self, e, param, ctx)
        if self.by_at:
            return AsAt.fromtimestamp(moment.timestamp(), timezone.utc)
        return moment


AS_OF = AsOfType()
AS_AT = AsOfType(by_at=True)


def as_of_option(f: Any) -> Any:
    """--as-of and --as-at; the command receives the chosen moment as `as_of` (an AsAt for --as-at)."""

    @functools.wraps(f)
    def wrapper(*args: Any, as_of: Any = None, as_at: Any = None, **kwargs: Any) -> Any:
        if as_of is not None and as_at is not None:
            raise click.UsageError(t("give --as-of (recorded time) or --as-at (when acts happened), not both"))
        return f(*args, as_of=as_at if as_at is not None else as_of, **kwargs)

    wrapper = click.option("--as-at", "as_at", type=AS_AT, default=None, help=AS_AT_HELP)(wrapper)
    return click.option("--as-of", "as_of", type=AS_OF, default=None, help=AS_OF_HELP)(wrapper)
