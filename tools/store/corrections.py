"""The owner's corrections: a new current decision, the correction record, an audit entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from core.models import RawMessage, TriageOutcome
from tools.store import Store
from tools.store.messages import aware
from tools.store.models import (
    OPEN_TASK_STATES,
    AuditRow,
    CorrectionRow,
    DecisionRow,
    DraftRow,
    MessageRow,
    TaskRow,
)
from tools.store.results import new_task
from tools.store.tasks import cancel_with_parts


def message_and_decision(store: Store, message_id: int) -> tuple[RawMessage | None,
                                                                 dict[str, Any] | None]:
    """The raw message (with when it was received) and its current decision, or (None, None)."""
    with store.db.session() as s:
        msg = s.get(MessageRow, message_id)
        if msg is None:
            return None, None
        dec = s.scalar(select(DecisionRow).where(DecisionRow.message_id == message_id,
                                                 DecisionRow.current.is_(True)))
        raw = RawMessage(ref=str(message_id), data=msg.raw, source=msg.source,
                         source_key=msg.source_key, received_at=aware(msg.received_at))
        return raw, ({"category": dec.category, "action": dec.action,
                          "assignee": dec.assignee, "priority": dec.priority} if dec else None)


def record_correction(store: Store, message_id: int, outcome: TriageOutcome,
                      asked: dict[str, str | None], example_id: str | None) -> dict[str, Any]:
    """The owner's decision becomes the current one, with its re-derived explanation and
    planned actions; tasks follow (a reassignment cancels the old task, which frees that
    assistant's capacity), a draft she now wants is added, and drafts of a mail she ignores
    are set aside. One transaction, with the correction record and an audit entry."""
    d, c = outcome.decision, outcome.classification
    with store.db.transaction() as s:
        old = s.scalar(select(DecisionRow).where(DecisionRow.message_id == message_id,
                                                 DecisionRow.current.is_(True)))
        before = {"category": old.category, "action": old.action,
                  "assignee": old.assignee} if old else {}
        s.execute(update(DecisionRow).where(DecisionRow.message_id == message_id)
                  .values(current=False))
        result = outcome.to_json()
        if old is not None:  # keep the received mail's file reference and Message-ID
            result.update({"file": old.result.get("file"),
                           "message_id": old.result.get("message_id")})
        dec = DecisionRow(
            message_id=message_id, origin="owner", current=True,
            language=outcome.view.language, category=c.category.value,
            priority=c.priority.value, action=d.action.value, assignee=d.assignee,
            confidence=1.0, decided_by="owner", rule=d.rule, explanation=outcome.explanation,
            planned_actions=[p.model_dump(mode="json") for p in d.planned_actions],
            flags=sorted(set(d.flags)), result=result)
        s.add(dec)
        s.flush()
        _follow_tasks(s, message_id, dec, outcome, store.db.clock())
        _follow_drafts(s, message_id, dec, outcome)
        after = {"category": c.category.value, "action": d.action.value,
                 "assignee": d.assignee}
        s.add(CorrectionRow(message_id=message_id, decision_id=dec.id,
                            category=c.category.value, action=asked.get("action"),
                            assignee=asked.get("assignee"), previous=before,
                            example_id=example_id))
        s.add(AuditRow(message_id=message_id, actor="owner", event="correction",
                       detail={"before": before, "after": after}))
        return {"message": message_id, "before": before, "after": after,
                "explanation": outcome.explanation}


def _follow_tasks(s: Session, message_id: int, dec: DecisionRow, outcome: TriageOutcome,
                  now: datetime) -> None:
    keep = outcome.decision.assignee if outcome.decision.action.value == "route" else None
    for task in list(s.scalars(select(TaskRow).where(TaskRow.message_id == message_id,
                                                     TaskRow.parent_id.is_(None),
                                                     TaskRow.status.in_(OPEN_TASK_STATES)))):
        if task.assistant_id != keep:  # with what its assistant handed on
            cancel_with_parts(s, task, "owner", "correction", now)
    if keep and not s.scalar(select(TaskRow.id).where(
            TaskRow.message_id == message_id, TaskRow.assistant_id == keep,
            TaskRow.parent_id.is_(None), TaskRow.status.in_(OPEN_TASK_STATES))):
        s.add(new_task(message_id, dec.id, keep, outcome))


def _follow_drafts(s: Session, message_id: int, dec: DecisionRow,
                   outcome: TriageOutcome) -> None:
    d = outcome.decision
    pending = list(s.scalars(select(DraftRow).where(DraftRow.message_id == message_id,
                                                    DraftRow.kind == "draft",
                                                    DraftRow.status == "pending")))
    if d.action.value == "ignore":
        for draft in pending:
            draft.status, draft.reject_reason = "rejected", "correction"
        return
    if d.draft is not None and not pending:
        s.add(DraftRow(message_id=message_id, decision_id=dec.id, kind="draft",
                       status="pending", to=d.draft.to, cc=d.draft.cc,
                       subject=d.draft.subject, body=d.draft.body, language=d.draft.language,
                       in_reply_to=d.draft.in_reply_to, references=d.draft.references,
                       template=d.draft.template))
