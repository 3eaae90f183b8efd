"""Mailboxes the live runner reads: a local Maildir now, IMAP next (same interface)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

from core.config import Workspace
from core.models import RawMessage
from tools.files import maildir_files, maildir_key
from tools.imap import ImapSource
from tools.mailbox import MailboxUnavailable, MailSource

__all__ = ["MailSource", "MailboxUnavailable", "MaildirSource", "NoMailbox", "open_source"]


class MaildirSource:
    """A local Maildir, read-only: the database, not the folder, records what was processed."""

    def __init__(self, path: Path) -> None:
        if not (path / "cur").is_dir() or not (path / "new").is_dir():
            raise FileNotFoundError(f"{path}: not a Maildir (needs cur/ and new/)")
        self.path = path
        self.name = f"maildir:{path.resolve()}"

    def fetch(self, known: set[str]) -> Iterator[RawMessage]:
        for f in maildir_files(self.path):
            key = maildir_key(f)
            if key in known:
                continue
            try:
                data = f.read_bytes()
            except FileNotFoundError:  # moved by a mail client meanwhile: seen next round
                continue
            yield RawMessage(ref=str(f), data=data, source=self.name, source_key=key)

    def wait(self, timeout: float) -> None:
        time.sleep(timeout)

    def mark_processed(self, keys: set[str]) -> None:
        pass  # read-only: the database records what was processed

    def close(self) -> None:
        pass


class NoMailbox(Exception):
    pass


def open_source(ws: Workspace) -> MailSource:
    if ws.maildir is not None:
        return MaildirSource(ws.maildir)
    if ws.imap is not None:
        source: MailSource = ImapSource(ws.imap)
        return source
    raise NoMailbox("the config has neither 'imap' nor 'maildir': nothing to read")
