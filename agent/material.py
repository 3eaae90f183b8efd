"""What a reply is written from — the same for the template and the LLM:

- the sender's questions, each answered from the best-matching passage of the owner's
  knowledge when it matches well enough, from the calendar's free slots when it asks for a
  time, else left to the owner (named in the draft);
- the facts to repeat (numbers, dates, amounts as the sender wrote them);
- the greeting in the sender's register, whether it is a complaint, the reply's language;
- the owner's approved earlier replies, once the review UI stores them.

Gathering reads the world only through the callables and protocols it is given (knowledge
search, the calendar planner, first names, examples): no I/O here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from agent.facts import extract_facts
from agent.prompts import load_table
from agent.questions import (
    Question,
    body_lines,
    first_sentence,
    items_before,
    read_questions,
    time_details,
)
from agent.ranking import (
    Ranker,
    answer_kind,
    fits,
    focus,
    says_little,
    unframed,
    unknown_subject,
)
from agent.recap import Fact, date_range, date_text, read_facts
from agent.salutation import GenderOf, greeting
from agent.seasons import guests, stay_price
from core.clock import reference_time
from core.models import (
    BodyText,
    Category,
    Decision,
    Mail,
    MessageView,
    Proposal,
    SchedulePlan,
    TimeSlot,
)
from core.ports import KnowledgeSearch, Passage, PassageHit

Scheduler = Callable[[MessageView, Proposal | None], SchedulePlan]
Examples = Callable[[Mail], list[str]]  # the owner's approved replies to similar mail
Nights = Callable[[date, date], list[date]]  # the calendar's booked nights in a date range

# A passage answers a question when its score (agent/ranking.py: the cosine similarity of
# the e5 vectors — query: the question, with the sentences before it when it says little;
# passage: headings + sentence — plus up to 0.05 for shared rare words, ± 0.012 for the kind
# of answer) reaches MATCH. Tuned on the dev material in tests/fixtures/drafts (never on an
# eval set): answering passages there score 0.875–0.95, the best unrelated ones 0.83–0.89;
# 0.86 and 0.85 were tried and answered more of what only the owner can answer.
MATCH = 0.87
# a second passage joins the first when it is nearly as close: under the same heading,
# or a single sentence of the same file
SECOND = 0.015
BLOCK_CHARS = 240  # a paragraph up to this length is quoted whole, a longer one by sentence
CONTEXT_PENALTY = 0.01
FOCUS_PENALTY = 0.0  # the asking clause counts as much as the whole sentence
STEPS = 3  # a question about the process is answered with its first steps
ITEMS = 6  # at most this many items of a list are priced one by one
# a complaint: the sender is unhappy with the owner's work or service (a broken string
# alone is a repair request, not a complaint)
_COMPLAINT = re.compile(
    r"\b(?:reklamation|reklamier\w*|beschwerde|beschweren|ärgerlich|ärgert|verärgert|"
    r"enttäuscht|enttäuschend|unzufrieden|mangelhaft|so geht das nicht|inakzeptabel|"
    r"nicht akzeptabel|unmöglich|nicht in ordnung|unverschämt|complaint|i (?:want|wish|have) to "
    r"complain|disappoint\w*|"
    r"unacceptable|not acceptable|not happy|unhappy|frustrat\w*|annoy\w*|upset|"
    r"not what (?:i|we) (?:ordered|agreed|paid)|(?:anderes|mehr|besseres) erwartet|"
    r"expected (?:more|better|something else))\b", re.I)
_FAULT = re.compile(
    r"\b(?:schon wieder|immer noch|nach (?:ihrer|eurer|deiner) (?:arbeit|reparatur|stimmung|"
    r"lieferung)|falsch geliefert|beschädigt|fehlerhaft|mängel|again|still not|"
    r"since you|after your|damaged|faulty|wrong|"
    r"nach (?:der|einer|ihrer|eurer) (?:inspektion|reparatur|wartung|montage)|"
    r"after (?:the|your|a) (?:service|repair|inspection|installation))\b", re.I)
_REMEDY = re.compile(
    r"reklamation|beschwerde|beanstand|mangel|mängel|nachbesser|gewährleist|garantie|kulanz|"
    r"erstatt|fehler|schäden|schaden|unzufrieden|complain|warrant|guarantee|refund|defect|"
    r"fault|damage|remed|dissatisf|not satisfied", re.I)
# in a complaint, "what are you going to do?" is answered by what happens next (the owner's
# policy when the knowledge has one, else the promise to come back by a day)
# ("Wie gehen Sie mit Reklamationen um?" asks for the policy in general: the knowledge search
# answers it as any other question)
_WHAT_NEXT = re.compile(
    r"\b(?:was (?:machen|tun|unternehmen|gedenken) sie (?:\w+ )?(?:jetzt|nun|da|dagegen|tun)|"
    r"was (?:machen|tun|unternehmen) sie\s*\?|was passiert (?:jetzt|nun)|"
    r"wie geht es (?:jetzt |nun )?weiter|what (?:are|will) you (?:going to )?do|"
    r"what happens (?:now|next)|what do you (?:propose|suggest|intend) (?:to do|now))", re.I)
_SHORT = 8  # words: a shorter question is searched with the sentence before it
_POINTING = re.compile(r"\b(?:das|dies|dafür|davon|dazu|that|this|it|those|these|them)\b", re.I)


@dataclass(frozen=True)
class Answer:
    question: Question
    source: str  # knowledge | calendar | owner | next_step (a complaint's "what now?")
    passages: tuple[Passage, ...] = ()
    similarity: float = 0.0
    items: bool = False  # the passages price the items of a list, one each
    note: str = ""  # a calendar answer in words (whether a date range is free)


@dataclass(frozen=True)
class DraftMaterial:
    language: str  # the reply's
    greeting: str
    informal: bool
    answers: tuple[Answer, ...] = ()
    facts: tuple[Fact, ...] = ()
    slots: str = ""  # free slots as text, one per line ("" when none were asked or found)
    offered: tuple[TimeSlot, ...] = ()
    zone: str = ""
    complaint: bool = False
    next_step: tuple[Passage, ...] = ()  # the owner's policy for complaints, when known
    examples: tuple[str, ...] = ()
    sender_language: str = ""  # set when the reply is not in the sender's language

    @property
    def open_points(self) -> list[Question]:
        return [a.question for a in self.answers if a.source == "owner"]


@dataclass
class Sources:
    """The doors to the world a gathering may use (all optional)."""

    knowledge: KnowledgeSearch | None = None
    schedule: Scheduler | None = None
    gender_of: GenderOf | None = None
    examples: Examples | None = None
    nights: Nights | None = None
    extra: dict[str, object] = field(default_factory=dict)


def _query(q: Question, before: str, subject: str) -> str | None:
    """A second search for a short or pointing question ("Was kostet das?"): with the
    subject and the sentence before it; the question itself after "‖" (its words are the
    ones matched). None when the question stands on its own."""
    if _POINTING.search(q.text) or says_little(q.text):
        context = " ".join(x for x in (subject, before) if x)
        return f"{context} ‖ {q.text}" if context else None
    if len(q.text.split()) < _SHORT and subject:
        return f"{subject} ‖ {q.text}"
    return None


def _merge(a: list[PassageHit], b: list[PassageHit], penalty: float) -> list[PassageHit]:
    """The hits of the better query, and those of the other a little below them: the context
    helps a question that says little by itself, and must not outvote one that says enough."""
    best: dict[str, PassageHit] = {}
    for h in a + [PassageHit(x.passage, x.similarity - penalty) for x in b]:
        if h.passage.id not in best or h.similarity > best[h.passage.id].similarity:
            best[h.passage.id] = h
    return sorted(best.values(), key=lambda h: -h.similarity)


def _previous_sentences(text: str, questions: list[Question]) -> list[str]:
    """For each question the two sentences before it (not the greeting), at most 300
    characters: what a short question ("Was kostet das?") refers to."""
    out = []
    flat = re.sub(r"\s+", " ", "\n".join(body_lines(text)))
    lower = flat.lower()
    for q in questions:
        # a split question starts in lowercase there and ends where the next half begins
        pos = lower.find(q.text[:30].rstrip("?").lower())
        head = flat[:pos].rstrip() if pos > 0 else ""
        parts = [x for x in re.split(r"(?<=[.!?:])\s+", head) if x]
        # the second half of a compound question ("Do you provide staff, and how is that
        # charged?") refers to the first half only
        context = (parts[-1] if parts and not parts[-1].endswith((".", "!", "?", ":"))
                   else " ".join(parts[-2:]))  # what the question refers to
        out.append(context[-300:] if len(context) > 8 else "")
    return out


def _pick(hits: list[PassageHit], used: set[str]) -> tuple[tuple[Passage, ...], float]:
    good = [h for h in hits if h.similarity >= MATCH]
    if not good:
        return (), hits[0].similarity if hits else 0.0
    top = good[0]
    if top.passage.id in used:
        # the best answer was written for an earlier question ("Brauche ich eine
        # Bescheinigung?" after the item that says "mit ärztlicher Freigabe"): it answers
        # this one too — a worse passage only when it is nearly as close, never the next
        # price of the list ("Was kostet der Kurs?" answered with another course's price)
        fresh = [h for h in good if h.passage.id not in used
                 and h.similarity >= top.similarity - SECOND]
        if not fresh:
            return (top.passage,), top.similarity
        top = fresh[0]
    chosen = [top.passage]
    # the second-best of the same file when it is nearly as close: a sentence and its
    # neighbour often answer together (one warranty period next to the other, one price
    # next to a related one)
    rest = [h for h in hits if h.passage.id not in used and h.passage.id != top.passage.id]
    for h in rest:
        # under the same heading, or two single sentences of one file; never a second
        # paragraph on another topic ("Delivery …" under "Cancellation …"); the nearest such
        # one, even when a passage of another heading lies between them
        if h.similarity < top.similarity - SECOND:
            break
        if h.passage.source == top.passage.source and (
                h.passage.heading == top.passage.heading
                or not (_whole(h.passage) or _whole(top.passage))):
            chosen.append(h.passage)
            break
    return tuple(chosen), top.similarity


def _whole(p: Passage) -> bool:
    """The passage is quoted as its whole paragraph (agent/drafts.py answer_sentence)."""
    return bool(p.block) and len(p.block) <= BLOCK_CHARS


def _first_steps(top: Passage, passages: list[Passage]) -> tuple[Passage, ...]:
    """"Wie gehen Sie vor?" answered by the process the passage belongs to: the first steps
    under its heading (when there are at least three), each by its first sentence."""
    if not fits("process", top):
        return ()
    steps = [p for p in passages if p.source == top.source and p.heading == top.heading]
    if len(steps) < 3:
        return ()
    return tuple(replace(p, text=first_sentence(p.text), block="") for p in steps[:STEPS])


def _priced_items(text: str, questions: list[Question], language: str,
                  knowledge: KnowledgeSearch, ranker: Ranker
                  ) -> dict[int, tuple[tuple[Passage, ...], float]]:
    """"Was würde so etwas kosten?" after a list of what the sender needs: each item priced
    from the passage that names it with an amount, when one matches well enough."""
    wanted: list[tuple[int, str]] = []
    for n, q in enumerate(questions):
        if answer_kind(q.text) == "price" and (_POINTING.search(q.text) or says_little(q.text)):
            wanted.extend((n, item) for item in items_before(text, q.text, ITEMS))
    if not wanted:
        return {}
    found = knowledge.search([item for _, item in wanted], language, 16)
    out: dict[int, tuple[tuple[Passage, ...], float]] = {}
    for (n, item), hits in zip(wanted, found, strict=True):
        ranked = ranker.rank(item, hits, kind="price")
        if ranked and ranked[0].score >= MATCH and fits("price", ranked[0].passage):
            chosen, best = out.get(n, ((), 0.0))
            if ranked[0].passage not in chosen:
                out[n] = ((*chosen, ranked[0].passage), max(best, ranked[0].score))
    return out


# "Ist die Wohnung vom 3. bis 10. März noch frei?", "Is the flat available 12 to 19 April?"
# (not "buchen"/"rent": "What would it cost to rent the flat from 12 to 19 April?" asks the
# price, which the knowledge answers)
_FREE = re.compile(r"\b(?:frei|verfügbar|belegt|ausgebucht|noch zu haben|buchbar|kapazität|"
                   r"available|availability|free|vacant|booked|capacity)\b", re.I)
# moving a stay to other dates asks whether those are free ("Could we move our stay to 20 to
# 23 May?", "Können wir den Aufenthalt auf den 3. bis 7. Juni verschieben?")
_MOVE_STAY = re.compile(r"\b(?:move|shift|change|switch|verschieben|verlegen|umbuchen|"
                        r"tauschen)\b", re.I)
# a place to stay: its nights are what the calendar's bookings block (a caterer's "Kapazität
# vom 7. bis 11." depends on the day's appointments, which this does not weigh)
_LODGING = re.compile(r"\b(?:\w*wohnung|apartment|appartement|flat|cottage|zimmer|room|haus|"
                      r"house|unterkunft|übernacht\w*|nächte|nights?|aufenthalt|stay|urlaub|"
                      r"holiday|vacation|ferien\w*)\b", re.I)


def stay(question: Question, ref: date, language: str, nights: Nights,
         context: tuple[str, ...] = ()) -> str:
    """Whether the place to stay is free for the date range a question names, from the
    calendar's booked nights; "" when the question names no range, no place to stay, or does
    not ask whether it is free. A question without its own range ("Ist die Wohnung in der
    Zeit noch frei?", "Is your flat free then?") takes the first range of its `context` (the
    sentences before it, then the subject) that has one."""
    if not ((_FREE.search(question.text) or _MOVE_STAY.search(question.text))
            and _LODGING.search(question.text)):
        return ""
    span = _first_range((question.text, *context), ref)
    if span is None or (span[1] - span[0]).days > 60:
        return ""
    texts = load_table("drafts/stay")["booked" if nights(*span) else "free"]
    same = (span[0].year, span[0].month) == (span[1].year, span[1].month)
    first = f"{span[0].day}." if language == "de" else str(span[0].day)
    return str(texts.get(language, texts["en"])).format(
        first=first if same else date_text(span[0], language), last=date_text(span[1], language))


def asks_the_business(text: str, language: str, knowledge: KnowledgeSearch) -> bool:
    """The mail asks what the owner's knowledge answers — at least one of its questions, and
    at least half of them, have a passage scoring MATCH: a guest writing about their mother,
    their baby or Christmas asks about the business, not privately ("Gibt es im Haus einen
    Aufzug? Meine Mutter kann nicht gut Treppen steigen")."""
    # only what the sender asks with a question mark: a notice's "bitte sagen Sie den Termin
    # 24 Stunden vorher ab" (the owner's dentist) is no question to her business
    asked = [q.text for q in read_questions(text) if not q.task and q.text.rstrip().endswith("?")]
    if not asked:
        return False
    ranker = Ranker(knowledge.passages())
    found = 0
    for question, hits in zip(asked, knowledge.search(asked, language, 16), strict=True):
        ranked = ranker.rank(question, hits)
        found += bool(ranked and ranked[0].score >= MATCH
                      and not unknown_subject(question, ranker))
    return found > 0 and 2 * found >= len(asked)


def _stay_of(question: str, context: tuple[str, ...], ref: date) -> date | None:
    """The first night of the stay a price question asks about ("Was kostet das?" after "Ist
    die Wohnung vom 3. bis 10. Mai frei"): a date range in the question or, nearest first, in
    what stands before it, the subject or the mail; None when it is no price question or the
    mail names no dates (whether the knowledge prices by season is `stay_price`'s to see)."""
    if answer_kind(question) != "price":
        return None
    span = _first_range((question, *context), ref)
    return span[0] if span else None


def _first_range(texts: tuple[str, ...], ref: date) -> tuple[date, date] | None:
    """The date range of the first of `texts` that names one."""
    return next((r for r in (date_range(x, ref) for x in texts) if r), None)


def is_complaint(category: Category, text: str) -> bool:
    return bool(_COMPLAINT.search(text)) or (category is Category.support
                                             and bool(_FAULT.search(text)))


def _complaint_policy(language: str, knowledge: KnowledgeSearch) -> tuple[Passage, ...]:
    query = ("Reklamation: Wie geht es weiter, wer kümmert sich und bis wann?" if language == "de"
             else "Complaint: what happens next, who takes care of it and by when?")
    hits = Ranker(knowledge.passages()).rank(query, knowledge.search([query], language, 16)[0])
    # only a passage about complaints, faults or warranty says what happens next (a
    # knowledge without one must not answer a complaint with its maintenance contracts)
    return tuple(h.passage for h in hits[:1] if h.score >= MATCH
                 and _REMEDY.search(f"{h.passage.heading} {h.passage.text}"))


def _slots(view: MessageView, decision: Decision, schedule: Scheduler | None,
           asked: list[Question], text: str) -> tuple[str, tuple[TimeSlot, ...], str]:
    """The calendar's free slots: those the scheduling stage already offered, else the
    planner's answer to the questions that ask for a time and the sentences right after
    them that say when (only those are read, so "you came in October" or the appointment
    called off does not become the wish)."""
    ctx = decision.draft_context
    if ctx.get("slots"):
        return ctx["slots"], tuple(decision.calendar.offered), decision.calendar.zone
    if schedule is None or not asked:
        return "", (), ""
    words = " ".join(x for q in asked for x in (q.text, *time_details(text, q.text)))
    mail = view.mail.model_copy(update={"subject": "", "body": BodyText(full=words, new=words)})
    plan = schedule(view.model_copy(update={"mail": mail}), None)
    if plan.draft_context.get("mode") in {"cancel", "unclear"} or not plan.offered:
        return "", (), ""
    return plan.draft_context.get("slots", ""), tuple(plan.offered), plan.timezone


def gather(view: MessageView, category: Category, decision: Decision, language: str,
           now: datetime, sources: Sources) -> DraftMaterial:
    """Questions, answers, facts, slots and greeting for the reply to `view.mail`."""
    mail = view.mail
    text = mail.body.new or mail.body.full
    informal = extract_facts(mail, now).informal
    questions = read_questions(text)
    answers: list[Answer | None] = [None] * len(questions)
    ref = reference_time(mail.date, now).date()
    before = _previous_sentences(text, questions)
    # whether the nights are free is a date range, never a wish for a meeting
    nights = [stay(q, ref, language, sources.nights, (before[i], mail.subject))
              if sources.nights is not None else "" for i, q in enumerate(questions)]
    slots, offered, zone = "", tuple[TimeSlot, ...](), ""
    timed = [q for q, note in zip(questions, nights, strict=True) if q.wants_time and not note]
    if timed or decision.draft_context.get("slots"):
        slots, offered, zone = _slots(view, decision, sources.schedule, timed, text)
    complaint = is_complaint(category, f"{mail.subject}\n{text}")
    for i, q in enumerate(questions):
        if complaint and _WHAT_NEXT.search(q.text):
            answers[i] = Answer(q, "next_step")  # what the reply says happens next answers it
        elif nights[i]:
            answers[i] = Answer(q, "calendar", note=nights[i])  # a date range, not an hour
        elif q.wants_time and slots:
            answers[i] = Answer(q, "calendar")
    # a piece of work asked of the owner is the owner's to promise, never a passage's
    search = [i for i, q in enumerate(questions) if answers[i] is None and not q.task]
    if sources.knowledge is not None and search:
        contexts = [_query(questions[i], before[i], mail.subject) for i in search]
        plain = [questions[i].text for i in search]
        extra = [(n, c) for n, c in enumerate(contexts) if c is not None]
        clauses = [(n, f) for n, f in enumerate(focus(x) or unframed(x) for x in plain)
                   if f is not None]
        queries = plain + [x for _, x in extra] + [x for _, x in clauses]
        all_passages = sources.knowledge.passages()
        ranker = Ranker(all_passages)
        found = [[PassageHit(s.passage, s.score) for s in ranker.rank(query, hits)]
                 for query, hits in zip(queries, sources.knowledge.search(queries, language, 16),
                                        strict=True)]
        results = found[:len(plain)]
        for (n, _), hits in zip(extra, found[len(plain):len(plain) + len(extra)], strict=True):
            # a pointing question ("Was kostet das?") needs its context as much as itself
            penalty = (0.0 if _POINTING.search(plain[n]) or says_little(plain[n])
                       else CONTEXT_PENALTY)
            results[n] = _merge(results[n], hits, penalty)
        for (n, _), hits in zip(clauses, found[len(plain) + len(extra):], strict=True):
            # the asking clause of a long question, without the story told before it
            results[n] = _merge(results[n], hits, FOCUS_PENALTY)
        priced = _priced_items(text, [questions[i] for i in search], language,
                               sources.knowledge, ranker)
        used: set[str] = set()
        for n, (i, hits) in enumerate(zip(search, results, strict=True)):
            chosen, sim = priced.get(n) or _pick(hits, used)
            span = _stay_of(plain[n], (before[i], mail.subject, text), ref)
            if span is not None and (season := stay_price(
                    span, [h.passage for h in hits], all_passages, guests(text))):
                chosen, sim = season, max(sim, hits[0].similarity)  # the stay's season
            if chosen and n not in priced and unknown_subject(plain[n], ranker):
                chosen = ()  # "Verleiht ihr auch Lastenräder?": the knowledge never says
            if chosen and answer_kind(plain[n]) == "process":
                chosen = _first_steps(chosen[0], all_passages) or chosen
            used.update(p.id for p in chosen)
            answers[i] = Answer(questions[i], "knowledge" if chosen else "owner", chosen, sim,
                                items=n in priced and len(chosen) > 1)
    final = tuple(a or Answer(q, "owner") for a, q in zip(answers, questions, strict=True))
    policy = (_complaint_policy(language, sources.knowledge)
              if complaint and sources.knowledge is not None else ())
    examples = tuple(sources.examples(mail)) if sources.examples is not None else ()
    return DraftMaterial(
        language=language,
        greeting=greeting(mail, language, informal, sources.gender_of),
        informal=informal, answers=final,
        facts=() if mail.calendar else tuple(read_facts(f"{mail.subject}\n{text}", ref,
                                                        language)),
        slots=slots, offered=offered, zone=zone, complaint=complaint,
        next_step=tuple(p for p in policy if all(p not in a.passages for a in final)),
        examples=examples,
        sender_language="" if view.language == language or view.language == "und"
        else view.language)
