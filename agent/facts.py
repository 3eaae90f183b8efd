"""Facts a reply or a rule needs, read from the text by patterns: amounts, invoice numbers,
dates and deadlines, the sender's first name, and whether they wrote "du" or "Sie"."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from pydantic import BaseModel, Field

from core.clock import reference_time
from core.models import Mail

_AMOUNT = re.compile(
    r"(?:(?:€|EUR|USD|\$|CHF|£)\s?\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{1,2})?"
    r"|\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{1,2})?\s?(?:€|EUR|Euro|USD|\$|CHF|£))",
    re.I,
)
_INVOICE = re.compile(
    r"(?:rechnung(?:snummer|s-?nr\.?)?|re-?nr\.?|invoice(?:\s?(?:no\.?|number|#))?|"
    r"beleg(?:nummer)?)\s*(?:(?:nr\.?|no\.?|#|:)\s*)?([A-Z]{0,5}[-/]?\d[\w/-]{2,20})",
    re.I,
)
_DMY = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{2,4})?(?!\d)")
_ISO = re.compile(r"\b(20\d{2})-(\d{2})-(\d{2})\b")
_DU = re.compile(r"\b(du|dich|dir|dein(?:e[mnrs]?)?|euch|eure?[mnrs]?)\b")
_SIE = re.compile(r"\b(Sie|Ihnen|Ihre?[mnrs]?)\b")
# a service's notice below the sender's words ("Sie erhalten diese E-Mail, weil Sie Gast bei
# diesem Termin sind …") addresses everyone as Sie: it says nothing of the sender's register
_NOTICE = re.compile(r"\b(?:Sie erhalten diese|Sie haben diese|Diese (?:E-Mail|Nachricht) wurde|"
                     r"Wenn Sie (?:diese|keine) (?:E-Mails?|Nachrichten)|Einladung von Google|"
                     r"Antworten für|Alle Gäste ansehen|abmelden|abbestellen)")
_RELATIVE = {
    "heute": 0, "today": 0, "tonight": 0, "heute abend": 0, "noch heute": 0,
    "morgen": 1, "tomorrow": 1, "morgen früh": 1,
    "übermorgen": 2, "day after tomorrow": 2,
}
_DEADLINE_CUE = re.compile(
    r"(?:bis(?: spätestens)?|spätestens(?: am| bis)?|fällig(?: am| bis)?|"
    r"frist(?:\w*)?(?: bis| am)?|"
    r"zahlbar bis|innerhalb von|by|before|until|no later than|due(?: on| by)?|deadline)\s*"
    r"(?:zum\s|am\s|the\s)?",
    re.I,
)


class Facts(BaseModel):
    amounts: list[str] = Field(default_factory=list)
    invoice_numbers: list[str] = Field(default_factory=list)
    dates: list[date] = Field(default_factory=list)
    deadline: date | None = None
    first_name: str = ""
    full_name: str = ""
    informal: bool = False


def _date(day: int, month: int, year: int | None, ref: date) -> date | None:
    try:
        if year is None:
            d = date(ref.year, month, day)
            return d if d >= ref - timedelta(days=60) else date(ref.year + 1, month, day)
        return date(year + 2000 if year < 100 else year, month, day)
    except ValueError:
        return None


def find_dates(text: str, ref: date) -> list[date]:
    found: list[date] = []
    for m in _DMY.finditer(text):
        d = _date(int(m[1]), int(m[2]), int(m[3]) if m[3] else None, ref)
        if d:
            found.append(d)
    for m in _ISO.finditer(text):
        d = _date(int(m[3]), int(m[2]), int(m[1]), ref)
        if d:
            found.append(d)
    return found


def find_deadline(text: str, ref: date) -> date | None:
    """The earliest date the text names as a deadline ("bis 28.11.", "by tomorrow")."""
    best: date | None = None
    for cue in _DEADLINE_CUE.finditer(text):
        after = text[cue.end(): cue.end() + 40].lower()
        cand: date | None = None
        for word, days in sorted(_RELATIVE.items(), key=lambda kv: -len(kv[0])):
            if after.startswith(word):
                cand = ref + timedelta(days=days)
                break
        if cand is None:
            dates = find_dates(after[:14], ref)
            cand = dates[0] if dates else None
        if cand and cand >= ref and (best is None or cand < best):
            best = cand
    return best


def _names(mail: Mail) -> tuple[str, str]:
    sender = mail.reply_address
    name = (sender.name if sender else "").strip().strip('"')
    if "," in name:  # "Muster, Max"
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}".strip()
    if not name or "@" in name or any(ch.isdigit() for ch in name):
        return "", ""
    words = [w for w in name.split() if w[:1].isalpha()]
    return (words[0] if words else ""), name


def extract_facts(mail: Mail, now: datetime) -> Facts:
    """`now` is the agent's clock (or when it received the mail); the mail's own date is
    the reference for its relative words when it is not later than that."""
    text = f"{mail.subject}\n{mail.body.new or mail.body.full}"
    ref = reference_time(mail.date, now).date()
    first, full = _names(mail)
    return Facts(
        amounts=list(dict.fromkeys(m.group(0).strip() for m in _AMOUNT.finditer(text)))[:5],
        invoice_numbers=list(dict.fromkeys(m.group(1) for m in _INVOICE.finditer(text)))[:5],
        dates=find_dates(text, ref)[:10],
        deadline=find_deadline(text, ref),
        first_name=first,
        full_name=full,
        informal=informal(mail.body.new),
    )


def informal(text: str) -> bool:
    """The sender says du: more du than Sie in their own words."""
    own = "\n\n".join(p for p in re.split(r"\n\s*\n", text) if not _NOTICE.search(p))
    return len(_DU.findall(own)) > len(_SIE.findall(own))
