"""How long work tells a `progress(done, total)` callback how far it is (the CLI draws it: commands/progress.py)."""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")

PROGRESS_EVERY = 2000  # items (events, links, rows) between two reports


def reporting(
    items: Iterable[T],
    progress: Callable[[int, int], Any],
    total: int,
    *,
    every: int = PROGRESS_EVERY,
    reached: Callable[[int, T], int] | None = None,
) -> Iterator[T]:
    """`items`, telling `progress` (0, total) first, how far it is every `every` items, and (total, total) at the end.

    How far: `reached(n, item)` after n items, the last of them `item` (by default n: a count).
    """
    progress(0, total)
    for n, item in enumerate(items, 1):
        yield item
        if n % every == 0:
            progress(n if reached is None else reached(n, item), total)
    progress(total, total)
