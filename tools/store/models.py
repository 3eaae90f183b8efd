"""Tables. The raw message is stored before anything acts on it; every decision records what
decided it; the audit log is append-only."""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def clock_now(ctx: Any) -> datetime:
    """Column default: the time from the store's clock (the engine's `clock` execution
    option, set by `tools.store.db.session_factory`), never the wall clock."""
    now: datetime = ctx.execution_options["clock"]()
    return now


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("source", "source_key", name="uq_messages_source_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
    source_key: Mapped[str | None] = mapped_column(String(300))
    message_id: Mapped[str | None] = mapped_column(String(998), index=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    size: Mapped[int] = mapped_column(Integer)
    subject: Mapped[str] = mapped_column(Text, default="")
    sender: Mapped[str] = mapped_column(String(998), default="")
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)
    status: Mapped[str] = mapped_column(String(20), default="new", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    claimed_by: Mapped[str | None] = mapped_column(String(200))  # worker host:pid
    claimed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    retry_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # failed: next try
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now,
                                                 onupdate=clock_now)
    # the owner handled it (archived, or read in her queue): it leaves the morning queue
    # until something newer happens to it (a task comes back, a reply's delivery fails)
    handled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    decisions: Mapped[list[DecisionRow]] = relationship(back_populates="message",
                                                        order_by="DecisionRow.id")


class DecisionRow(Base):
    __tablename__ = "decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)
    origin: Mapped[str] = mapped_column(String(20), default="agent")  # agent | owner
    current: Mapped[bool] = mapped_column(Boolean, default=True)
    language: Mapped[str] = mapped_column(String(8))
    category: Mapped[str] = mapped_column(String(32), index=True)
    priority: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    assignee: Mapped[str | None] = mapped_column(String(64))
    confidence: Mapped[float] = mapped_column(Float)
    decided_by: Mapped[str] = mapped_column(String(64))  # rule name, knn, llm …
    model: Mapped[str | None] = mapped_column(String(200))
    prompt_version: Mapped[str | None] = mapped_column(String(200))
    rule: Mapped[str] = mapped_column(String(64))  # the gate rule that set the action
    explanation: Mapped[str] = mapped_column(Text)
    planned_actions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    flags: Mapped[list[Any]] = mapped_column(JSON, default=list)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # CONTRACT §2 object

    message: Mapped[MessageRow] = relationship(back_populates="decisions")


class DraftRow(Base):
    __tablename__ = "drafts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    kind: Mapped[str] = mapped_column(String(16))  # draft (needs approval) | auto | notice
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    to: Mapped[list[Any]] = mapped_column(JSON)
    cc: Mapped[list[Any]] = mapped_column(JSON, default=list)
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(8))
    in_reply_to: Mapped[str | None] = mapped_column(String(998))
    references: Mapped[list[Any]] = mapped_column(JSON, default=list)
    template: Mapped[str | None] = mapped_column(String(200))
    reply_day: Mapped[str | None] = mapped_column(String(10))  # owner-local day of an auto reply
    itip: Mapped[str | None] = mapped_column(Text)  # iCalendar object sent with the mail
    itip_method: Mapped[str | None] = mapped_column(String(20))
    # the owner's review (CONTRACT §7): approved drafts wait until send_after (undo window)
    send_after: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    approved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    original: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the agent's text, if edited
    reject_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now,
                                                 onupdate=clock_now)


class OwnerRow(Base):
    """The owner's web password (argon2 hash only)."""

    __tablename__ = "owner_login"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now,
                                                 onupdate=clock_now)


class SessionRow(Base):
    """A browser session of the owner: only the SHA-256 of the cookie's token is stored."""

    __tablename__ = "web_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the token
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TokenRow(Base):
    """An API token (CONTRACT §6): only its SHA-256 and a short prefix are stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(16))  # owner | assistant
    assistant_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class NoticeRow(Base):
    """A mail to the owner about something (a risk, an uncertain delivery, the daily digest),
    recorded once per (kind, key) so it is never sent twice, whichever process notices it."""

    __tablename__ = "notices"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_notices"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # risk | uncertain | digest
    key: Mapped[str] = mapped_column(String(200))  # message id, outbox id, or the day
    draft_id: Mapped[int | None] = mapped_column(ForeignKey("drafts.id"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)


class AssistantRow(Base):
    __tablename__ = "assistants"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320))
    languages: Mapped[list[Any]] = mapped_column(JSON)
    skills: Mapped[str] = mapped_column(Text)
    timezone: Mapped[str] = mapped_column(String(64))
    capacity: Mapped[int] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now,
                                                 onupdate=clock_now)


class TaskRow(Base):
    """A task routed to an assistant (CONTRACT §8): offered → accepted → done, or declined,
    expired, cancelled; delegated when the assistant handed it (or a part) on."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_assistant_status", "assistant_id", "status"),
                      Index("ix_tasks_team", "team_id"), Index("ix_tasks_parent", "parent_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    assistant_id: Mapped[str] = mapped_column(ForeignKey("assistants.id"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("tasks.id"))  # sub-delegation
    status: Mapped[str] = mapped_column(String(20), default="offered")
    title: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text, default="")  # the owner's explanation
    why: Mapped[str] = mapped_column(Text, default="")  # what the assistant is told
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    text: Mapped[str | None] = mapped_column(Text)  # instructions passed on (delegation)
    shared: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # what a child may see
    depth: Mapped[int] = mapped_column(Integer, default=0)
    team_id: Mapped[str | None] = mapped_column(String(64))
    offered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    announced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    result: Mapped[str | None] = mapped_column(Text)
    decline_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now,
                                                 onupdate=clock_now)


class TeamRow(Base):
    """A team for a job: mail matching `match` is routed only among `members` until
    `until`; then (or when the owner dissolves it) its open tasks return to the owner."""

    __tablename__ = "teams"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    members: Mapped[list[str]] = mapped_column(JSON)
    match: Mapped[dict[str, Any]] = mapped_column(JSON)
    until: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(String(16))  # config | owner
    dissolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)


class TaskLinkRow(Base):
    """A link in a task mail: for one task, one assistant and one action; it expires and
    works once. Only the SHA-256 of its token is stored."""

    __tablename__ = "task_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id"), index=True)
    assistant_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # accept | decline | complete
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)


class WebhookRow(Base):
    """One webhook delivery (at least once, retried with backoff); the receiver dedupes on
    its id, which is the `webhook-id` header."""

    __tablename__ = "webhooks"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # msg_…
    endpoint: Mapped[str] = mapped_column(String(100))  # assistant:<id> | owner:<n>
    url: Mapped[str] = mapped_column(Text)
    event: Mapped[str] = mapped_column(String(40))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_try_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)


class IdempotencyRow(Base):
    """A POST's answer kept under its Idempotency-Key: a retry gets the same answer and has
    the effect of one request."""

    __tablename__ = "idempotency"
    __table_args__ = (UniqueConstraint("principal", "key", name="uq_idempotency"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    principal: Mapped[str] = mapped_column(String(100))
    key: Mapped[str] = mapped_column(String(200))
    request: Mapped[str] = mapped_column(String(300))  # method and path
    status: Mapped[int] = mapped_column(Integer)
    body: Mapped[Any] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)


class AuditRow(Base):
    """Append-only: a trigger refuses UPDATE and DELETE (see the initial migration)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now, index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    actor: Mapped[str] = mapped_column(String(64))  # agent | owner | assistant:<id>
    event: Mapped[str] = mapped_column(String(64))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


OPEN_TASK_STATES = ("offered", "accepted", "delegated")  # count against capacity


class ReplyLedgerRow(Base):
    """Rule 5: one automatic reply per sender (`Address.key`) and owner-local day of receipt,
    by the agent's clock. The unique constraint holds it across workers."""

    __tablename__ = "reply_ledger"
    __table_args__ = (UniqueConstraint("sender", "day", name="uq_reply_ledger"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender: Mapped[str] = mapped_column(String(320))
    day: Mapped[str] = mapped_column(String(10))  # ISO date in the owner's time zone
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)


class CorrectionRow(Base):
    """The owner's correction of a decision; it also becomes an example the agent learns from."""

    __tablename__ = "corrections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("decisions.id"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)
    category: Mapped[str | None] = mapped_column(String(32))
    action: Mapped[str | None] = mapped_column(String(16))
    assignee: Mapped[str | None] = mapped_column(String(64))
    previous: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    example_id: Mapped[str | None] = mapped_column(String(100))  # id in the example store


class MessageKeyRow(Base):
    """Another mailbox key under which an already stored message was seen again (a copy in a
    second folder, or the same mail renumbered after a UIDVALIDITY change)."""

    __tablename__ = "message_keys"
    __table_args__ = (UniqueConstraint("source", "source_key", name="uq_message_keys"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(300))
    source_key: Mapped[str] = mapped_column(String(300))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)


OUTBOX_STATES = ("queued", "sending", "sent", "uncertain", "failed")


class OutboxRow(Base):
    """One outgoing mail, written with its Message-ID before it is sent.

    queued → sending (committed before SMTP starts) → sent | uncertain | failed; a temporary
    refusal before DATA puts it back to queued. A row found in `sending` after a crash is
    looked up in the Sent folder: found → sent, else uncertain (never resent by itself).
    """

    __tablename__ = "outbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"), unique=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    rfc_message_id: Mapped[str] = mapped_column(String(998), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="queued", index=True)
    mail_from: Mapped[str] = mapped_column(String(998))
    rcpt: Mapped[list[Any]] = mapped_column(JSON)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    next_try_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_copy: Mapped[bool] = mapped_column(Boolean, default=False)  # in the Sent folder
    sending_by: Mapped[str | None] = mapped_column(String(200))  # the worker sending it
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now,
                                                 onupdate=clock_now)


class CalendarOpRow(Base):
    """A change to the owner's writable calendar, committed with the decision and applied
    after it (idempotent by UID, so applying it again after a crash is harmless)."""

    __tablename__ = "calendar_ops"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    op: Mapped[str] = mapped_column(String(10))  # create | remove
    uid: Mapped[str] = mapped_column(String(998))
    ics: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now,
                                                 onupdate=clock_now)


class BankAccountRow(Base):
    """An IBAN a sender (`Address.key`) named in their own text; `company` is their domain
    unless it is a free-mail one. A later mail naming another IBAN is a bank detail change
    (CONTRACT §4 rule 2): the owner is shown both."""

    __tablename__ = "bank_accounts"
    __table_args__ = (UniqueConstraint("sender", "iban", name="uq_bank_accounts"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sender: Mapped[str] = mapped_column(String(320), index=True)
    company: Mapped[str | None] = mapped_column(String(255), index=True)
    iban: Mapped[str] = mapped_column(String(34))
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"))
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)
class ApprovedReplyRow(Base):
    """A reply the owner edited and approved: her wording for the next similar mail (same
    category and language, nearest by the embedding of the mail it answered). Only while
    its draft stays approved or sent (an undo or a stop takes it back)."""

    __tablename__ = "approved_replies"
    __table_args__ = (UniqueConstraint("draft_id", name="uq_approved_replies_draft"),
                      Index("ix_approved_replies_kind", "category", "language"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    draft_id: Mapped[int] = mapped_column(ForeignKey("drafts.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    category: Mapped[str] = mapped_column(String(32))
    language: Mapped[str] = mapped_column(String(8))
    mail_text: Mapped[str] = mapped_column(Text)  # what the vector is of
    body: Mapped[str] = mapped_column(Text)  # her approved text
    facts: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # of the mail answered
    recipient: Mapped[str] = mapped_column(String(998))  # "Frau Brandt" / the address
    vector: Mapped[bytes | None] = mapped_column(LargeBinary)  # float32, filled on first use
    approved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=clock_now)
