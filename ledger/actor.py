"""Who acts: a value built by the interface and passed to each application method.

The CLI (commands/options.py) or any other interface authenticates the person
(ledger.signing.authenticate) and hands the Actor to the act; the application
checks each event written against it, signs with its key and attaches its
files. Nothing about who acts is kept on the application between acts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Actor:
    """Whose act it is, allowed by which roles, signed by whom, with which files.

    `name`: recorded as the events' actor: the person on whose behalf (`--for`) when given.
    `roles`: what they hold; None when nobody's roles are known (trial mode without `people:`): anyone.
    `signer`: ledger.identity.Signer, the one who enters and signs (the clerk under `--for`); None: unsigned.
    `evidence`: (manifest, bytes) of each evidence file (佐证材料) the act's events carry, kept when saved.
    """

    name: str
    act: str | None = None
    roles: frozenset[str] | None = None
    signer: Any = None
    evidence: tuple[tuple[dict[str, Any], bytes], ...] = ()

    @property
    def on_behalf_of(self) -> str | None:
        """The person whose paper signature a clerk entered (`--for`), or None."""
        return self.signer.principal if self.signer is not None else None

    @property
    def entered_by(self) -> str:
        """Who entered the act: the signer when signed, else the actor."""
        return self.signer.name if self.signer is not None else self.name

    @property
    def attachments(self) -> list[dict[str, Any]]:
        """The manifests written into each event of the act."""
        return [dict(manifest) for manifest, _ in self.evidence]

    @property
    def administering(self) -> bool:
        """Signed with the administrator's key for `ledger init` or `ledger person …`: may change who acts."""
        return self.signer is not None and self.signer.meaning.startswith(("person", "init"))


def as_actor(actor: Actor | str | None) -> Actor | None:
    """An Actor from a plain name too (library callers, tests): no roles known, nothing signed."""
    if actor is None or isinstance(actor, Actor):
        return actor
    return Actor(name=str(actor))
