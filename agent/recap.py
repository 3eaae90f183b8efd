"""The facts a reply repeats so the sender sees they were read right: order, invoice and
booking numbers, dates and deadlines, amounts, quantities, measures and times — each as
the sender wrote it, with what it is ("Rechnung 2026-0412", "bis 18.12.2026")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

_MONTHS = {
    "januar": 1, "jan": 1, "january": 1, "februar": 2, "feb": 2, "february": 2, "märz": 3,
    "mär": 3, "march": 3, "mar": 3, "april": 4, "apr": 4, "mai": 5, "may": 5, "juni": 6,
    "jun": 6, "june": 6, "juli": 7, "jul": 7, "july": 7, "august": 8, "aug": 8,
    "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10, "october": 10, "oct": 10,
    "november": 11, "nov": 11, "dezember": 12, "dez": 12, "december": 12, "dec": 12,
}
_MONTH_NAMES_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                   "September", "Oktober", "November", "Dezember"]
_MONTH_NAMES_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December"]
_M = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    rf"(?<![\d.])(\d{{1,2}})\.\s?(\d{{1,2}})\.(\d{{2,4}})?(?![\d])"
    rf"|(?<!\d)(\d{{1,2}})(?:\.|st|nd|rd|th)?\s+(?:of\s+)?({_M})\b\.?(?:,?\s+(20\d\d))?"
    rf"|\b({_M})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(20\d\d))?"
    rf"|\b(20\d\d)-(\d\d)-(\d\d)\b", re.I)
_RANGE_WORD = re.compile(r"^\s*(?:bis(?: zum| einschließlich)?|–|-|to|until|till|through)\s*$",
                         re.I)
_DEADLINE_CUE = re.compile(r"(?:bis(?: spätestens)?(?: zum| am)?|spätestens(?: am| bis)?|"
                           r"by|before|no later than|until|deadline|fällig(?: am)?|due(?: on| by)?)"
                           r"\s*$", re.I)
_FROM_CUE = re.compile(r"(?:vom|von|from|ab|between|zwischen)\s*$", re.I)
_REF_LABELS = [
    (re.compile(r"rechnung(?:s-?nummer|s-?nr\.?)?|invoice", re.I), "invoice"),
    (re.compile(r"auftrag(?:s-?nummer|s-?nr\.?)?|bestellung|bestell-?nummer|bestell-?nr\.?|"
                r"order", re.I), "order"),
    (re.compile(r"angebot(?:s-?nummer|s-?nr\.?)?|kostenvoranschlag|quote|quotation|offer|"
                r"estimate", re.I), "offer"),
    (re.compile(r"buchung(?:s-?nummer|s-?nr\.?)?|reservierung(?:s-?nummer)?|booking|"
                r"reservation|confirmation", re.I), "booking"),
    (re.compile(r"vertrag(?:s-?nummer|s-?nr\.?)?|contract", re.I), "contract"),
    (re.compile(r"kunden-?nummer|kunden-?nr\.?|customer (?:number|no\.?|id)|aktenzeichen|"
                r"referenz|reference|ref\.?|vorgang|ticket|case", re.I), "reference"),
]
_REF = re.compile(
    r"\b(rechnung(?:s-?nummer|s-?nr\.?)?|invoice|auftrag(?:s-?nummer|s-?nr\.?)?|bestellung|"
    r"bestell-?nummer|bestell-?nr\.?|order|angebot(?:s-?nummer|s-?nr\.?)?|kostenvoranschlag|"
    r"quote|quotation|offer|estimate|buchung(?:s-?nummer|s-?nr\.?)?|reservierung(?:s-?nummer)?|"
    r"booking|reservation|confirmation|vertrag(?:s-?nummer|s-?nr\.?)?|contract|"
    r"kunden-?nummer|kunden-?nr\.?|customer (?:number|no\.?|id)|aktenzeichen|referenz|"
    r"reference|ref\.?|vorgang|ticket|case)"
    r"(?:\s*(?:nr\.?|no\.?|number|nummer|#|:|-))*\s*+#?\s*+([A-Z]{0,6}[-/]?\d[\w/-]{2,20})", re.I)
_CODE = re.compile(r"\b([A-Z]{1,5}-\d{2,}(?:-\d+)*)\b")
_AMOUNT = re.compile(
    r"(?:€|EUR|CHF|USD|\$|£)\s?(\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{1,2})?)(?![\d.,]|\s?[-–]\s?\d|k\b)"
    r"|(?<![\d.,])(?<![-–] )(?<![-–])(\d{1,3}(?:[.,' ]\d{3})*(?:[.,]\d{1,2})?)\s?"
    r"(?:€|EUR|Euro|CHF|USD|£)", re.I)
_MEASURE = re.compile(
    r"(?<![\w.,])(\d+(?:[.,]\d+)?(?:\s?(?:x|×|mal)\s?\d+(?:[.,]\d+)?){0,2})\s?"
    r"(m²|qm|m2|m³|cm|mm|m|km|kg|meter|metres?|meters?|quadratmeter|square met(?:re|er)s?|"
    r"sq\.? ?m|ft|feet|inch(?:es)?)(?![\w²³])", re.I)
_TIME = re.compile(r"(?<![\d.:])([01]?\d|2[0-3])"
                   r"(?::([0-5]\d)\s?(?:uhr|h)?|\.([0-5]\d)\s?(?:uhr|h)\b)(?![\d])"
                   r"|(?<![\d.:])([01]?\d|2[0-3])\s?uhr\b"
                   r"|(?<![\d.:])(1[0-2]|0?[1-9])(?::([0-5]\d))?\s?(am|pm|a\.m\.|p\.m\.)", re.I)
_NUMBER_WORDS = {
    "zwei": 2, "drei": 3, "vier": 4, "fünf": 5, "sechs": 6, "sieben": 7, "acht": 8, "neun": 9,
    "zehn": 10, "elf": 11, "zwölf": 12, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
    "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
}
_QUANTITY = re.compile(
    r"(?<![\w.,:/-])(\d{1,4}|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|two|"
    r"three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s+"
    r"((?:[a-zäöüß-]+e[nr]?\s+)?[A-ZÄÖÜ][\wäöüß-]{2,}|[a-z][a-z-]{2,}s)\b")
_NOT_QUANTITY = re.compile(
    r"^(?:tage?n?|wochen?|monate?n?|jahren?|stunden?|minuten?|uhr|days?|weeks?|months?|years?|"
    r"hours?|minutes?|mal|times|prozent|percent|euro|cent|personen|people|persons|guests|"
    r"gäste[n]?|nächte[n]?|nights|stock|stockwerk|etage|floor|januar|februar|märz|april|mai|"
    r"juni|juli|august|september|oktober|november|dezember|january|february|march|may|june|"
    r"july|october|december|and|und|oder|or|bis|to|of|fragen|questions|punkte|points|dinge|"
    r"things|sachen)$", re.I)


@dataclass(frozen=True)
class Fact:
    kind: str  # reference | date | deadline | range | amount | quantity | measure | time
    text: str  # how the reply writes it
    label: str = ""  # what it is (invoice, order, …) for references


def _year(day: int, month: int, year: str | None, ref: date) -> date | None:
    try:
        if year:
            y = int(year)
            return date(y + 2000 if y < 100 else y, month, day)
        d = date(ref.year, month, day)
        return d if d >= ref - timedelta(days=60) else date(ref.year + 1, month, day)
    except ValueError:
        return None


def _date_of(m: re.Match[str], ref: date) -> date | None:
    g = m.groups()
    if g[0]:
        return _year(int(g[0]), int(g[1]), g[2], ref)
    if g[3]:
        return _year(int(g[3]), _MONTHS[g[4].lower()], g[5], ref)
    if g[6]:
        return _year(int(g[7]), _MONTHS[g[6].lower()], g[8], ref)
    return _year(int(g[11]), int(g[10]), g[9], ref)


def date_text(d: date, language: str) -> str:
    if language == "de":
        return f"{d.day}. {_MONTH_NAMES_DE[d.month - 1]} {d.year}"
    return f"{d.day} {_MONTH_NAMES_EN[d.month - 1]} {d.year}"


# "3. bis 10. März", "12 to 19 April": the first day without its month
_SHORT_RANGE = re.compile(
    rf"(?<![\d.])(\d{{1,2}})(\.|st|nd|rd|th)?\s?(bis(?: zum)?|–|-|to|until|till)\s?"
    rf"(\d{{1,2}})(\.|st|nd|rd|th)?\s(?:of\s)?({_M})\b", re.I)


_SHORT_START = re.compile(r"(?<![\d.])(\d{1,2})(?:\.|st|nd|rd|th)?\s?(?:bis(?: zum)?|–|-|to|until|"
                          r"till)\s?$", re.I)


def _whole_range(text: str) -> str:
    """"3. bis 10. März" → "3. März bis 10. März" (both days with their month)."""
    return _SHORT_RANGE.sub(
        lambda m: f"{m[1]}{m[2] or ''} {m[6]} {m[3]} {m[4]}{m[5] or ''} {m[6]}", text)


def date_range(text: str, ref: date) -> tuple[date, date] | None:
    """The first date range in `text` ("vom 3. bis 10. März", "20.3.–27.3.", "12 to 19 April
    2027") as (first day, last day); None when there is none or it runs backwards."""
    full = _whole_range(text)
    found = [(m, _date_of(m, ref)) for m in _DATE.finditer(full)]
    for (m, a), (n, b) in pairwise(found):
        if a and b and a < b and _RANGE_WORD.match(full[m.end():n.start()]):
            return a, b
    return None


def _dates(text: str, ref: date, language: str) -> list[Fact]:
    found = [(m, _date_of(m, ref)) for m in _DATE.finditer(text)]
    found = [(m, d) for m, d in found if d is not None]
    out: list[Fact] = []
    skip = set()
    for i, (m, d) in enumerate(found):
        if i in skip or d is None:
            continue
        before = text[max(0, m.start() - 30):m.start()]
        if i + 1 < len(found) and _RANGE_WORD.match(text[m.end():found[i + 1][0].start()]):
            end = found[i + 1][1]
            assert end is not None
            skip.add(i + 1)
            word = ("vom {} bis {}" if language == "de" else "from {} to {}")
            out.append(Fact("range", word.format(date_text(d, language), date_text(end, language))))
        elif (short := _SHORT_START.search(before)) and 0 < int(short[1]) < d.day:
            # "vom 7. bis 11. Dezember": the first day without its month, said so again
            word = ("vom {}. bis {}" if language == "de" else "from {} to {}")
            out.append(Fact("range", word.format(int(short[1]), date_text(d, language))))
        elif _DEADLINE_CUE.search(before):
            word = "bis {}" if language == "de" else "by {}"
            out.append(Fact("deadline", word.format(date_text(d, language))))
        else:
            out.append(Fact("date", date_text(d, language)))
    return out


def _references(text: str) -> list[Fact]:
    out: list[Fact] = []
    seen: set[str] = set()
    for m in _REF.finditer(text):
        value = m.group(2).rstrip(".,;:-/")
        if re.fullmatch(r"20\d\d-\d\d-\d\d", value) or value in seen:
            continue
        label = next((k for p, k in _REF_LABELS if p.fullmatch(m.group(1))), "reference")
        seen.add(value)
        out.append(Fact("reference", value, label))
    for m in _CODE.finditer(text):
        if m.group(1) not in seen and not any(m.group(1) in s for s in seen):
            seen.add(m.group(1))
            out.append(Fact("reference", m.group(1), "reference"))
    return out


def _amounts(text: str) -> list[Fact]:
    out = []
    for m in _AMOUNT.finditer(text):
        out.append(Fact("amount", re.sub(r"\s+", " ", m.group(0).strip())))
    return out


def _quantities(text: str) -> list[Fact]:
    out = []
    for m in _QUANTITY.finditer(text):
        noun = m.group(2).split()[-1]
        if _NOT_QUANTITY.match(noun) or (m.group(1).isdigit() and int(m.group(1)) > 999):
            continue
        out.append(Fact("quantity", f"{m.group(1)} {m.group(2)}"))
    return out


def _measures(text: str) -> list[Fact]:
    return [Fact("measure", re.sub(r"\s+", " ", m.group(0).strip()))
            for m in _MEASURE.finditer(text)]


def _times(text: str, language: str) -> list[Fact]:
    out = []
    for m in _TIME.finditer(text):
        if m.group(1):
            value = f"{int(m.group(1)):02d}:{m.group(2) or m.group(3)}"
        elif m.group(4):
            value = f"{int(m.group(4)):02d}:00"
        else:
            hour = int(m.group(5)) % 12 + (12 if m.group(7).lower().startswith("p") else 0)
            value = f"{hour:02d}:{m.group(6) or '00'}"
        out.append(Fact("time", f"{value} Uhr" if language == "de" else value))
    return out


_HEADER_LINE = re.compile(r"^\s*(?:am .{0,60} schrieb|on .{0,80} wrote|von:|from:|gesendet:|"
                          r"sent:|datum:|date:|an:|to:|betreff:|subject:|-{3,}|_{3,})", re.I)


def read_facts(text: str, ref: date, language: str, limit: int = 6) -> list[Fact]:
    """The facts of `text` (what the sender wrote now) worth repeating, in a stable order:
    references, dates, amounts, quantities, measures, times; at most `limit`. Header lines of
    a quoted or forwarded mail ("Am 24.11. um 22:47 schrieb …") are not the sender's facts."""
    text = "\n".join(x for x in text.splitlines() if not _HEADER_LINE.match(x))

    def blank(pattern: re.Pattern[str], s: str) -> str:
        return pattern.sub(lambda m: " " * len(m.group(0)), s)

    no_dates = blank(_DATE, text)
    masked = blank(_AMOUNT, blank(_TIME, blank(_REF, no_dates)))
    facts = (_references(text) + _dates(text, ref, language) + _amounts(text)
             + _quantities(masked) + _measures(masked) + _times(no_dates, language))
    unique: list[Fact] = []
    seen: set[str] = set()
    for f in facts:
        key = f.text.lower()
        if key not in seen and not any(key in s for s in seen if f.kind == "quantity"):
            seen.add(key)
            unique.append(f)
    return unique[:limit]
