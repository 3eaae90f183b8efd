"""Which of the owner's knowledge passages answers a question: the nearest passages by
meaning (e5 cosine, from `core.ports.KnowledgeSearch`) re-ranked by what a reader checks
first — does the passage name the question's rare words (German compounds by their parts:
"Klaviertransport" finds "Transport"), and is it the kind of answer asked for (a price
question wants an amount, a "how long" question a duration).

Pure: the passages and their similarities come in, a ranking goes out.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from core.ports import Passage, PassageHit

# weight of the shared rare words (0..1 of the question's, by idf) in the score
LEXICAL = 0.05
# the kind of answer asked for: a passage of that kind gains KIND, one without loses it
KIND = 0.012
# an FAQ entry answers its own question: it loses up to FAQ by the share of that question's
# rare words the sender did not write ("Kann ich mein Kind mitbringen?" is no answer to "Was
# muss ich zur ersten Stunde mitbringen?")
FAQ = 0.03
_TERM = re.compile(r"[^\W\d_]{4,}")
_STOPWORDS = """
eine einen einem einer eines sind wird werden wurde haben habe hätte hätten können könnten
kann muss müssen soll sollte sollten würde würden wäre wären bitte auch noch schon dass wenn
oder aber eigentlich gibt ihre ihren ihrem ihnen unser unsere unseren unserem mein meine
meinen meinem dein deine deinen dies diese dieser dieses diesem denn dann etwa ungefähr
gerne gern frage fragen danke vielen welche welcher welches wann warum darf dürfen machen
nach über unter bis beim vom zum zur mich mir uns euch ihm sich nicht kein keine jetzt
this that these those with from have would could should your yours what when where which
much many does will there about their they them also just still shall might like into
than then been being were please thanks thank question questions know need want wondering
kostet kosten kostest preis preise teuer ungefähr cost costs price prices expensive roughly
ourselves yourself yourselves myself itself something anything everything nothing somebody
anybody other others another same such only very really quite rather some each every both
give tell send share rough range idea estimate ballpark approximately around maybe perhaps
possible possibly able interested looking forward okay fine good great sure
etwas jemand alles nichts andere anderen anderer anderes solche solchen solcher nur sehr
wirklich ziemlich einige einigen jeder jede jedes beide geben sagen schicken senden nennen
mitteilen grob grobe groben ungefähre ungefähren schätzung möglich möglichkeit interesse
vielleicht eventuell okay prima super gerade derzeit aktuell momentan
zwei drei vier fünf sechs sieben acht neun zehn zwölf zwanzig erste ersten zweite zweiten
neue neuen neuer neues alte alten alter altes große großen kleine kleinen
three four five seven eight nine twelve twenty first second third
"""
_STOP = frozenset(_STOPWORDS.split())  # function words and the words of asking a price

_PRICE_Q = re.compile(
    r"\b(?:kost\w*|preis\w*|\w*satz|honorar\w*|gebühr\w*|pauschal\w*|tarif\w*|aufpreis|"
    r"zuschlag|rabatt|budget|teuer|günstig|berechne\w*|verlange\w*|\w*konditionen|"
    r"anzahlung|vorkasse|upfront|up front|in advance|deposit|"
    r"price\w*|pricing|cost\w*|how much|rate|rates|fee|fees|charge\w*|quote|expensive|"
    r"discount|surcharge|budget)\b", re.I)
_DURATION_Q = re.compile(
    r"\b(?:wie lange|wie schnell|wie bald|dauer\w*|dauert|lieferzeit\w*|wartezeit\w*|"
    r"bearbeitungszeit\w*|vorlauf\w*|wann (?:\w+ )?(?:fertig|geliefert|bekomm\w*)|"
    r"how long|how soon|how quickly|how fast|lead time|turnaround|waiting time|delivery time|"
    r"when (?:\w+ ){0,4}(?:ready|done|finished|delivered)|"
    # how much notice: "Wie weit im Voraus …?", "eine Woche vorher", "how far in advance"
    r"wie (?:weit|früh|lange) (?:im )?(?:voraus|vorher)|im voraus (?:bestell|buch|reservier)\w*|"
    r"(?:eine?|\d+) (?:woche|wochen|tage?n?|werktage?n?|monate?n?) (?:vorher|im voraus|davor)|"
    r"how (?:far|early|much) (?:in advance|ahead)|how much notice|"
    r"(?:order|book|reserve|tell you|let you know) (?:\w+ ){0,3}(?:in advance|ahead)|"
    r"(?:a|one|\d+) (?:week|weeks|days?|working days|months?) (?:before|ahead|in advance))\b",
    re.I)
_CLOCK_Q = re.compile(
    r"\b(?:ab wann|um wie ?viel uhr|uhrzeit\w*|öffnungszeit\w*|geöffnet|sprechzeit\w*|"
    r"erreichbar|check-?in|check-?out|what time|opening hours|office hours|"
    r"are you open|reach you|arrival time|departure time|"
    # arrival asked about, not named as the point a span counts from ("drei Wochen vor der
    # Anreise absagen" asks about cancelling, not the check-in time)
    r"(?<!vor der )(?<!nach der )(?<!vor )(?<!nach )(?:anreise|abreise)|"
    # "Haben Sie samstags auf?", "Are you open on Saturdays?"
    r"(?:haben|hast|habt) (?:sie|du|ihr) (?:\w+ ){0,3}(?:auf|offen)|"
    r"(?:are you|is the \w+) (?:\w+ ){0,2}open)\b", re.I)
_DISTANCE_Q = re.compile(r"\b(?:wie weit|entfernt|entfernung|how far|distance|far from|"
                         r"walking distance|minutes from|minuten (?:vom|von|zum|zur|bis)|"
                         # "Liefern Sie bis nach Baunatal?", "Do you travel to Halle?"
                         r"(?:liefern|kommen|fahren) (?:sie|du|ihr) (?:\w+ ){0,3}(?:nach|bis)|"
                         r"bis nach|(?:deliver|travel|come|drive) (?:\w+ ){0,2}(?:to|as far as)"
                         r")\b", re.I)
# "Ist die Anfahrt im Preis enthalten?", "Is the consultation free?": a yes or no, not an amount
_INCLUDED = re.compile(r"\b(?:enthalten|inbegriffen|inklusive|inkl|included|include[sd]?|"
                       r"kostenlos|kostenpflichtig|gratis|umsonst|free|for nothing|"
                       # "Kostet das mehr?", "Does it cost extra?": whether, not how much
                       r"kostet (?:das|es|die \w+|der \w+) (?:\w+ )?(?:mehr|extra)|"
                       r"(?:mehr|extra) kostet|cost (?:\w+ )?(?:more|extra)|"
                       r"charge (?:\w+ )?extra)\b", re.I)
_PROCESS_Q = re.compile(
    r"\b(?:wie gehen sie (?:\w+ ){0,4}vor|wie geht (?:ihr|du) (?:\w+ ){0,4}vor|"
    r"wie läuft (?:\w+ ){0,4}ab|wie (?:ist|wäre) der ablauf|ablauf|vorgehen|"
    r"how (?:does|would) (?:it|this|that|the \w+) work|how do you (?:proceed|work|go about)|"
    r"what(?:'s| is| are| would be) the (?:process|procedure|next steps|steps)|"
    r"how (?:does|would) (?:the|a) \w+ (?:work|run|go))\b", re.I)
_PROCESS = re.compile(r"ablauf|vorgehen|so (?:arbeite|gehe)|arbeitsweise|schritt|process|"
                      r"how (?:we|it|a \w+) (?:work|run)|steps|procedure|workflow", re.I)
_WHEN_Q = re.compile(r"\b(?:wann|bis wann|ab wann|when|by when|how soon)\b", re.I)
_CLOCK = re.compile(r"\b\d{1,2}(?:[:.]\d\d)?\s?(?:uhr|am|pm|h)\b|\b\d{1,2}:\d\d\b", re.I)
# (?<![\d.,]): a number is read from its first digit only (linear on long digit runs)
_DISTANCE = re.compile(r"(?<![\d.,])\d+(?:[.,]\d+)?\s?(?:km|m|meter|metres?|meters?|kilometer\w*|"
                       r"minuten|minutes|min|gehminuten)\b", re.I)
_DATE = re.compile(r"\b\d{1,2}\.\s?(?:\d{1,2}\.|januar|februar|märz|april|mai|juni|juli|"
                   r"august|september|oktober|november|dezember)|\b\d{1,2}(?:st|nd|rd|th)? "
                   r"(?:january|february|march|april|may|june|july|august|september|october|"
                   r"november|december)\b|\b(?:montag|dienstag|mittwoch|donnerstag|freitag|"
                   r"samstag|sonntag|monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
                   r"\w*", re.I)
_AMOUNT = re.compile(r"(?<![\d.,])\d[\d.,]*\s?(?:€|eur\b|euro\b)|€\s?\d|\d\s?%", re.I)
_NUMBER_WORDS = (r"(?:\d+(?:[,.]\d+)?(?:\s?[–-]\s?\d+)?|ein\w*|zwei|drei|vier|fünf|sechs|"
                 r"acht|zehn|zwölf|one|two|three|four|five|six|eight|ten|twelve|a few|"
                 r"wenige\w*|einige\w*|several|a couple of)")
_DURATION = re.compile(
    rf"\b{_NUMBER_WORDS}\s+(?:\w+\s)?(?:werk)?(?:tage?n?|wochen?|monate?n?|jahre?n?|stunden?|minuten|"
    r"days?|working days|business days|weeks?|months?|years?|hours?|minutes)\b", re.I)


@dataclass(frozen=True)
class Scored:
    passage: Passage
    similarity: float  # e5 cosine
    score: float  # cosine + shared rare words + kind of answer


_FOLD = str.maketrans({"ä": "a", "ö": "o", "ü": "u", "ß": "ss"})


def _fold(word: str) -> str:
    """Lowercase without umlauts: a German plural finds its singular ("Stühle" → "stuhle",
    matching "Stuhl"; "Gärten" → "Garten")."""
    return word.lower().translate(_FOLD)


def terms(text: str) -> set[str]:
    """The question's content words, lowercase (function words and price words left out)."""
    return {_fold(t) for t in _TERM.findall(text) if t.lower() not in _STOP}


def _full_text(p: Passage) -> str:
    """What a passage says with the headings above it, folded (what words are looked up in)."""
    return _fold(f"{p.context} {p.heading} {p.text}")


def _words(p: Passage) -> tuple[str, set[str]]:
    text = _full_text(p)
    return text, _word_set(text)


def _word_set(text: str) -> set[str]:
    """The words of five letters or more, which a compound of the question may contain."""
    return {w for w in _TERM.findall(text) if len(w) >= 5}


_SUFFIXES = ("ungen", "ing", "en", "er", "es", "e", "n", "s")


def _stem(word: str) -> str:
    """A word without its inflection ending ("hunde" → "hund", "parking" → "park")."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[:-len(suffix)]
    return word


# a German separable verb's prefix: its participle puts "ge" after it ("einlösen" →
# "eingelöst", "absagen" → "abgesagt", "anmelden" → "angemeldet")
_SEPARABLE = ("zuruck", "ein", "aus", "auf", "ab", "an", "mit", "vor", "nach", "zu", "um")


def _contains(text: str, term: str) -> bool:
    """The term's stem in the text: a long stem also inside a compound ("transport" in
    "klaviertransport"), a short one only where a word starts ("rate" not in "corporate");
    the stem is the first six letters or the word without its ending, whichever is shorter;
    a separable verb also as its participle ("einlösen" in "eingelöst")."""
    stem = min(term[:6], _stem(term), key=len)
    if len(stem) >= 5 and stem in text:
        return True
    if len(stem) < 5 and re.search(rf"\b{re.escape(stem)}", text) is not None:
        return True
    prefix = next((x for x in _SEPARABLE if term.startswith(x) and len(term) - len(x) >= 5), "")
    if prefix and term.endswith("en"):
        participle = f"{prefix}ge{_stem(term)[len(prefix):]}"
        return re.search(rf"\b{re.escape(participle)}", text) is not None
    return False


class Ranker:
    """Re-ranks hits against one knowledge; keeps the document frequency of the words seen."""

    def __init__(self, passages: Iterable[Passage]) -> None:
        self._texts = [_full_text(p) for p in passages]
        self._df: dict[str, int] = {}

    def _count(self, term: str) -> int:
        cached = self._df.get(term)
        if cached is None:
            cached = sum(1 for t in self._texts if _contains(t, term))
            self._df[term] = cached
        return cached

    def idf_count(self, term: str) -> int:
        """In how many passages the term (or its stem) occurs."""
        return self._count(term)

    def idf(self, term: str) -> float:
        return math.log((1 + len(self._texts)) / (1 + self._count(term)))

    def overlap(self, question: str, p: Passage) -> float:
        """The share of the question's rare words (weighted by idf) that the passage or its
        heading contains; a German compound counts when a word of the passage is a part."""
        want = terms(question)
        if not want:
            return 0.0
        text, words = _words(p)
        return self._share(want, text, words, 0.0)

    def asked_share(self, faq: str, written: str) -> float:
        """The share of an FAQ question's rare words (weighted by idf) that the sender's
        text contains; 1.0 when it has none."""
        text = _fold(written)
        return self._share(terms(faq), text, _word_set(text), 1.0)

    def _share(self, want: Iterable[str], text: str, words: Collection[str],
               empty: float) -> float:
        """The idf-weighted share of `want` found in `text` or as a part of one of its
        `words` (a German compound); `empty` when nothing is wanted."""
        total = hit = 0.0
        for t in want:
            w = self.idf(t)
            total += w
            if _contains(text, t) or any(x in t for x in words):
                hit += w
        return hit / total if total else empty

    def rank(self, question: str, hits: Sequence[PassageHit],
             kind: str | None = None) -> list[Scored]:
        """`question` is the sentence asked (after " ‖ " when context precedes it: only the
        question's own words are matched); `kind` the kind of answer wanted, when the
        question's words do not tell it."""
        own = question.split(" ‖ ")[-1]
        kind = answer_kind(own) if kind is None else kind
        out = []
        for h in hits:
            score = h.similarity + LEXICAL * self.overlap(own, h.passage)
            if kind:
                score += KIND if fits(kind, h.passage) else -KIND
            faq = faq_question(h.passage)
            if faq:
                score -= FAQ * (1 - self.asked_share(faq, question))
            out.append(Scored(h.passage, h.similarity, score))
        return sorted(out, key=lambda s: -s.score)


def faq_question(p: Passage) -> str:
    """The question an FAQ entry answers: its heading when that is a question, else a
    question the passage opens with ("Kann ich mein Kind mitbringen? Nur in …"); ""."""
    if p.heading.rstrip().endswith("?"):
        return p.heading
    head, mark, rest = p.text.partition("?")
    return f"{head}?" if mark and rest.strip() and len(head) <= 150 else ""


_LEAD_IN = re.compile(r"\s[–—-]\s|;\s|:\s")
_ASKING = re.compile(
    r"^(?:und |and |but |aber |also |so )?(?:was|wie|wann|wo|welche\w*|wieviel\w*|warum|ob|"
    r"gibt|ist|sind|kann|können|könnten|würden|würde|wäre|muss|müssen|habe|haben|hätten|"
    r"bieten|machen|nehmen|berechnen|what|how|when|where|which|why|whether|would|will|"
    r"do|does|did|is|are|can|could|should|shall|may|might|have|has)\b", re.I)


_POINTS = re.compile(r"\b(?:das|dies\w*|dafür|davon|dazu|es|so \w+|that|this|it|those|these|"
                     r"them|such)\b", re.I)


def focus(question: str) -> str | None:
    """The asking clause of a question that first tells a story ("Wir ziehen im Januar nach
    Plagwitz, zweiter Stock ohne Aufzug – was würde der Umzug kosten?" → "was würde der
    Umzug kosten?"); None when there is no lead-in, or the clause only points back."""
    parts = [p for p in _LEAD_IN.split(question) if p.strip()]
    clause = parts[-1].strip() if len(parts) > 1 else ""
    if not clause:
        commas = question.rsplit(", ", 1)
        clause = commas[1].strip() if len(commas) == 2 and _ASKING.match(commas[1]) else ""
    if len(clause.split()) < 3 or len(clause) > 0.8 * len(question) or _POINTS.search(clause):
        return None  # "– what would you charge for that?" says nothing without the story
    return clause[:1].upper() + clause[1:]


# the frame of an indirect question: "Außerdem wüsste ich gern, ob …", "We're also wondering
# whether …", "Could you tell us how …" — what follows is the question itself
_FRAME = re.compile(
    r"^(?:[^,.?!]{0,30}\b)?(?:(?:ich|wir) (?:wüssten?|würden?|möchten?|hätten?) (?:\w+ ){0,3}"
    r"(?:wissen|erfahren|gewusst)|(?:mich|uns) würde (?:\w+ ){0,2}interessieren|"
    r"(?:wüssten?|möchten?) (?:ich|wir) (?:\w+ ){0,2}(?:gern|gerne|wissen)|"
    r"(?:können|könnten) sie (?:mir|uns) (?:\w+ ){0,2}(?:sagen|mitteilen)|"
    r"(?:i|we)(?:'m|'re| am| are| was| were)? (?:also |just )?wondering|i wonder|"
    r"(?:i|we)(?:'d| would) (?:like|love) to know|(?:could|can) you (?:\w+ ){0,2}"
    r"(?:tell|let) (?:me|us)(?: know)?)[ ,]+(?=(?:ob|wie|was|wann|welche\w*|whether|if|how|what|"
    r"when|which)\b)", re.I)


def unframed(question: str) -> str | None:
    """The question without its asking frame ("We're also wondering whether the tasting is
    free" → "Whether the tasting is free"); None when it has none."""
    m = _FRAME.match(question)
    if m is None or len(question[m.end():].split()) < 3:
        return None
    rest = question[m.end():]
    return rest[:1].upper() + rest[1:]


# a yes/no question: no question word ("Verleiht ihr auch Lastenräder?", "Do you offer a
# photo print?"); and the nouns it asks about: a German noun inside the sentence, an English
# word after an article; not a place ("nach Markkleeberg") or a person ("Frau Keller")
_WH_WORD = re.compile(r"\b(?:was|wie|wann|wo|woher|wohin|welche\w*|warum|wieso|weshalb|"
                      r"wieviel\w*|what|how|when|where|which|why|who|whom)\b", re.I)
_NOUN_DE = re.compile(r"(?<=[\w,;)] )[A-ZÄÖÜ][a-zäöüß]{4,}(?:-[A-ZÄÖÜ]?[a-zäöüß]+)*")
_NOUN_EN = re.compile(r"\b(?:a|an|any|your|our|my|the)\s+([a-z]{5,})\b")
_NOT_A_THING = re.compile(r"\b(?:nach|aus|bis|in|to|from|near|bei|herr|frau|mr|ms|mrs|dr)\.?"
                          r"\s+([A-ZÄÖÜ][\w-]+)", re.I)


def unknown_subject(question: str, ranker: Ranker) -> str:
    """The thing a yes/no question asks about when the owner's knowledge never names it
    ("Verleiht ihr auch Lastenräder?" to a shop whose knowledge rents out city bikes and
    e-bikes): no passage can say yes or no to it, however close it comes. "" otherwise.
    The noun's stem is looked up as the ranking does (its first six letters also inside a
    compound), so a knowledge that names it in any form keeps the question."""
    own = unframed(question) or question
    if _WH_WORD.search(own):
        return ""
    # the main clause only: what a "dass"/"wenn"/"if" clause or a second question after the
    # comma names is not what the yes or no is about ("Können Sie garantieren, dass in den
    # glutenfreien Sachen …")
    own = own.split(",")[0]
    skip = {m.lower() for m in _NOT_A_THING.findall(own)}
    nouns = [*_NOUN_DE.findall(own), *_NOUN_EN.findall(own)]
    for noun in nouns:
        word = _fold(noun)
        if noun.lower() in skip or word in _STOP or noun.lower() in _STOP:
            continue
        if ranker.idf_count(word) == 0:
            return str(noun)
    return ""


def says_little(question: str) -> bool:
    """No word of substance ("Was würde so etwas ungefähr kosten?", "Could you give us a rough
    price range?"): what it asks about stands in the sentences before it."""
    return not terms(question)


def answer_kind(question: str) -> str:
    """What kind of answer the question asks for: "duration" (how long), "clock" (from what
    time, opening hours), "distance" (how far), "price", "when" (a date or a time span),
    "process" (how the work goes), or "" when its words do not tell."""
    included = _INCLUDED.search(question)
    for kind, pattern in (("process", _PROCESS_Q), ("duration", _DURATION_Q), ("clock", _CLOCK_Q),
                          ("distance", _DISTANCE_Q), ("price", _PRICE_Q), ("when", _WHEN_Q)):
        if pattern.search(question) and not (kind == "price" and included):
            return kind
    return ""


def fits(kind: str, p: Passage) -> bool:
    """The passage holds the kind of answer asked for."""
    text = f"{p.heading} {p.text}"
    if kind == "price":
        return bool(_AMOUNT.search(text))
    if kind == "clock":
        return bool(_CLOCK.search(text))
    if kind == "distance":
        return bool(_DISTANCE.search(text))
    if kind == "process":
        return bool(_PROCESS.search(p.heading))
    if kind == "when":
        return bool(_DURATION.search(text) or _DATE.search(text))
    return bool(_DURATION.search(text))
