"""Replies: recipients, subject and threading come from the original headers, by code;
the text comes from a template in `prompts/drafts/` (offline) or a drafter with an LLM."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Protocol

from agent.facts import extract_facts
from agent.maildata import email_block, inert
from agent.material import BLOCK_CHARS, Answer, DraftMaterial
from agent.person import first_person, owner_names
from agent.prompts import load_prompt, load_table
from agent.recap import date_text, recap
from core.config import Workspace
from core.models import Category, Draft, Mail
from core.ports import LLMClient, LLMError, Passage

DRAFT_LANGUAGES = ("de", "en")
_PREFIX = re.compile(r"^\s*((?:re|aw|antw|wg|fwd?|fw|sv|vs|tr|rif|r)\s*(?:\[\d+\]\s*)?:\s*)+",
                     re.I)



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


def reply_headers(mail: Mail, language: str) -> tuple[list[str], str, str | None, list[str]]:
    """(to, subject, in_reply_to, references) for a reply to `mail` (CONTRACT §2)."""
    to = mail.reply_address
    refs = list(mail.references)
    if mail.message_id and mail.message_id not in refs:
        refs.append(mail.message_id)
    return ([to.email] if to else []), reply_subject(mail.subject, language), mail.message_id, refs


class Drafter(Protocol):
    def compose(self, mail: Mail, category: Category, kind: str, ws: Workspace,
                now: datetime, extra: dict[str, str] | None = None,
                material: DraftMaterial | None = None) -> Draft: ...


_WEEKDAYS = {"de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag",
                    "Sonntag"],
             "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday",
                    "Sunday"]}


def next_working_day(ws: Workspace, now: datetime, language: str) -> str:
    """The weekday of the next working day after `now` (the owner's hours), as a word: a
    complaint is told when it hears back, without a date the mail did not contain."""
    day = now.astimezone(ws.owner.zone).date()
    for _ in range(7):
        day += timedelta(days=1)
        if day.weekday() < 5:
            break
    return _WEEKDAYS[language][day.weekday()]




_PRICED_HEAD = re.compile(r"^(?P<head>[^–]{3,80}?\d[^–]{0,40}?)\s+[–—]\s+\S")
_AMOUNT = re.compile(r"\d\s?(?:€|eur\b|euro\b)|€\s?\d", re.I)


def answer_sentence(passages: tuple[Passage, ...], brief: bool = False) -> str:
    """The owner's knowledge as a sentence of the reply: Markdown gone, the heading naming
    the topic where the passage alone does not, one or two sentences, never a block. `brief`
    (several things priced at once): a price list item only by its name and price ("Flyer
    DIN A5: 480 €"), without the details after the dash."""
    parts: list[str] = []
    for p in passages:
        head = _PRICED_HEAD.match(p.text) if brief else None
        if head and _AMOUNT.search(head.group("head")):
            parts.append(head.group("head").rstrip(" .,;:") + ".")
            continue
        # a heading that carries the price ("## Sessel – ab 380 €") is said with the text
        priced = (bool(_AMOUNT.search(p.heading)) and not p.heading.endswith("?")
                  and not _AMOUNT.search(p.block or p.text))
        if p.block and len(p.block) <= BLOCK_CHARS:
            block = f"{p.heading}: {p.block}" if priced else p.block
            if block not in parts:  # a short paragraph says it best whole
                parts.append(block)
            continue
        text = p.text.strip().rstrip(";,")
        if p.heading and not p.heading.endswith("?") and (
                text[:1].islower() or text[:1].isdigit() or len(text) < 40 or priced) \
                and p.heading.lower() not in text.lower():
            topic = f"{p.context} – {p.heading}" if p.context else p.heading
            text = f"{topic}: {text}"
        parts.append(text if text.endswith((".", "!", "?", ")")) else text + ".")
    return " ".join(parts)


def _answer_lines(answers: tuple[Answer, ...]) -> list[str]:
    """One line per answer, each passage written once: a question whose best passage an
    earlier answer already quoted is answered by that line ("" for it)."""
    said: set[str] = set()
    out = []
    for a in answers:
        if a.source != "knowledge":
            out.append(a.note)
            continue
        fresh = tuple(p for p in a.passages if p.id not in said)
        said.update(p.id for p in a.passages)
        out.append(answer_sentence(fresh, brief=a.items) if fresh else "")
    return out


def _scheduling_block(material: DraftMaterial, kind: str, language: str,
                      extra: dict[str, str], dates: list[str]) -> str:
    if not extra.get("mode") and not dates:
        return ""
    return load_prompt(f"drafts/scheduling.{language}").render(
        du=material.informal and language == "de", kind=kind, mode=extra.get("mode", ""),
        slots=extra.get("slots", ""), asked=extra.get("asked", ""),
        problem=extra.get("problem", ""), dates=", ".join(dates)).strip()


class TemplateDrafter:
    """Offline drafts from `prompts/drafts/`: the sender's questions answered from the
    owner's knowledge and calendar, the rest named for the owner, the facts repeated."""

    def body(self, mail: Mail, category: Category, kind: str, ws: Workspace,
             language: str, now: datetime, extra: dict[str, str] | None = None,
             material: DraftMaterial | None = None) -> tuple[str, str]:
        extra = extra or {}
        m = material or plain_material(mail, language, now)
        scheduling_mail = category is Category.scheduling
        dates = ([date_text(d, language) for d in extract_facts(mail, now).dates[:2]]
                 if scheduling_mail and not extra.get("mode") else [])
        block = _scheduling_block(m, kind, language, extra, dates) if scheduling_mail else ""
        calendar_in_block = bool(block and extra.get("slots"))
        drafting = kind != "auto"
        answers = [answer for answer in (_answer_lines(m.answers) if drafting else []) if answer]
        # the knowledge speaks of the owner ("Miriam Sander meldet sich …"), the reply is the
        # owner's ("Ich melde mich …")
        names = owner_names(ws.owner.name)
        answers = [first_person(a, names, language) for a in answers]
        open_points = [q.text for q in m.open_points] if drafting else []
        # what happens next after a complaint, unless an answer said it already (the same
        # warranty paragraph twice in one reply)
        said = "\n".join(answers)
        next_step = first_person(" ".join(x for x in (answer_sentence((p,)) for p in m.next_step)
                                          if x not in said), names, language)
        prompt = load_prompt(f"drafts/reply.{language}")
        text = prompt.render(
            greeting=m.greeting, du=m.informal and language == "de", kind=kind,
            category=category.value, complaint=m.complaint and drafting, scheduling=block,
            recap=recap(m.facts, scheduling_mail,
                        "\n".join([block, *answers, *open_points, m.slots])) if drafting else [],
            answers=list(dict.fromkeys(answers)),
            slots="" if calendar_in_block or not drafting else m.slots,
            open=open_points, next_step=next_step,
            next_day=next_working_day(ws, now, language),
            signature=signature_for(ws, language))
        return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n", prompt.id

    def compose(self, mail: Mail, category: Category, kind: str, ws: Workspace,
                now: datetime, extra: dict[str, str] | None = None,
                material: DraftMaterial | None = None) -> Draft:
        language = draft_language(mail.language)
        to, subject, in_reply_to, refs = reply_headers(mail, language)
        text, template = self.body(mail, category, kind, ws, language, now, extra, material)
        return Draft(to=to, subject=subject, body=text, language=language,
                     in_reply_to=in_reply_to, references=refs, template=template)


def plain_material(mail: Mail, language: str, now: datetime) -> DraftMaterial:
    """Material without the world: the greeting and the facts, every question for the owner."""
    from agent.questions import read_questions
    from agent.salutation import greeting

    informal = extract_facts(mail, now).informal
    questions = read_questions(mail.body.new or mail.body.full)
    return DraftMaterial(language=language, greeting=greeting(mail, language, informal),
                         informal=informal,
                         answers=tuple(Answer(q, "owner") for q in questions))


_BRACKET = re.compile(r"\[[^\]\n]{0,200}\]")


def llm_material(m: DraftMaterial, marker: str) -> str:
    """The material as the prompt's trusted facts block (`prompts/llm/material.yaml`); the
    sender's questions are quoted (they come from the mail) and made inert."""
    t = load_table("llm/material")
    lines = [t["greeting"].format(greeting=m.greeting)]
    for n, a in enumerate(m.answers, 1):
        q = inert(a.question.text)
        if a.source == "knowledge":
            files = ", ".join(dict.fromkeys(p.source for p in a.passages))
            line = t["question"]["knowledge"].format(n=n, q=q, answer=answer_sentence(a.passages),
                                                     files=files)
        elif a.source == "calendar" and a.note:
            line = t["question"]["calendar_note"].format(n=n, q=q, note=a.note)
        elif a.source in ("calendar", "next_step"):
            line = t["question"][a.source].format(n=n, q=q)
        else:
            line = t["question"]["owner"].format(n=n, q=q, marker=marker)
        lines.append(line)
    if m.slots:
        lines.append(t["slots"].format(slots=m.slots))
    if m.facts:
        lines.append(t["facts"].format(facts="; ".join(inert(f.text) for f in m.facts)))
    if m.complaint:
        policy = " ".join(p.text for p in m.next_step)
        lines.append(t["complaint_policy"].format(policy=policy) if policy else t["complaint"])
    if m.examples:
        earlier = "\n---\n".join(inert(e) for e in m.examples[:3])
        lines.append(t["examples"].format(examples=earlier))
    return "\n".join(lines)


class LLMDrafter(TemplateDrafter):
    """Drafts written by a language model from the same material as the template (the
    sender's questions, the knowledge passages, the calendar's slots, the facts); the
    template text is the fallback whenever the model fails or leaves a placeholder in
    square brackets. Recipients, subject and threading still come from the headers by code.
    The model may answer in the sender's language where the templates cannot."""

    def __init__(self, llm: LLMClient) -> None:
        self.llm = llm

    def compose(self, mail: Mail, category: Category, kind: str, ws: Workspace,
                now: datetime, extra: dict[str, str] | None = None,
                material: DraftMaterial | None = None) -> Draft:
        fallback = super().compose(mail, category, kind, ws, now, extra, material)
        m = material or plain_material(mail, fallback.language, now)
        language = mail.language if len(mail.language) == 2 else fallback.language
        markers = load_table("llm/material")["marker"]
        marker = markers.get(language, markers["en"])
        system = load_prompt("llm/draft_system")
        user = load_prompt("llm/draft_user")
        headers, body, _ = email_block(mail)
        context = "\n".join(f"{k}: {v}" for k, v in (extra or {}).items() if k != "slots")
        version = f"{system.id}+{user.id}"
        try:
            text = self.llm.write(
                system.render(owner_name=ws.owner.name, company=ws.owner.company,
                              signature=signature_for(ws, draft_language(language)),
                              language=language, kind=kind, informal=m.informal,
                              marker=marker),
                user.render(headers=headers, body=body, context=context,
                            material=llm_material(m, marker)), version)
        except LLMError:
            return fallback
        text = text.strip()
        if not text or _BRACKET.search(text):
            return fallback  # CONTRACT §7: a placeholder in brackets cannot be approved
        subject = reply_subject(mail.subject, language)
        return fallback.model_copy(update={"body": text + "\n", "template": version,
                                           "language": language, "subject": subject})
