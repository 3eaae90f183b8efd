"""Tasks (CONTRACT §8): the assistant's API (their token: only their own tasks — another's
is a 404), the owner's overrides, and the signed links in task mails (a page to confirm,
the action only on its POST, so mail scanners that fetch links change nothing)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from importlib import resources
from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, ConfigDict, Field

from agent.prompts import load_table
from api.access import ASSISTANT, OWNER, PUBLIC, Caller
from api.deps import RowId, StoreDep, WorkspaceDep
from service import tasks as lifecycle
from service.tasks import TaskError
from tools.store import Store
from tools.store.access import Principal
from tools.store.models import OPEN_TASK_STATES
from tools.store.tasks import Task

router = APIRouter(prefix="/api/v1/tasks", tags=["tasks"], dependencies=[ASSISTANT])
owner = APIRouter(prefix="/api/v1", tags=["tasks"], dependencies=[OWNER])
links = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(resources.files("api") / "templates"))


class TaskOut(BaseModel):
    id: int
    status: str = Field(description="offered, accepted, delegated, done, declined, expired, "
                                    "cancelled")
    title: str
    priority: str
    due: str | None
    offered_at: str | None
    expires_at: str | None = None
    assistant_id: str = Field(description="who holds the task (an owner token sees all)")


class MailOut(BaseModel):
    sender: str
    subject: str
    date: str | None
    text: str
    attachments: list[str]


class PartOut(BaseModel):
    id: int
    assistant_id: str
    status: str
    title: str
    due: str | None
    result: str | None


class TaskDetail(TaskOut):
    mail: MailOut = Field(description="what the holder may see of the mail: for a part "
                          "handed on, only the text and attachments passed on with it")
    note: str = Field(description="what the owner wrote when she forwarded it")
    why: str = Field(description="why it was routed to you")
    result: str | None = None
    handed_on_by: str | None = Field(None, description="for a part: who handed it on (and "
                                     "gets the result)")
    parts: list[PartOut] = Field(default_factory=list, description="the parts you handed "
                                 "on, with their status and result")


class DeclineIn(BaseModel):
    model_config = ConfigDict(extra="forbid",
                              json_schema_extra={"examples": [{"reason": "bin im Urlaub"}]})
    reason: str = Field("", max_length=2000)


class CompleteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"result": "Rechnung geprüft und zur Zahlung freigegeben"},
        {"result": "Termin mit der Druckerei steht", "reply": "Guten Tag, …"}]})
    result: str = Field(min_length=1, max_length=20000)
    reply: str | None = Field(None, max_length=100_000, description="becomes a draft for the "
                              "owner's review, to the mail's sender")


class DelegateIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"to": "jonas", "title": "Rechnungsnummern abgleichen",
         "text": "Bitte die Nummern 2026-114 bis 2026-120 mit dem Kontoauszug abgleichen.",
         "attachments": ["kontoauszug.pdf"]}]})
    to: str = Field(description="an assistant you may hand on to, or one of your helpers")
    title: str | None = Field(None, max_length=300, description="the part's title (default: "
                              "the task's)")
    text: str | None = Field(None, max_length=20000, description="what to do — the only "
                             "text of the mail the other one sees is what you write here")
    attachments: list[str] = Field(default_factory=list, max_length=50,
                                   description="names of attachments to share")
    due: datetime | None = Field(None, description="within the task's due time")


class ReassignIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"to": "tom"}]})
    to: str


def _own(who: Principal) -> str | None:
    """The assistant a caller stands for; None for the owner (who sees every task)."""
    return who.assistant_id if who.role == "assistant" else None


def _actor(who: Principal) -> str:
    return f"assistant:{who.assistant_id}" if who.role == "assistant" else "owner"


def _out(t: Task) -> TaskOut:
    j = t.json()
    return TaskOut(id=t.id, status=t.status, title=t.title, priority=t.priority, due=j["due"],
                   offered_at=j["offered_at"], expires_at=j["expires_at"],
                   assistant_id=t.assistant_id)


def _fail(exc: TaskError) -> HTTPException:
    return HTTPException(exc.status, exc.detail)


def idempotent(request: Request, who: Principal, store: Store,
               act: Callable[[], tuple[int, Any]]) -> Response:
    """Every POST accepts an `Idempotency-Key`: a retry gets the first answer again."""
    key = request.headers.get("idempotency-key")
    principal = f"{who.role}:{who.assistant_id or ''}"
    this = f"{request.method} {request.url.path}"
    if key:
        kept = store.idempotency.answer(principal, key)
        if kept is not None:
            if kept[0] != this:
                raise HTTPException(422, "this Idempotency-Key was used for another request")
            return JSONResponse(kept[2], status_code=kept[1])
    status, body = act()
    if key:
        store.idempotency.keep(principal, key, this, status, body)
    return JSONResponse(body, status_code=status)


def _run(fn: Callable[[], Task]) -> tuple[int, Any]:
    try:
        return 200, _out(fn()).model_dump()
    except TaskError as exc:
        return exc.status, {"detail": exc.detail}


@router.get("")
def list_tasks(who: Caller, store: StoreDep, status: str | None = None) -> list[TaskOut]:
    """The caller's tasks (an owner token sees every task), newest first."""
    return [_out(t) for t in store.tasks.all(_own(who), status)]


@router.get("/{task_id}", responses={404: {"description": "no such task of yours"}})
def get_task(task_id: RowId, who: Caller, store: StoreDep, ws: WorkspaceDep) -> TaskDetail:
    """One task with what the assistant may see of its one mail."""
    try:
        task = lifecycle.readable(store, task_id, _own(who))
    except TaskError as exc:
        raise _fail(exc) from None
    if who.role == "assistant":
        store.tasks.log_access(task_id, _actor(who), "api")
    return _detail(store, ws, task)


def _detail(store: Store, ws: WorkspaceDep, task: Task) -> TaskDetail:
    found = lifecycle.view_of(store, ws, task.id)
    base = _out(task).model_dump()
    parts = [PartOut(id=c.id, assistant_id=c.assistant_id, status=c.status, title=c.title,
                     due=c.json()["due"], result=c.result) for c in store.tasks.parts(task.id)]
    if task.parent_id is not None:  # a part: only what was passed on, never the mail
        parent = store.tasks.get(task.parent_id)
        mail = MailOut(sender="", subject=task.title, date=None, text=task.text or "",
                       attachments=lifecycle.shared_attachments(task))
        by = ws.assistant(parent.assistant_id) if parent else None
        return TaskDetail(**base, mail=mail, note="", why=task.why, result=task.result,
                          handed_on_by=by.name if by else None, parts=parts)
    if found is None:
        mail = MailOut(sender="", subject=task.title, date=None, text="", attachments=[])
        note = ""
    else:
        v = found[0]
        m = v.mail
        text = m.body.new or m.body.full
        mail = MailOut(sender=m.sender.formatted() if m.sender else "", subject=m.subject,
                       date=m.date.isoformat() if m.date else None, text=text or "",
                       attachments=lifecycle.attachment_names(m))
        note = v.owner_note
    return TaskDetail(**base, mail=mail, note=note, why=task.why, result=task.result,
                      parts=parts)


@router.post("/{task_id}/accept", responses={409: {"description": "not offered"}})
def accept(task_id: RowId, request: Request, who: Caller, store: StoreDep,
           ws: WorkspaceDep) -> Response:
    """Take an offered task."""
    return idempotent(request, who, store, lambda: _run(
        lambda: lifecycle.accept(store, ws, task_id, _actor(who), _own(who))))


@router.post("/{task_id}/decline", responses={409: {"description": "not declinable"}})
def decline(task_id: RowId, request: Request, who: Caller, store: StoreDep, ws: WorkspaceDep,
            body: DeclineIn | None = None) -> Response:
    """Decline: it is offered to the next best, never again to you; nobody left: the owner
    is told."""
    reason = body.reason if body else ""
    return idempotent(request, who, store, lambda: _run(
        lambda: lifecycle.decline(store, ws, task_id, _actor(who), _own(who), reason)))


@router.post("/{task_id}/complete", responses={409: {"description": "not open"}})
def complete(task_id: RowId, body: CompleteIn, request: Request, who: Caller, store: StoreDep,
             ws: WorkspaceDep) -> Response:
    """Done, with what was done; a `reply` becomes a draft for the owner's review."""
    return idempotent(request, who, store, lambda: _run(lambda: lifecycle.complete(
        store, ws, task_id, _actor(who), _own(who), body.result, body.reply)))


@router.post("/{task_id}/delegate", responses={
    404: {"description": "no such task of yours"},
    409: {"description": "the task is settled, or the other one has no capacity"},
    422: {"description": "not allowed to that assistant, a cycle, too deep a chain, an "
                         "unknown attachment, or a due time after the task's"}})
def delegate(task_id: RowId, body: DelegateIn, request: Request, who: Caller,
             store: StoreDep, ws: WorkspaceDep) -> Response:
    """Hand the task, or a part of it, on to an assistant the owner allowed you
    (`may_delegate_to`) or one of your helpers. They see only your `text` and the
    `attachments` you name; you stay answerable, see their status and result under
    `parts`, and complete the task yourself. The answer is the new part."""
    if who.role != "assistant":
        return JSONResponse({"detail": "only the assistant who holds a task hands it on; "
                             "the owner reassigns (POST /api/v1/tasks/{id}/reassign)"}, 422)
    assert who.assistant_id is not None
    by = who.assistant_id
    return idempotent(request, who, store, lambda: _run(lambda: lifecycle.delegate(
        store, ws, task_id, by, body.to, body.title, body.text, body.attachments,
        _aware_due(body.due, ws))))


def _aware_due(due: datetime | None, ws: WorkspaceDep) -> datetime | None:
    if due is None:
        return None
    return due if due.tzinfo is not None else due.replace(tzinfo=ws.owner.zone)


@owner.post("/tasks/{task_id}/cancel", tags=["tasks"])
def cancel(task_id: RowId, request: Request, who: Caller, store: StoreDep,
           ws: WorkspaceDep) -> Response:
    """The owner withdraws an open task (its links end at once)."""
    return idempotent(request, who, store, lambda: _run(
        lambda: lifecycle.cancel(store, ws, task_id, "owner", "withdrawn by the owner")))


@owner.post("/tasks/{task_id}/reassign", tags=["tasks"])
def reassign(task_id: RowId, body: ReassignIn, request: Request, who: Caller, store: StoreDep,
             ws: WorkspaceDep) -> Response:
    """The owner hands an open task to another assistant."""
    return idempotent(request, who, store, lambda: _run(
        lambda: lifecycle.reassign(store, ws, task_id, body.to, "owner")))


@owner.get("/messages/{message_id}/access-log", tags=["tasks"])
def access_log(message_id: RowId, store: StoreDep) -> list[dict[str, Any]]:
    """Who (which assistant or link) read this mail, when, through which task."""
    return store.tasks.access_log(message_id)


# --- the links in task mails ----------------------------------------------------------------

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def _words(ws: WorkspaceDep, store: Store, assistant_id: str) -> tuple[str, dict[str, Any]]:
    a = ws.assistant(assistant_id)
    lang = lifecycle._lang(a)
    return lang, load_table("tasks/words")[lang]


def _page(request: Request, ws: WorkspaceDep, lang: str, words: dict[str, Any],
          status: int = 200, **ctx: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, "task_link.html",
                                      {"lang": lang, "w": words["page"], "ws": ws, **ctx},
                                      status_code=status)


def _usable(store: Store, token: str) -> tuple[Any, Task] | None:
    if not _TOKEN.match(token):
        return None
    found = store.tasks.link(token)
    if found is None:
        return None
    link, task = found
    expires = link.expires_at if link.expires_at.tzinfo else link.expires_at.replace(
        tzinfo=store.clock().tzinfo)
    if link.used_at is not None or expires <= store.clock():
        return None
    if task.status not in OPEN_TASK_STATES:  # settled, taken away, team dissolved
        return None
    return link, task


@links.get("/t/{token}", response_class=HTMLResponse, dependencies=[PUBLIC])
def link_page(token: str, request: Request, store: StoreDep, ws: WorkspaceDep) -> HTMLResponse:
    """Shows the task and a button; changes nothing (mail scanners fetch links)."""
    found = _usable(store, token)
    if found is None:
        lang, words = "de", load_table("tasks/words")["de"]
        return _page(request, ws, lang, words, 410, gone=True)
    link, task = found
    lang, words = _words(ws, store, task.assistant_id)
    store.tasks.log_access(task.id, f"link:{task.assistant_id}", f"link {link.action}")
    detail = _detail(store, ws, task)
    return _page(request, ws, lang, words, action=link.action, task=detail, token=token)


@links.post("/t/{token}", response_class=HTMLResponse, dependencies=[PUBLIC])
def link_act(token: str, request: Request, store: StoreDep, ws: WorkspaceDep,
             reason: str = Form(""), result: str = Form(""),
             reply: str = Form("")) -> HTMLResponse:
    """The button: the link's one action, once."""
    found = _usable(store, token)
    if found is None or not store.tasks.use_link(found[0].id):
        return _page(request, ws, "de", load_table("tasks/words")["de"], 410, gone=True)
    link, task = found
    lang, words = _words(ws, store, task.assistant_id)
    actor = f"link:{task.assistant_id}"
    try:
        if link.action == "accept":
            lifecycle.accept(store, ws, task.id, actor, task.assistant_id)
        elif link.action == "decline":
            lifecycle.decline(store, ws, task.id, actor, task.assistant_id, reason)
        else:
            lifecycle.complete(store, ws, task.id, actor, task.assistant_id,
                               result or "erledigt", reply or None)
    except TaskError:
        now = store.tasks.get(task.id)
        status = words["page"]["status"].get(now.status if now else "", "")
        return _page(request, ws, lang, words, 409,
                     conflict=words["page"]["conflict"].format(status=status))
    return _page(request, ws, lang, words, done=words["page"][f"done_{link.action}"])
