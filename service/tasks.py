"""The task lifecycle (CONTRACT §8), as the API, the link pages, the CLI and the sender loop
use it.

    offered ──accept──▶ accepted ──complete──▶ done
       │                   │
       ├─decline / expire─▶ offered to the next best (never again to one who declined);
       │                    nobody left: the owner is told
       └─(owner) cancel ──▶ cancelled          accepted past its due time: the owner is told

An offer is announced in the next round after it is committed (`announce_offers`): the
assistant's mail with signed links and the webhooks are written with it, once. Every
transition is an audit entry with actor, time and reason, and writes its webhook rows in
the same transaction; the sender loop delivers them (at least once) and the mails (once).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from agent.drafts import draft_language, reply_headers
from agent.facts import find_deadline
from agent.parse.mime import parse_message
from agent.prompts import load_prompt, load_table
from agent.routing import RouteChoice, Router
from agent.tasks import due_at, offer_expiry
from agent.view import build_view
from core.clock import reference_time
from core.config import Assistant, Workspace
from core.models import Category, Mail, MessageView, RawMessage
from tools.embeddings import get_embedder
from tools.store import Store
from tools.store.notices import Notices
from tools.store.tasks import ChainError, Task
from tools.store.webhooks import new_webhook
from tools.webhooks import endpoints_for

LINK_ACTIONS = ("accept", "decline", "complete")


@dataclass
class TaskError(Exception):
    status: int  # 404 not yours / no such task, 409 not in a state for this, 501 not yet
    detail: str

    def __str__(self) -> str:
        return self.detail


def _lang(a: Assistant | None) -> str:
    if a is None:
        return "de"
    return next((x for x in a.languages if x in ("de", "en")), "en")


def _owner_lang(ws: Workspace) -> str:
    return ws.owner.languages[0] if ws.owner.languages[0] in ("de", "en") else "en"


def _when(at: datetime | None, zone: Any, lang: str) -> str:
    if at is None:
        return ""
    local = at.astimezone(zone)
    return local.strftime("%d.%m.%Y, %H:%M Uhr" if lang == "de" else "%d %b %Y, %H:%M")


def view_of(store: Store, ws: Workspace, task_id: int) -> tuple[MessageView, Category] | None:
    """The mail behind a task, as the agent reads it (the owner's forward unwrapped)."""
    found = store.tasks.mail(task_id)
    if found is None:
        return None
    raw, category, received = found
    parsed = parse_message(RawMessage(ref=str(task_id), data=raw), ws.limits)
    return build_view(parsed, ws, received), Category(category)


def task_webhooks(ws: Workspace, event: str, task: Task, **extra: Any) -> list[dict[str, Any]]:
    """Webhook rows for a task event: no mail content, only what identifies the task."""
    payload = {"task": {**task.json(), **extra}, "event": event}
    return [new_webhook(key, w.url, event, payload)
            for key, w in endpoints_for(ws, event, task.assistant_id)]


# --- announcing offers --------------------------------------------------------------------


def announce_offers(store: Store, ws: Workspace) -> int:
    """Tell each newly offered assistant (mail with links, webhook), once."""
    count = 0
    for task in store.tasks.unannounced():
        a = ws.assistant(task.assistant_id)
        if a is None:  # removed from the config: the task goes back to the owner
            cancel(store, ws, task.id, "agent", "the assistant is no longer in the config")
            continue
        count += _announce(store, ws, task, a)
    return count


def _announce(store: Store, ws: Workspace, task: Task, a: Assistant) -> int:
    now = store.clock()
    offered = task.offered_at or now
    expires = offer_expiry(a, ws, offered)
    found = None
    if task.parent_id is not None:  # a part: its due time was set when it was handed on
        due = task.due_at
        if due is not None:
            expires = min(expires, due)  # taken in time to be done in time
    else:
        found = view_of(store, ws, task.id)
        deadline = None
        if found is not None:
            v = found[0]
            deadline = find_deadline(f"{v.mail.subject}\n{v.mail.body.new}\n{v.owner_note}",
                                     reference_time(v.mail.date, v.received_at).date())
        due = due_at(deadline, ws, offered)
    until = now + timedelta(days=ws.tasks.link_days)
    links = [(action, until) for action in LINK_ACTIONS]
    if a.notify != "email":
        mail = None
    elif task.parent_id is not None:
        mail = _part_mail(store, ws, task, a, expires, due)
    else:
        mail = _offer_mail(store, ws, task, a, found[0] if found else None, expires, due)
    hooks = task_webhooks(ws, "task.offered", task, expires_at=expires.isoformat(),
                          due=due.isoformat() if due else None)
    made = store.tasks.announce(task.id, expires, due, links, mail, hooks)
    return int(made is not None)


def _offer_mail(store: Store, ws: Workspace, task: Task, a: Assistant, v: MessageView | None,
                expires: datetime, due: datetime | None) -> dict[str, Any]:
    lang = _lang(a)
    words = load_table("tasks/words")[lang]
    mail = v.mail if v else None
    why = words["why_skills"].format(skills=task.why) if task.why else words["why_default"]
    body = load_prompt(f"tasks/offer.{lang}").render(
        assistant=a.name.split()[0], owner=ws.owner.name, company=ws.owner.company,
        title=task.title, priority=words["priority"].get(task.priority, task.priority),
        due=_when(due, a.zone, lang), expires=_when(expires, a.zone, lang), why=why,
        sender=mail.sender.formatted() if mail and mail.sender else "",
        subject=mail.subject if mail else task.title,
        date=_when(mail.date, a.zone, lang) if mail and mail.date else "",
        text=(task.text or (mail.body.new or mail.body.full if mail else ""))[:4000],
        attachments=", ".join(x.filename or "?" for x in mail.attachments) if mail else "",
        note=v.owner_note[:1000] if v else "",
        **_link_urls(ws, task))
    return _offer_draft(store, task, a, lang, f"{words['subject']}: {task.title}", body,
                        f"tasks/offer.{lang}")


def _link_urls(ws: Workspace, task: Task) -> dict[str, str]:
    """The links of an offer mail; `{link:…}` becomes each link's token when announced."""
    base = ws.web.base_url.rstrip("/")
    return {action: f"{base}/t/{{link:{action}}}" for action in LINK_ACTIONS} | {
        "api": f"{base}/api/v1/tasks/{task.id}"}


def _offer_draft(store: Store, task: Task, a: Assistant, lang: str, subject: str, body: str,
                 template: str) -> dict[str, Any]:
    """An offer mail to the assistant, approved as written (the agent's own mail)."""
    return {"message_id": task.message_id, "decision_id": None, "kind": "offer",
            "status": "approved", "to": [a.email], "cc": [], "language": lang,
            "subject": subject[:300], "body": body, "references": [], "template": template,
            "approved_at": store.clock()}


def _part_mail(store: Store, ws: Workspace, task: Task, a: Assistant, expires: datetime,
               due: datetime | None) -> dict[str, Any]:
    """The offer of a part handed on: only what the delegating assistant passed on (their
    text, the attachments they chose), never the mail itself."""
    lang = _lang(a)
    words = load_table("tasks/words")[lang]
    parent = store.tasks.get(task.parent_id) if task.parent_id is not None else None
    by = ws.assistant(parent.assistant_id) if parent else None
    body = load_prompt(f"tasks/part.{lang}").render(
        assistant=a.name.split()[0], by=by.name if by else "", owner=ws.owner.name,
        title=task.title, priority=words["priority"].get(task.priority, task.priority),
        due=_when(due, a.zone, lang), expires=_when(expires, a.zone, lang),
        text=(task.text or "")[:8000], attachments=", ".join(shared_attachments(task)),
        **_link_urls(ws, task))
    return _offer_draft(store, task, a, lang, f"{words['part_subject']}: {task.title}", body,
                        f"tasks/part.{lang}")


def shared_attachments(task: Task) -> list[str]:
    names = task.shared.get("attachments", [])
    return [str(n) for n in names] if isinstance(names, list) else []


# --- the assistant's actions ----------------------------------------------------------------


def _mine(store: Store, task_id: int, assistant_id: str | None) -> Task:
    task = store.tasks.get(task_id)
    if task is None or (assistant_id is not None and task.assistant_id != assistant_id):
        raise TaskError(404, f"no task {task_id}")  # 404, not 403: nothing to learn
    return task


def readable(store: Store, task_id: int, assistant_id: str | None) -> Task:
    """A task whose mail (or what was passed on) the caller may read: the owner any; an
    assistant their own while it is open or done by them — once declined, expired or taken
    away (withdrawn, a team dissolved, the task it was part of settled) it is gone for
    them, like a stranger's (404)."""
    task = _mine(store, task_id, assistant_id)
    if assistant_id is not None and task.status in ("declined", "expired", "cancelled"):
        raise TaskError(404, f"task {task_id} is no longer yours ({task.status})")
    return task


def accept(store: Store, ws: Workspace, task_id: int, actor: str,
           assistant_id: str | None) -> Task:
    task = _mine(store, task_id, assistant_id)
    moved = store.tasks.transition(task_id, "accepted", actor, assistant_id=assistant_id,
                                   webhooks=task_webhooks(ws, "task.accepted", task,
                                                          status="accepted"))
    if not moved.ok:
        raise TaskError(409, f"task {task_id} is {moved.status}, not offered")
    return _mine(store, task_id, None)


def decline(store: Store, ws: Workspace, task_id: int, actor: str, assistant_id: str | None,
            reason: str = "") -> Task:
    task = _mine(store, task_id, assistant_id)
    moved = store.tasks.transition(task_id, "declined", actor, reason=reason,
                                   assistant_id=assistant_id,
                                   values={"decline_reason": reason[:2000] or None},
                                   webhooks=task_webhooks(ws, "task.declined", task,
                                                          status="declined"))
    if not moved.ok:
        raise TaskError(409, f"task {task_id} is {moved.status}, it cannot be declined")
    store.tasks.end_links(task_id)
    reroute(store, ws, task, "declined")
    return _mine(store, task_id, None)


def complete(store: Store, ws: Workspace, task_id: int, actor: str, assistant_id: str | None,
             result: str, reply: str | None = None) -> Task:
    task = _mine(store, task_id, assistant_id)
    parts = store.tasks.open_parts(task_id)
    if task.parent_id is not None and reply and reply.strip():
        raise TaskError(422, "a part handed on reports to the one who handed it on: "
                        "give your answer as `result`, not as a reply to the sender")
    drafts = [_reply_draft(store, ws, task, reply)] if reply and reply.strip() else []
    moved = store.tasks.transition(task_id, "done", actor, reason=result[:500],
                                   assistant_id=assistant_id, values={"result": result[:20000]},
                                   webhooks=task_webhooks(ws, "task.completed", task,
                                                          status="done", result=result[:2000]),
                                   drafts=[d for d in drafts if d])
    if not moved.ok:
        raise TaskError(409, f"task {task_id} is {moved.status}, it cannot be completed")
    store.tasks.end_links(task_id)
    tell_withdrawn(store, ws, [(p, "settled") for p in parts])
    if task.parent_id is not None:
        back_to_delegator(store, ws, _mine(store, task_id, None), "done")
    return _mine(store, task_id, None)


def _reply_draft(store: Store, ws: Workspace, task: Task, reply: str) -> dict[str, Any] | None:
    """The assistant's reply to the sender becomes a draft for the owner's review."""
    found = view_of(store, ws, task.id)
    if found is None:
        return None
    mail = found[0].mail
    lang = draft_language(mail.language)
    to, subject, in_reply_to, refs = reply_headers(mail, lang)
    if not to:
        return None
    return {"message_id": task.message_id, "decision_id": None, "kind": "draft",
            "status": "pending", "to": to, "cc": [], "subject": subject,
            "body": reply.strip()[:100_000] + "\n", "language": lang, "in_reply_to": in_reply_to,
            "references": refs, "template": f"task:{task.id}"}


def cancel(store: Store, ws: Workspace, task_id: int, actor: str, reason: str = "",
           why: str = "owner") -> Task:
    """Withdraw an open task (and everything handed on from it); whoever held them is told
    by mail (`why`: owner, team, removed — the words of prompts/tasks/words.yaml)."""
    task = _mine(store, task_id, None)
    parts = store.tasks.open_parts(task_id)
    moved = store.tasks.transition(task_id, "cancelled", actor, reason=reason,
                                   webhooks=task_webhooks(ws, "task.cancelled", task,
                                                          status="cancelled"))
    if not moved.ok:
        raise TaskError(409, f"task {task_id} is {moved.status}, it cannot be cancelled")
    store.tasks.end_links(task_id)
    tell_withdrawn(store, ws, [(task, why), *((p, "settled") for p in parts)])
    return _mine(store, task_id, None)


def tell_withdrawn(store: Store, ws: Workspace, tasks: list[tuple[Task, str]]) -> None:
    """A mail to each one whose task was withdrawn (those who hear by mail), once."""
    for task, why in tasks:
        a = ws.assistant(task.assistant_id)
        if a is None or a.notify != "email":
            continue
        lang = _lang(a)
        words = load_table("tasks/words")[lang]
        body = load_prompt(f"tasks/withdrawn.{lang}").render(
            assistant=a.name.split()[0], title=task.title,
            why=words["withdrawn"].get(why, words["withdrawn"]["owner"]))
        Notices(store.db).add("withdrawn", str(task.id), [a.email],
                              f"{words['withdrawn_subject']}: {task.title}"[:300], body, lang,
                              task.message_id)


def reassign(store: Store, ws: Workspace, task_id: int, to: str, actor: str) -> Task:
    """The owner hands an open task to someone else: the old one ends (freeing capacity)."""
    a = ws.assistant(to)
    if a is None:
        raise TaskError(422, f"no assistant {to!r}")
    task = cancel(store, ws, task_id, actor, f"reassigned to {to}")
    new = store.tasks.offer(task.message_id, a.id, task.title, task.reason,
                            a.skills[:300], task.priority, actor)
    return _mine(store, new, None)


# --- the next best, and the owner when there is none ------------------------------------------


def reroute(store: Store, ws: Workspace, task: Task, why: str,
            router: Router | None = None) -> int | None:
    """Offer the task to the next best assistant who has not declined it (nor let it
    expire), reads the language, is not away and has capacity; else tell the owner."""
    if task.parent_id is not None:  # a part comes back to the one who handed it on
        back_to_delegator(store, ws, task, why)
        return None
    found = view_of(store, ws, task.id)
    excluded = store.tasks.passed_over(task.message_id) | {task.assistant_id}
    choice = None
    if found is not None:
        v, category = found
        today = store.clock().astimezone(ws.owner.zone).date()

        picked = (router or Router(ws, get_embedder())).choose(
            v, category, store.tasks.open_tasks, today, exclude=excluded)  # away: skipped
        choice = picked if isinstance(picked, RouteChoice) else None
    if choice is None:
        _tell_owner(store, ws, task, why)
        return None
    a = choice.assistant
    return store.tasks.offer(task.message_id, a.id, task.title, task.reason,
                             choice.phrase or a.skills[:300], task.priority, "agent")


def back_to_delegator(store: Store, ws: Workspace, child: Task, why: str) -> None:
    """A part handed on came back (declined, expired, done, withdrawn): the delegating
    assistant hears of it (mail or webhook) and, with no other part open, holds the task
    again — the owner is not involved."""
    if child.parent_id is None:
        return
    parent = store.tasks.get(child.parent_id)
    if parent is None:
        return
    event = "task.part_done" if why == "done" else "task.part_back"
    hooks = task_webhooks(ws, event, parent, part=child.id, part_status=child.status,
                          part_result=(child.result or "")[:2000])
    store.tasks.back_from_part(parent.id, child, why, hooks)
    a = ws.assistant(parent.assistant_id)
    helper = ws.assistant(child.assistant_id)
    if a is None or a.notify != "email":
        return
    lang = _lang(a)
    words = load_table("tasks/words")[lang]
    body = load_prompt(f"tasks/back.{lang}").render(
        assistant=a.name.split()[0], helper=helper.name if helper else child.assistant_id,
        title=child.title, outcome=words["back"].get(why, why),
        result=(child.result or "")[:8000] if why == "done" else "",
        api=f"{ws.web.base_url.rstrip('/')}/api/v1/tasks/{parent.id}")
    Notices(store.db).add("part_back", f"{child.id}:{why}", [a.email],
                          f"{words['back_subject']}: {child.title}"[:300], body, lang,
                          child.message_id)


def delegate(store: Store, ws: Workspace, task_id: int, by: str, to: str,
             title: str | None = None, text: str | None = None,
             attachments: list[str] | None = None, due: datetime | None = None) -> Task:
    """An assistant hands their task, or a part of it, on (CONTRACT §8 `delegate`): to an
    assistant the owner allowed them (`may_delegate_to`) or one of their own helpers. The
    part carries only `text` and the chosen `attachments`; the parent stays with `by`."""
    parent = _mine(store, task_id, by)
    target = ws.assistant(to)
    if target is None or not ws.may_delegate(by, to):
        holder = ws.assistant(by)
        allowed = ", ".join(holder.delegates if holder else []) or \
            "nobody (ask the owner: may_delegate_to)"
        raise TaskError(422, f"you may not hand tasks on to {to!r}; allowed: {allowed}")
    if store.tasks.open_tasks(to) >= target.capacity:
        raise TaskError(409, f"{to} has no capacity left ({target.capacity} open tasks)")
    seen = _visible_attachments(store, ws, parent)
    chosen = list(dict.fromkeys(attachments or []))
    unknown = [n for n in chosen if n not in seen]
    if unknown:
        raise TaskError(422, f"no such attachment on this task: {', '.join(unknown)}; "
                        f"there are: {', '.join(seen) or 'none'}")
    part_title = (title or parent.title).strip()[:300] or parent.title
    hooks = task_webhooks(ws, "task.delegated", parent, status="delegated", to=to)
    try:
        child = store.tasks.delegate(task_id, by, to, part_title, (text or "").strip()[:20000],
                                     {"attachments": chosen}, due, ws.tasks.max_depth, hooks)
    except ChainError as exc:
        raise TaskError(exc.status, str(exc)) from None
    return _mine(store, child, None)


def _visible_attachments(store: Store, ws: Workspace, task: Task) -> list[str]:
    """The attachment names this task's holder may see (and so may pass on)."""
    if task.parent_id is not None:
        return shared_attachments(task)
    found = view_of(store, ws, task.id)
    if found is None:
        return []
    return attachment_names(found[0].mail)


def attachment_names(mail: Mail) -> list[str]:
    """The names an assistant sees of a mail's attachments (a nameless one by its number)."""
    return [x.filename or f"Anhang {i + 1}" for i, x in enumerate(mail.attachments)]


def _tell_owner(store: Store, ws: Workspace, task: Task, why: str) -> None:
    lang = _owner_lang(ws)
    link = f"{ws.web.base_url.rstrip('/')}/messages/{task.message_id}"
    words = load_table("notify/warnings")["unrouted_why"][lang]
    body = load_prompt(f"notify/unrouted.{lang}").render(
        owner=ws.owner.name.split()[0], title=task.title, why=words.get(why, words["declined"]),
        link=link) if ws.smtp is not None and ws.notifications.enabled else ""
    subject = f"{load_table('notify/warnings')['subjects'][lang]['unrouted']}: {task.title}"
    Notices(store.db).add("unrouted", str(task.id), [ws.notifications.to or ws.owner.email],
                          subject[:300], body, lang, task.message_id)


# --- the clock's part: expiry and due times --------------------------------------------------


def expire_offers(store: Store, ws: Workspace, router: Router | None = None) -> int:
    count = 0
    for task in store.tasks.expired_offers(store.clock()):
        moved = store.tasks.transition(task.id, "expired", "agent",
                                       reason="not accepted in time",
                                       webhooks=task_webhooks(ws, "task.expired", task,
                                                              status="expired"))
        if moved.ok:
            store.tasks.end_links(task.id)
            reroute(store, ws, task, "expired", router)
            count += 1
    return count


def escalate_overdue(store: Store, ws: Workspace) -> int:
    count = 0
    lang = _owner_lang(ws)
    for task in store.tasks.overdue(store.clock()):
        if not store.tasks.escalated(task.id):
            continue
        a = ws.assistant(task.assistant_id)
        body = load_prompt(f"notify/overdue.{lang}").render(
            owner=ws.owner.name.split()[0], title=task.title,
            assistant=a.name if a else task.assistant_id,
            due=_when(task.due_at, ws.owner.zone, lang),
            link=f"{ws.web.base_url.rstrip('/')}/messages/{task.message_id}") \
            if ws.smtp is not None and ws.notifications.enabled else ""
        subject = f"{load_table('notify/warnings')['subjects'][lang]['overdue']}: {task.title}"
        Notices(store.db).add("overdue", str(task.id), [ws.notifications.to or ws.owner.email],
                              subject[:300], body, lang, task.message_id)
        count += 1
    return count


def withdraw_removed(store: Store, ws: Workspace) -> int:
    """Open tasks of someone no longer in the config are withdrawn, with what they handed
    on: a task comes back to the owner (she is told), a part to the one who handed it on."""
    count = 0
    for task in store.tasks.open_not_of(a.id for a in ws.people):  # a task before its parts
        try:
            cancel(store, ws, task.id, "agent", "the assistant is no longer in the config",
                   why="removed")
        except TaskError:
            continue  # settled meanwhile (e.g. ended with the task above it)
        if task.parent_id is None:
            _tell_owner(store, ws, task, "removed")
        else:
            back_to_delegator(store, ws, task, "cancelled")
        count += 1
    return count


def tick(store: Store, ws: Workspace, router: Router | None = None) -> dict[str, int]:
    """One round of the lifecycle: withdraw the tasks of people no longer in the config,
    announce new offers, expire old ones, escalate."""
    return {"withdrawn": withdraw_removed(store, ws),
            "announced": announce_offers(store, ws),
            "expired": expire_offers(store, ws, router),
            "escalated": escalate_overdue(store, ws)}
