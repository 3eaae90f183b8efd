"""The send step of `assistenz run`: allowed automatic replies and approved drafts go out,
and no mail is ever sent twice.

    enqueue  draft → outbox row with its Message-ID and exact bytes (committed)
    send     queued → sending (committed) → SMTP → sent (committed) → copy in Sent folder
    recover  a row left in `sending` by a crash is looked up in the Sent folder by its
             Message-ID: found → sent; not found → uncertain ("delivery uncertain" for the
             owner). Nothing is resent by itself.

Without an `smtp:` section mail stays queued (said once in the log) and nothing is lost.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from core.config import Workspace
from tools.compose import OutMail, Reply, compose, sender
from tools.mailbox import MailboxUnavailable
from tools.sentfolder import SentFolder
from tools.smtp import DeliveryUnknown, NotSent, SmtpSender
from tools.store import Store
from tools.store.outbox import OutboxStore, Outgoing

log = logging.getLogger(__name__)
RETRY_DELAYS = (60, 300, 900, 3600)  # seconds after a temporary refusal
MAX_ATTEMPTS = 10


class Outbox:
    def __init__(self, store: Store, ws: Workspace, smtp: SmtpSender | None,
                 sent: SentFolder | None) -> None:
        self.rows = OutboxStore(store.db)
        self.ws = ws
        self.smtp = smtp
        self.sent_folder = sent
        self.clock = store.clock  # one clock: the store's, which is the agent's
        self._said_no_smtp = False

    def _build(self, reply: Reply) -> OutMail:
        assert self.ws.smtp is not None
        return compose(reply, self.ws.smtp.from_, self.clock())

    def run(self) -> dict[str, int]:
        """One round: settle what a crash left open, queue new replies, send what is due."""
        counts = {"recovered": self.recover(), "queued": self.enqueue()}
        counts.update(self.send_due())
        return counts

    def enqueue(self) -> int:
        why_not = self._cannot_send()
        if why_not:
            waiting = len(self.rows.unqueued_drafts())
            if waiting and not self._said_no_smtp:
                log.warning("%d %s waiting to be sent, but %s; %s queued", waiting,
                            "reply is" if waiting == 1 else "replies are", why_not,
                            "it stays" if waiting == 1 else "they stay")
                self._said_no_smtp = True
            return 0
        count = 0
        for draft_id in self.rows.unqueued_drafts():
            error = self.rows.enqueue(draft_id, self._build)
            if error:
                log.warning("draft %d cannot be sent: %s", draft_id, error)
            else:
                count += 1
        return count

    def _cannot_send(self) -> str | None:
        if self.ws.smtp is None or self.smtp is None:
            return "the config has no 'smtp' section"
        try:
            sender(self.ws.smtp.from_)
        except ValueError as exc:
            return str(exc)
        return None

    def recover(self) -> int:
        """Rows in `sending` (a crash during SMTP) and sent mail without its Sent copy."""
        settled = 0
        for row in self.rows.stale_sending():
            found = self._in_sent_folder(row)
            if found is None:
                continue  # the Sent folder cannot be asked now: decide next round
            if found:
                self.rows.sent(row.id, "found in the Sent folder after a restart", copied=True)
            else:
                self.rows.uncertain(row.id, "the agent stopped while sending and the mail is "
                                    "not in the Sent folder: it may or may not have arrived; "
                                    "not resent automatically")
                log.warning("reply %s: delivery uncertain (not resent)", row.message_id)
            settled += 1
        for row in self.rows.in_state("sent", copied=False):
            self._keep_copy(row)
        return settled

    def _in_sent_folder(self, row: Outgoing) -> bool | None:
        if self.sent_folder is None:
            return False
        try:
            return self.sent_folder.contains(row.message_id)
        except MailboxUnavailable as exc:
            log.warning("cannot check the Sent folder for %s: %s", row.message_id, exc)
            return None

    def _keep_copy(self, row: Outgoing) -> None:
        if self.sent_folder is None:
            return
        try:
            self.sent_folder.keep(row.message_id, row.data, self.clock())
        except MailboxUnavailable as exc:
            log.warning("copy of %s not yet in the Sent folder: %s", row.message_id, exc)
            return
        self.rows.copied(row.id)

    def send_due(self) -> dict[str, int]:
        counts = {"sent": 0, "deferred": 0, "failed": 0, "uncertain": 0}
        if self.smtp is None:
            return counts
        for row in self.rows.due(self.clock()):
            if self.rows.claim(row.id):
                counts[self._send(row)] += 1
        return counts

    def _send(self, row: Outgoing) -> str:
        assert self.smtp is not None
        try:
            answer = self.smtp.send(row.mail)
        except DeliveryUnknown as exc:
            self.rows.uncertain(row.id, f"{exc}; not resent automatically")
            log.warning("reply %s: delivery uncertain: %s", row.message_id, exc)
            return "uncertain"
        except NotSent as exc:
            return self._not_sent(row, exc)
        self.rows.sent(row.id, answer)
        self._keep_copy(row)
        return "sent"

    def _not_sent(self, row: Outgoing, exc: NotSent) -> str:
        attempts = row.attempts + 1
        if not exc.temporary or attempts >= MAX_ATTEMPTS:
            self.rows.failed(row.id, str(exc))
            log.warning("reply %s not sent: %s", row.message_id, exc)
            return "failed"
        delay = RETRY_DELAYS[min(attempts, len(RETRY_DELAYS)) - 1]
        self.rows.later(row.id, str(exc), self.clock() + timedelta(seconds=delay))
        log.warning("reply %s not sent yet (%s); next try in %d s", row.message_id, exc, delay)
        return "deferred"

    def close(self) -> None:
        if self.sent_folder is not None:
            self.sent_folder.close()


def identity_warning(ws: Workspace) -> str | None:
    """A mismatch between smtp.from and the login that recipients' DMARC checks reject."""
    if ws.smtp is None:
        return None
    try:
        me = sender(ws.smtp.from_)
    except ValueError as exc:
        return f"smtp.from cannot be used: {exc}"
    login = ws.smtp.username or (ws.imap.username if ws.imap else "") or ""
    if "@" not in login:
        return None
    domain = login.rpartition("@")[2].lower()
    if me.domain.lower() != domain:
        return (f"smtp.from is {me.addr_spec}, but the SMTP login is {login}: most providers "
                f"only let an account send as its own addresses, and mail from "
                f"{me.domain} sent through {domain} fails DMARC at the recipient")
    return None


def open_outbox(ws: Workspace, store: Store) -> Outbox:
    warning = identity_warning(ws)
    if warning:
        log.warning("%s", warning)
    smtp = SmtpSender(ws.smtp) if ws.smtp else None
    sent = SentFolder(ws.imap) if ws.imap else None
    return Outbox(store, ws, smtp, sent)
