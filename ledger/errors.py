"""Errors the ledger reports to its users.

Each carries the exit code the CLI uses, so that `commands/` only has to print
the message: 1 for a broken rule or an unknown ID, 2 for bad input or
configuration, 3 for a conflicting concurrent change. The message is a keyed
`ledger.messages.Message`, rendered in the reader's language by the interface.
"""

from ledger.messages import t


class LedgerError(Exception):
    """Base class: a user-facing error with a one-line message."""

    exit_code = 1


class RuleViolation(LedgerError):
    """A lifecycle rule forbids the act (nothing was written)."""

    def __init__(self, rule: str, subject: str, message: str):
        self.rule = rule
        self.subject = subject
        super().__init__(t("{subject}: {message} [rule: {rule}]", subject=subject, message=message, rule=rule))


# What an ID can name, as a message says it.
KINDS = {
    "problem": t("problem"), "inspection": t("inspection"), "measure": t("measure"), "round": t("round"),
    "organisation": t("organisation"),
}


class UnknownID(LedgerError):
    """No problem, measure or inspection has that ID."""

    def __init__(self, kind: str, ident: str, message: str | None = None):
        self.kind = kind
        self.ident = ident
        super().__init__(message or t("unknown {kind} ID: {ident}", kind=KINDS.get(kind, kind), ident=ident))


class InvalidInput(LedgerError):
    """A value given on the command line or in a file is not acceptable."""

    exit_code = 2


class ConfigError(LedgerError):
    """ledger.yaml is missing, unreadable or wrong."""

    exit_code = 2


class StoreError(LedgerError):
    """The store cannot be opened, is not initialised, or failed."""


class ConflictError(LedgerError):
    """Someone else changed the same records at the same time: retry."""

    exit_code = 3


class TamperingFound(LedgerError):
    """The stored history does not verify: something was edited, deleted, inserted or reordered."""

    exit_code = 4

    def __init__(self, seq: int | str, reason: str | None = None):
        if reason is None:
            self.seq = None
            self.finding = seq  # what was found, without "tampering found: " (worded into another finding)
        else:
            self.seq = int(seq)
            self.finding = t("first bad sequence number {seq}: event {seq} {reason}", seq=seq, reason=reason)
        super().__init__(t("tampering found: {finding}", finding=self.finding))


class NotAuthorised(LedgerError):
    """The actor's roles in ledger.yaml do not allow the command (exit 1)."""
