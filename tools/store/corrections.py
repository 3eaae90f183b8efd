"""The owner's corrections: a new current decision, the correction record, an audit entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from core.models import RawMessage
from tools.store import Store
from tools.store.messages import aware
from tools.store.models import AuditRow, CorrectionRow, DecisionRow, MessageRow, TaskRow


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


def record_correction(store: Store, message_id: int, category: str, action: str | None,
                      assignee: str | None, example_id: str) -> dict[str, Any]:
    """Store the owner's decision as the current one; an open task moves to the new assignee."""
    with store.db.transaction() as s:
        old = s.scalar(select(DecisionRow).where(DecisionRow.message_id == message_id,
                                                 DecisionRow.current.is_(True)))
        before = {"category": old.category, "action": old.action,
                  "assignee": old.assignee} if old else {}
        s.execute(update(DecisionRow).where(DecisionRow.message_id == message_id)
                  .values(current=False))
        new_action = action or (old.action if old else "notify")
        new_assignee = assignee if new_action == "route" else None
        result = dict(old.result) if old else {}
        result.update({"category": category, "action": new_action, "assignee": new_assignee})
        dec = DecisionRow(
            message_id=message_id, origin="owner", current=True,
            language=old.language if old else "und", category=category,
            priority=old.priority if old else "normal", action=new_action,
            assignee=new_assignee, confidence=1.0, decided_by="owner", rule="owner-correction",
            explanation=old.explanation if old else "", planned_actions=[], flags=[],
            result=result)
        s.add(dec)
        s.flush()
        if new_assignee and (old is None or old.assignee != new_assignee):
            for task in s.scalars(select(TaskRow).where(TaskRow.message_id == message_id,
                                                        TaskRow.status == "open")):
                task.status = "cancelled"
            s.add(TaskRow(message_id=message_id, decision_id=dec.id, assistant_id=new_assignee,
                          status="open", title=result.get("subject") or "(no subject)",
                          reason="corrected by the owner"))
        after = {"category": category, "action": new_action, "assignee": new_assignee}
        s.add(CorrectionRow(message_id=message_id, decision_id=dec.id, category=category,
                            action=action, assignee=assignee, previous=before,
                            example_id=example_id))
        s.add(AuditRow(message_id=message_id, actor="owner", event="correction",
                       detail={"before": before, "after": after}))
        return {"message": message_id, "before": before, "after": after}
