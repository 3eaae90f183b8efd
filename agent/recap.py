"""The facts a reply repeats so the sender sees they were read right: order, invoice and
booking numbers, dates and deadlines, amounts, quantities, measures and times — each as
the sender wrote it, with what it is ("Rechnung 2026-0412", "bis 18.12.2026")."""

from __future__ import annotations

import re
from collections.abc import Sequence
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
MONTH_NAMES_DE = ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August",
                   "September", "Oktober", "November", "Dezember"]
MONTH_NAMES_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
                   "September", "October", "November", "December"]
_M = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATE = re.compile(
    rf"(?<![\d.])(\d{{1,2}})\.\s?(\d{{1,2}})\.(\d{{2,4}})?(?![\d])"
    rf"|(?<!\d)(\d{{1,2}})(?:\.|st|nd|rd|th)?\s+(?:of\s+)?({_M})\b\.?(?:,?\s+(20\d\d))?"
    rf"|\b({_M})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(20\d\d))?"
    rf"|\b(20\d\d)-(\d\d)-(\d\d)\b", re.I)
_RANGE_WORD = re.compile(r"^\s*(?:bis(?: zum| einschließlich)?|–|-|to|until|till|through)\s*$",
                         re.I)
_WEEKDAY = (r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|monday|tuesday|"
            r"wednesday|thursday|friday|saturday|sunday|mo|di|mi|do|fr|sa|so|mon|tue|wed|thu|fri|"
            r"sat|sun)\.?,?")
_DEADLINE_CUE = re.compile(r"(?:bis(?: spätestens)?(?: zum| am)?|spätestens(?: am| bis)?|"
                           r"by|before|no later than|until|deadline|fällig(?: am)?|due(?: on| by)?)"
                           rf"(?:\s{{1,3}}(?:den\s|the\s)?{_WEEKDAY})?\s*$", re.I)
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
    label: str = ""  # what it is (invoice, order, …) for references; "cue" for a date said
    # only with its cue ("am 12. November 2026")
    said: str = ""  # the fact with what it is, in the sender's words; "" when none was found


# --- what a fact is, from the sender's own words around it ------------------------------------

# capitalised words that are no noun naming a fact: pronouns, greetings, sentence openers
_NOT_NOUN = re.compile(
    r"^(?:sie|ihnen|ihr|ihre[mnrs]?|ich|wir|uns|er|es|du|dir|dich|euch|man|die|der|das|den|"
    r"dem|des|ein|eine[mnrs]?|und|oder|aber|bitte|danke|hallo|hi|liebe[rs]?|sehr|viele|gern|"
    r"gerne|leider|auch|noch|nur|schon|dann|also|wie|was|wann|wo|wer|ob|wenn|da|so|für|mit|"
    r"von|zum|zur|bei|nach|ab|bis|am|um|im|euro|eur|uhr|heute|morgen|gestern|ende|anfang|"
    r"mitte|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|januar|februar|märz|"
    r"april|mai|juni|juli|august|september|oktober|november|dezember|mo|di|mi|do|fr|sa|so|"
    r"nr|netto|brutto|preis|kosten|betrag|summe)$", re.I)
# German: the noun right before an amount or a date cue ("Kinderpunsch 3,50 €",
# "Eröffnung am 30.11.", "Budget von 5.000 €", "Daten bis spätestens 25.11.")
_DE_NOUN_BEFORE = re.compile(
    r"(?<![\wäöüß-])([A-ZÄÖÜ][a-zäöüß]{2,}(?:-[A-ZÄÖÜa-zäöüß]+)?)\s?[:(„\"]?\s?"
    r"((?i:von|über|zu|für|in höhe von|kostet|kosten|beträgt|liegt bei|am|vom|zum|bis|"
    r"bis zum|bis zur|bis spätestens(?: zum| am)?|spätestens(?: am| bis)?|um|gegen))?"
    r"(?:\s?((?i:ca\.|circa|etwa|rund|ungefähr|maximal|höchstens|bis zu)))?\s?$")
# English: a noun that names what an amount or a date is, right before it
_EN_NOUN_BEFORE = re.compile(
    r"(?<![\w-])(budget|price|fee|fees|cost|total|deposit|rate|amount|balance|refund|charge|"
    r"payment|invoice|quote|estimate|rent|salary|opening|launch|event|wedding|party|delivery|"
    r"deadline|concert|conference|workshop|visit|arrival|departure|move|handover|files|"
    r"proofs|draft|feedback|decision|reply|answer)\s?[:(]?\s?"
    r"(of|at|is|was|for|on|by|until|due(?: by)?|before|from)?"
    r"(?:\s?(around|about|approx\.|approximately|roughly|up to|at most))?\s?$", re.I)
# after an amount: what it prices ("850 € netto pro Cover", "4,500 EUR for design and layout")
_NET = r"(?:\s?(?:netto|brutto|net|gross|zzgl\.? MwSt\.?|inkl\.? MwSt\.?|plus VAT|incl\.? VAT))?"
_AMOUNT_TAIL = re.compile(_NET)
_DE_PRICES = re.compile(
    rf"{_NET}\s(pro|je|für)\s(?:(?:die|das|den|eine?n?|jede[ns]?)\s)?"
    r"([A-ZÄÖÜ][a-zäöüß]{2,}(?:-[A-ZÄÖÜa-zäöüß]+)?(?:\s(?:und|oder)\s[A-ZÄÖÜ][a-zäöüß]{2,})?)")
_EN_PRICES = re.compile(
    rf"{_NET}\s(per|for|a|an|each)\s(?:(?:the|a|an|each|every)\s)?"
    r"(?!(?:us|you|me|it|this|that|them|him|her|now|free|sure|instance|example|all|both)\b)"
    r"([a-z]{3,}(?:\s(?:and|or)\s[a-z]{3,})?)(?=[.,;:!?)]|\s?$|\s(?:and|or|with|if|in)\b)")
# an amount with what happened to it ("145 € bezahlt", "£300 paid")
_PAID = re.compile(rf"{_NET}\s(bezahlt|gezahlt|überwiesen|angezahlt|erstattet|paid|transferred|"
                   r"refunded)\b", re.I)
# a measure that states what it is priced by ("1 kg kostet 18,90 €", "2 hours at £40")
_MEASURE_PRICED = re.compile(
    r"(?<![\d.,])(\d+(?:[.,]\d+)?\s?(?:kg|g|l|m|m²|qm|stück|stk\.?|pcs|hours?|stunden?))\s?"
    r"(kostet|kosten|zu|für|à|costs?|at|for)\s?$", re.I)
# a reference followed by its amount ("Rechnung RE-2026-097 (2.150,00 € netto)", "über 145 €")
_REF_AMOUNT = re.compile(r"^\s?(?:\(|über|in höhe von|of|for|over|,\s?über)\s?$", re.I)
# German prepositions that take the dative: "mit 38 Mitgliedern" is no nominative
_DATIVE = re.compile(r"(?<![\wäöüß])(?:mit|von|vom|aus|bei|seit|nach|zu|zum|zur|in|im|an|am|"
                     r"auf|unter|vor|hinter|neben|zwischen|gegenüber|samt|außer|ab)\s$", re.I)
# counts of what the mail itself says, not facts to repeat ("two snags", "drei Punkte")
_DISCOURSE = re.compile(
    r"(?:snags?|errors?|issues?|problems?|mistakes?|typos?|points?|questions?|comments?|"
    r"changes?|corrections?|remarks?|things?|items?|fehler|probleme?n?|anmerkungen|"
    r"korrekturen|änderungen|punkte|fragen|dinge|sachen|tippfehler|kleinigkeiten|bitten|"
    r"wünsche|ideen|ideas|thoughts|gedanken|optionen|options|varianten|versionen|versions|"
    r"vorschläge|suggestions)$", re.I)
# the time a dated event starts ("am 19.12. um 19 Uhr", "on 3 March at 10am")
_AT_TIME = re.compile(r"^,?\s?(?:um|at|ab|from)\s?$", re.I)
# the event after its date ("am 19.12. um 19 Uhr ist das Konzert")
_TRAILING_WEEKDAY = re.compile(rf"\s{{1,3}}(?:den\s|the\s)?{_WEEKDAY}\s*$", re.I)
_DE_EVENT_AFTER = re.compile(
    r"^\s?(?:(?:ist|findet|beginnt|startet)\s(?:der|die|das|unser|unsere)\s"
    r"([A-ZÄÖÜ][a-zäöüß]{2,}(?:-[A-ZÄÖÜa-zäöüß]+)?)"
    r"|(?:der|die|das|unser|unsere)\s([A-ZÄÖÜ][a-zäöüß]{2,}(?:-[A-ZÄÖÜa-zäöüß]+)?)\s"
    r"(?:ist|stattfindet|beginnt|startet))")


def _noun_before(before: str, language: str) -> tuple[str, str, str] | None:
    """(noun, connector, hedge) the sender wrote right before a value, in the draft's
    language: ("Budget", "von", "etwa") for "Budget von etwa 2.000 €"."""
    if language == "de":
        m = _DE_NOUN_BEFORE.search(before[-48:])
        if not m or _NOT_NOUN.match(m[1]):
            return None
        cue = (m[2] or "").lower()
        cue = "bis" if cue.startswith(("bis ", "spätestens")) else cue
        return m[1], cue, m[3] or ""
    m = _EN_NOUN_BEFORE.search(before[-48:])
    return (m[1].lower(), (m[2] or "").lower(), (m[3] or "").lower()) if m else None


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
        return f"{d.day}. {MONTH_NAMES_DE[d.month - 1]} {d.year}"
    return f"{d.day} {MONTH_NAMES_EN[d.month - 1]} {d.year}"


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


# a stay or course still to come: "wir wollen … kommen", "we'd like to book", "Ist … frei?";
# not one that is over ("wir waren …", "we stayed …")
_PLANNED = re.compile(r"\b(?:wollen|möchten|würden|planen|hätten gern|vorhaben|buchen|"
                      r"frei|verfügbar|would like|want to|wish to|planning|plan to|hoping|"
                      r"book|available|free)\b", re.I)
_OVER = re.compile(r"\b(?:waren|war|hatten|gewesen|verbracht|übernachtet|were|was|stayed|had|"
                   r"spent)\b", re.I)
_FULL_STOP = re.compile(r"(?<!\d)[.!?]\s|\n")  # not an ordinal's dot


def _planned_ahead(text: str, at: int, last: date, ref: date) -> bool:
    """A date range without a year that ended before `ref` yet is planned in its sentence
    ("Wir wollen vom 9. bis 16. Oktober kommen", written on 1 December): it lies next year."""
    if last >= ref:
        return False
    start = max((m.end() for m in _FULL_STOP.finditer(text, 0, at)), default=0)
    end = _FULL_STOP.search(text, at)
    sentence = text[start:end.start() if end else len(text)]
    return bool(_PLANNED.search(sentence)) and not _OVER.search(sentence)


def _next_year(d: date) -> date:
    try:
        return d.replace(year=d.year + 1)
    except ValueError:  # 29 February
        return d.replace(year=d.year + 1, day=28)


def _yearless(m: re.Match[str]) -> bool:
    g = m.groups()
    return not (g[2] or g[5] or g[8] or g[9])


def date_range(text: str, ref: date) -> tuple[date, date] | None:
    """The first date range in `text` ("vom 3. bis 10. März", "20.3.–27.3.", "12 to 19 April
    2027") as (first day, last day); None when there is none or it runs backwards. A range
    without a year that is over but planned in its sentence lies next year."""
    full = _whole_range(text)
    found = [(m, _date_of(m, ref)) for m in _DATE.finditer(full)]
    for (m, a), (n, b) in pairwise(found):
        if a and b and a < b and _RANGE_WORD.match(full[m.end():n.start()]):
            if _yearless(m) and _yearless(n) and _planned_ahead(full, m.start(), b, ref):
                return _next_year(a), _next_year(b)
            return a, b
    return None


def _clock(m: re.Match[str]) -> str:
    if m.group(1):
        return f"{int(m.group(1)):02d}:{m.group(2) or m.group(3)}"
    if m.group(4):
        return f"{int(m.group(4)):02d}:00"
    hour = int(m.group(5)) % 12 + (12 if m.group(7).lower().startswith("p") else 0)
    return f"{hour:02d}:{m.group(6) or '00'}"


def _time_after(text: str, end: int, language: str) -> str:
    """" um 19:00 Uhr" when the sender gave the date's time right after it."""
    rest = text[end:end + 12]
    cue = re.match(r",?\s?(um|at|ab|from)\s?", rest, re.I)
    t = _TIME.match(text, end + cue.end()) if cue else None
    if not t or not cue:
        return ""
    word = cue[1].lower()
    if language == "de":
        return f" {'ab' if word in {'ab', 'from'} else 'um'} {_clock(t)} Uhr"
    return f" {'from' if word in {'ab', 'from'} else 'at'} {_clock(t)}"


_COUNT_WORD = re.compile(r"(?<![\w.,:/-])(?:\d{1,3}|zwei|drei|vier|fünf|sechs|sieben|acht|neun|"
                         r"zehn|two|three|four|five|six|seven|eight|nine|ten)\s", re.I)
_COUNT_BEFORE = re.compile(r"(?<![\w.,])(\d{1,3}|zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn)"
                           r"\s$", re.I)
_DATE_CUE = re.compile(r"(?<![\wäöüß])(am|on|zum|ab|seit|since|from)\s?$", re.I)
# what a dated event is, named from the sender's own word for it in the same sentence
# ("wir heiraten am 12. Juni" → Hochzeit, "delivered to our office on 27 November" → delivery)
_EVENT_WORDS = {  # (the words, what the event is called); German words end where written
    "de": [(r"(?:heirat\w{0,4}|hochzeit)", "Hochzeit"), (r"(?:weihnachtsfeier)", "Weihnachtsfeier"),
           (r"(?:feier\w{0,3}|feiern)", "Feier"),
           (r"(?:umzug|ziehen|umziehen|ziehen um)\b", "Umzug"),
           (r"(?:geliefert|lieferung|liefern)\b", "Lieferung"),
           (r"(?:gestimmt|stimmung)\b", "Stimmung"), (r"(?:eröffnung|eröffnen)\b", "Eröffnung"),
           (r"(?:konzert)\b", "Konzert"), (r"(?:geburtstag)\b", "Geburtstag"),
           (r"(?:anreise|anreisen|reisen an)\b", "Anreise"), (r"(?:termin)\b", "Termin")],
    "en": [(r"(?:wedding|marry|married)\b", "wedding"),
           (r"(?:delivered|delivery|deliver)\b", "delivery"), (r"(?:concert)\b", "concert"),
           (r"(?:party)\b", "party"), (r"(?:moving|move)\b", "move"),
           (r"(?:tuned|tuning)\b", "tuning"), (r"(?:birthday)\b", "birthday"),
           (r"(?:arrival|arrive|arriving)\b", "arrival"), (r"(?:event)\b", "event"),
           (r"(?:appointment)\b", "appointment")],
}
_WORD_START = {"de": r"(?<![\wäöüß])", "en": r"\b"}
_EVENTS = {language: [(re.compile(_WORD_START[language] + words, re.I), noun)
                      for words, noun in table] for language, table in _EVENT_WORDS.items()}
_SENTENCE_END = re.compile(r"[.!?\n]\s")


def _event(text: str, start: int, end: int, language: str) -> str:
    """The sender's word for what happens on a date, from the date's own sentence."""
    head = text[max(0, start - 80):start]
    cut = [m.end() for m in _SENTENCE_END.finditer(head)]
    head = head[cut[-1]:] if cut else head
    tail = text[end:end + 80]
    stop = _SENTENCE_END.search(tail)
    tail = tail[:stop.start()] if stop else tail
    best: tuple[int, str] = (len(head) + len(tail) + 1, "")
    for p, noun in _EVENTS[language]:  # the word nearest the date names it
        for m in p.finditer(head):
            best = min(best, (len(head) - m.end(), noun))
        if m2 := p.search(tail):
            best = min(best, (m2.start(), noun))
    return best[1]


def _dates(text: str, ref: date, language: str) -> list[Fact]:
    found = [(m, _date_of(m, ref)) for m in _DATE.finditer(text)]
    found = [(m, d) for m, d in found if d is not None]
    out: list[Fact] = []
    skip = set()
    for i, (m, d) in enumerate(found):
        if i in skip or d is None:
            continue
        before = text[max(0, m.start() - 48):m.start()]
        if i + 1 < len(found) and _RANGE_WORD.match(text[m.end():found[i + 1][0].start()]):
            end = found[i + 1][1]
            assert end is not None
            skip.add(i + 1)
            if (_yearless(m) and _yearless(found[i + 1][0])
                    and _planned_ahead(text, m.start(), end, ref)):
                d, end = _next_year(d), _next_year(end)
            word = ("vom {} bis {}" if language == "de" else "from {} to {}")
            said = word.format(date_text(d, language), date_text(end, language))
            out.append(Fact("range", said, said=said))
        elif (short := _SHORT_START.search(before)) and 0 < int(short[1]) < d.day:
            # "vom 7. bis 11. Dezember": the first day without its month, said so again
            if _yearless(m) and _planned_ahead(text, m.start(), d, ref):
                d = _next_year(d)
            word = ("vom {}. bis {}" if language == "de" else "from {} to {}")
            said = word.format(int(short[1]), date_text(d, language))
            out.append(Fact("range", said, said=said))
        elif _DEADLINE_CUE.search(before):
            word = "bis {}" if language == "de" else "by {}"
            value = word.format(date_text(d, language))
            noun = _noun_before(_TRAILING_WEEKDAY.sub("", before), language)
            said = value
            if noun and noun[1] == "bis" and not noun[2]:
                count = _COUNT_BEFORE.search(before[:before.rfind(noun[0])])
                said = f"{count[1] + ' ' if count else ''}{noun[0]} {value}"
            elif noun and noun[1] in {"by", "until", "due", "due by", "before"}:
                said = f"{noun[0]} {noun[1]} {date_text(d, language)}"
            out.append(Fact("deadline", value, said=said + _time_after(text, m.end(), language)))
        else:
            value = date_text(d, language)
            noun = _noun_before(before, language)
            at = _time_after(text, m.end(), language)
            said = ""
            if noun and noun[1] in {"am", "vom", "zum", "on"}:
                said = f"{noun[0]} {noun[1]} {value}{at}"
            elif noun and language == "de" and noun[1] == "" and before.endswith(" "):
                said = f"{noun[0]} am {value}{at}"  # "Weihnachtsfeier 18.12."
            elif language == "de" and re.search(r"(?<![\wäöüß])am\s?$", before):
                after = text[m.end():m.end() + 60]
                skip_time = re.match(r",?\s?um\s?\d{1,2}(?:[:.]\d\d)?\s?(?:uhr)?", after, re.I)
                event = _DE_EVENT_AFTER.match(after[skip_time.end() if skip_time else 0:])
                if event and not _NOT_NOUN.match(event[1] or event[2]):
                    said = f"{event[1] or event[2]} am {value}{at}"
            label = ""
            if not said and (cue := _DATE_CUE.search(_TRAILING_WEEKDAY.sub(" ", before))):
                if named := _event(text, m.start(), m.end(), language):
                    said = f"{named} {'am' if language == 'de' else 'on'} {value}{at}"
                elif (cue[1].lower() in {"am", "zum", "ab", "seit"}) == (language == "de"):
                    # no word for what it is: the date with the sender's own cue ("am …")
                    said, label = f"{cue[1].lower()} {value}{at}", "cue"
            out.append(Fact("date", value, label, said))
    return out


_REFERENCE_WORDS = {
    "de": {"invoice": "Rechnung", "order": "Auftrag", "offer": "Angebot", "booking": "Buchung",
           "contract": "Vertrag", "reference": "Vorgang"},
    "en": {"invoice": "invoice", "order": "order", "offer": "quote", "booking": "booking",
           "contract": "contract", "reference": "reference"},
}


def _amount_text(text: str, m: re.Match[str]) -> str:
    """The amount as the sender wrote it, with "netto"/"net" when it follows."""
    tail = _AMOUNT_TAIL.match(text, m.end())
    return re.sub(r"\s+", " ", m.group(0).strip() + (tail.group(0) if tail else ""))


def _reference_said(text: str, end: int, value: str, label: str, ref: date,
                    language: str) -> str:
    """"Rechnung 2026-0412 vom 12. November 2026 über 145 €": the reference with what it
    is, and its date and amount when the sender wrote them right after it."""
    said = f"{_REFERENCE_WORDS[language].get(label, '')} {value}".strip()
    rest = text[end:end + 24]
    if (cue := re.match(r"\s?(?:vom|from|dated)\s", rest, re.I)) and (
            dm := _DATE.match(text, end + cue.end())) and (d := _date_of(dm, ref)):
        said += (" vom " if language == "de" else " of ") + date_text(d, language)
        end = dm.end()
        rest = text[end:end + 24]
    if (cue := re.match(r",\s?|\s?\(|\s?(?:über|in höhe von|of|for|over)\s", rest, re.I)) and (
            am := _AMOUNT.match(text, end + cue.end())):
        said += f" über {_amount_text(text, am)}" if language == "de" else \
            f" for {_amount_text(text, am)}"
    return said


def _references(text: str, ref: date, language: str) -> list[Fact]:
    out: list[Fact] = []
    seen: set[str] = set()
    for m in _REF.finditer(text):
        value = m.group(2).rstrip(".,;:-/")
        if re.fullmatch(r"20\d\d-\d\d-\d\d", value):
            continue
        label = next((k for p, k in _REF_LABELS if p.fullmatch(m.group(1))), "reference")
        end = m.start(2) + len(value)
        said = _reference_said(text, end, value, label, ref, language)
        if value in seen:  # named again ("Re: Rechnung 2026-0398" … "über 145 €"): the fuller
            out = [Fact(f.kind, f.text, f.label, said) if f.text == value
                   and len(said) > len(f.said) else f for f in out]
            continue
        seen.add(value)
        out.append(Fact("reference", value, label, said))
    for m in _CODE.finditer(text):
        if m.group(1) not in seen and not any(m.group(1) in s for s in seen):
            seen.add(m.group(1))
            out.append(Fact("reference", m.group(1), "reference",
                            _reference_said(text, m.end(), m.group(1), "reference", ref,
                                            language)))
    return out


def _amount_said(text: str, m: re.Match[str], language: str) -> str:
    """The amount with what it prices, when the sender's sentence says so right around it;
    "" when it does not (a bare amount is not repeated)."""
    amount = _amount_text(text, m)
    after = _DE_PRICES if language == "de" else _EN_PRICES
    if (p := after.match(text, m.end())) and not _NOT_NOUN.match(p[2].split()[0]):
        return f"{amount} {p[1]} {p[2]}"
    if paid := _PAID.match(text, m.end()):  # "wir haben 145 € bezahlt"
        return f"{amount} {paid[1].lower()}"
    before = text[max(0, m.start() - 48):m.start()]
    if q := _MEASURE_PRICED.search(before):
        return f"{q[1]} zu {amount}" if language == "de" else f"{q[1]} at {amount}"
    noun = _noun_before(before, language)
    if noun is None:
        return ""
    word, cue, hedge = noun
    amount = f"{hedge} {amount}" if hedge else amount
    if language == "de":
        if cue in {"", "kostet", "kosten"}:
            return f"{word} {amount}" if cue == "" else f"{word} zu {amount}"
        if cue in {"über", "zu", "für"}:
            return f"{word} {cue} {amount}"
        return f"{word} von {amount}" if cue in {"von", "in höhe von", "beträgt",
                                                  "liegt bei"} else ""
    if cue in {"", "of", "is", "was"}:
        return f"{word} of {amount}"
    return f"{word} {cue} {amount}" if cue in {"at", "for"} else ""


def _amounts(text: str, language: str) -> list[Fact]:
    return [Fact("amount", re.sub(r"\s+", " ", m.group(0).strip()),
                 said=_amount_said(text, m, language)) for m in _AMOUNT.finditer(text)]


def _quantities(text: str) -> list[Fact]:
    out = []
    for m in _QUANTITY.finditer(text):
        noun = m.group(2).split()[-1]
        if _NOT_QUANTITY.match(noun) or (m.group(1).isdigit() and int(m.group(1)) > 999):
            continue
        value = f"{m.group(1)} {m.group(2)}"
        # "mit 38 Mitgliedern" is no nominative: not repeated rather than repeated inflected
        dative = noun[0].isupper() and _DATIVE.search(text[max(0, m.start() - 12):m.start()])
        # "(drei Romane, zwei Sachbücher)" breaks down the count before it: not one of its own
        near = text[max(0, m.start() - 90):m.start()]
        opened = near.rfind("(")
        breakdown = opened > near.rfind(")") and bool(_COUNT_WORD.search(near[:opened]))
        said = "" if dative or breakdown or _DISCOURSE.match(noun) else value
        out.append(Fact("quantity", value, said=said))
    return out


_EN_MEASURED = re.compile(
    r"(?<![\w-])(area|size|lawn|garden|patio|terrace|hedge|fence|wall|room|flat|apartment|"
    r"plot|surface|length|width|height|distance|floor|roof|path|driveway|bed|pond|sofa|"
    r"table|fabric|material|window|balcony)\s(?:of|is|about)\s?"
    r"(?:(around|about|approx\.|approximately|roughly)\s?)?$", re.I)
_EN_AFTER_MEASURE = re.compile(
    r"\s(?!(?:outside|away|from|of|long|wide|high|deep|tall|thick|to|in|at|and|or|per|each|"
    r"the|a|an|with|for|by|on|is|are|was|were|total|in total|more|less|too|each)\b)"
    r"([a-z]{3,})\b")


def _measures(text: str, language: str) -> list[Fact]:
    """A measure with what it measures: "120 m² Rasen", "Fläche von ca. 120 m²",
    "40 m² patio", "lawn of about 300 m²"; "" when neither is written next to it."""
    out = []
    for m in _MEASURE.finditer(text):
        value = re.sub(r"\s+", " ", m.group(0).strip())
        after = text[m.end():m.end() + 40]
        before = text[max(0, m.start() - 48):m.start()]
        said = ""
        if language == "de":
            noun = re.match(r"\s([A-ZÄÖÜ][a-zäöüß]{2,}(?:-[A-ZÄÖÜa-zäöüß]+)?)\b", after)
            named = _noun_before(before, language)
            if noun and not _NOT_NOUN.match(noun[1]):
                said = f"{value} {noun[1]}"
            elif named and named[1] in {"", "von"}:
                words = [named[0], named[1], named[2], value]
                said = " ".join(w for w in words if w)
        elif noun_en := _EN_AFTER_MEASURE.match(after):
            said = f"{value} {noun_en[1]}"
        elif measured := _EN_MEASURED.search(before):
            said = f"{measured[1].lower()} of {measured[2] + ' ' if measured[2] else ''}{value}"
        out.append(Fact("measure", value, said=said))
    return out


def _times(text: str, language: str) -> list[Fact]:
    """A time with what starts then ("Konzert um 19:00 Uhr", "arrival at 15:00"); a time
    alone is not repeated (with its date it is said there: "am 19. Dezember um 19:00 Uhr")."""
    out = []
    for m in _TIME.finditer(text):
        value = f"{_clock(m)} Uhr" if language == "de" else _clock(m)
        named = _noun_before(text[max(0, m.start() - 48):m.start()], language)
        said = ""
        if named and language == "de" and named[1] in {"", "um", "ab", "gegen"}:
            said = f"{named[0]} {named[1] or 'um'} {value}"
        elif named and language == "en" and named[1] in {"at", "from"}:
            said = f"{named[0]} {named[1]} {value}"
        out.append(Fact("time", value, said=said))
    return out


_HEADER_LINE = re.compile(r"^\s*(?:am .{0,60} schrieb|on .{0,80} wrote|von:|from:|gesendet:|"
                          r"sent:|datum:|date:|an:|to:|betreff:|subject:|-{3,}|_{3,})", re.I)


def read_facts(text: str, ref: date, language: str, limit: int = 6) -> list[Fact]:
    """The facts of `text` (what the sender wrote now) worth repeating, in a stable order:
    those with what they are first, then the bare ones; each group references, dates,
    amounts, quantities, measures, times; at most `limit`. Header lines of a quoted or
    forwarded mail ("Am 24.11. um 22:47 schrieb …") are not the sender's facts."""
    text = "\n".join(x for x in text.splitlines() if not _HEADER_LINE.match(x))

    def blank(pattern: re.Pattern[str], s: str) -> str:
        return pattern.sub(lambda m: " " * len(m.group(0)), s)

    no_dates = blank(_DATE, text)
    masked = blank(_AMOUNT, blank(_TIME, blank(_REF, no_dates)))
    facts = (_references(text, ref, language) + _dates(text, ref, language)
             + _amounts(text, language) + _quantities(masked) + _measures(masked, language)
             + _times(no_dates, language))
    unique: list[Fact] = []
    seen: set[str] = set()
    for f in facts:
        key = f.text.lower()
        if key in seen and f.said:  # named again, this time with what it is
            unique = [f if u.text.lower() == key and not u.said else u for u in unique]
        elif key not in seen and not any(key in s for s in seen if f.kind == "quantity"):
            seen.add(key)
            unique.append(f)
    return sorted(unique, key=lambda f: not f.said)[:limit]


_RANK = {"reference": 0, "deadline": 1, "range": 2, "date": 3, "amount": 4, "quantity": 5,
         "measure": 6, "time": 7}
_CLOCK = re.compile(r"\d\d:\d\d")


def recap(facts: Sequence[Fact], scheduling: bool = False, elsewhere: str = "",
          limit: int = 4) -> list[str]:
    """The facts a reply opens with, each with what it is ("Rechnung 2026-0412 über 145 €",
    "Eröffnung am 30. November 2026"): the most useful first (references, deadlines, then
    the rest), at most `limit`. A fact without what it is is left out; so is what the draft
    says `elsewhere`, and in a scheduling draft every time (the slots carry the times)."""
    chosen: list[str] = []
    kinds: list[str] = []
    counted: set[str] = set()
    for f in sorted((f for f in facts if f.said and f.kind in _RANK),
                    key=lambda f: _RANK[f.kind]):
        if scheduling and (f.kind == "time" or _CLOCK.search(f.said)):
            continue
        core = re.sub(r"^(?:bis|by|vom|from)\s", "", f.text)
        if core.lower() in elsewhere.lower() or any(f.text.lower() in c.lower() for c in chosen):
            continue
        if scheduling and f.label == "cue":
            continue  # "am 3. Dezember" beside the offered slots reads as a confirmation
        number = f.text.split()[0].lower()
        if f.kind in {"quantity", "measure"} and (kinds.count(f.kind) == 2 or number in counted):
            continue  # a count or two are facts; a list of them is the mail retold
        if f.kind in {"quantity", "measure"}:
            counted.add(number)
        kinds.append(f.kind)
        chosen.append(f.said)
        if len(chosen) == limit:
            break
    return chosen
