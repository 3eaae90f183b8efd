"""A triaged message's results, committed together with its `processed` status: the
decision, the draft, tasks, calendar changes, rule 5's ledger entry, the slots offered and
the audit entries — all or nothing."""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from core.models import TriageOutcome
from core.text import clean
from tools.store.accounts import record as record_accounts
from tools.store.db import Database
from tools.store.models import (
    AuditRow,
    CalendarOpRow,
    DecisionRow,
    DraftRow,
    MessageRow,
    ReplyLedgerRow,
    TaskRow,
)
from tools.store.proposals import save_offer


class Conflict(Exception):
    """Another worker changed what this decision rested on (it used up the sender's one
    automatic reply of the day, or finished the message): decide again."""


class Results:
    def __init__(self, db: Database) -> None:
        self.db = db

    def save(self, row_id: int, outcome: TriageOutcome, worker: str | None = None) -> bool:
        """Commit the outcome; False when the message was finished by someone else (or
        another worker holds its claim). Raises Conflict when rule 5's ledger says another
        worker replied to this sender today meanwhile."""
        try:
            with self.db.transaction() as s:
                msg = s.scalars(select(MessageRow).where(MessageRow.id == row_id)
                                .with_for_update()).one()
                if msg.status == "processed":
                    return False  # exactly once: somebody else finished it
                if worker is not None and msg.claimed_by not in (None, worker):
                    return False  # the lease ran out and another worker took it over
                self._save(s, msg, outcome)
                return True
        except IntegrityError as exc:
            raise Conflict(str(exc.orig)[:300]) from None

    def _save(self, s: Session, msg: MessageRow, outcome: TriageOutcome) -> None:
        c, d = outcome.classification, outcome.decision
        s.execute(update(DecisionRow).where(DecisionRow.message_id == msg.id)
                  .values(current=False))
        dec = DecisionRow(
            message_id=msg.id, origin="agent", current=True, language=outcome.view.language,
            category=c.category.value, priority=c.priority.value, action=d.action.value,
            assignee=d.assignee, confidence=c.confidence, decided_by=c.decided_by,
            model=c.model, prompt_version=c.prompt_version, rule=d.rule,
            explanation=outcome.explanation,
            planned_actions=[p.model_dump(mode="json") for p in d.planned_actions],
            flags=sorted(set(c.flags) | set(d.flags)), result=outcome.to_json())
        s.add(dec)
        s.flush()
        _act(s, msg, dec, outcome)
        msg.status = "processed"
        msg.claimed_by = msg.claimed_until = None
        msg.error = None
        msg.attempts += 1
        msg.flags = sorted(set(outcome.view.parsed.flags))
        outer = outcome.view.parsed.outer
        msg.subject = msg.subject or clean(outer.subject)[:2000]
        msg.sender = msg.sender or (outer.sender.formatted() if outer.sender else "")[:998]


def _act(s: Session, msg: MessageRow, dec: DecisionRow, outcome: TriageOutcome) -> None:
    d = outcome.decision
    reply_day = d.replies[0].day if d.replies else None
    if d.draft is not None:
        kind = "auto" if d.action.value == "auto" else "draft"
        s.add(DraftRow(message_id=msg.id, decision_id=dec.id, kind=kind,
                       status="queued" if kind == "auto" else "pending",
                       to=d.draft.to, cc=d.draft.cc, subject=d.draft.subject,
                       body=d.draft.body, language=d.draft.language,
                       in_reply_to=d.draft.in_reply_to, references=d.draft.references,
                       template=d.draft.template, itip=d.draft.itip,
                       itip_method=d.draft.itip_method,
                       reply_day=reply_day.isoformat() if kind == "auto" and reply_day
                       else None))
    for e in d.calendar.events:
        s.add(CalendarOpRow(message_id=msg.id, op=e.op, uid=e.uid, ics=e.ics))
    for p in d.planned_actions:
        if p.type == "route_task":
            s.add(new_task(msg.id, dec.id, p.assignee, outcome, p.team))
        s.add(AuditRow(message_id=msg.id, actor="agent", event=p.type,
                       detail=p.model_dump(mode="json")))
    for r in d.replies:  # unique per sender and day: a second worker's reply fails here
        s.add(ReplyLedgerRow(sender=r.sender, day=r.day.isoformat(), message_id=msg.id))
    save_offer(s, msg.id, outcome)  # calendar slots offered, to recognise the answer
    record_accounts(s, msg.id, outcome)  # IBANs named, to notice a changed one later


def new_task(message_row: int, decision_row: int | None, assignee: str,
             outcome: TriageOutcome, team: str | None = None) -> TaskRow:
    """A task offered to an assistant; the offer mail, links and webhooks follow in the
    next round (service/tasks.py `announce`), so a crash in between loses nothing."""
    return TaskRow(message_id=message_row, decision_id=decision_row, assistant_id=assignee,
                   status="offered", title=outcome.view.mail.subject or "(ohne Betreff)",
                   reason=outcome.explanation, priority=outcome.classification.priority.value,
                   why=outcome.decision.reason_args.get("skills", ""), shared={}, depth=0,
                   team_id=team)
