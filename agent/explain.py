"""One or two sentences in the owner's first language: why this category, action, assignee."""

from __future__ import annotations

from typing import Any

from agent.prompts import _ENV, load_table
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


def explain(view: MessageView, c: Classification, d: Decision, owner_language: str) -> str:
    t = _table(owner_language)
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
    }
    first = _ENV.from_string(t["category_sentence"]).render(**values)
    reason = t["reasons"].get(d.reason, t["reasons"]["delegation"])
    second = _ENV.from_string(reason).render(**values)
    learned = d.draft.learned_from if d.draft is not None else None
    if learned is None:
        return f"{first} {second}"
    on = learned.on
    third = _ENV.from_string(t["learned_draft"]).render(
        to=learned.to, on=f"{on.day}.{on.month}.{on.year}" if owner_language == "de"
        else f"{on.day} {t['months'][on.month - 1]} {on.year}")
    return f"{first} {second} {third}"


def explain_failure(error: str, owner_language: str) -> str:
    t = _table(owner_language)
    return str(_ENV.from_string(t["reasons"]["failed"]).render(why=error))
