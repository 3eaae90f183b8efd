"""What a stay costs by the owner's price list: the item whose season holds the stay's first
night, and what is charged once per stay. Only amounts the knowledge states are quoted: the
reply never adds them up (a total would be a number the owner never wrote)."""

from __future__ import annotations

import re
from datetime import date

from agent.recap import MONTH_NAMES_DE, MONTH_NAMES_EN
from core.ports import Passage

# the month names the price lists write ("November bis März", "20 December to 6 January")
_MONTHS = {name.lower(): n for names in (MONTH_NAMES_DE, MONTH_NAMES_EN)
           for n, name in enumerate(names, 1)}
_TOKEN = re.compile(r"\d+|[^\W\d_]+|[–-]")
_SPAN = {"bis", "to", "until", "through", "–", "-"}
_AMOUNT = re.compile(r"\d\s?(?:€|eur\b|euro\b)|€\s?\d", re.I)
# an amount charged once for the whole stay ("Endreinigung … 65 € pro Aufenthalt", "€65 per
# stay"; not "Ein Hund pro Aufenthalt … 10 € pro Nacht")
_ONCE = re.compile(r"(?:\d\s?(?:€|eur|euro)|€\s?\d+(?:[.,]\d+)?)\s(?:pro|je|per)\s"
                   r"(?:aufenthalt|stay|buchung|booking)\b", re.I)

Mark = tuple[int, int | None]  # month, day (None: the whole month)


def _marks(text: str) -> list[tuple[Mark, Mark]]:
    """The months and dates a text names, a span ("November bis März", "20 December to 6
    January") as its two ends, a single month or date as both."""
    tokens = [t.lower() for t in _TOKEN.findall(text)]
    found: list[tuple[int, Mark]] = []  # token index, mark
    for i, t in enumerate(tokens):
        if t in _MONTHS:
            day = None
            if i and tokens[i - 1].isdigit() and len(tokens[i - 1]) <= 2:
                day = int(tokens[i - 1])
            elif i + 1 < len(tokens) and tokens[i + 1].isdigit() and len(tokens[i + 1]) <= 2:
                day = int(tokens[i + 1])  # "December 20"
            found.append((i, (_MONTHS[t], day)))
    out: list[tuple[Mark, Mark]] = []
    n = 0
    while n < len(found):
        i, first = found[n]
        if n + 1 < len(found):
            j, last = found[n + 1]
            between = [t for t in tokens[i + 1:j] if not t.isdigit()]
            if len(between) == 1 and between[0] in _SPAN:
                out.append((first, last))
                n += 2
                continue
        out.append((first, first))
        n += 1
    return out


def covers(text: str, day: date) -> int:
    """2 when a span of dates in `text` holds `day`, 1 when a month or span of months does,
    0 when it names months or dates and none holds it, -1 when it names none."""
    marks = _marks(text)
    if not marks:
        return -1
    best = 0
    x = (day.month, day.day)
    for (m1, d1), (m2, d2) in marks:
        start, end = (m1, d1 or 1), (m2, d2 or 31)
        inside = start <= x <= end if start <= end else (x >= start or x <= end)
        if inside:
            best = max(best, 2 if d1 and d2 else 1)
    return best


_NUMBER = {"ein": 1, "eine": 1, "einem": 1, "einer": 1, "one": 1, "a": 1, "an": 1, "zwei": 2,
           "two": 2, "drei": 3, "three": 3, "vier": 4, "four": 4, "fünf": 5, "five": 5,
           "sechs": 6, "six": 6, "zweit": 2, "dritt": 3, "viert": 4, "fünft": 5, "sechst": 6}
_COUNT = (r"(\d{1,2}|ein|eine|einem|einer|zwei|drei|vier|fünf|sechs|one|a|an|two|three|four|"
          r"five|six)")
# who comes: "2 Erwachsene und ein Kind", "two adults and two kids"; "4 Personen", "the four
# of us", "wir sind zu viert"
_MEMBERS = re.compile(rf"(?<![\w.,]){_COUNT}\s(?:\w+\s)?(?:erwachsene\w*|kind|kinder\w*|"
                      r"kids?|children|child|adults?|babys?|baby|kleinkind\w*|infants?)\b", re.I)
_PEOPLE = re.compile(rf"(?<![\w.,]){_COUNT}\s(?:personen|person|persons|people|gäste\w*|"
                     r"guests?)\b|\b(?:the|all) (two|three|four|five|six|\d) of us\b|"
                     r"\bzu (zweit|dritt|viert|fünft|sechst)\b", re.I)
# the price covers so many ("mit bis zu 2 Personen", "for up to 2 guests"), and what a
# further one costs ("Jede weitere Person …", "Each additional guest …")
_COVERS = re.compile(r"\b(?:bis zu|up to)\s(\d{1,2})\s(?:personen|person|gäste\w*|people|"
                     r"persons|guests)\b", re.I)
_FURTHER = re.compile(r"\b(?:jede[rn]? weitere|weitere[nr]? (?:person|gast|erwachsene)|"
                      r"zusätzliche[nr]? (?:person|gast)|(?:each |per )?(?:additional|extra|"
                      r"further) (?:guest|person|adult))", re.I)


def guests(text: str) -> int:
    """How many come, as the sender counts them (0 when the mail does not say)."""
    def value(word: str) -> int:
        return int(word) if word.isdigit() else _NUMBER.get(word.lower(), 0)

    members = sum(value(m[1]) for m in _MEMBERS.finditer(text))
    people = max((value(next(g for g in m.groups() if g)) for m in _PEOPLE.finditer(text)),
                 default=0)
    return max(members, people)


def _further_guests(season: Passage, passages: list[Passage], count: int
                    ) -> tuple[Passage, ...]:
    """What a further guest costs, when the sender's party is larger than the price
    covers (stated beside the season's price, in its language)."""
    same = [p for p in passages if p.language == season.language]
    base = next((int(m[1]) for p in same if p.source == season.source
                 and (m := _COVERS.search(f"{p.heading} {p.text}"))), None)
    if base is None or count <= base:
        return ()
    return tuple(p for p in same if _FURTHER.search(p.text) and _AMOUNT.search(p.text))[:1]


def stay_price(first_night: date, hits: list[Passage], passages: list[Passage],
               party: int = 0) -> tuple[Passage, ...]:
    """The price list item whose season holds the first night (a named span of dates before
    a month), the best-ranked of `hits` that does, with what a further guest costs when the
    `party` is larger than the price covers, and what is charged once per stay; () when the
    hits hold no price list by season (an item naming another season)."""
    # an item of the list has one amount (not "3,20 € von April bis Oktober und 1,60 € …")
    priced = [p for p in hits if len(_AMOUNT.findall(p.text)) == 1]
    seasons = [(covers(p.text, first_night), n, p) for n, p in enumerate(priced)]
    if not any(c == 0 for c, _, _ in seasons):
        return ()  # not a list of seasons
    fitting = [(c, n, p) for c, n, p in seasons if c > 0]
    if not fitting:
        return ()
    season = max(fitting, key=lambda x: (x[0], -x[1]))[2]
    once = [p for p in passages if p.language == season.language and p.id != season.id
            and _ONCE.search(p.text)]
    return (season, *_further_guests(season, passages, party), *once[:2])
