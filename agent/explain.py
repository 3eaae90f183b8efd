"""One or two sentences in the owner's first language: why this category, action, assignee."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from agent.prompts import _ENV, load_table
from agent.review import open_points
from core.models import Classification, Decision, MessageView

EXPLANATION_LANGUAGES = ("de", "en")


def _table(language: str) -> dict[str, Any]:
    return load_table(f"explanations/{language if language in EXPLANATION_LANGUAGES else 'en'}")


def _source(t: dict[str, Any], decided_by: str) -> str:
    key = decided_by.split(":", 1)[0]
    sources: dict[str, str] = t["sources"]
    return sources.get(key, sources["default"])


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;") + "…"


def _day(iso: str, language: str) -> str:
    d = date.fromisoformat(iso)
    return f"{d.day}.{d.month}." if language == "de" else f"{d.day} {d:%b}"


def _passed(t: dict[str, Any], args: dict[str, str], mail_language: str, language: str) -> str:
    """Who was passed over and why: "Katrin liest kein Englisch; Lena ist bis 18.12. abwesend"."""
    try:
        people = json.loads(args.get("passed") or "[]")
    except ValueError:
        return ""
    lang = t["languages"].get(mail_language, mail_language)
    clauses = []
    for p in people:
        until = _day(p["until"], language) if p.get("until") else ""
        clauses.append(_ENV.from_string(t["passed"][p["why"]]).render(
            name=str(p["name"]).split()[0], language=lang, until=until))
    return "; ".join(clauses)


def explain(view: MessageView, c: Classification, d: Decision, owner_language: str) -> str:
    t = _table(owner_language)
    language = owner_language if owner_language in EXPLANATION_LANGUAGES else "en"
    args = d.reason_args
    values = {
        "category": t["categories"][c.category.value],
        "action": t["actions"][d.action.value],
        "confidence": round(100 * c.confidence),
        "source": _source(t, c.decided_by),
        "assistant": d.reason_args.get("assistant", ""),
        "skills": _short(d.reason_args.get("skills", "")),
        "risks": ", ".join(t["risks"][r.value] for r in view.risks),
        "why": ", ".join(view.mail.automation.reasons) or "noreply",
        "language": view.language,
        "new_iban": d.reason_args.get("new_iban", ""),
        "known_iban": d.reason_args.get("known_iban", ""),
        "phrase": args.get("phrase", ""),
        "passed": _passed(t, args, view.language, language),
        "closest": args.get("closest", ""),
        "closest_assistant": args.get("closest_assistant", "").split(" ")[0],
    }
    first = _ENV.from_string(t["category_sentence"]).render(**values)
    reason = t["reasons"].get(d.reason, t["reasons"]["delegation"])
    second = _ENV.from_string(reason).render(**values)
    clauses = _about_draft(view, d, t)
    if clauses:
        second = f"{second.rstrip().rstrip('.')} ({'; '.join(clauses)})."
    if args.get("team"):
        second = f"{second} " + _ENV.from_string(t["team_clause"]).render(
            team=args["team"], team_by=args.get("team_by", ""),
            team_what=args.get("team_what", ""))
    learned = d.draft.learned_from if d.draft is not None else None
    if learned is None:
        return f"{first} {second}"
    on = learned.on
    third = _ENV.from_string(t["learned_draft"]).render(
        to=learned.to, on=f"{on.day}.{on.month}.{on.year}" if owner_language == "de"
        else f"{on.day} {t['months'][on.month - 1]} {on.year}")
    return f"{first} {second} {third}"


def _about_draft(view: MessageView, d: Decision, t: dict[str, Any]) -> list[str]:
    """Why the draft is not in the sender's language, and how many points it leaves open."""
    if d.draft is None:
        return []
    out = []
    lang = view.language
    if lang not in {"und", d.draft.language}:
        name = t["language_names"].get(d.draft.language, d.draft.language)
        out.append(_ENV.from_string(t["draft_language"]).render(draft_language=name,
                                                                language=lang))
    n = len(open_points(d.draft.body))
    if n:
        out.append(_ENV.from_string(t["open_points"]).render(n=n))
    return out


def explain_failure(error: str, owner_language: str) -> str:
    t = _table(owner_language)
    return str(_ENV.from_string(t["reasons"]["failed"]).render(why=error))
