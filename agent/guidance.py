"""What the owner's note on a forwarded mail asks for (CONTRACT §2).

Only a note from the owner's own address is read (the view stage guarantees that). The note
can choose the category, the action and the assistant — it can never ask for more than the
rules allow: the policy gate applies after it, and an `auto` from a note counts only where
the owner's delegation already says `auto`.
"""

from __future__ import annotations

import re

from core.config import Workspace
from core.models import Action, Category, MessageView, NoteGuidance

_ACTIONS: list[tuple[Action, re.Pattern[str]]] = [
    (Action.ignore, re.compile(
        r"kann weg|ignorier|ignore|nicht (?:nötig|wichtig)|no action|nothing to do|"
        r"erledigt|already (?:done|handled)|archivier|archive|spam\b|löschen|delete", re.I)),
    (Action.draft, re.compile(
        r"entwurf|entwirf|entwerfen|draft|antwort vorbereiten|prepare a reply|"
        r"(?:bitte )?(?:be)?antworte|reply|answer|schreib (?:ihm|ihr|ihnen|zurück)|"
        r"write back", re.I)),
    (Action.notify, re.compile(
        r"zeig(?:e)? (?:es )?mir|erinnere mich|remind me|wiedervorlage|"
        r"schau (?:ich|mir)|i'?ll (?:look|check)|ich kümmere mich|i'?ll handle|"
        r"nur zur info|nur fyi|fyi only|just fyi", re.I)),
]
_CATEGORY_WORDS: list[tuple[Category, re.Pattern[str]]] = [
    (Category.invoice_payment, re.compile(r"\b(?:rechnung|invoice|buchhaltung|bookkeeping|"
                                          r"zahlung|payment)\b", re.I)),
    (Category.spam, re.compile(r"\b(?:spam|phishing|betrug|scam|fraud)\b", re.I)),
    (Category.scheduling, re.compile(r"\b(?:termin|meeting|kalender|calendar)\b", re.I)),
]


def _assistant(note: str, ws: Workspace) -> str | None:
    """The assistant the note names ("Bitte an Lena", "for Tom"), if exactly one."""
    named = set()
    for a in ws.assistants:
        first = a.name.split()[0]
        for token in {a.id, first, a.name}:
            if re.search(rf"(?<!\w){re.escape(token)}(?!\w)", note, re.I):
                named.add(a.id)
    return named.pop() if len(named) == 1 else None


def read_note(view: MessageView, ws: Workspace) -> NoteGuidance:
    note = view.owner_note.strip() if view.owner_forwarded else ""
    if not note:
        return NoteGuidance()
    assignee = _assistant(note, ws)
    action = Action.route if assignee else None
    if action is None:
        action = next((a for a, p in _ACTIONS if p.search(note)), None)
    category = next((c for c, p in _CATEGORY_WORDS if p.search(note)), None)
    return NoteGuidance(category=category, action=action, assignee=assignee)
