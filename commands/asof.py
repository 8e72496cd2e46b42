"""`--as-of`: the moment whose state `status`, `show`, `summary` and `publish` show."""

from __future__ import annotations

import re
from datetime import datetime, time, timezone
from typing import Any

import click

from ledger import values
from ledger.errors import InvalidInput

AS_OF_HELP = (
    "Show the state as it stood at this moment, from the events recorded up to then "
    "(ISO date-time, local time; a bare date means the end of that day)."
)


class AsOfType(click.ParamType):
    """A date-time; a bare date is the end of that day (or now, for today)."""

    name = "DATETIME"

    def convert(self, value: Any, param: Any, ctx: Any) -> Any:
        if isinstance(value, datetime):
            return value
        text = str(value).strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                day = values.parse_date(text, "--as-of")
                end = datetime.combine(day, time.max).astimezone().astimezone(timezone.utc)
                now = datetime.now(timezone.utc)
                return now if day == datetime.now().date() and end > now else end
            return values.parse_datetime(text, "--as-of")
        except InvalidInput as e:
            self.fail(str(e).split(": ", 1)[-1], param, ctx)


AS_OF = AsOfType()


def as_of_option(f: Any) -> Any:
    return click.option("--as-of", "as_of", type=AS_OF, default=None, help=AS_OF_HELP)(f)
