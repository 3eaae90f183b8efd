"""The owner's review (CONTRACT §7) as the API and the pages use it: approve (optionally
edited) with an undo window, undo, reject, stop a queued reply, correct a decision."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from agent.learned import facts_record, key_text, recipient_of
from agent.parse.mime import parse_message
from agent.review import placeholders
from agent.view import build_view
from core.config import Workspace
from core.models import Action, Category, RawMessage
from service.learning import Correction, CorrectionError, correct
from tools.compose import UnsafeHeader, address
from tools.store import Store
from tools.store.approved import ApprovedStore
from tools.store.corrections import message_and_decision
from tools.store.review import Edits, Verdict

__all__ = ["CorrectionError", "Edits", "ReviewError", "approve", "correction", "reject",
           "stop", "undo"]


@dataclass
class ReviewError(Exception):
    """What the caller did cannot be done; `status` is the HTTP status to answer with."""

    status: int  # 404 no such draft, 409 already decided / too late, 422 not sendable
    detail: str
    placeholders: tuple[str, ...] = ()

    def __str__(self) -> str:
        return self.detail


def _raise_for(v: Verdict, draft_id: int) -> None:
    if v.ok:
        return
    if v.reason == "not_found":
        raise ReviewError(404, f"no draft {draft_id} for review")
    if v.reason == "too_late":
        raise ReviewError(409, f"draft {draft_id} is already on its way ({v.status})")
    raise ReviewError(409, f"draft {draft_id} is {v.status}, not pending")


def _check_addresses(values: list[str] | None, what: str) -> list[str] | None:
    if values is None:
        return None
    out = []
    for v in values:
        try:
            out.append(address(v, what).addr_spec)
        except UnsafeHeader as exc:
            raise ReviewError(422, str(exc)) from None
    return out


def approve(store: Store, ws: Workspace, draft_id: int, edits: Edits,
            actor: str = "owner") -> Verdict:
    """Approve (with her edits): sent once, after the undo window. 422 while a placeholder
    in square brackets is left, 409 when it was decided already."""
    current = store.review.draft(draft_id)
    if current is None or current["kind"] != "draft":
        raise ReviewError(404, f"no draft {draft_id} for review")
    body = edits.body if edits.body is not None else str(current["body"])
    left = placeholders(body)
    if left:
        raise ReviewError(422, "the text still holds placeholders: " + ", ".join(left[:5]),
                          tuple(left))
    to = _check_addresses(edits.to, "to")
    if to is not None and not to:
        raise ReviewError(422, "a reply needs at least one recipient")
    cc = _check_addresses(edits.cc, "cc")
    clean = Edits(to=to, cc=cc, subject=edits.subject, body=edits.body)
    send_after = store.clock() + timedelta(seconds=ws.review.undo_seconds)
    v = store.review.approve(draft_id, clean, send_after, actor)
    _raise_for(v, draft_id)
    after = store.review.draft(draft_id)
    if after is not None and after["edited"]:
        learn_wording(store, ws, after)
    return v


def learn_wording(store: Store, ws: Workspace, draft: dict[str, object]) -> None:
    """Her edited, approved reply becomes the starting point for the next similar mail
    (agent/learned.py): kept with the text and facts of the mail it answers."""
    message = draft.get("message")
    if not isinstance(message, int):
        return
    raw, current = message_and_decision(store, message)
    if raw is None or current is None or raw.received_at is None:
        return
    view = build_view(parse_message(RawMessage(ref=raw.ref, data=raw.data), ws.limits), ws,
                      raw.received_at)
    ApprovedStore(store.db).record(
        int(str(draft["id"])), message, str(current["category"]), str(draft["language"]),
        key_text(view.mail), str(draft["body"]), facts_record(view.mail, raw.received_at),
        recipient_of(view.mail))


def undo(store: Store, draft_id: int, actor: str = "owner") -> Verdict:
    v = store.review.undo(draft_id, actor)
    _raise_for(v, draft_id)
    return v


def reject(store: Store, draft_id: int, reason: str, actor: str = "owner") -> Verdict:
    v = store.review.reject(draft_id, reason, actor)
    _raise_for(v, draft_id)
    return v


def stop(store: Store, draft_id: int, actor: str = "owner") -> Verdict:
    v = store.review.stop(draft_id, actor)
    _raise_for(v, draft_id)
    return v


def correction(ws: Workspace, store: Store, message_id: int, category: Category | None,
               action: Action | None, assignee: str | None,
               deps: object = None) -> dict[str, object]:
    """CONTRACT §7 `correction`: her decision replaces the agent's, and is learned from."""
    from agent.pipeline import Deps

    try:
        return correct(ws, store, Correction(message_id=message_id, category=category,
                                             action=action, assignee=assignee),
                       deps if isinstance(deps, Deps) else None)
    except CorrectionError as exc:
        status = 404 if "no stored message" in str(exc) else 422
        raise ReviewError(status, str(exc)) from None
