"""Replies: recipients, subject and threading come from the original headers, by code;
the text comes from a template in `prompts/drafts/` (offline) or a drafter with an LLM."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Protocol

from agent.facts import Facts, extract_facts
from agent.maildata import email_block
from agent.prompts import exists, load_prompt, load_table
from core.config import Workspace
from core.models import Category, Draft, Mail
from core.ports import LLMClient, LLMError

DRAFT_LANGUAGES = ("de", "en")
_PREFIX = re.compile(r"^\s*((?:re|aw|antw|wg|fwd?|fw|sv|vs|tr|rif|r)\s*(?:\[\d+\]\s*)?:\s*)+",
                     re.I)
_MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
              "September", "October", "November", "December"]


def draft_language(language: str) -> str:
    """Replies are written in the language of the message; others get English."""
    return language if language in DRAFT_LANGUAGES else "en"


def reply_subject(subject: str, language: str) -> str:
    """"AW: …" for German, "Re: …" otherwise; earlier Re:/AW:/Fwd: prefixes are dropped."""
    core = _PREFIX.sub("", subject or "").strip()
    return f"{'AW' if language == 'de' else 'Re'}: {core}".rstrip()


def topic_of(subject: str) -> str:
    core = _PREFIX.sub("", subject or "").strip()
    return core if len(core) <= 80 else core[:77] + "…"


def _format_date(d: date, language: str) -> str:
    if language == "de":
        return f"{d.day}.{d.month}.{d.year}"
    return f"{d.day} {_MONTHS_EN[d.month - 1]} {d.year}"


def signature_for(ws: Workspace, language: str) -> str:
    """The owner's signature, with its closing line in the draft's language."""
    sig = ws.owner.signature.strip() or "\n".join(
        x for x in (ws.owner.name, ws.owner.company) if x)
    table = load_table("drafts/closings")
    lines = sig.split("\n")
    first = lines[0].strip().rstrip(",")
    for lang, closings in table["closings"].items():
        if lang != language and first in closings:
            lines[0] = table["default"].get(language, lines[0])
            break
    else:
        if not any(first in c for c in table["closings"].values()):
            lines.insert(0, table["default"].get(language, ""))
    return "\n".join(lines).strip()


def _template_name(category: Category, language: str) -> str:
    name = f"drafts/{category.value}.{language}"
    return name if exists(name) else f"drafts/generic.{language}"


def _facts_for_template(facts: Facts, language: str) -> dict[str, object]:
    values = facts.model_dump()
    values["dates"] = [_format_date(d, language) for d in facts.dates[:3]]
    values["deadline"] = _format_date(facts.deadline, language) if facts.deadline else ""
    return values


def reply_headers(mail: Mail, language: str) -> tuple[list[str], str, str | None, list[str]]:
    """(to, subject, in_reply_to, references) for a reply to `mail` (CONTRACT §2)."""
    to = mail.reply_address
    refs = list(mail.references)
    if mail.message_id and mail.message_id not in refs:
        refs.append(mail.message_id)
    return ([to.email] if to else []), reply_subject(mail.subject, language), mail.message_id, refs


class Drafter(Protocol):
    def compose(self, mail: Mail, category: Category, kind: str, ws: Workspace,
                now: datetime, extra: dict[str, str] | None = None) -> Draft: ...


class TemplateDrafter:
    """Offline drafts: a template per category and language, filled with facts from the mail."""

    def body(self, mail: Mail, category: Category, kind: str, ws: Workspace,
             language: str, now: datetime,
             extra: dict[str, str] | None = None) -> tuple[str, str]:
        facts = extract_facts(mail, now)
        greeting = load_prompt(f"drafts/greeting.{language}").render(
            first_name=facts.first_name, full_name=facts.full_name, informal=facts.informal)
        prompt = load_prompt(_template_name(category, language))
        text = prompt.render(greeting=greeting.strip(), kind=kind, topic=topic_of(mail.subject),
                             facts=_facts_for_template(facts, language),
                             signature=signature_for(ws, language), owner_name=ws.owner.name,
                             extra=extra or {})
        return text, prompt.id

    def compose(self, mail: Mail, category: Category, kind: str, ws: Workspace,
                now: datetime, extra: dict[str, str] | None = None) -> Draft:
        language = draft_language(mail.language)
        to, subject, in_reply_to, refs = reply_headers(mail, language)
        text, template = self.body(mail, category, kind, ws, language, now, extra)
        return Draft(to=to, subject=subject, body=text, language=language,
                     in_reply_to=in_reply_to, references=refs, template=template)


class LLMDrafter(TemplateDrafter):
    """Drafts written by a language model from the owner's profile and the rules; the
    template text is the fallback whenever the model fails. Recipients, subject and
    threading still come from the headers by code."""

    def __init__(self, llm: LLMClient) -> None:
        self.llm = llm

    def compose(self, mail: Mail, category: Category, kind: str, ws: Workspace,
                now: datetime, extra: dict[str, str] | None = None) -> Draft:
        fallback = super().compose(mail, category, kind, ws, now, extra)
        language = fallback.language
        system = load_prompt("llm/draft_system")
        user = load_prompt("llm/draft_user")
        headers, body, _ = email_block(mail)
        context = "\n".join(f"{k}: {v}" for k, v in (extra or {}).items())
        version = f"{system.id}+{user.id}"
        try:
            text = self.llm.write(
                system.render(owner_name=ws.owner.name, company=ws.owner.company,
                              signature=signature_for(ws, language), language=language,
                              kind=kind, informal=extract_facts(mail, now).informal),
                user.render(headers=headers, body=body, context=context), version)
        except LLMError:
            return fallback
        return fallback.model_copy(update={"body": text.strip() + "\n", "template": version})
