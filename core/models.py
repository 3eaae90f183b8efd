"""Typed data that flows through the pipeline: ingest → parse → triage → act.

Every stage takes and returns these pydantic models; closed vocabularies are enums.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from core.clock import reference_time


class Category(StrEnum):
    scheduling = "scheduling"
    invoice_payment = "invoice_payment"
    customer_inquiry = "customer_inquiry"
    support = "support"
    social_media = "social_media"
    admin = "admin"
    personal = "personal"
    newsletter = "newsletter"
    spam = "spam"
    other = "other"


class Action(StrEnum):
    auto = "auto"
    draft = "draft"
    route = "route"
    notify = "notify"
    ignore = "ignore"


class Priority(StrEnum):
    urgent = "urgent"
    high = "high"
    normal = "normal"
    low = "low"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


# --- ingest -----------------------------------------------------------------------------


class RawMessage(Frozen):
    """One message exactly as received, plus where it came from."""

    ref: str  # "file as given" (CONTRACT §2) or a mailbox reference such as "maildir:KEY"
    data: bytes
    source: str = "file"  # which mailbox this came from (for exactly-once bookkeeping)
    source_key: str | None = None  # the key inside that mailbox (Maildir key, UIDVALIDITY:UID)
    received_at: datetime | None = None  # when the agent stored it, by the agent's clock


# --- parse ------------------------------------------------------------------------------


class Address(Frozen):
    email: str
    name: str = ""

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()

    @property
    def key(self) -> str:
        """One sender however they write their address: case folded, plus-tag dropped
        (`Max+1@X.de` and `max@x.de` are one person for rule 5's daily limit)."""
        return sender_key(self.email)

    def formatted(self) -> str:
        return f"{self.name} <{self.email}>" if self.name else self.email


def sender_key(email: str) -> str:
    local, _, domain = email.strip().lower().rpartition("@")
    return f"{local.split('+', 1)[0] or local}@{domain}"


class Attachment(Frozen):
    filename: str | None
    content_type: str
    size: int
    text: str = Field(default="", exclude=True)  # start of a text attachment, for the risk scan


class CalendarPart(Frozen):
    method: str | None  # REQUEST, CANCEL, REPLY, COUNTER, PUBLISH … (None: plain .ics file)
    text: str  # the iCalendar text as received (decoded)
    filename: str | None = None


class Automation(Frozen):
    """RFC 3834, list headers and what real auto-responders send: is this mail written by
    a machine? (Never an automatic reply to it: CONTRACT §4 rule 5.)"""

    auto_submitted: str | None = None  # every Auto-Submitted value, joined
    precedence: str | None = None
    list_id: str | None = None  # "" when the header is there but empty: still a list
    list_unsubscribe: bool = False
    bounce: bool = False
    noreply_sender: bool = False
    null_return_path: bool = False  # Return-Path: <> (bounces and auto-replies)
    responder_headers: list[str] = Field(default_factory=list)  # X-Autoreply, X-Autorespond …
    suppress: str | None = None  # X-Auto-Response-Suppress: the sender asks for no auto-reply
    auto_subject: str | None = None  # "Out of Office:", "Undeliverable:" …
    mailer: str | None = None  # X-Mailer of a known auto-responder
    loop: str | None = None  # X-Loop naming the agent, or mail from the agent's own address
    x_loop: list[str] = Field(default_factory=list)  # X-Loop values as received

    @property
    def automated(self) -> bool:
        return bool(self.reasons)

    @property
    def reasons(self) -> list[str]:
        out = []
        if self.auto_submitted and any(v.strip().lower() != "no"
                                       for v in self.auto_submitted.split(",")):
            out.append(f"Auto-Submitted: {self.auto_submitted}")
        if self.precedence and self.precedence.strip().lower() in {"bulk", "list", "junk",
                                                                   "auto_reply", "auto-reply"}:
            out.append(f"Precedence: {self.precedence}")
        if self.list_id is not None:
            out.append("List-Id")
        if self.list_unsubscribe:
            out.append("List-Unsubscribe")
        if self.bounce:
            out.append("bounce")
        if self.noreply_sender:
            out.append("noreply sender")
        if self.null_return_path:
            out.append("Return-Path: <>")
        out += self.responder_headers
        if self.suppress:
            out.append(f"X-Auto-Response-Suppress: {self.suppress}")
        if self.auto_subject:
            out.append(f"subject: {self.auto_subject}")
        if self.mailer:
            out.append(f"X-Mailer: {self.mailer}")
        if self.loop:
            out.append(f"loop: {self.loop}")
        return out


class SenderAuth(Frozen):
    """The receiving provider's Authentication-Results for the From domain."""

    present: bool = False  # the mail carried Authentication-Results (or ARC)
    passed: bool = False  # dmarc, dkim or spf passed, aligned with the From domain
    failed: bool = False  # dmarc=fail or spf=fail for the From domain
    detail: str = ""  # e.g. "dmarc=fail"


class FilterVerdict(Frozen):
    """What the provider's filters wrote into the headers (only verdicts against the mail
    count: a sender can write any header, so a "not spam" is never believed)."""

    spam: str | None = None  # the header that called it spam, e.g. "X-Spam-Flag: YES"
    auth_fail: list[str] = Field(default_factory=list)  # "dmarc", "spf", "dkim" that failed


class BodyText(Frozen):
    """Readable text of a message, split into what is new and what is history."""

    full: str = ""
    new: str = ""  # the text the sender wrote now (no quoted history, no signature)
    quoted: str = ""
    signature: str = ""
    from_html: bool = False


class Mail(Frozen):
    """One message (the outer one, or a forwarded one found inside it)."""

    message_id: str | None = None
    subject: str = ""
    sender: Address | None = None  # From
    reply_to: list[Address] = Field(default_factory=list)
    to: list[Address] = Field(default_factory=list)
    cc: list[Address] = Field(default_factory=list)
    date: datetime | None = None
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list)
    automation: Automation = Automation()
    verdict: FilterVerdict = FilterVerdict()
    body: BodyText = BodyText()
    html: str | None = None  # raw HTML body when there was one (untrusted; sanitize to show)
    attachments: list[Attachment] = Field(default_factory=list)
    calendar: list[CalendarPart] = Field(default_factory=list)
    language: str = "und"
    defects: list[str] = Field(default_factory=list)
    auth: SenderAuth = SenderAuth()
    # doubts about who sent it: from-twice, from-invalid, sender-differs, reply-to-invalid,
    # name-is-address (a display name that is another address)
    identity: list[str] = Field(default_factory=list)

    @property
    def reply_address(self) -> Address | None:
        """Where a reply goes: Reply-To if present, else From (CONTRACT §2); nobody when
        the Reply-To header is there but holds no single valid address."""
        if "reply-to-invalid" in self.identity:
            return None
        if self.reply_to:
            return self.reply_to[0]
        return self.sender


class ParsedMessage(Frozen):
    """Result of the parse stage."""

    ref: str
    size: int
    outer: Mail
    forwarded: Mail | None = None  # the message found inside a forward
    forward_format: str | None = None  # gmail, outlook, apple, thunderbird, rfc822 …
    forward_note: str = ""  # what the forwarder wrote above the forwarded message
    flags: list[str] = Field(default_factory=list)  # e.g. "limit:size", "limit:parts"
    limits: list[str] = Field(default_factory=list)  # what was cut to keep within the limits


# --- triage -----------------------------------------------------------------------------


class Risk(StrEnum):
    bank_details = "bank_details"  # change of bank details or payee
    payment_request = "payment_request"  # unusual or urgent payment / transfer / gift cards
    credentials = "credentials"  # passwords, codes, login links
    data_request = "data_request"  # hand over customer data, other mails, documents
    injection = "injection"  # text that addresses the agent, hidden instructions, header tricks
    spoofing = "spoofing"  # a forged sender: the owner's (or an assistant's) name or address


class MessageView(Frozen):
    """The message the agent acts on, with the facts the rules need.

    For mail the owner forwarded, `mail` is the inner message and `owner_note` the owner's
    words on top; otherwise `mail` is the message as received and there is no note.
    """

    parsed: ParsedMessage
    mail: Mail
    owner_forwarded: bool = False
    from_owner: bool = False  # the outer sender is the owner, authenticated (see agent/view)
    owner_note: str = ""
    risks: list[Risk] = Field(default_factory=list)
    calendar_method: str | None = None
    received_at: datetime  # when the agent received it, by the agent's clock (never `Date:`)
    spoofing: list[str] = Field(default_factory=list)  # signs of a forged sender
    unverified_owner: bool = False  # the owner's address, but her provider vouches for nothing
    ibans: list[str] = Field(default_factory=list)  # valid IBANs in the sender's own text
    known_ibans: list[str] = Field(default_factory=list)  # earlier ones, when these differ

    @property
    def language(self) -> str:
        return self.mail.language

    @property
    def reference_time(self) -> datetime:
        """What the sender's relative words ("bis morgen") count from: their `Date:` when it
        is not later than the agent received the mail, else the time of receipt."""
        return reference_time(self.mail.date, self.received_at)


class Classification(Frozen):
    category: Category
    confidence: float = Field(ge=0.0, le=1.0)
    priority: Priority
    decided_by: str  # rule name, "knn", "llm" …
    model: str | None = None
    prompt_version: str | None = None
    scores: dict[str, float] = Field(default_factory=dict)
    flags: list[str] = Field(default_factory=list)
    learned: NoteGuidance | None = None  # what a corrected, near-identical mail teaches


class NoteGuidance(Frozen):
    """What the owner's note on a forwarded mail asks for (already limited to what it may)."""

    category: Category | None = None
    action: Action | None = None
    assignee: str | None = None
    source: Literal["note", "learned"] = "note"  # the owner's note, or a past correction


class LearnedFrom(Frozen):
    """The owner's approved reply a draft starts from (her wording, new facts filled in)."""

    draft_id: int
    to: str
    on: date  # the owner-local day she approved it


class Draft(Frozen):
    to: list[str]
    cc: list[str] = Field(default_factory=list)
    subject: str
    body: str
    language: str
    in_reply_to: str | None = None
    references: list[str] = Field(default_factory=list)
    template: str | None = None  # which prompt file and version wrote it
    itip: str | None = None  # an iCalendar object that goes with the mail (REPLY, REQUEST)
    itip_method: str | None = None
    learned_from: LearnedFrom | None = None  # starts from the owner's approved wording


class EventOp(Frozen):
    """A change to the owner's calendar, materialised with its iCalendar text (live mode
    applies it to a writable calendar after the decision is committed)."""

    op: Literal["create", "remove"]
    uid: str
    ics: str = ""


class SendEmail(Frozen):
    type: Literal["send_email"] = "send_email"
    to: list[str]
    subject: str


class InvitationReply(Frozen):
    type: Literal["accept_invitation", "decline_invitation"]
    organizer: str
    uid: str


class CreateEvent(Frozen):
    type: Literal["create_event"] = "create_event"
    uid: str
    start: datetime | None = None
    end: datetime | None = None
    summary: str = ""
    attendees: list[str] = Field(default_factory=list)  # besides the owner


class RemoveEvent(Frozen):
    type: Literal["remove_event"] = "remove_event"
    uid: str


class RouteTask(Frozen):
    type: Literal["route_task"] = "route_task"
    assignee: str
    team: str | None = None  # the team for a job it was routed within


class NotifyOwner(Frozen):
    type: Literal["notify_owner"] = "notify_owner"
    reason: str = ""


class Archive(Frozen):
    type: Literal["archive"] = "archive"


PlannedAction = Annotated[
    SendEmail | InvitationReply | CreateEvent | RemoveEvent | RouteTask | NotifyOwner | Archive,
    Field(discriminator="type"),
]


class TimeSlot(Frozen):
    """A stretch of time (aware datetimes) offered, accepted or confirmed by the calendar logic."""

    start: datetime
    end: datetime


class Proposal(Frozen):
    """Slots the agent offered in a thread, stored to recognise the other side's pick."""

    thread_id: str  # Message-ID of the request the offer answered
    slots: list[TimeSlot]
    language: str = "de"
    timezone: str = ""  # the zone the slots were written in for the sender
    subject: str = ""


class SchedulePlan(Frozen):
    """What the calendar logic proposes for a scheduling mail when a calendar is configured.

    The gate adopts it (CONTRACT §4 rule 4) unless a later rule forbids the automatic reply.
    """

    action: Action  # auto (accept / propose free slots / confirm / cancel) or draft / notify
    reason: str  # explanation key (prompts/explanations/*.yaml `reasons`)
    reason_args: dict[str, str] = Field(default_factory=dict)
    planned_actions: list[PlannedAction] = Field(default_factory=list)
    replies: bool = True  # whether a reply mail to the sender is part of the plan
    draft_context: dict[str, str] = Field(default_factory=dict)  # e.g. proposed slots as text
    offered: list[TimeSlot] = Field(default_factory=list)  # slots the reply offers to choose
    booked: list[TimeSlot] = Field(default_factory=list)  # times accepted or confirmed
    timezone: str = ""  # the zone the offered slots are written in


class CalendarOutcome(Frozen):
    """The scheduling stage's result as far as the gate lets it go ahead."""

    offered: list[TimeSlot] = Field(default_factory=list)  # slots the reply offers
    booked: list[TimeSlot] = Field(default_factory=list)  # times accepted or confirmed
    zone: str = ""  # the zone the offered slots are written in
    events: list[EventOp] = Field(default_factory=list)  # calendar changes for live mode


class ReplyRecord(Frozen):
    """An automatic reply the decision plans: rule 5 allows one per sender and owner-local
    day of receipt. The runner commits it with the decision; batch triage remembers it."""

    sender: str  # Address.key of the recipient
    day: date


class Decision(Frozen):
    """What the gate decided, and why."""

    action: Action
    assignee: str | None = None
    rule: str  # the gate rule that decided the action (for audits)
    reason: str  # explanation key (prompts/explanations), see agent/explain.py
    reason_args: dict[str, str] = Field(default_factory=dict)
    planned_actions: list[PlannedAction] = Field(default_factory=list)
    draft: Draft | None = None
    draft_context: dict[str, str] = Field(default_factory=dict)  # facts for the draft's text
    flags: list[str] = Field(default_factory=list)
    replies: list[ReplyRecord] = Field(default_factory=list)  # rule 5's ledger entries
    calendar: CalendarOutcome = CalendarOutcome()  # what of the scheduling plan goes ahead


class TriageOutcome(Frozen):
    """Everything triage produced for one message; `to_json()` is CONTRACT §2's object."""

    ref: str
    view: MessageView
    classification: Classification
    decision: Decision
    explanation: str

    def to_json(self) -> dict[str, object]:
        c, d, m = self.classification, self.decision, self.view.mail
        return {
            "file": self.ref,
            "message_id": self.view.parsed.outer.message_id,
            "language": self.view.language,
            "category": c.category.value,
            "priority": c.priority.value,
            "action": d.action.value,
            "assignee": d.assignee,
            "confidence": round(c.confidence, 3),
            "draft": _draft_json(d.draft),
            "planned_actions": [p.model_dump(mode="json", exclude_none=True)
                                for p in d.planned_actions],
            "explanation": self.explanation,
            "subject": m.subject,
            "from": m.sender.email if m.sender else None,
            "forwarded_by_owner": self.view.owner_forwarded,
            "decided_by": c.decided_by,
            "rule": d.rule,
            "flags": sorted(set(c.flags) | set(d.flags) | set(self.view.parsed.flags)),
        }


def _draft_json(draft: Draft | None) -> dict[str, object] | None:
    if draft is None:
        return None
    return {"to": draft.to, "cc": draft.cc, "subject": draft.subject, "body": draft.body,
            "language": draft.language}


class FailedMessage(Frozen):
    ref: str
    message_id: str | None = None
    error: str

    def to_json(self) -> dict[str, object]:
        return {"file": self.ref, "message_id": self.message_id, "error": self.error}


Classification.model_rebuild()
