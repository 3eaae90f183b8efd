"""Dates and times as people write them in German and English, relative to the mail's date.

Finds *mentions* with their position in the text: days ("Dienstag", "am 3.12.",
"December 3rd", "morgen"), spans of days ("nächste Woche", "KW 49", "Anfang Dezember",
"in the next few days"), weekdays, clock times ("um 10 Uhr", "3:30pm") and ranges of the
day ("vormittags", "zwischen 10 und 12 Uhr", "after 2pm"). `agent/scheduling/wish.py`
combines them. Month names are read by `dateparser`; the rest are rules.
"""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any

from dateutil.easter import easter

_WEEKDAYS = {
    "montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4, "samstag": 5,
    "sonntag": 6, "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4,
    "saturday": 5, "sunday": 6, "mon": 0, "tue": 1, "tues": 1, "wed": 2, "thu": 3, "thur": 3,
    "thurs": 3, "fri": 4, "mo": 0, "di": 1, "mi": 2, "do": 3, "fr": 4,
}
_WEEKDAY = re.compile(
    r"\b(?P<mod>(?:nächste[nr]?|kommende[nr]?|diese[nr]?|übernächste[nr]?|next|this(?: coming)?|"
    r"coming|an einem|irgendeinem|einem|on a|some|a|am|on|jede[nr]?|every|any)\s+)?"
    r"(?P<day>montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|monday|tuesday|"
    r"wednesday|thursday|friday|saturday|sunday|(?:mon|tues?|wed|thu(?:rs?)?|fri)\b\.?|"
    r"(?:mo|di|mi|do|fr)\.(?=\s*,?\s*\d))s?"
    # a weekday, not "Montage" or "Freitagsgebet"; "Dienstagvormittag" is one
    r"(?=vormittag|nachmittag|mittag|abend|morgen|früh|[^a-zäöüß]|$)"
    r"(?:,?\s*(?:the\s+|den\s+|dem\s+|der\s+)?(?P<dom>\d{1,2})(?:st|nd|rd|th|\.)(?![\d:]))?"
)
# "am 9.", "the 14th", "on the 3rd" without a month: the next day with that number
_DAY_OF_MONTH = re.compile(r"\b(?:am|den|dem|der|zum|the|on the)\s+(\d{1,2})(?:st|nd|rd|th|\.)"
                           r"(?![\d:])")
# "ab Mittwoch", "from Wednesday on", "starting the 9th", "Woche ab dem 14.", "week of the 14th"
_FROM = re.compile(r"\b(?:ab|from|starting|beginning)\s+(?:on\s+)?$")
_WEEK_OF = re.compile(r"\b(?:(?:the\s+)?week\s+of|(?:die\s+|der\s+)?woche\s+(?:ab|vom|des))\s+$")
_NUMERIC = re.compile(r"(?<![\d.:])(\d{1,2})\.\s?(\d{1,2})\.(?:\s?(20\d{2}|\d{2})(?!\d))?")
_ISO = re.compile(r"\b(20\d{2})-(\d{2})-(\d{2})\b")
_MONTHS_DE = (r"januar|jan|februar|feb|märz|mär|april|apr|mai|juni|jun|juli|jul|august|aug|"
              r"september|sept|sep|oktober|okt|november|nov|dezember|dez")
_MONTHS_EN = (r"january|jan|february|feb|march|mar|april|apr|may|june|jun|july|jul|august|"
              r"aug|september|sept|sep|october|oct|november|nov|december|dec")
_MONTH_NUM = {
    "jan": 1, "feb": 2, "mär": 3, "mar": 3, "apr": 4, "mai": 5, "may": 5, "jun": 6, "jul": 7,
    "aug": 8, "sep": 9, "okt": 10, "oct": 10, "nov": 11, "dez": 12, "dec": 12,
}
_NAMED_DATE = re.compile(
    rf"\b(?:(\d{{1,2}})(?:\.|st|nd|rd|th)?\s*(?:of\s+)?({_MONTHS_DE}|{_MONTHS_EN})\b\.?"
    rf"|({_MONTHS_EN})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b)(?:,?\s*(20\d{{2}}))?"
)
_DATE_RANGE = re.compile(
    rf"\b(?:(?:from|vom|von|between)\s+(?:the\s+|dem\s+)?)?(\d{{1,2}})(?:\.|st|nd|rd|th)?\s*"
    rf"(?:to|until|till|bis|and|und|-|–)\s*(?:the\s+|zum\s+)?(\d{{1,2}})(?:\.|st|nd|rd|th)?"
    rf"\s*(?:of\s+)?({_MONTHS_DE}|{_MONTHS_EN})\b\.?")
_RELATIVE = re.compile(r"\b(übermorgen|day after tomorrow|(?<=tomorrow or )the day after|"
                       r"(?<!guten )(?<!am )(?<!jeden )morgen(?!s)|tomorrow|heute|today)\b")
_WEEK = re.compile(
    r"\b(?P<edge>anfang|mitte|ende|early|mid|late|later|end of|beginning of|middle of)?\s*"
    r"(?:(?P<which>diese[rn]?|this|nächste[rn]?|kommende[rn]?|next|the coming|coming|"
    r"übernächste[rn]?|the week after next)\s*(?:der\s+)?(?:woche|woch|week)\b"
    r"|(?:kw|kalenderwoche|cw|calendar week|week)\s?(?P<num>\d{1,2})\b)"
)
_AFTER_NEXT = re.compile(r"\b(?:the )?week after next\b")
# "in zwei Wochen", "in 14 Tagen", "in two weeks", "in a fortnight": that week
_IN_WEEKS = re.compile(r"\bin\s+(?:(zwei|drei|vier|2|3|4|two|three|four)\s+(?:wochen|weeks)|"
                       r"(?:14|vierzehn)\s+tagen|(?:a|einer)\s+fortnight)\b")
_NEXT_DAYS = re.compile(
    r"\b(?:in den nächsten (?:paar )?tagen|die nächsten (?:paar )?tage|in the next few days|"
    r"in the coming days|(?:over|in) the next (?:couple of )?days|zeitnah|asap|"
    r"so bald wie möglich|as soon as possible)\b")
_NEXT_WEEKS = re.compile(
    r"\b(?:in den nächsten|die nächsten|in the next|over the next|the next|in the coming)\s+"
    r"(zwei|drei|vier|2|3|4|two|three|four|couple of|few)\s+(?:wochen|weeks)\b")
_MONTH_SPAN = re.compile(
    rf"\b(anfang|mitte|ende|im|early|mid|late|end of|in|beginning of)[\s-]+"
    rf"({_MONTHS_DE}|{_MONTHS_EN})\b")
# "zwischen den Jahren", "between Christmas and New Year": 27 to 31 December
_BETWEEN_YEARS = re.compile(
    r"\b(?:zwischen den jahren|zwischen weihnachten und (?:neujahr|silvester)|"
    r"between (?:christmas|xmas) and (?:the )?new year(?:'s)?)\b")
# "Ende des Monats", "Anfang nächsten Monats", "end of the month", "early next month"
_THIS_MONTH = re.compile(
    r"\b(?:(?P<de>anfang|mitte|ende)\s+(?:des\s+(?P<de_next>nächsten\s+|kommenden\s+)?monats|"
    r"(?P<de_next2>nächste[nr]?|kommende[nr]?)\s+monats?)|"
    r"(?P<en>beginning of|start of|middle of|end of|early|mid|late)[\s-]+"
    r"(?:the\s+)?(?P<en_next>next\s+|coming\s+)?month)\b")
# "in der zweiten Januarhälfte", "erste Hälfte des Monats", "the second half of January"
_HALF_MONTH = re.compile(
    rf"\b(?:(?P<de>erste[nr]?|zweite[nr]?)\s+(?:(?P<m1>{_MONTHS_DE})hälfte|hälfte\s+"
    rf"(?:des\s+monats|(?:des\s+|im\s+)?(?P<m2>{_MONTHS_DE})\b))|"
    rf"(?P<en>first|second)\s+half\s+of\s+(?:the\s+month|(?P<m3>{_MONTHS_EN})\b))")
_NUMBER_WORDS = {"zwei": 2, "two": 2, "drei": 3, "three": 3, "vier": 4, "four": 4,
                 "couple of": 2, "few": 3}

_H = r"(\d{1,2})(?:[:.](\d{2}))?"
_NOT_UNIT = (r"(?!\d|\s?(?:wochen|woche|tage|tagen|weeks?|days?|min|minuten|stunden|hours?|"
             r"monate?n?|months?|jahre?n?|years?|"
             r"%|euro|€|mal\b(?!\s+(?:ne|eine?n?|kurz|zeit|für|vorbei|telefonieren))|"
             # "ca. 8 qm", "about 3 m²", "12 sq ft": an area or a length, not a time
             r"(?:qm|m²|m2|quadratmeter|sqm|sq\.?\s?(?:m|ft)|square|cm|mm|m|meter|metern?|"
             r"metres?|meters?|ft|feet|foot|kg|liter|litres?|stück|pieces?)\b))")
_AMPM = r"\s?(a\.?m\.?|p\.?m\.?)"
_RANGE = re.compile(
    rf"\b(?:zwischen|von|between|from)?\s*{_H}(?:{_AMPM})?\s*(?:uhr\s*)?"
    rf"(?:-|bis|und|and|to|until|till)\s*{_H}(?:{_AMPM})?\s*(?:uhr|h\b)?")
_AFTER = re.compile(rf"\b(?:ab|nach|after|from|not before|nicht vor|frühestens um|later than|"
                    rf"no earlier than|nicht früher als)\s+{_H}(?:{_AMPM}|\s?uhr|h\b|{_NOT_UNIT})")
_AFTER_NOON = re.compile(r"\b(?:ab|from|after)\s+(?:mittags?|noon|midday)\b")
# "halb 11" is 10:30, "ab halb 3" 14:30
_HALF_PAST = re.compile(r"\bhalb\s+(\d{1,2})\b(?!\s*(?:stunde|std))")
_BEFORE = re.compile(rf"\b(?:bis|vor|before|until|by|spätestens um|no later than)\s+{_H}"
                     rf"(?:{_AMPM}|\s?uhr|h\b)"
                     # "irgendwann vor 12?", "before 11, please": a bare hour after vor/before
                     rf"|\b(?:vor|before|spätestens um|no later than)\s+{_H}{_NOT_UNIT}"
                     r"(?=\s*(?:[?!,;)]|\.(?!\d)|$|\s(?:oder|or|und|and|bitte|please)\b))")
_EXACT = re.compile(
    rf"(?:\b(?:um|at|gegen|around|ca\.?)\s+{_H}(?:{_AMPM}|\s?uhr|h\b|{_NOT_UNIT})"
    rf"|\b{_H}(?:{_AMPM}|\s?uhr\b)|\b(\d{{1,2}}):(\d{{2}})\b)")
_PARTS: list[tuple[re.Pattern[str], tuple[time, time]]] = [
    (re.compile(r"\b(?:früh morgens|first thing(?: in the morning)?|early (?:in the )?morning|"
                r"gleich morgens|(?:am )?frühen vormittag|früher vormittag|frühvormittags)\b"),
     (time(8, 0), time(10, 0))),
    (re.compile(r"\b(?:später nachmittag|spätnachmittags|late afternoon|am späten nachmittag)\b"),
     (time(15, 0), time(18, 0))),
    (re.compile(r"\b(?:später vormittag|spätvormittags|late morning|am späten vormittag)\b"),
     (time(10, 0), time(12, 0))),
    (re.compile(r"\b(?:früher nachmittag|frühnachmittags|early afternoon|am frühen nachmittag)\b"),
     (time(13, 0), time(15, 0))),
    (re.compile(r"\b(?:vor dem mittag(?:essen)?|vor der mittagspause|before lunch(?:time)?|"
                r"vor mittag|before noon|before midday|by noon|bis mittags?)\b"),
     (time(0, 0), time(12, 0))),
    (re.compile(r"\b(?:nach dem mittag(?:essen)?|nach der mittagspause|after lunch(?:time)?)\b"),
     (time(13, 0), time(23, 59))),
    (re.compile(r"\b(?:vormittags?|morgens|am morgen|in the morning|mornings?|a\.m\.|"
                r"morgen früh|früh)\b"), (time(8, 0), time(12, 0))),
    (re.compile(r"\b(?:mittags?|über mittag|mittagszeit|mittagspause|lunch(?:time)?|midday|"
                r"around noon)\b"),
     (time(12, 0), time(14, 0))),
    (re.compile(r"\b(?:nachmittags?|afternoons?|p\.m\.)\b"), (time(13, 0), time(18, 0))),
    (re.compile(r"\b(?:abends?|evenings?|after work|nach feierabend|tonight)\b"),
     (time(17, 0), time(21, 0))),
]


_AFTER_WORK = re.compile(r"\b(?:after work|nach feierabend|nach der arbeit)\b")
# the sender's end of work beside "nach Feierabend": "ich arbeite bis 17 Uhr", "I finish at 5"
_WORK_ENDS = re.compile(
    rf"\b(?:i finish(?: work)?|i get off(?: work)?|i work until|i'm at work until|"
    rf"ich arbeite bis|ich bin bis|feierabend (?:habe ich|ist) (?:um|gegen|ab))"
    rf"\s+(?:at\s+|um\s+)?{_H}(?:{_AMPM}|\s?uhr|h\b)?")


# the way from work after its end: "bin dann in 10 Minuten bei Ihnen", "can be with you by
# quarter past", "brauche eine Viertelstunde zu Ihnen"
_WAY_QUARTER = re.compile(r"\b(?:by|um|gegen)\s+(?:a\s+)?(?:quarter past|viertel nach)(?!\s*\d)|"
                          r"\b(?:eine|a)\s+(?:viertelstunde|quarter of an hour)\b")
_WAY_HALF = re.compile(r"\b(?:eine|a)\s+(?:halbe stunde|half hour)\b|\bhalf an hour\b")
_WAY_MINUTES = re.compile(r"\b(\d{1,2})\s*(?:minuten|minutes|mins?)\b")


def _way_minutes(after: str) -> int:
    """Minutes the sender needs to get there, said right after the end of their work (in
    that sentence)."""
    end = re.search(r"[.!?\n]", after)
    said = after[:end.start()] if end else after
    if _WAY_QUARTER.search(said):
        return 15
    if _WAY_HALF.search(said):
        return 30
    m = _WAY_MINUTES.search(said)
    return int(m.group(1)) if m and int(m.group(1)) <= 60 else 0


@dataclass(frozen=True)
class Mention:
    pos: int
    kind: str  # day | span | weekday | from (a weekday and the week after it) | exact | part
    days: tuple[date, ...] = ()
    weekday: int = -1
    start: time | None = None
    end: time | None = None
    every: bool = False  # a weekday in the plural ("freitags", "on Fridays"): each one
    of_day: bool = False  # a part of the day in words ("vormittags"), not hours
    soon: bool = False  # "as soon as possible", "in den nächsten Tagen": gives way to days named
    bound: str = ""  # a limit on the other days: "until" (a deadline) or "from" ("not before")
    onward: bool = False  # a week named after "ab"/"from": "ab nächster Woche immer dienstags"


def _blank(text: str, m: re.Match[str]) -> str:
    return text[: m.start()] + " " * (m.end() - m.start()) + text[m.end():]


def _year_for(month: int, day: int, today: date) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            d = date(year, month, day)
        except ValueError:
            return None
        if d >= today - timedelta(days=1):
            return d
    return None


def _week_start(d: date) -> date:
    return d - timedelta(days=d.weekday())


def _span(a: date, b: date) -> tuple[date, ...]:
    return tuple(a + timedelta(days=i) for i in range((b - a).days + 1))


def _edge(days: tuple[date, ...], edge: str | None) -> tuple[date, ...]:
    if not edge:
        return days
    if edge in {"anfang", "early", "beginning of"}:
        keep = {0, 1}
    elif edge in {"mitte", "mid", "middle of"}:
        keep = {1, 2, 3}
    else:
        keep = {3, 4}
    return tuple(d for d in days if d.weekday() in keep)


@lru_cache(maxsize=1)
def _dateparser() -> Any:
    import dateparser  # imported on first use: it takes ~0.5 s to load

    return dateparser


def _named(m: re.Match[str], today: date, language: str, day_group: int = 0,
           month_group: int = 0) -> date | None:
    if day_group:
        day, month, year = m.group(day_group), m.group(month_group), None
    else:
        day, month = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
        year = m.group(5)
    base = datetime.combine(today, time(12, 0))  # the sender's today, never the wall clock
    if year:
        phrase = f"{day} {month} {year}"
        settings: dict[str, object] = {"REQUIRE_PARTS": ["day", "month", "year"],
                                       "RELATIVE_BASE": base}
    else:
        phrase = f"{day} {month}"
        settings = {"REQUIRE_PARTS": ["day", "month"], "PREFER_DATES_FROM": "future",
                    "RELATIVE_BASE": base}
    langs = [language, "de", "en"] if language in {"de", "en"} else ["de", "en"]
    try:
        found = _dateparser().parse(phrase, languages=list(dict.fromkeys(langs)),
                                    settings=settings)
    except Exception:
        found = None
    if found is None:
        num = _MONTH_NUM.get(month.lower()[:3])
        return _year_for(num, int(day), today) if num else None
    return found.date() if isinstance(found, datetime) else None


# a line break inside a paragraph is a space ("the week\nafter next"); same length, so
# positions stay
_WRAP = re.compile(r"(?<=\S)\n(?=\S)")


def days_in(text: str, today: date, language: str,
            anchor: date | None = None) -> tuple[list[Mention], str]:
    """Day, span and weekday mentions; returns them and the text with them blanked out
    (line breaks kept). `anchor`: the day "the week after" follows when the text names none
    before it (in an answer to an offer, its last day)."""
    original = text
    found, rest = _days_in(_WRAP.sub(" ", text), today, language, anchor)
    return found, "".join("\n" if o == "\n" else r for o, r in zip(original, rest, strict=True))


def _days_in(text: str, today: date, language: str,
             anchor: date | None) -> tuple[list[Mention], str]:
    out: list[Mention] = []
    for m in _ISO.finditer(text):
        with contextlib.suppress(ValueError):
            out.append(Mention(m.start(), "day", (date(*map(int, m.groups())),)))
        text = _blank(text, m)
    for m in _NUMERIC.finditer(text):
        day, month, year = int(m.group(1)), int(m.group(2)), m.group(3)
        try:
            d = (date(int(year) + (2000 if len(year) == 2 else 0), month, day) if year
                 else _year_for(month, day, today))
        except ValueError:
            d = None
        if d is not None:
            out.append(Mention(m.start(), "day", (d,)))
        text = _blank(text, m)
    for m in _DATE_RANGE.finditer(text):  # "from 15 to 18 March", "vom 7. bis 10. Dezember"
        last = _named(m, today, language, day_group=2, month_group=3)
        first = last.replace(day=int(m.group(1))) if last and int(m.group(1)) <= last.day else None
        if first is not None and last is not None:
            out.append(Mention(m.start(), "span", _span(first, last)))
            text = _blank(text, m)
    for m in _NAMED_DATE.finditer(text):
        named = _named(m, today, language)
        if named is not None:
            out.append(Mention(m.start(), "day", (named,)))
            text = _blank(text, m)
    return _spans(text, today, out, anchor)


def _spans(text: str, today: date, out: list[Mention],
           anchor: date | None = None) -> tuple[list[Mention], str]:
    monday = _week_start(today)
    for m in _AFTER_NEXT.finditer(text):
        after_next = monday + timedelta(days=14)
        out.append(Mention(m.start(), "span", _span(after_next, after_next + timedelta(days=6))))
        text = _blank(text, m)
    for m in _WEEK.finditer(text):
        which, num = (m.group("which") or "").strip(), m.group("num")
        a: date | None
        if num:
            a = _iso_week(int(num), today)
        elif which.startswith(("diese", "this")):
            a = monday
        elif which.startswith("übernächste"):
            a = monday + timedelta(days=14)
        else:
            a = monday + timedelta(days=7)
        if a is None:
            continue
        days = _edge(_span(a, a + timedelta(days=6)), m.group("edge"))
        onward = bool(_FROM.search(text[max(0, m.start() - 12):m.start() + 1]))
        out.append(Mention(m.start(), "span", tuple(d for d in days if d > today),
                           onward=onward))
        text = _blank(text, m)
    for m in _IN_WEEKS.finditer(text):
        n = _NUMBER_WORDS.get(m.group(1) or "") or int(m.group(1) or 2)
        a = monday + timedelta(days=7 * n)
        out.append(Mention(m.start(), "span", _span(a, a + timedelta(days=6))))
        text = _blank(text, m)
    for m in _NEXT_WEEKS.finditer(text):
        n = _NUMBER_WORDS.get(m.group(1)) or int(m.group(1))
        out.append(Mention(m.start(), "span", _span(today + timedelta(days=1),
                                                    today + timedelta(days=7 * n))))
        text = _blank(text, m)
    for m in _NEXT_DAYS.finditer(text):
        out.append(Mention(m.start(), "span", _span(today + timedelta(days=1),
                                                    today + timedelta(days=7)), soon=True))
        text = _blank(text, m)
    for m in _BETWEEN_YEARS.finditer(text):
        year = today.year if today <= date(today.year, 12, 31) else today.year + 1
        out.append(Mention(m.start(), "span", tuple(
            d for d in _span(date(year, 12, 27), date(year, 12, 31)) if d > today)))
        text = _blank(text, m)
    for m in _THIS_MONTH.finditer(text):
        ahead = bool(m.group("de_next") or m.group("de_next2") or m.group("en_next"))
        month = today.month % 12 + 1 if ahead else today.month
        edge = {"beginning of": "anfang", "start of": "anfang", "early": "anfang",
                "middle of": "mitte", "mid": "mitte", "end of": "ende", "late": "ende"}.get(
            m.group("en") or "", m.group("de") or "")
        days = _month_span(edge, month, today)
        if days:
            out.append(Mention(m.start(), "span", days))
        text = _blank(text, m)
    for m in _HALF_MONTH.finditer(text):
        name = m.group("m1") or m.group("m2") or m.group("m3") or ""
        num = _MONTH_NUM.get(name[:3], today.month)
        second = (m.group("de") or m.group("en") or "").startswith(("zweite", "second"))
        days = _month_span("im", num, today)
        out.append(Mention(m.start(), "span", tuple(
            d for d in days if (d.day > 15) == second)))
        text = _blank(text, m)
    for m in _MONTH_SPAN.finditer(text):
        out.append(Mention(m.start(), "span", _month_span(m.group(1), m.group(2), today)))
        text = _blank(text, m)
    return _relative_and_weekdays(text, today, out, anchor)


def _iso_week(num: int, today: date) -> date | None:
    for year in (today.year, today.year + 1):
        try:
            a = date.fromisocalendar(year, num, 1)
        except ValueError:
            continue
        if a + timedelta(days=6) >= today:
            return a
    return None


def _month_span(edge: str, month: str | int, today: date) -> tuple[date, ...]:
    num = month if isinstance(month, int) else _MONTH_NUM.get(month.lower()[:3], 1)
    year = today.year + (1 if num < today.month else 0)
    first = date(year, num, 1)
    last = (date(year + (num == 12), num % 12 + 1, 1) - timedelta(days=1))
    if edge in {"anfang", "early", "beginning of"}:
        a, b = first, first + timedelta(days=9)
    elif edge in {"mitte", "mid"}:
        a, b = first + timedelta(days=10), first + timedelta(days=19)
    elif edge in {"ende", "late", "end of"}:
        a, b = first + timedelta(days=20), last
    else:
        a, b = first, last
    return tuple(d for d in _span(a, b) if d > today)


def _relative_and_weekdays(text: str, today: date, out: list[Mention],
                           anchor: date | None = None) -> tuple[list[Mention], str]:
    original = text
    for m in _DAY_OF_MONTH.finditer(text):
        d = _in_month_named(int(m.group(1)), m.start(), out, today) or _next_day_numbered(
            int(m.group(1)), today)
        if d is not None:
            out.append(Mention(m.start(), "day", (d,)))
            text = _blank(text, m)
        more = _OR_DAY.match(text, m.end())  # "the 9th or 10th", "am 9. oder 10."
        while more is not None:
            d = _in_month_named(int(more.group(1)), more.start(), out, today) or \
                _next_day_numbered(int(more.group(1)), today)
            if d is not None:
                out.append(Mention(more.start(1), "day", (d,)))
            text = _blank(text, more)
            more = _OR_DAY.match(text, more.end())
    for m in _FEAST.finditer(text):  # "vor Ostern", "before Christmas"
        d = _feast_day(m.group(1), today)
        if d is not None:
            out.append(Mention(m.start(1), "day", (d,)))
            text = text[:m.start(1)] + " " * (m.end() - m.start(1)) + text[m.end():]
    for m in _RELATIVE.finditer(text):
        word = m.group(1)
        shift = 2 if word in {"übermorgen", "day after tomorrow", "the day after"} else (
            1 if word in {"morgen", "tomorrow"} else 0)
        out.append(Mention(m.start(), "day", (today + timedelta(days=shift),)))
        text = _blank(text, m)
    after_next_end, after_next_mod = -1, ""
    for m in _WEEKDAY.finditer(text):
        key = m.group("day").rstrip(".")
        wd = _WEEKDAYS.get(key)
        if wd is None:
            continue
        dom = m.group("dom")
        numbered = _next_day_numbered(int(dom), today) if dom else None
        if numbered is not None:  # "Dienstag, 15.", "Monday 14th": the number says which
            out.append(Mention(m.start(), "day", (numbered,)))
            text = _blank(text, m)
            continue
        mod = (m.group("mod") or "").strip()
        if after_next_end >= 0 and _AND_OR.fullmatch(text[after_next_end:m.start()].strip()):
            # "übernächsten Montag oder (am) Dienstag": both
            mod = mod if mod.startswith(_ONE + _EACH) else after_next_mod
        ahead = (wd - today.weekday()) % 7 or 7
        later_one = _AFTER_NEXT_DAY.match(text, m.end())  # "the Monday after next"
        if mod.startswith("übernächste") or later_one is not None:
            ahead += 7
        after_next_mod = "übernächste" if ahead > 7 else ""
        every = not mod.startswith(_ONE) and (
            mod.startswith(_EACH) or mod in _SOME
            or (text[m.end("day"):m.end("day") + 1] == "s" and len(key) > 3))
        out.append(Mention(m.start(), "weekday", (today + timedelta(days=ahead),), weekday=wd,
                           every=every))
        later = _OR_NEXT.match(text, m.end())  # "this Friday or next": that one a week on
        text = _blank(text, m)
        after_next_end = m.end()
        if later_one is not None:
            text = _blank(text, later_one)
            after_next_end = later_one.end()
        if later is not None:
            out.append(Mention(later.start() + len(later.group(0)) - len(later.group(0).lstrip()),
                               "weekday", (today + timedelta(days=ahead + 7),), weekday=wd))
            text = _blank(text, later)
    found = _onwards(sorted(out, key=lambda x: x.pos), original, today)
    return _week_after(found, original, today, anchor), text


# "übernächsten Montag oder Dienstag": the second weekday is of the same week
_AND_OR = re.compile(r"(?:,|oder|or|und|and|bzw\.?)(?:\s+(?:am|on))?")
_AFTER_NEXT_DAY = re.compile(r"(?<!\s)\s+after next\b")
_ONE = ("nächste", "kommende", "diese", "übernächste", "next", "this", "coming")
_EACH = ("jede", "every", "any")
_SOME = frozenset({"an einem", "irgendeinem", "einem", "on a", "some", "a"})  # "on a Saturday"
# "the week after that", "the following week", "die Woche danach": the week after the day
# named before it ("I'm in London until the 14th. Could we look at the week after that?")
_WEEK_AFTER = re.compile(r"\b(?:the week after (?:that|this)|the following week|"
                         r"(?:die|der|in der) woche (?:danach|darauf)|"
                         r"the week after(?=\s*(?:[?.!,;]|$|instead\b|then\b)))")
_OR_NEXT = re.compile(r"(?<!\s)\s+(?:or|oder)\s+(?:the\s+)?(?:next|nächste[nr]?|kommende[nr]?)"
                      r"(?:\s+one)?(?=\s*(?:[,.;:?!)]|$|(?:would|will|wäre|würde|is|ist|works?|"
                      r"passt|geht|klappt)\b))")
# "the Monday after", "den Montag danach": that weekday after the day named before it
# (not "Thursday after lunch", "Monday after 3pm", "Monday after next")
_WEEKDAY_AFTER = re.compile(r"(?<!\s)\s*(?:after(?: that| this)?|danach|darauf)"
                            r"(?=\s*(?:[,.;:?!)]|$|(?:instead|stattdessen|then|dann|or|oder|and|und|would|wäre|"
                            r"würde|works?|passt|geht|please|bitte)\b))")


# "to the following Tuesday", "auf den darauffolgenden Dienstag": the one after the day
# named before it
_FOLLOWING = re.compile(r"\b(?:the following|(?:den|dem|am) (?:darauf)?folgenden|"
                        r"darauffolgenden)\s+$")


def _week_after(found: list[Mention], text: str, today: date,
                anchor: date | None = None) -> list[Mention]:
    out = [_weekday_after(m, found, text) for m in found]
    for m in _WEEK_AFTER.finditer(text):
        # the day named before it, not the weekdays it narrows ("Monday or Tuesday of the
        # week after")
        before = [d for f in found if f.pos < m.start() and not (
            f.kind == "weekday" and not re.search(r"[.?!]", text[f.pos:m.start()]))
                  for d in f.days]
        base = max(before) if before else (anchor or today)
        monday = _week_start(base) + timedelta(days=7)
        out.append(Mention(m.start(), "span", tuple(
            d for d in _span(monday, monday + timedelta(days=6)) if d > today)))
    return sorted(out, key=lambda x: x.pos)


def _weekday_after(m: Mention, found: list[Mention], text: str) -> Mention:
    """"the Monday after" (a day named before it): the first such weekday after that day."""
    if m.kind != "weekday":
        return m
    end = _WEEKDAY.match(text, m.pos)
    following = _FOLLOWING.search(text[max(0, m.pos - 24):m.pos])
    if end is None or not (following or _WEEKDAY_AFTER.match(text, end.end())):
        return m
    before = [d for f in found if f.pos < m.pos for d in f.days]
    if not before:
        return m
    base = max(before)
    ahead = (m.weekday - base.weekday()) % 7 or 7
    return Mention(m.pos, "weekday", (base + timedelta(days=ahead),), weekday=m.weekday)


_OR_DAY = re.compile(r"\s(?:or|oder|and|und|bzw\.?)\s+(?:the\s+|den\s+|dem\s+)?(\d{1,2})"
                     r"(?:st|nd|rd|th|\.)(?![\d:])")
# a feast day as a deadline: "vor Ostern", "bis Weihnachten", "before Easter"
_FEAST = re.compile(r"\b(?:vor|before|bis|until|by)\s+(ostern|easter|weihnachten|christmas|"
                    r"pfingsten|whitsun|silvester|new year's eve)\b")


def _feast_day(name: str, today: date) -> date | None:
    d: date
    for year in (today.year, today.year + 1):
        if name in {"ostern", "easter"}:
            d = easter(year)
        elif name in {"pfingsten", "whitsun"}:
            d = easter(year) + timedelta(days=49)
        elif name in {"weihnachten", "christmas"}:
            d = date(year, 12, 25)
        else:
            d = date(year, 12, 31)
        if d > today:
            return d
    return None


def _in_month_named(day: int, pos: int, found: list[Mention], today: date) -> date | None:
    """"im Januar – nicht vor dem 10.", "in January, not before the 10th": a bare day
    number right after a month named is that month's (not the next 10th)."""
    months = [m for m in found if m.kind == "span" and 0 < pos - m.pos <= 80 and len(m.days) >= 7
              and len({(d.year, d.month) for d in m.days}) == 1]
    if not months:
        return None
    first = max(months, key=lambda m: m.pos).days[0]
    with contextlib.suppress(ValueError):
        d = date(first.year, first.month, day)
        return d if d >= today else None
    return None


def _next_day_numbered(day: int, today: date) -> date | None:
    """The next date (today or later) with this day of the month."""
    for shift in range(0, 3):
        month = (today.month - 1 + shift) % 12 + 1
        year = today.year + (today.month - 1 + shift) // 12
        try:
            d = date(year, month, day)
        except ValueError:
            continue
        if d >= today:
            return d
    return None


# a deadline: "vor dem 23.", "before Friday", "kurz vor dem Konzert am 23.", "shortly before
# the concert on the 23rd" (the days before it) and "bis spätestens Freitag", "by Friday at
# the latest", "no later than the 23rd" (up to and with it)
_BEFORE_DAY = re.compile(
    r"\b(?:vor|before|prior to)\s+(?:(?:[\w-]+\s+){1,3}(?:(?:am|on)\s+)?)?$")
_BY_DAY = re.compile(r"\b(?:bis spätestens|spätestens bis|spätestens am|spätestens|"
                     r"no later than|by)\s+$")
# "nicht vor dem 14.", "not before the 10th", "no earlier than the 9th", "frühestens am 9."
_NOT_BEFORE_DAY = re.compile(
    r"\b(?:(?:nicht|not|no)\s+(?:vor|before|earlier than|früher als)|frühestens|"
    r"at the earliest on)\s+(?:(?:am|ab|dem|den|the|on)\s+){0,2}$")
_AT_THE_LATEST = re.compile(r"(?<!\s)\s+(?:at the latest|spätestens)\b")


def _deadline(m: Mention, text: str, today: date) -> Mention | None:
    """The days up to a deadline the sender sets, from tomorrow."""
    if m.kind not in {"day", "weekday"} or len(m.days) != 1:
        return None
    before = text[max(0, m.pos - 40):m.pos]
    end = _WEEKDAY.match(text, m.pos) or _DAY_OF_MONTH.match(text, m.pos)
    later = end is not None and bool(_AT_THE_LATEST.match(text, end.end()))
    if _BEFORE_DAY.search(before):
        last = m.days[0] - timedelta(days=1)
    elif _BY_DAY.search(before) or (later and re.search(r"\b(?:by|bis)\s+$", before)):
        last = m.days[0]
    else:
        return None
    days = _span(today + timedelta(days=1), last) if last > today else ()
    return Mention(m.pos, "span", days, bound="until") if days else None


def _onwards(found: list[Mention], text: str, today: date) -> list[Mention]:
    """A day after "ab"/"from"/"starting" opens a week from that day; after "week of" /
    "Woche ab dem" it stands for its week; after "vor"/"before"/"bis spätestens" it closes
    the days from tomorrow (a deadline)."""
    out: list[Mention] = []
    for m in found:
        before = text[max(0, m.pos - 24):m.pos]
        deadline = _deadline(m, text, today)
        if m.kind in {"day", "weekday"} and len(m.days) == 1 and _NOT_BEFORE_DAY.search(before):
            # "not before the 14th": a week from it, and no day before it
            first = m.days[0]
            out.append(Mention(m.pos, "span", _span(first, first + timedelta(days=6)),
                               bound="from"))
        elif deadline is not None:
            out.append(deadline)
        elif m.kind == "weekday" and _FROM.search(before):
            out.append(Mention(m.pos, "from", m.days, weekday=m.weekday))
        elif m.kind in {"day", "weekday"} and len(m.days) == 1 and (
                _FROM.search(before) or _WEEK_OF.search(before)):
            first = m.days[0]
            out.append(Mention(m.pos, "span", _span(first, first + timedelta(days=6))))
        else:
            out.append(m)
    return out


def _clock(h: str, mnt: str | None, ampm: str | None, language: str) -> time | None:
    hour, minute = int(h), int(mnt or 0)
    mark = (ampm or "").replace(".", "").strip()
    if mark == "pm" and hour < 12:
        hour += 12
    elif mark == "am" and hour == 12:
        hour = 0
    elif not mark and 1 <= hour <= 7:
        hour += 12  # "um 3" / "at 3" in an office means the afternoon
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        return None
    return time(hour, minute)


def times_in(text: str, language: str) -> list[Mention]:
    """Clock times and ranges of the day, with positions."""
    out: list[Mention] = []
    text = _WRAP.sub(" ", text)
    text = _HALF_PAST.sub(lambda m: f"{int(m.group(1)) - 1 or 12}:30".rjust(len(m.group(0))), text)
    work_ends = None
    if _AFTER_WORK.search(text):
        for m in _WORK_ENDS.finditer(text):
            ends = _clock(m.group(1), m.group(2), m.group(3), language)
            if ends is not None:  # "… und bin dann in 10 Minuten bei Ihnen": from 17:10
                way = _way_minutes(text[m.end():m.end() + 90])
                ends = (datetime.combine(date.min, ends) + timedelta(minutes=way)).time()
            work_ends = ends or work_ends
            text = _blank(text, m)
    for m in _AFTER_NOON.finditer(text):
        out.append(Mention(m.start(), "part", start=time(12, 0), end=time(23, 59)))
        text = _blank(text, m)
    for m in _RANGE.finditer(text):
        ampm_b = m.group(6)
        a = _clock(m.group(1), m.group(2), m.group(3) or ampm_b, language)
        b = _clock(m.group(4), m.group(5), ampm_b, language)
        if a and b and a > b and not (m.group(3) or ampm_b) and a.hour >= 12 and (
                a.replace(hour=a.hour - 12) < b):  # "between 7 and 9" starts in the morning
            a = a.replace(hour=a.hour - 12)
        if a and b and a < b and (m.group(0).strip()[:1].isalpha() or "uhr" in m.group(0)
                                  or m.group(3) or ampm_b or ":" in m.group(0)):
            out.append(Mention(m.start(), "part", start=a, end=b))
            text = _blank(text, m)
    for m in _AFTER.finditer(text):
        a = _clock(m.group(1), m.group(2), m.group(3), language)
        if a:
            out.append(Mention(m.start(), "part", start=a, end=time(23, 59)))
            text = _blank(text, m)
    for m in _BEFORE.finditer(text):
        b = _clock(m.group(1), m.group(2), m.group(3), language) if m.group(1) else _clock(
            m.group(4), m.group(5), None, language)
        if b:
            out.append(Mention(m.start(), "part", start=time(0, 0), end=b))
            text = _blank(text, m)
    for m in _EXACT.finditer(text):
        g = m.groups()
        h, mnt, ampm = (g[0], g[1], g[2]) if g[0] else (g[3], g[4], g[5]) if g[3] else (
            g[6], g[7], None)
        t = _clock(h, mnt, ampm, language)
        if t and time(6, 0) <= t <= time(22, 0):
            out.append(Mention(m.start(), "exact", start=t))
            text = _blank(text, m)
    for pattern, (a, b) in _PARTS:
        for m in pattern.finditer(text):
            if work_ends and _AFTER_WORK.match(m.group(0)):
                a = work_ends
            out.append(Mention(m.start(), "part", start=a, end=b, of_day=True))
            text = _blank(text, m)
    return sorted(out, key=lambda x: x.pos)
