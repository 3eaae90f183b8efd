"""How long a meeting the sender asks for: "45-minute call", "eine Dreiviertelstunde",
"1,5 Stunden", "1½ Stunden", "2.5-hour workshop", "anderthalb Stunden", "zwanzig Minuten",
"ein 45-minütiges Telefonat", "ein zweistündiger Termin" — or the length
of an appointment type the owner configured ("Aufmaß" → 90 minutes) that the text names.

A length the sender writes wins over the type's; shifts ("eine Stunde später", "an hour
earlier") are not lengths (`agent/scheduling/wish.py` reads them as a move).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from datetime import timedelta
from functools import lru_cache
from typing import Any

from agent.prompts import load_table

_NUMBERS = {
    "ein": 1, "eine": 1, "einer": 1, "einen": 1, "one": 1, "a": 1, "an": 1, "ne": 1,
    "zwei": 2, "two": 2, "drei": 3, "three": 3, "vier": 4, "four": 4, "fünf": 5, "five": 5,
    "sechs": 6, "six": 6, "acht": 8, "eight": 8, "zehn": 10, "ten": 10,
    "fünfzehn": 15, "fifteen": 15, "zwanzig": 20, "twenty": 20,
    "fünfundzwanzig": 25, "twenty-five": 25, "twenty five": 25,
    "dreißig": 30, "dreissig": 30, "thirty": 30, "vierzig": 40, "forty": 40,
    "fünfundvierzig": 45, "forty-five": 45, "forty five": 45, "fünfzig": 50, "fifty": 50,
    "sechzig": 60, "sixty": 60, "neunzig": 90, "ninety": 90,
}
_HALVES = {  # "anderthalb", "zweieinhalb", "two and a half"
    "anderthalb": 1.5, "eineinhalb": 1.5, "einundeinhalb": 1.5, "one and a half": 1.5,
    "zweieinhalb": 2.5, "two and a half": 2.5, "dreieinhalb": 3.5, "three and a half": 3.5,
}
_WORD = "|".join(sorted((re.escape(w) for w in _NUMBERS), key=len, reverse=True))
_HALF = "|".join(re.escape(w) for w in _HALVES)
_NUM = rf"(\d{{1,3}}(?:[.,]\d{{1,2}})?|{_HALF}|{_WORD})"
_HOURS = re.compile(rf"(?<![\w.,:]){_NUM}[\s-]*(?:stündig\w*|stunden|stunde|std\.?|hours?|hrs?|h)"
                    r"(?![a-zäöü])")
_MINUTES = re.compile(rf"(?<![\w.,:]){_NUM}[\s-]*(?:minütig\w*|minuten|minute|min\.?|mins?|"
                      r"minutes?)(?![a-zäöü])")
_HALF_DIGIT = re.compile(r"(\d)\s*(?:½|1/2)(?!\d)")  # "1½ Stunden", "1 1/2 hours"
_FIXED: list[tuple[re.Pattern[str], int]] = [
    (re.compile(r"\b(?:an hour and a half|eine(?:inhalb|) stunde und eine halbe)\b"), 90),
    (re.compile(r"\b(?:a couple of hours|two or three hours)\b"), 120),
    (re.compile(r"\b(?:eine[nr]? halben? tag|halbe[nr]? tag|halbtägig\w*|half a day|"
                r"a half[- ]day|half-day)\b"), 240),
    (re.compile(r"\b(?:dreiviertel ?stunde|dreiviertelstündig|drei viertel ?stunden?|"
                r"three[- ]quarters? of an hour|"
                r"three[- ]quarter[- ]hour)"), 45),
    (re.compile(r"\b(?:halbe[nr]? ?stunde|half an hour|(?<!and a )half[- ]hour|halbstündig\w*)"),
     30),
    (re.compile(r"(?<!drei)(?<!drei )\b(?:viertel ?stunde|viertelstunde|viertelstündig|"
                r"quarter of an hour|quarter[- ]hour)"), 15),
]
# "eine Stunde später", "an hour earlier", "zwei Stunden nach hinten": a move, not a length
SHIFT = re.compile(rf"{_NUM}[\s-]*(?:stunden?|hours?|tage?n?|days?|wochen?|weeks?)\s+"
                   r"(?:später|früher|nach hinten|nach vorne|vorher|later|earlier|sooner)")
# "bin dann in 10 Minuten bei Ihnen", "5 Minuten entfernt", "a 10 minute walk": the sender's
# way to the appointment, not its length
_UNIT = r"(?:minuten|minutes?|min\.?|mins?|stunden?|hours?)"
_PLACE = r"(?:bei (?:ihnen|dir|euch)|da|dort|vor ort|there|with you|at your)"
WAY = re.compile(rf"\b(?:in|within|innerhalb von)\s+{_NUM}[\s-]*{_UNIT}\s+{_PLACE}\b|"
                 rf"\b{_PLACE}\s+(?:in|within)\s+{_NUM}[\s-]*{_UNIT}(?![a-zäöü])|"
                 rf"(?<![\w.,:]){_NUM}[\s-]*{_UNIT}\s+(?:away|entfernt|zu fuß|walk|drive|"
                 r"fahrt|weg)\b")


def number_value(token: str) -> float | None:
    token = token.strip()
    if token in _HALVES:
        return _HALVES[token]
    if token in _NUMBERS:
        return float(_NUMBERS[token])
    try:
        return float(token.replace(",", "."))
    except ValueError:
        return None


def duration_in(text: str) -> timedelta | None:
    """The length the (lower-cased) text asks for, if it names one."""
    text = _HALF_DIGIT.sub(lambda m: f"{m.group(1)}.5", SHIFT.sub(" ", WAY.sub(" ", text)))
    for pattern, fixed in _FIXED:
        if pattern.search(text):
            return timedelta(minutes=fixed)
    for m in _HOURS.finditer(text):
        hours = number_value(m.group(1))
        if hours is not None and 0.25 <= hours <= 6:
            return timedelta(minutes=round(hours * 60))
    for m in _MINUTES.finditer(text):
        minutes = number_value(m.group(1))
        if minutes is not None and 5 <= minutes <= 480:
            return timedelta(minutes=minutes)
    return None


def appointment_type(text: str, types: Mapping[str, int]) -> tuple[str, timedelta] | None:
    """The configured appointment type the (lower-cased) text names, with its length; the
    longest name wins ("Planungsgespräch" before "Gespräch"), also inside compounds
    ("Aufmaßtermin", and for a one-word name of five letters or more at a compound's end
    after at least four letters: "Küchenaufmaß", not "Zustimmung" for "Stimmung").
    Without a name, the common words of its family (prompts/scheduling/appointment_words.yaml:
    "zum Ausmessen", "measure up" for "Aufmaß"): strong ones before weak ones; of several
    types named so, the longest appointment (it holds the others: "have a look and measure
    up" is the measuring)."""
    for name in sorted(types, key=len, reverse=True):
        if names_type(text, name):
            return name, timedelta(minutes=types[name])
    for level in ("strong", "weak"):
        named = _family_named(text, types, level)
        if named:
            name = max(named, key=lambda n: (types[n], n))
            return name, timedelta(minutes=types[name])
    return None


def names_kind(text: str, types: Mapping[str, int] | Collection[str]) -> bool:
    """Does the (lower-cased) text name one of the owner's types, by name or by a strong
    word of its family ("zum Ausmessen", "a site survey")?"""
    lengths = types if isinstance(types, Mapping) else dict.fromkeys(types, 0)
    return any(names_type(text, t) for t in lengths) or bool(
        _family_named(text, lengths, "strong"))


@lru_cache(maxsize=1)
def _families() -> dict[str, dict[str, Any]]:
    families: dict[str, dict[str, Any]] = load_table("scheduling/appointment_words")["families"]
    return families


@lru_cache(maxsize=64)
def _words(family: str, level: str) -> re.Pattern[str] | None:
    words = _families()[family].get(level) or []
    if not words:
        return None
    alts = []
    for w in sorted(words, key=len, reverse=True):
        stem = w.endswith("*")
        body = r"[\s-]+".join(re.escape(p) for p in w.rstrip("*").lower().split())
        alts.append(body if stem else rf"{body}(?![a-zäöüß])")
    return re.compile(rf"(?<![a-zäöüß])(?:{'|'.join(alts)})")


def family_of(name: str) -> str | None:
    """The family of words an appointment type's name belongs to ("Küchenaufmaß":
    measuring), by the longest of the families' names it holds."""
    low = name.lower()
    hits = [(len(n), f) for f, spec in _families().items() for n in spec["names"] if n in low]
    return max(hits)[1] if hits else None


def _family_named(text: str, types: Mapping[str, int], level: str) -> list[str]:
    """The types the text names by their family's words at this level; a word inside a
    longer word of another family does not count ("final inspection" is the handover, not
    a site visit's "inspection")."""
    owners: dict[str, list[str]] = {}
    for name in types:
        family = family_of(name)
        if family is not None:
            owners.setdefault(family, []).append(name)
    spans: dict[str, list[tuple[int, int]]] = {}
    for family, names in owners.items():
        pattern = _words(family, level)
        if len(names) == 1 and pattern is not None:  # two types in a family: names only
            found = [m.span() for m in pattern.finditer(text)]
            if found:
                spans[family] = found
    out = []
    for family, found in spans.items():
        others = [o for f, os in spans.items() if f != family for o in os]
        if any(not any(a <= x and y <= b and (b - a) > (y - x) for a, b in others)
               for x, y in found):
            out.append(owners[family][0])
    return out


def names_type(text: str, name: str) -> bool:
    """Does the (lower-cased) text name the appointment type `name`? A one-word name also
    written as two words ("manual lymph drainage" names "Lymphdrainage")."""
    parts = name.lower().split()
    words = r"[\s-]+".join(re.escape(w) for w in parts)
    tail = rf"|(?<=[a-zäöüß]{{4}}){words}" if len(parts) == 1 and len(parts[0]) >= 5 else ""
    if len(parts) == 1 and len(parts[0]) >= 8:  # "lymph drainage", "Lymph-Drainage"
        word = parts[0]
        tail += "".join(rf"|(?<![a-zäöüß]){re.escape(word[:i])}[\s-]{re.escape(word[i:])}"
                        rf"(?![a-zäöüß])" for i in range(4, len(word) - 3))
    return re.search(rf"(?<![a-zäöüß]){words}{tail}", text) is not None
