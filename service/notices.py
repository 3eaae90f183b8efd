"""Telling the owner outside the UI: a mail at once for a risk (bank details, payment or
credential requests, spoofing) and for a reply whose delivery is uncertain; a daily digest
of everything else laid before her, at `notifications.digest_at` in her time zone. All in
her first language, through the outbox (so never twice), and off without `smtp`."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from agent.prompts import load_prompt, load_table
from core.config import Workspace
from tools.store import Store
from tools.store.notices import Noticed, Notices

LOOKBACK = timedelta(days=2)  # a first start on an old database does not mail its history


def _language(ws: Workspace) -> str:
    first = ws.owner.languages[0]
    return first if first in ("de", "en") else "en"


def _link(ws: Workspace, message: int | None) -> str:
    base = ws.web.base_url.rstrip("/")
    return f"{base}/messages/{message}" if message else f"{base}/"


def _when(ws: Workspace, at: datetime, language: str) -> str:
    local = at.astimezone(ws.owner.zone)
    return local.strftime("%d.%m.%Y, %H:%M Uhr" if language == "de" else "%d %b %Y, %H:%M")


def _warning(n: Noticed, table: dict[str, Any], language: str) -> str:
    words = table[language]
    for flag in n.flags:
        key = flag.split(":", 1)[1] if flag.startswith("risk:") else (
            "spoofing" if flag.startswith("spoof") else "")
        if key in words:
            return str(words[key])
    return str(words["default"])


def queue_notices(store: Store, ws: Workspace) -> dict[str, int]:
    """Write the notices that are due (each exactly once); returns how many of each."""
    n = ws.notifications
    if ws.smtp is None or not n.enabled:
        return {}
    to = [n.to or ws.owner.email]
    language = _language(ws)
    table = load_table("notify/warnings")
    notices = Notices(store.db)
    now = store.clock()
    done = {"risk": 0, "uncertain": 0, "digest": 0}
    owner = ws.owner.name.split()[0] if ws.owner.name else ""
    if n.immediate:
        for item in notices.risks(now - LOOKBACK):
            warning = _warning(item, table, language)
            body = load_prompt(f"notify/risk.{language}").render(
                owner=owner, warning=warning, sender=item.sender, subject=item.subject,
                received=_when(ws, item.received_at, language),
                explanation=item.explanation, link=_link(ws, item.message))
            subject = f"{table['subjects'][language]['risk']}: {item.subject}"[:300]
            done["risk"] += notices.add("risk", str(item.message), to, subject, body,
                                        language, item.message)
        for u in notices.uncertain():
            body = load_prompt(f"notify/uncertain.{language}").render(
                owner=owner, to=", ".join(u.to), subject=u.subject, link=_link(ws, u.message))
            subject = f"{table['subjects'][language]['uncertain']}: {u.subject}"[:300]
            done["uncertain"] += notices.add("uncertain", str(u.outbox), to, subject, body,
                                             language, u.message)
    done["digest"] = _digest(store, ws, notices, to, language, owner, now)
    return done


def _digest(store: Store, ws: Workspace, notices: Notices, to: list[str], language: str,
            owner: str, now: datetime) -> int:
    at = ws.notifications.digest_at
    if at is None:
        return 0
    local = now.astimezone(ws.owner.zone)
    hour, minute = (int(x) for x in at.split(":"))
    if local.time() < time(hour, minute):
        return 0
    day = local.date().isoformat()
    if notices.done("digest", day):
        return 0
    items = notices.others(now - timedelta(days=1))
    counts = notices.counts()
    table = load_table("notify/warnings")
    if not items and not counts["drafts"] and not counts["failed"]:
        return int(notices.add("digest", day, to, "", "", language))  # nothing: no mail
    body = load_prompt(f"notify/digest.{language}").render(
        owner=owner, day=local.strftime("%d.%m.%Y" if language == "de" else "%d %b %Y"),
        items=[{"sender": i.sender, "subject": i.subject, "explanation": i.explanation,
                "link": _link(ws, i.message)} for i in items],
        drafts=counts["drafts"], failed=counts["failed"], link=_link(ws, None))
    total = len(items) + counts["drafts"] + counts["failed"]
    subject = str(table["subjects"][language]["digest"]).format(n=total)
    return int(notices.add("digest", day, to, subject, body, language))
