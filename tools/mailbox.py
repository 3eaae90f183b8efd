"""What every mailbox the runner reads offers, and how it says it cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

from core.models import RawMessage


class MailSource(Protocol):
    name: str

    def fetch(self, known: set[str]) -> Iterator[RawMessage]:
        """Messages whose key is not in `known`, oldest first. Changes nothing."""
        ...

    def wait(self, timeout: float) -> None:
        """Block until new mail may have arrived (IDLE) or the timeout passed."""
        ...

    def mark_processed(self, keys: set[str]) -> None:
        """Called after the decisions are committed, with the keys of every processed
        message: the mailbox may now show that (a keyword, a move). Idempotent."""
        ...

    def close(self) -> None: ...


class MailboxUnavailable(Exception):
    """The mailbox cannot be reached right now (network, server restart, login refused);
    the runner waits with backoff and tries again. Nothing is lost: local state is the truth."""
