"""The Sent folder of the `imap:` account: where copies of sent replies are kept, and where
a reply whose fate a crash left open is looked up by its Message-ID.

The folder is `imap.sent_folder`, else the one the server marks `\\Sent` (SPECIAL-USE),
else "Sent" (created when missing). Its own connection: the inbox connection may be idling.
"""

from __future__ import annotations

import logging
from datetime import datetime

from imapclient import IMAPClient
from imapclient.imapclient import SENT

from core.config import Imap
from tools.imapconn import close, connect, guarded
from tools.mailbox import MailboxUnavailable

log = logging.getLogger(__name__)


class SentFolder:
    def __init__(self, cfg: Imap) -> None:
        self.cfg = cfg
        self.folder: str | None = cfg.sent_folder
        self._client: IMAPClient | None = None

    def _open(self) -> IMAPClient:
        if self._client is not None:
            try:
                self._client.noop()
                return self._client
            except Exception:  # dead connection: reconnect
                self.close()
        client = connect(self.cfg)
        try:
            self.folder = self.folder or guarded(
                "LIST", lambda: client.find_special_folder(SENT)) or "Sent"
            folder = self.folder
            if not guarded("LIST", lambda: client.folder_exists(folder)):
                guarded("CREATE", lambda: client.create_folder(folder))
                log.warning("created the Sent folder %r on %s", folder, self.cfg.host)
            guarded("SELECT", lambda: client.select_folder(folder, readonly=True))
        except MailboxUnavailable:
            close(client)
            raise
        self._client = client
        return client

    def contains(self, message_id: str) -> bool:
        """Whether a mail with this Message-ID is in the Sent folder."""
        client = self._open()
        try:
            found = guarded("UID SEARCH", lambda: client.search(
                ["HEADER", "Message-ID", message_id]))
        except MailboxUnavailable:
            self.close()
            raise
        return bool(found)

    def keep(self, message_id: str, data: bytes, when: datetime) -> None:
        """Append a copy unless one is there already (some providers file SMTP mail
        themselves, Gmail for one)."""
        if self.contains(message_id):
            return
        client = self._open()
        folder = self.folder or "Sent"
        try:
            guarded("APPEND", lambda: client.append(folder, data, flags=[b"\\Seen"],
                                                    msg_time=when))
            guarded("NOOP", client.noop)
        except MailboxUnavailable:
            self.close()
            raise

    def close(self) -> None:
        client, self._client = self._client, None
        close(client)
