"""The agent's mailbox over IMAP (CONTRACT §5): read-only fetches, IDLE, marks after commit.

- Messages are read with `BODY.PEEK[]` (nothing gets `\\Seen`), in batches bounded by count
  and by size (one SEARCH LARGER finds the big ones; a 40 MB mail is fetched on its own).
- A message's key is "UIDVALIDITY:UID". When the server renumbers a folder (UIDVALIDITY
  changes) every key is new: all messages are read again and the store recognises those it
  has by Message-ID and content, so nothing is missed and nothing is processed twice.
- Only after the decision is committed does the server change: the keyword
  `$AssistenzProcessed` where PERMANENTFLAGS allow keywords, and with `processed_folder` a
  MOVE (or COPY + UID EXPUNGE of exactly those UIDs). Nothing is ever deleted otherwise.
- Any network error drops the connection; the next call reconnects (the runner backs off).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from imapclient import IMAPClient

from core.config import Imap
from core.models import RawMessage
from tools.imapconn import close, connect, guarded, shutdown
from tools.imapfetch import batches, bodies
from tools.mailbox import MailboxUnavailable

log = logging.getLogger(__name__)

KEYWORD = "$AssistenzProcessed"
BATCH_COUNT = 500
BATCH_BYTES = 16 * 1024 * 1024
STORE_CHUNK = 500
IDLE_SLICE = 5.0


class ImapSource:
    def __init__(self, cfg: Imap, batch_count: int = BATCH_COUNT,
                 batch_bytes: int = BATCH_BYTES) -> None:
        self.cfg = cfg
        self.name = f"imap:{cfg.username}@{cfg.host}/{cfg.folder}"
        self.batch_count = batch_count
        self.batch_bytes = batch_bytes
        self._client: IMAPClient | None = None
        self._uidvalidity: int | None = None
        self._can_keyword = False
        self._warned: set[str] = set()
        self._news = False  # the server reported new mail outside IDLE

    # --- connection --------------------------------------------------------------------

    def _open(self) -> IMAPClient:
        if self._client is not None:
            try:
                _, untagged = self._client.noop()
                self._news = self._news or _has_new_mail(untagged)
                return self._client
            except Exception:  # dead connection (server restarted, network): reconnect
                self._drop()
        client = connect(self.cfg)
        try:
            info = guarded("SELECT", lambda: client.select_folder(self.cfg.folder))
            if self.cfg.processed_folder:
                self._ensure_folder(client, self.cfg.processed_folder)
        except MailboxUnavailable:
            close(client)
            raise
        validity = int(info[b"UIDVALIDITY"])
        if self._uidvalidity is not None and validity != self._uidvalidity:
            log.warning("%s: UIDVALIDITY changed from %s to %s: reading every message again",
                        self.name, self._uidvalidity, validity)
        self._uidvalidity = validity
        perm = info.get(b"PERMANENTFLAGS", ())
        self._can_keyword = b"\\*" in perm or KEYWORD.encode() in perm
        self._client = client
        return client

    @staticmethod
    def _ensure_folder(client: IMAPClient, folder: str) -> None:
        if not client.folder_exists(folder):
            client.create_folder(folder)

    def _drop(self) -> None:
        client, self._client = self._client, None
        shutdown(client)

    def _guard(self, exc: MailboxUnavailable) -> MailboxUnavailable:
        self._drop()
        return exc

    # --- MailSource --------------------------------------------------------------------

    def fetch(self, known: set[str]) -> Iterator[RawMessage]:
        """Messages not in `known`, oldest UID first, in size-bounded batches."""
        client = self._open()
        self._news = False
        try:
            todo = self._todo(client, known)
            for batch in batches(client, todo, self.batch_count, self.batch_bytes):
                yield from self._messages(batch, bodies(client, batch))
        except MailboxUnavailable as exc:
            raise self._guard(exc) from exc

    def _todo(self, client: IMAPClient, known: set[str]) -> list[int]:
        validity = self._uidvalidity
        uids = sorted(guarded("UID SEARCH", lambda: client.search(["ALL"])))
        todo = [u for u in uids if f"{validity}:{u}" not in known]
        prefix = f"{validity}:"
        if todo and known and not any(k.startswith(prefix) for k in known):
            log.warning("%s: the server renumbered the folder (UIDVALIDITY %s); checking all "
                        "%d messages, the ones already stored are recognised by Message-ID "
                        "and content", self.name, validity, len(todo))
        return todo

    def _messages(self, batch: list[int], data: dict[int, bytes]) -> Iterator[RawMessage]:
        for uid in batch:
            body = data.get(uid)
            if body is None:  # expunged by another client meanwhile
                continue
            key = f"{self._uidvalidity}:{uid}"
            # built by this code from trusted parts: no validation needed (it costs more per
            # message than reading it from the server)
            yield RawMessage.model_construct(ref=f"{self.name}#{key}", data=body,
                                             source=self.name, source_key=key)

    def wait(self, timeout: float) -> None:
        """IDLE until the server reports new mail or `timeout` passes; polls without IDLE."""
        try:
            client = self._open()
        except MailboxUnavailable:
            return  # the next fetch reconnects with backoff
        if self._news:  # arrived since the last fetch (seen in a NOOP answer)
            return
        if not client.has_capability("IDLE"):
            self._once("idle", "%s: the server has no IDLE; polling every %.0f s",
                       self.name, timeout)
            time.sleep(timeout)
            return
        try:
            self._idle(client, timeout)
        except MailboxUnavailable:
            self._drop()

    def _idle(self, client: IMAPClient, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        guarded("IDLE", client.idle)
        while (left := deadline - time.monotonic()) > 0:
            responses = guarded("IDLE", lambda: client.idle_check(
                timeout=min(left, IDLE_SLICE)))
            if _has_new_mail(responses):
                break
        guarded("IDLE", client.idle_done)

    def mark_processed(self, keys: set[str]) -> None:
        """Keyword (and move) for processed messages still unmarked in the folder."""
        client = self._open()
        if not self._can_keyword and not self.cfg.processed_folder:
            return
        prefix = f"{self._uidvalidity}:"
        wanted = {int(k[len(prefix):]) for k in keys if k.startswith(prefix)}
        if not wanted:
            return
        try:
            uids = sorted(wanted & self._unmarked(client))
            for i in range(0, len(uids), STORE_CHUNK):
                self._mark(client, uids[i:i + STORE_CHUNK])
        except MailboxUnavailable as exc:
            raise self._guard(exc) from exc

    def _unmarked(self, client: IMAPClient) -> set[int]:
        """UIDs in the folder that do not show yet that they were processed."""
        what = ["ALL"] if self.cfg.processed_folder else ["NOT", "KEYWORD", KEYWORD]
        return set(guarded("UID SEARCH", lambda: client.search(what)))

    def _mark(self, client: IMAPClient, uids: list[int]) -> None:
        if self._can_keyword:
            guarded("STORE", lambda: client.add_flags(uids, [KEYWORD], silent=True))
        folder = self.cfg.processed_folder
        if not folder:
            return
        if client.has_capability("MOVE"):
            guarded("MOVE", lambda: client.move(uids, folder))
        elif client.has_capability("UIDPLUS"):
            # COPY, then remove exactly these UIDs from the folder (never a plain EXPUNGE,
            # which would also remove what the owner marked deleted).
            guarded("COPY", lambda: client.copy(uids, folder))
            guarded("STORE", lambda: client.add_flags(uids, [b"\\Deleted"], silent=True))
            guarded("UID EXPUNGE", lambda: client.uid_expunge(uids))
        else:
            self._once("move", "%s: the server has neither MOVE nor UIDPLUS; processed mail "
                       "stays in %s (only the keyword marks it)", self.name, self.cfg.folder)

    def _once(self, what: str, msg: str, *args: object) -> None:
        if what not in self._warned:
            self._warned.add(what)
            log.warning(msg, *args)

    def close(self) -> None:
        client, self._client = self._client, None
        close(client)


def _has_new_mail(responses: list[tuple[object, ...]]) -> bool:
    return any(len(r) > 1 and r[1] in (b"EXISTS", b"RECENT") for r in responses)
