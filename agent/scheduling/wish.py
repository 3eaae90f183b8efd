"""What a sender asks for in words: how long, which days, which times of day, or one
concrete time — combined from the mentions `agent/scheduling/when.py` finds.

Weekdays and parts of the day narrow a week ("nächste Woche … Dienstag oder Mittwoch
vormittags" is two mornings, not the whole week plus them); a weekday the sender rules out
("aber nicht am Mittwoch", "Wednesday doesn't work") is left out. In a reschedule or a
cancellation the time being moved is not a wish: it is kept apart (`Wish.moved`), and what
the sender proposes instead ("auf Donnerstag", "to next week", "eine Stunde später") is;
without it the new window starts the day after the moved one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo

from agent.scheduling.length import SHIFT, appointment_type, duration_in, number_value
from agent.scheduling.when import Mention, days_in, times_in

# a call, or something short ("kurz Zeit", "a quick chat") — not "thanks for the quick reply"
_SHORT = re.compile(r"\b(?:telefonat|telefonieren|anruf|anrufen|call|phone|chat|zoom|teams|"
                    r"video-?call|videotelefonat|"
                    r"(?:kurz\w*|quick|short)\s+(?:\w+\s+)?(?:zeit|termin\w*|gespräch\w*|"
                    r"treffen|besprechung|rücksprache|frage|austausch|vorbei\w*|sprechen|"
                    r"time|meeting|word|question|catch-?up|sync|minute|moment))\b")
_CANCEL = re.compile(r"\b(?:absagen|absage|sagen .{0,20}ab|muss .{0,40}ausfallen|fällt .{0,20}aus|"
                     r"cancel\w*|call off|can(?:no|')t make it|won't be able to make)\b")
_RESCHEDULE = re.compile(r"\b(?:verschieb\w*|verleg\w*|reschedul\w*|postpone\w*|"
                         r"push (?:[\w']+ ){0,3}(?:back|to|out)|(?<!the\s)move (?:our|the|it|my)|"
                         r"push (?:our|the|my|this|that|it)|"
                         r"push (?:our|the|my|this) (?:meeting|appointment|call|session)|"
                         r"move (?:[\w'(),.:]+ ){0,5}to|anderen termin|"
                         r"another (?:time|day|slot)|neuen termin|new time|umlegen|umplanen|"
                         r"nach hinten|nach vorne)\b")
# words right before a day or time that make it the new one in a reschedule
_NEW = re.compile(r"(?:\bauf|\bto|\binto|\bstattdessen|\binstead(?: on)?|\blieber|\brather|"
                  r"\bneu\w*|\bnew|\bzum|\bzur|\bbis)(?:\s+(?:den|die|das|dem|the|a|am|on))?"
                  r"(?:\s+(?:following|darauffolgenden|folgenden))?\s*$")


@dataclass(frozen=True)
class Wish:
    """The sender's wish in their own time zone; empty fields mean "no preference"."""

    windows: tuple[tuple[datetime, datetime], ...] = ()  # aware
    exact: tuple[datetime, ...] = ()  # concrete start times the sender proposes
    duration: timedelta | None = None
    explicit: bool = False  # the sender named days or times at all
    intent: str = "request"  # request | reschedule | cancel
    moved: datetime | None = None  # in a reschedule or cancellation: when the moved one starts
    moved_day: date | None = None  # … or at least its day
    kind: str = ""  # the appointment type the text names
    flexible: bool = False  # the times of day named are a preference ("but we're flexible")


def default_duration(text: str, meeting: timedelta,
                     types: Mapping[str, int] | None = None, subject: str = "") -> timedelta:
    """The length the sender writes, else that of the appointment type they name — in the
    text, else in the (lower-cased) subject, which in a reply still says what the thread is
    about ("Re: Terminvorschläge für das Aufmaß") — else a short call's or the usual
    meeting's."""
    named = duration_in(text)
    if named is not None:
        return named
    kind = appointment_type(text, types or {}) or appointment_type(subject, types or {})
    if kind is not None:
        return kind[1]
    return min(meeting, timedelta(minutes=30)) if _SHORT.search(text) else meeting


# "der Hausbesuch morgen um 10 passt leider nicht … Ginge es stattdessen am Freitag?",
# "… doesn't work any more. Could we do Friday instead?": a move, without the word
_NO_LONGER = re.compile(r"\b(?:passt|geht|klappt)\s+(?:(?:es|mir|uns|bei mir|leider|doch|jetzt|"
                        r"nun)\s+){0,3}(?:nicht|nich)\b|\b(?:doesn't|does not|won't|will not)"
                        r"\s+work\b|\bcan(?:'t|not) make\b")
_INSTEAD = re.compile(r"\b(?:stattdessen|statt dessen|instead)\b")


def _no_longer(text: str) -> bool:
    return bool(_INSTEAD.search(text) and _NO_LONGER.search(text))


def intent_of(text: str) -> str:
    if _RESCHEDULE.search(text) or SHIFT.search(text) or _no_longer(text):
        return "reschedule"
    if _CANCEL.search(text):
        return "cancel"
    return "request"


# "Afternoons would be ideal, but we're flexible", "notfalls geht auch vormittags"
_FLEXIBLE = re.compile(
    r"\b(?:(?:sind|bin|we're|we are|i'm|i am)\s+(?:(?:aber|but|da|also|auch|ganz|quite|fairly|"
    r"pretty|very|beide|both)\s+){0,2}(?:flexibel|flexible)|notfalls|zur not|if need be|"
    r"if necessary|if (?:that|this|it) doesn't work|(?:sonst|ansonsten) (?:geht|ginge|passt) "
    r"(?:auch|aber)|(?:but|aber) (?:any|jede) (?:other )?(?:time|andere zeit))\b")
_ASKING = re.compile(r"\?|\b(?:zeit|passt|passen|ginge|geht|können|könnten|hätten|hättest|"
                     r"haben sie|"
                     r"hast du|wäre|würde|could|would|can we|can you|are you|available|free|"
                     r"suit|(?<!i )(?<!we )works?|how about|wie wäre|vorschlag|propose|suggest|"
                     r"liebsten|besten|möglich|possible|"
                     r"lieber|gerne?|ideal\w*|prefer\w*|best)\b")
_NOT = re.compile(r"\b(?:stuck|busy|not|can't|cannot|unavailable|nicht|keine?|besetzt|"
                  r"belegt|unterwegs|blockiert|schwer|"
                  # "she's very tired in the afternoons", "nachmittags ist sie sehr müde"
                  r"tired|exhausted|müde|erschöpft|ungünstig|schwierig|difficult|impossible|"
                  r"unmöglich)\b")
# a clause where the sender says they are elsewhere or taken then ("nachmittags stehe ich in
# der Rösterei", "montags bin ich meist auf Baustellen", "mornings are when I have client
# workshops", "as I have a trade fair from Thursday on"): its days and times are not wishes
_OCCUPIED = re.compile(
    r"\b(?:bin ich|sind wir|stehe ich|arbeite ich|i'm|i am|we're|we are)\s+"
    r"(?:(?:meist|meistens|immer|oft|leider|selbst|selber|usually|always|often|normally)\s+){0,3}"
    r"(?:auf (?:baustellen|montage|der baustelle|reisen|tour)|unterwegs|außer haus|"
    r"beim kunden|bei kunden|im geschäft|im laden|in der \w+|"
    r"on site|on the road|travell?ing|away|at (?:a |the )?(?:trade fair|conference|client))|"
    r"\b(?:habe ich|haben wir|hab ich|i have|we have|i've got|we've got)\s+(?:[\w-]+\s+){0,2}"
    r"(?:termine?|workshops?|meetings?|messe|trade fair|kunden|unterricht|classes|lessons|"
    r"sprechstunde|school|schule|dienst|schicht|shifts?)\b|"
    # "I'm in London until the 14th", "ich bin bis zum 14. verreist"
    r"\b(?:i'm|i am|we're|we are|ich bin|wir sind|bin ich|sind wir)\s+(?:[\w-]+\s+){0,3}"
    r"(?:until|till|bis)\b|"
    # "nachmittags arbeite ich" (not from home)
    r"\barbeite(?:n)? (?:ich|wir)\b(?! (?:von zu hause|zu hause|im home-?office))")
_FREE = re.compile(r"\b(?:zeit|frei|flexibel|free|time|available|flexible|gut|passt|geht|"
                   r"klappt|works?|suits?|best|prefer\w*|gerne?|lieber|liebsten)\b")
_AWAY = re.compile(r"\b(?:away|urlaub|verreist|vacation|holiday|off|weg|abwesend)\b")
_NOT_BEFORE = re.compile(r"\b(?:nicht vor|not before|no earlier than|nicht früher als)\b")
_RULED_OUT_BEFORE = re.compile(r"(?:\bnicht|\bnich|\baußer|\bausser|\bnot|\bexcept|"
                               r"\bexcluding|\bohne|\b(?:any|every) (?:week)?day but|\bapart from|"
                               r"\bother than|\bbis auf)"
                               r"\s+(?:am |an |on |the |den |a )?$")
_RULED_OUT_AFTER = re.compile(
    r"^[\w.]*\s*(?:(?:geht|passt|klappt|kann ich|könnte ich|bin ich|habe ich|ist)\s+"
    r"(?:(?:es|aber|bei mir|leider|da|dann)\s+){0,3}(?:nicht|nich|schlecht|belegt|voll|weg|"
    r"unterwegs)|"
    r"(?:is|are)\s+(?:out|bad|booked|full|no good|tricky)|(?:doesn't|does not|won't|will not)"
    r"\s+work|i(?:'m| am)\s+(?:away|out|busy|not)|i can(?:'t|not)|is (?:not|n't) possible)")


def _occupied(text: str, pos: int) -> bool:
    """The clause around `pos` says the sender is taken then, and nothing that they are free."""
    lo = max(max(text.rfind(c, 0, pos) for c in ",.;!?"), text.rfind("\n\n", 0, pos)) + 1
    ends = [i for i in (*(text.find(c, pos) for c in ",.;!?"), text.find("\n\n", pos)) if i >= 0]
    clause = " ".join(text[lo:min(ends, default=len(text))].split())  # lines wrap mid-clause
    return bool(_OCCUPIED.search(clause)) and not _FREE.search(clause)


_WEEKDAYS_ONLY = re.compile(r"\b(?:any weekday|weekdays|werktags|unter der woche|wochentags)\b")
def _weekdays_only(text: str) -> list[int]:
    """"any weekday", "werktags": no weekend; "Weekdays are impossible", "unter der Woche
    geht es nicht": the weekend only."""
    out: list[int] = []
    text = text.replace(" \n", "  ").replace("\n", " ")  # a wrapped line ends no clause
    for m in _WEEKDAYS_ONLY.finditer(text):
        _, hi = _clause(text, m.start())
        after = text[m.end():hi]  # "…, but not Friday" rules out Friday, not the weekdays
        out += [0, 1, 2, 3, 4] if _NOT.search(after) and not _DAY_NAME.search(after) else [5, 6]
    return out


_DAY_NAME = re.compile(r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|montag|dienstag|mittwoch|"
                       r"donnerstag|freitag|samstag|sonntag")


_PAST = re.compile(r"\b(?:dank\w*|thanks?|thank you|letzte[nrs]?|last|war|waren|hatten|was|were|"
                   r"had|gestern|yesterday)\b")


def _clause(text: str, pos: int) -> tuple[int, int]:
    lo = max(text.rfind(c, 0, pos) for c in ",.;!?\n") + 1
    ends = [i for i in (text.find(c, pos) for c in ",.;!?\n") if i >= 0]
    return lo, min(ends, default=len(text))


def _wanted(text: str, times: list[Mention]) -> list[Mention]:
    """Times of day in a clause that says the sender cannot then ("afternoons I'm stuck")
    are not wishes ("nicht vor 11" is one: from 11)."""
    out = []
    for t in times:
        lo, hi = _clause(text, t.pos)
        around = _NOT_BEFORE.sub(" ", text[lo:t.pos] + " " + text[t.pos:hi][12:])
        if not _NOT.search(around) and not _occupied(text, t.pos):
            out.append(t)
    return out


def _ruled_out(text: str, m: Mention, mentions: list[Mention] | None = None) -> bool:
    """"aber nicht am Mittwoch", "außer Freitag", "Wednesday doesn't work" — and a weekday
    listed with one ruled out so ("Montags und mittwochs kann ich nicht")."""
    before = text[max(0, m.pos - 16):m.pos]
    after = text[m.pos:m.pos + 48]
    if _RULED_OUT_BEFORE.search(before) or _RULED_OUT_AFTER.search(after):
        return True
    nxt = next((n for n in mentions or () if n.pos > m.pos), None)
    word = re.match(r"[\w.]+", after)
    if nxt is None or nxt.kind != "weekday" or m.kind != "weekday" or word is None:
        return False
    joint = text[m.pos + word.end():nxt.pos].replace(",", " , ").split()
    listed = (1 <= len(joint) <= 2 and joint[0] in _LISTED
              and joint[1:] in ([], ["am"], ["an"], ["on"]))
    return listed and _ruled_out(text, nxt, mentions)


_LISTED = frozenset({",", "und", "and", "oder", "or", "sowie", "&"})


def _asked(days: list[Mention], text: str, starts: list[int]) -> list[Mention]:
    """When some days are named in sentences that ask, days in other sentences ("we marry in
    May") are context, not wishes."""
    ends = [*starts[1:], len(text)]

    def asking(m: Mention) -> bool:
        i = _sentence(m.pos, starts)
        return bool(_ASKING.search(text[starts[i]:ends[i]]))

    def fragment(m: Mention) -> bool:
        """A short sentence of days alone ("Dienstag oder Mittwoch vormittags."), not one
        about a day past ("Danke für das gute Gespräch am Montag.")."""
        i = _sentence(m.pos, starts)
        sentence = text[starts[i]:ends[i]]
        return (len(sentence.split()) <= 6 and not _NOT.search(sentence)
                and not _PAST.search(sentence))

    def away(m: Mention) -> bool:
        """A week the sender is not there ("Next week I'm away.")."""
        i = _sentence(m.pos, starts)
        return bool(_NOT.search(text[starts[i]:ends[i]]) or _AWAY.search(text[starts[i]:ends[i]]))

    asked = [m for m in days if asking(m)]
    if asked and all(m.soon or m.bound for m in asked):
        # "before my race on the 20th?" asks for no days itself: those named beside it are
        # the wish, and the deadline narrows them (`_limited`)
        return days
    if any(m.kind == "span" for m in asked):  # such weekdays narrow the asked span
        asked = [m for m in days if m in asked or (m.kind in {"weekday", "from"} and fragment(m))]
    elif any(m.kind == "weekday" for m in asked):  # … and so do they a week named before
        first = min(m.pos for m in asked if m.kind == "weekday")
        # … in that sentence or the one before it ("fitted in November" further up is not)
        near = _sentence(first, starts) - 1
        asked = [m for m in days if m in asked or (m.kind == "span" and m.pos < first
                                                    and _sentence(m.pos, starts) >= near
                                                    and not away(m))]
    return asked or days


def _sentences(text: str) -> list[int]:
    """Start positions of sentences (a '?', '!', a blank line or a full stop before a word
    ends one; the dot of an ordinal or a date does not)."""
    return [0] + [m.end() for m in re.finditer(
        r"[?!]\s|\n\s*\n|(?<!\d)\.\s+(?=[a-zäöü]{3,}[\s,])", text)]  # not "ab dem 7. eine"


def _sentence(pos: int, starts: list[int]) -> int:
    return sum(1 for s in starts if s <= pos) - 1


def _resolve_weekdays(days: list[Mention], starts: list[int],
                      horizon: tuple[date, ...] = ()) -> list[Mention]:
    """A weekday lies in the span the sender named ("nächste Woche … Dienstag"): the one in
    its sentence, else the one before it, else any; a span that holds named weekdays gives
    way to them. Without a span, a weekday in the plural ("nur freitags", "on Fridays") is
    each such day of the `horizon`, a single one the next. A weekday right before a date
    ("Freitag, 18. Dezember") is that date."""
    out: list[Mention] = []
    spans = [m for m in days if m.kind == "span"]
    weekdays = [m for m in days if m.kind in {"weekday", "from"} and m.weekday >= 0]
    for i, m in enumerate(days):
        if m.kind == "from":  # "ab Mittwoch (nächste Woche)": a week from that day
            first = (_inside(m, spans, starts) or m.days)[0]
            out.append(Mention(m.pos, "day", tuple(first + timedelta(days=k) for k in range(7))))
        elif m.kind == "weekday":
            nxt = days[i + 1] if i + 1 < len(days) else None
            if nxt is not None and nxt.kind == "day" and 0 < nxt.pos - m.pos <= 16:
                continue
            each = tuple(d for d in horizon if d.weekday() == m.weekday) if m.every else ()
            inside = _inside(m, spans, starts)
            if m.every and inside and any(s.onward and inside[0] in s.days for s in spans):
                # "ab nächster Woche immer dienstags": each Tuesday from then on
                inside = tuple(d for d in each if d >= inside[0]) or inside
            out.append(Mention(m.pos, "day", inside or each or m.days))
        elif m.kind == "span" and any(_inside(w, [m], starts) for w in weekdays
                                      if _sentence(w.pos, starts) == _sentence(m.pos, starts)
                                      or w.kind == "weekday"):
            continue
        else:
            out.append(Mention(m.pos, "day", m.days))
    return out


def _inside(weekday: Mention, spans: list[Mention], starts: list[int]) -> tuple[date, ...]:
    here = [s for s in spans if _sentence(s.pos, starts) == _sentence(weekday.pos, starts)]
    before = [s for s in spans if s.pos < weekday.pos]
    for group in (here, before[-1:], spans):
        inside = tuple(d for s in group for d in s.days if d.weekday() == weekday.weekday)
        if inside:
            return inside
    return ()


def _bind(days: list[Mention], times: list[Mention],
          starts: list[int]) -> tuple[dict[int, list[Mention]], list[Mention]]:
    """Each time mention binds to the day mentions since the previous time mention in its
    sentence (else the last before it, else the next after it); unbound ones are global."""
    bound: dict[int, list[Mention]] = {}
    loose: list[Mention] = []
    prev = -1
    for t in times:
        sent = _sentence(t.pos, starts)
        here = [i for i, d in enumerate(days) if _sentence(d.pos, starts) == sent]
        between = [i for i in here if prev < days[i].pos < t.pos]
        before = [i for i in here if days[i].pos < t.pos]
        after = [i for i in here if days[i].pos > t.pos]
        targets = between or before[-1:] or after[:1]
        if not targets:
            loose.append(t)
        for i in targets:
            bound.setdefault(i, []).append(t)
        prev = t.pos
    return bound, loose


WHOLE_DAY = (time(7, 0), time(20, 0))  # "any time that day" in the sender's own clock
OPEN_END = time(23, 59)  # "ab 10": the planner ends it with the working day
# per weekday (0 = Monday), when the owner's working day starts and ends
DayHours = Mapping[int, tuple[time, time]]
# where the fixed parts of the day ("vormittags" 8–12, "nachmittags" 13–18) and the whole
# day start and end: edges that follow an owner's day which starts earlier or ends later
_DAY_STARTS = frozenset({time(8, 0), WHOLE_DAY[0]})
_DAY_ENDS = frozenset({time(18, 0), WHOLE_DAY[1]})


def own_day(a: time, b: time, day: date, hours: DayHours | None) -> tuple[time, time]:
    """A part of the day in words, or the whole day, on the owner's working day: for a
    roofer who starts at 7 "vormittags" is 7–12, for a shop open until 19 "nachmittags"
    13–19 (an earlier start or end is cut by the working hours later anyway)."""
    own = (hours or {}).get(day.weekday())
    if own is None:
        return a, b
    return (min(a, own[0]) if a in _DAY_STARTS else a,
            max(b, own[1]) if b in _DAY_ENDS else b)


def day_hours(hours: Mapping[int, tuple[tuple[time, time], ...]]) -> dict[int, tuple[time, time]]:
    """The working day per weekday from its intervals: the first start, the last end."""
    return {wd: (min(a for a, _ in ivs), max(b for _, b in ivs))
            for wd, ivs in hours.items() if ivs}


def _at(d: date, t: time, zone: tzinfo) -> datetime:
    return datetime.combine(d, t, tzinfo=zone)


@dataclass(frozen=True)
class _Found:
    days: list[Mention]
    times: list[Mention]
    excluded: frozenset[int]  # weekdays ruled out
    named: tuple[Mention, ...] = ()  # the day mentions before weekdays were resolved
    said: tuple[Mention, ...] = ()  # every time named, also in "I can't make it at 2"
    away: frozenset[date] = frozenset()  # days the sender is away ("ab dem 22. Urlaub")


# a clause saying the sender is away then ("Ab dem 22. habe ich drei Wochen Urlaub", "I'm
# on holiday from the 14th"): its days are ruled out, not asked for
_AWAY_CLAUSE = re.compile(
    r"\b(?:urlaub|verreist|abwesend|nicht da|nicht zu hause|nicht erreichbar|auf reisen|"
    r"dienstreise|geschäftsreise|vacation|on holiday|on leave|away|out of (?:the )?office|"
    r"out of town|not around|business trip)\b")
_CLAUSE_END = re.compile(r"[,;!?]|(?<!\d)\.(?=\s|$)|\n\s*\n|\b(?:aber|but|davor|danach|"
                         r"before that|after that)\b")


def _away(text: str, m: Mention) -> bool:
    """The clause around the mention says the sender is away then, and nothing that they
    are free."""
    lo = max([text.rfind(c, 0, m.pos) + 1 for c in ",;!?"]
             + [x.end() for x in _CLAUSE_END.finditer(text, 0, m.pos)])
    end = _CLAUSE_END.search(text, m.pos + 1)
    clause = text[lo:end.start() if end else len(text)]
    return bool(_AWAY_CLAUSE.search(clause)) and not _FREE.search(clause)


# a clause that states the sender's own occasion on that day: "meine Tochter heiratet am 10.
# April", "I'm getting married on 24 April", "our wedding is on the 3rd" — context for the
# wish ("a trial a few weeks before"), not the day asked for
_OCCASION = re.compile(
    r"\b(?:heirate[nt]?|getting married|get married|marrying|"
    r"(?:wedding|hochzeit|birthday|geburtstag|party|feier|race|wettkampf) (?:is|ist|findet))\b")


def _occasion(text: str, pos: int) -> bool:
    lo, hi = _clause(text.replace("\n", " "), pos)
    return bool(_OCCASION.search(text[lo:hi]))


def _found(text: str, today: date, language: str, starts: list[int],
           asked_only: bool = True, anchor: date | None = None,
           horizon: tuple[date, ...] = ()) -> _Found:
    found, rest = days_in(text, today, language, anchor)
    # a weekday the sender is taken on ("montags bin ich auf Baustellen") is ruled out too
    taken = [m for m in found if m.kind in {"weekday", "from", "day"} and _occupied(text, m.pos)]
    # … and in a request, days they are away
    gone = [m for m in found if asked_only and m.kind in {"day", "span"} and _away(text, m)]
    # … and the day of their own occasion ("meine Tochter heiratet am 10. April")
    gone += [m for m in found if asked_only and m.kind == "day" and not m.bound
             and _occasion(text, m.pos)]
    day_mentions = [m for m in found if m not in taken and m not in gone]
    excluded = frozenset([m.weekday if m.kind == "weekday" else m.days[0].weekday()
                          for m in day_mentions
                          if m.kind in {"weekday", "day"} and len(m.days) == 1
                          and _ruled_out(text, m, day_mentions)]
                         + [m.weekday for m in taken if m.kind == "weekday"]
                         + _weekdays_only(text))
    kept = [m for m in day_mentions if not (m.kind in {"weekday", "day"} and len(m.days) == 1
                                            and _ruled_out(text, m, day_mentions))]
    if asked_only:
        kept = _asked(kept, text, starts)
    days = _limited(kept, starts, horizon)
    times = times_in(rest, language)
    away = frozenset(d for m in gone for d in (
        m.days if m.kind == "day" or len(m.days) > 1 else ()))
    return _Found(days, _wanted(rest, times), excluded, tuple(kept), tuple(times), away)


def _limited(kept: list[Mention], starts: list[int],
             horizon: tuple[date, ...]) -> list[Mention]:
    """The days asked for, resolved. "As soon as possible" gives way to days named beside it,
    and a deadline ("before my race on the 20th") or a start ("not before the 10th") narrows
    them ("in January" from the 10th on); alone, each is the wish itself."""
    plain = [m for m in kept if not (m.soon or m.bound)]
    if not plain:
        return [d for d in _resolve_weekdays(kept, starts, horizon) if d.days]
    days = [d for d in _resolve_weekdays(plain, starts, horizon) if d.days]
    limits = [m for m in kept if m.bound]
    if not limits:
        return days
    lo = max((m.days[0] for m in limits if m.bound == "from"), default=date.min)
    hi = min((m.days[-1] for m in limits if m.bound == "until"), default=date.max)
    narrowed = [replace(d, days=tuple(x for x in d.days if lo <= x <= hi)) for d in days]
    narrowed = [d for d in narrowed if d.days]
    return narrowed or [d for d in _resolve_weekdays(limits, starts, horizon) if d.days]


def _narrowed(parts: list[tuple[time, time]]) -> list[tuple[time, time]]:
    """An open-ended time ("ab 10", "before 11") narrows a part of the day named with it
    ("vormittags ab 10" is 10–12), instead of adding the rest of the day to it."""
    open_ended = [p for p in parts if p[0] == time(0, 0) or p[1] == OPEN_END]
    closed = [p for p in parts if p not in open_ended]
    if not open_ended or not closed:
        return parts
    both = [(max(a, c), min(b, d)) for a, b in closed for c, d in open_ended]
    return [(a, b) for a, b in both if a < b] or parts


def _within_loose(parts: list[tuple[time, time]],
                  loose: list[Mention]) -> list[tuple[time, time]]:
    """A range of hours in a sentence of its own narrows the parts of the day named with the
    days ("Wednesday or Thursday morning? Any time between 9 and 11." is 9–11)."""
    ranges = [(t.start, t.end) for t in loose if t.start and t.end]
    both = [(max(a, c), min(b, d)) for a, b in parts for c, d in ranges]
    return [(a, b) for a, b in both if a < b] or parts


def _parts(mentions: list[Mention], day: date,
           hours: DayHours | None) -> list[tuple[time, time]]:
    return [own_day(t.start, t.end, day, hours) if t.of_day else (t.start, t.end)
            for t in mentions if t.kind == "part" and t.start and t.end]


def _windows(found: _Found, today: date, zone: tzinfo, horizon: tuple[date, ...],
             starts: list[int], hours: DayHours | None = None,
             ) -> tuple[list[tuple[datetime, datetime]], list[datetime]]:
    days, times = found.days, found.times
    bound, loose = _bind(days, times, starts)
    windows: list[tuple[datetime, datetime]] = []
    exact: list[datetime] = []
    loose_parts = [t for t in loose if t.kind == "part"]
    loose_exact = [t for t in loose if t.kind == "exact"]
    timed = {day for i, d in enumerate(days) if bound.get(i) for day in d.days}
    for i, d in enumerate(days):
        mine = bound.get(i) or loose_parts + loose_exact
        for day in d.days:
            if day < today or day.weekday() in found.excluded or day in found.away:
                continue
            if not mine and day in timed:  # "Thursday?" in the subject, "Thursday after lunch"
                continue
            exact += [_at(day, t.start, zone) for t in mine if t.kind == "exact" and t.start]
            parts = _within_loose(_narrowed(_parts(mine, day, hours)),
                                  [] if mine is not bound.get(i) else loose_parts)
            for a, b in parts or [own_day(*WHOLE_DAY, day, hours)]:
                windows.append((_at(day, a, zone), _at(day, b, zone)))
    if not days:
        for day in horizon:
            if day.weekday() in found.excluded or day in found.away:
                continue
            parts = _narrowed(_parts(loose_parts, day, hours))
            for a, b in parts or [own_day(*WHOLE_DAY, day, hours)]:
                windows.append((_at(day, a, zone), _at(day, b, zone)))
    return windows, exact


def read_wish(text: str, today: date, zone: tzinfo, language: str,
              horizon: tuple[date, ...], types: Mapping[str, int] | None = None,
              anchor: date | None = None, hours: DayHours | None = None) -> Wish:
    """The wish in `text` (lower-cased by the caller), relative to `today` in `zone`.
    `horizon` is the days to look at when the sender names none; `types` the owner's
    appointment types with their lengths; `anchor` the day "the week after" follows when
    the text names none (in an answer to an offer, the offer's last day); `hours` the
    owner's working day per weekday in `zone`'s clock (see `day_hours`), which parts of the
    day in words follow where it starts earlier or ends later than they do."""
    starts = _sentences(text)
    intent = intent_of(text)
    found = _found(text, today, language, starts, asked_only=intent == "request",
                   anchor=anchor, horizon=horizon)
    kind = appointment_type(text, types or {})
    wish = Wish(duration=duration_in(text) or (kind[1] if kind else None),
                explicit=bool(found.days or found.times), intent=intent,
                kind=kind[0] if kind else "", flexible=bool(_FLEXIBLE.search(text)))
    if intent != "request":
        return _moving(text, found, wish, today, zone, horizon, starts, hours)
    windows, exact = _windows(found, today, zone, horizon, starts, hours)
    return replace(wish, windows=tuple(windows), exact=tuple(sorted(set(exact))))


def _moving(text: str, found: _Found, wish: Wish, today: date, zone: tzinfo,
            horizon: tuple[date, ...], starts: list[int], hours: DayHours | None = None) -> Wish:
    """A reschedule or cancellation: the first day (and time) the sender names for the
    appointment itself is the one being moved; what they name as new — after "auf"/"to",
    in a later sentence, or as a shift ("eine Stunde später") — is the wish, and without one
    the new window starts the day after the moved one."""
    verb_sentence = _verb_sentence(text, found, starts)

    marked = [m.pos for m in (*found.named, *found.times)
              if _NEW.search(text[max(0, m.pos - 24):m.pos])]

    def new(m: Mention) -> bool:
        """After "auf"/"to" (or later in that sentence), or in a later sentence."""
        sentence = _sentence(m.pos, starts)
        return sentence > verb_sentence or any(
            p <= m.pos and _sentence(p, starts) == sentence for p in marked)

    old_days = [d for d in _resolve_weekdays([m for m in found.named if not new(m)], starts)
                if d.days][:1]
    # (not a day in a clause that says the sender cannot then: "My husband can't take the
    # morning off this week")
    flat = re.sub(r"(?<=\S)\n(?=\S)", " ", text)  # a wrapped line is no clause's end
    new_days = [d for d in _resolve_weekdays([m for m in found.named if new(m) and not _NOT.search(
        flat[slice(*_clause(flat, m.pos))])], starts, horizon) if d.days]
    # the moved time sits in "… schaffe ich es nicht zu unserem Termin um 14 Uhr": not a
    # wish, but the time being moved
    same_week = _SAME_WEEK.search(text)
    if same_week and old_days:  # "irgendwann in der gleichen Woche": the moved one's week
        monday = old_days[0].days[0] - timedelta(days=old_days[0].days[0].weekday())
        week = tuple(d for d in (monday + timedelta(days=i) for i in range(7)) if d >= today)
        new_days = [Mention(same_week.start(), "day", week), *new_days]
    old_times = [t for t in found.said if not new(t) and t.kind == "exact"][:1]
    new_times = [t for t in found.times if new(t) or t not in old_times]
    moved_day = old_days[0].days[0] if old_days else None
    moved = _at(moved_day, old_times[0].start, zone) \
        if moved_day and old_times and old_times[0].start else None
    wish = replace(wish, moved=moved, moved_day=moved_day)
    shifted = shifted_wish(wish, text, moved)
    if shifted is not None:
        return shifted
    if moved is not None and new_days and _SAME_TIME.search(text):  # "to Friday, same time"
        starts_at = [_at(day, moved.timetz().replace(tzinfo=None), zone)
                     for d in new_days for day in d.days if day >= today]
        length = wish.duration or timedelta(hours=1)
        return replace(wish, exact=tuple(starts_at),
                       windows=tuple((e, e + length) for e in starts_at))
    if new_days or (new_times and not old_days):  # what the sender asks for instead
        rest = _Found(new_days, new_times if new_days else found.times, found.excluded)
        windows, exact = _windows(rest, today, zone, horizon, starts, hours)
        if moved is not None:  # on the moved one's day, only after it
            windows = [(max(a, moved + timedelta(minutes=1)) if a.date() == moved.date() else a,
                        b) for a, b in windows if a.date() != moved.date() or b > moved]
    else:  # nothing new named: who cannot come that day is offered the days after it
        after = [d for d in horizon if moved_day is None or d > moved_day]
        parts = _Found([], [t for t in new_times if t.kind == "part"], found.excluded)
        windows, exact = _windows(parts, today, zone, tuple(after), starts, hours)
    return replace(wish, windows=tuple(windows), exact=tuple(sorted(set(exact))))


def _verb_sentence(text: str, found: _Found, starts: list[int]) -> int:
    """The sentence that asks to move or cancel: the first with such a word that is not
    before the first day or time named — a subject line "Termin verschieben" or an opening
    "need to reschedule" does not make every time in the body the new one."""
    mentions = [m.pos for m in (*found.named, *found.times)]
    first = _sentence(min(mentions), starts) if mentions else 0
    verbs = (_RESCHEDULE, _CANCEL, SHIFT, *((_NO_LONGER,) if _no_longer(text) else ()))
    sentences = sorted({_sentence(m.start(), starts) for pattern in verbs
                        for m in pattern.finditer(text)})
    after = [s for s in sentences if s >= first]
    if len(after) > 1 and after[0] == 0:
        # "Termin Montag verschieben" as the subject, and the body asks again with the time
        # ("können wir meinen Termin am Montag um 10 Uhr verschieben?"): the body's
        return after[1]
    return next(iter(after), sentences[0] if sentences else 0)


_SAME_WEEK = re.compile(r"\b(?:(?:in )?der (?:gleichen|selben) woche|in derselben woche|"
                        r"(?:that|the) same week|later that week)\b")
# "to Friday 18th, same time", "auf Freitag zur gleichen Uhrzeit"
_SAME_TIME = re.compile(r"\b(?:(?:at )?(?:the )?same time|same hour|"
                        r"(?:zur )?(?:gleiche[nr]?|selbe[nr]?) (?:uhrzeit|zeit))\b")
_UNITS = {"stunde": timedelta(hours=1), "hour": timedelta(hours=1), "tag": timedelta(days=1),
          "day": timedelta(days=1), "woche": timedelta(weeks=1), "week": timedelta(weeks=1)}


def shifted_wish(wish: Wish, text: str, moved: datetime | None) -> Wish | None:
    """The wish when the text shifts the moved time ("eine Stunde später"), once that time is
    known — from the text, or from the calendar when the sender named only the day."""
    shifted = _shifted(text, moved)
    if shifted is None:
        return None
    return replace(wish, moved=moved, exact=(shifted,),
                   windows=((shifted, shifted + (wish.duration or timedelta(hours=1))),))


def moved_at(wish: Wish, text: str, moved: datetime) -> Wish:
    """The wish once the calendar says when the moved appointment starts (the sender named
    only its day): a shift applies to it, and other wishes start after it."""
    shifted = shifted_wish(wish, text, moved)
    if shifted is not None:
        return shifted
    days = sorted({a.date() for a, _ in wish.windows if a.date() != moved.date()})
    if days and _SAME_TIME.search(text):  # "to the Monday after, same time"
        at = moved.astimezone(wish.windows[0][0].tzinfo).timetz()
        starts_at = tuple(datetime.combine(d, at) for d in days)
        length = wish.duration or timedelta(hours=1)
        return replace(wish, moved=moved, exact=starts_at,
                       windows=tuple((e, e + length) for e in starts_at))
    return replace(wish, moved=moved, windows=tuple((max(a, moved + timedelta(minutes=1)), b)
                                                    for a, b in wish.windows if b > moved))


def _shifted(text: str, moved: datetime | None) -> datetime | None:
    """"eine Stunde später", "a week later, same time": the moved time shifted."""
    m = SHIFT.search(text)
    if m is None or moved is None:
        return None
    count = number_value(m.group(1))
    unit = next((v for k, v in _UNITS.items() if k in m.group(0)), None)
    if count is None or unit is None:
        return None
    sign = -1 if re.search(r"früher|nach vorne|vorher|earlier|sooner", m.group(0)) else 1
    return moved + sign * count * unit
