"""The sender's concrete questions and requests, read from what they wrote now.

German and English: sentences that end in a question mark, requests ("bitte …",
"könnten Sie …", "could you …", "please …", "let me know …"), imperatives ("Schicken Sie
mir …", "Send me …"), wishes to know ("ich würde gern wissen …", "I was wondering …") and
the items of a list that a question or a colon introduces. Courtesies ("Ich freue mich auf
Ihre Antwort", "let me know if you need anything") are not questions.

A question that asks for a time with the owner — a call, a meeting, a visit on site — is
marked `wants_time`: the calendar answers it, not the knowledge. A request for a piece of
work — change, correct or add something, send the (corrected) work or send it by a time —
is marked `task`: only the owner can promise it, so no passage of the knowledge answers it
("Das Logo bitte etwas größer" is not answered with the terms of use, "Could you send the
print-ready PDF by tomorrow noon?" not with the Christmas deadlines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_GREETING = re.compile(
    r"^\s*(?:sehr geehrte|liebe|lieber|hallo|hi|hey|moin|servus|grüß|guten (?:tag|morgen|abend)|"
    r"dear|hello|good (?:morning|afternoon|evening)|bonjour|salut|beste|hoi)\b.{0,60}[,!:]?\s*$",
    re.I)
_CLOSING = re.compile(
    r"^\s*+(?:mit )?(?:freundliche[nr]?|viele|beste[n]?|liebe|herzliche[n]?|schöne|sonnige)?\s*"
    r"(?:grüße|gruß)\b|^\s*+(?:with )?(?:best|kind|warm|warmest|kindest|many)?\s*"
    r"(?:regards|wishes|thanks)\b|"
    r"^\s*+(?:cheers|thanks|thank you|danke|vielen dank|mfg|lg|vg|cordialement|bien à vous|"
    r"met vriendelijke groet|sincerely|yours)\b[^?]{0,40}$", re.I)
_REQUEST = re.compile(
    r"\b(?:bitte|könnten sie|können sie|könntest du|kannst du|würden sie|würdest du|"
    r"wären sie so nett|wäre es möglich|ist es möglich|ich bitte um|wir bitten um|"
    r"ich hätte gern|wir hätten gern|ich würde gern(?:e)? wissen|wir würden gern(?:e)? wissen|"
    r"mich würde interessieren|uns würde interessieren|ich frage mich|ich wüsste gern|"
    r"wir wüssten gern|teilen sie mir|geben sie mir|lassen sie mich wissen|sag mir|"
    r"gib mir bescheid|schick mir|sagen sie mir|"
    r"wüsste ich gern|wüssten wir gern|würde ich gern(?:e)? wissen|möchte(?:n)? (?:ich |wir )?"
    r"(?:gern(?:e)? )?wissen|wollte (?:ich )?(?:mal |noch )?(?:fragen|nachfragen)|"
    r"hätte ich gern(?:e)? gewusst|interessiert (?:mich|uns)|(?:mich|uns) interessiert|"
    r"über eine (?:kurze )?(?:info|information|auskunft|rückmeldung|antwort)[^.?!]{0,60}"
    r"würde(?:n)? (?:ich|wir) (?:mich|uns) freuen|"
    r"i(?:'d| would) love to know|i(?:'m| am) curious|"
    r"i(?:'d| would) appreciate (?:a|an|any|some|your|it if|if|knowing|details|information)|"
    r"it would be (?:great|helpful|good) (?:if you could|to know)|wanted to ask|"
    r"it would be (?:great|good|nice|lovely|helpful) to (?:have|set up|arrange|find|fix|"
    r"book|talk|speak|meet|chat|discuss)|(?:es )?wäre (?:schön|toll|super|gut|prima),? "
    r"(?:wenn wir|wenn sie|wenn du|(?:\w+ ){0,3}zu (?:telefonieren|sprechen|treffen))|"
    r"i was hoping you could|keen to know|i(?:'d| would) like to find out|"
    r"(?:i|we) need to know|(?:i|we)(?:'d| would) be interested to (?:know|hear)|"
    r"could you|can you|would you|will you|please|kindly|let me know|let us know|"
    r"i(?:'d| would) like to know|we(?:'d| would) like to know|i was wondering|"
    r"we were wondering|(?:i|we)(?:'m|'re| am| are) (?:also |just )?wondering|i wonder|"
    r"is it possible|would it be possible|do you know|"
    r"i(?:'d| would) be grateful|send me|send us|tell me|tell us|advise)\b", re.I)
_IMPERATIVE_DE = re.compile(r"^(?:\w+(?:en|ern|eln)) (?:sie|Sie)\b(?! haben| sind| werden)")
_IMPERATIVE_EN = re.compile(
    r"^(?:send|tell|give|confirm|quote|check|call|ring|email|share|advise|explain|suggest|"
    r"propose|book|reserve|schedule)\b", re.I)
_COURTESY = re.compile(
    r"freue mich auf|freuen uns auf|vielen dank im voraus|danke im voraus|"
    r"bei fragen|falls sie fragen|wenn sie fragen|melden sie sich gern|"
    r"looking forward|look forward|thanks in advance|thank you in advance|"
    r"if you (?:have|need) any|let me know if you need|let me know if you have|"
    r"feel free to|don't hesitate|zögern sie nicht|"
    r"bitte entschuldigen|entschuldigen sie bitte|please excuse|sorry for", re.I)
# "please get back to me": the reply itself answers it, unless it asks something ("ob …")
_GET_BACK = re.compile(r"\b(?:melden sie sich|melde dich|meldet euch|rückmeldung|antworten sie|"
                       r"get back to (?:me|us)|hear from you|reply|respond)\b", re.I)
_ASKS = re.compile(r"\b(?:ob|wann|wie|was|welche\w*|wo|whether|if|when|how|what|which|where)\b",
                   re.I)
_INTRO = re.compile(r"\b(?:fragen|frage|questions?|wissen|know|klären|clarify|unklar|offen|open|"
                    r"wondering)\b.{0,60}:\s*$|\?\s*$", re.I)
_ITEM = re.compile(r"^\s*(?:[-*•–]|\d{1,2}[.)]|[a-z][.)])\s+(.*)$")
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9„\"(¿¡])")
_ABBREV_END = re.compile(r"(?:\b(?:z|d|u|ca|bzw|inkl|ggf|evtl|Nr|Dr|Prof|Str|usw|etc|vgl|"
                         r"Mr|Ms|Mrs|St|no|approx|e\.g|i\.e|vs)|(?<![:\d.])\d{1,2})\.$")

# a time with the owner: a call, a meeting, a visit, a viewing on site
_WANTS_TIME = re.compile(
    r"\b(?:terminvorschlag|terminvorschläge|gesprächstermin|beratungstermin|vor[- ]ort[- ]termin|"
    r"besichtigung|besichtigen|vorbeikommen|vorbei ?zu ?kommen|vorbeischauen|vorbeizuschauen|"
    r"anschauen kommen|ansehen kommen|vor ort (?:an(?:zu)?sehen|an(?:zu)?schauen|kommen|vorbei)|"
    r"aufmaß|telefonat|telefonieren|anrufen|rückruf|zurückrufen|"
    r"(?:haus|kunden)?besuch|besuchen|\w*gespräch|probestunde|probetraining|schnupperstunde|"
    r"probelektion|trial (?:lesson|session|class)|intro(?:ductory)? (?:call|meeting|chat)|"
    r"quick chat|have a chat|catch up|"
    r"ruf(?:en sie)? (?:mich|uns) an|videocall|video-?call|kennenlernen|treffen|"
    r"call|phone|ring me|ring us|meeting|meet|visit|come (?:by|over|round|and (?:look|see|have))|"
    r"stop by|drop by|pop (?:by|round|over)|appointment|site visit|viewing|consultation|"
    r"slot|available (?:for a|to (?:meet|talk|come))|free (?:for a|to (?:meet|talk))|"
    # "Können Sie zum Ausmessen kommen?", "Could you come and measure the windows?"
    r"ausmessen|aufmessen|zum (?:ausmessen|aufmessen|messen|anschauen|ansehen) (?:\w+ )?kommen|"
    r"come (?:and|to) (?:measure|check|assess|inspect|quote)|"
    r"fit (?:us|me|it) in|squeeze (?:us|me|it) in|"
    r"(?:set up|find|arrange|agree on|fix) (?:a |an )?(?:time|date|appointment)|"
    r"book (?:a|an|the|our|my) (?:\w+ )?(?:session|lesson|appointment|slot|visit|call|meeting)|"
    r"(?:haben|hätten|hast|hättest|habt) (?:sie|du|ihr) (?:\w+ ){0,4}(?:einen )?termin)\b",
    re.I)
# an appointment asked for in other words: "Termin"/"Zeit"/"time" with a wish to fix one, or
# a service wanted within a named time ("kannst du es nächste Woche stimmen?")
_APPOINTMENT = re.compile(
    r"\b(?:termin|appointment|zeit|time)\b.{0,40}\b(?:vereinbaren|ausmachen|machen|"
    r"vorschlagen|frei|haben|hätten|hast|hättest|passt|book|schedule|arrange|set up|suggest|"
    r"have|free)\b|\b(?:wann|when)\b.{0,40}\b(?:zeit|termin|time|appointment|free|"
    r"available|kommen|come)\b", re.I)
_WHEN_FRAME = re.compile(
    r"\b(?:nächste[n]? woche|kommende[n]? woche|diese[r]? woche|morgen|übermorgen|"
    r"(?:montag|dienstag|mittwoch|donnerstag|freitag|samstag)(?:vormittag|nachmittag|abend|"
    r"morgen)?|next week|this week|tomorrow|"
    r"monday|tuesday|wednesday|thursday|friday|saturday)\b", re.I)
_CAN_YOU = re.compile(r"\b(?:können sie|könnten sie|kannst du|könntest du|could you|can you|"
                      r"would you be able|are you able)\b", re.I)
# "Habt ihr Dienstag nachmittags Zeit?", "Do you have time on Monday?": the wish first
_HAVE_TIME = re.compile(
    r"\b(?:hast du|haben sie|hätten sie|hättest du|habt ihr|do you have|have you got|are you)\b"
    r".{0,50}\b(?:zeit|time|free)\b", re.I)
# a day offered or asked for: "Would Monday morning work for you?", "which date is best?",
# "Wann können Sie den Schrank abholen?", "Could the visits be scheduled on Tuesdays?"
_DAY_SUITS = re.compile(
    r"\b(?:work for you|suit(?:s)? you|convenient|passt (?:es |das )?(?:ihnen|dir|euch)|"
    r"geht (?:es |das )?bei (?:ihnen|dir|euch)|ginge (?:es|das)|würde (?:es|das) gehen|"
    r"(?:would|does|will|could) (?:\w+ ){1,4}work)\b", re.I)
_WHICH_DAY = re.compile(r"\b(?:which|what) (?:day|date|time)\b|"
                        r"\bwelche[nrm]? (?:tag|zeit|termin)\b|\bschedul\w*\b", re.I)
_WHEN_COME = re.compile(
    r"\b(?:wann|when)\b.{0,60}\b(?:abholen|abholung|vorbeischicken|vorbeibringen|"
    r"pick (?:\w+ )?up|collect|send someone|come|"
    # "Wann könnten Sie sich das Sofa ansehen?", "When could you have a look at it?"
    r"ansehen|anschauen|angucken|anzusehen|anzuschauen|begutachten|have a look|take a look)\b|"
    r"\b(?:zu uns|zu mir|bei uns|bei mir|to us|to our|to my)\b.{0,40}"
    r"\b(?:kommen|vorbeikommen|come)\b",
    re.I)
_NOT_TIME = re.compile(r"\b(?:liefertermin|fertigstellungstermin|delivery|lieferung|fertig|"
                       r"ready|dauer|dauert|how long|wie lange|"
                       # asking what a visit or call costs: the knowledge answers that
                       r"was kostet|was kosten|wie ?viel kostet|wie teuer|kostenlos|gratis|"
                       r"kostenpflichtig|how much|what does \w+(?: \w+){0,3} cost|for free|"
                       r"free of charge|is there a (?:fee|charge)|"
                       # the sender comes to the owner's counter: opening hours answer that
                       r"(?:can|could) (?:we|i) (?:collect|pick)|öffnungszeit\w*|geöffnet|"
                       r"(?:kann|können) (?:ich|wir) (?:\w+ ){0,3}abholen|opening hours|open|"
                       # walking in is what the opening or walk-in hours answer
                       r"ohne termin|ohne anmeldung|without (?:an )?(?:appointment|booking)|"
                       r"while (?:i|we) wait|walk-?in|"
                       # from when the sender may join is a rule, not a meeting: "Ab wann darf
                       # ich zum Kurs kommen?", "How soon after the birth can I come?"
                       r"ab wann (?:darf|dürfen|kann|können) (?:ich|wir|man)|"
                       r"how soon after)\b",
                       re.I)


# a deadline is not a meeting: "bis Montag", "by Thursday", "spätestens morgen"
# the names of the days and months, German and English, as the patterns below use them
_WEEKDAYS = ("montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag|monday|tuesday|"
             "wednesday|thursday|friday|saturday|sunday")
_MONTHS_DE = "januar|februar|märz|april|mai|juni|juli|august|september|oktober|november|dezember"
_MONTHS_EN = ("january|february|march|april|may|june|july|august|september|october|november|"
              "december")
_DEADLINE = re.compile(
    r"\b(?:bis|spätestens|by|until|before|no later than)\s+(?:spätestens\s+)?(?:zum\s+|"
    r"(?:the )?end of\s+|ende\s+)?(?:nächste[nr]? |kommende[nr]? |next |this |diese[rn]? )?"
    rf"(?:woche|week|morgen|übermorgen|heute|tomorrow|today|{_WEEKDAYS})\w*", re.I)
# moving a time: "Können wir auf nächste Woche gehen?", "could we push it to next week?"
_MOVE = re.compile(r"\b(?:(?:auf|to) (?:die |the )?(?:nächste|kommende|next) (?:woche|week)|"
                   r"verschieben|verlegen|reschedul\w*|postpone)\b", re.I)
# the owner is asked to do it: "können Sie", "bitte", "could you", "please", an imperative
_YOU_DO = re.compile(r"\b(?:können sie|könnten sie|kannst du|könntest du|würden sie|"
                     r"würdest du|könnt ihr|könntet ihr|bitte|could you|can you|would you|"
                     r"will you|please|kindly)\b", re.I)
_CHANGE = re.compile(
    r"\b(?:einarbeiten|einbauen|ändern|abändern|korrigieren|anpassen|ergänzen|unterbringen|"
    r"austauschen|tauschen|ersetzen|entfernen|streichen|löschen|rausnehmen|herausnehmen|"
    r"vergrößern|verkleinern|nachbessern|überarbeiten|umstellen|aktualisieren|"
    r"(?:größer|kleiner|breiter|schmaler|heller|dunkler|fetter)(?: machen| setzen| stellen)?|"
    r"fix|change|correct|amend|adjust|update|remove|replace|swap|enlarge|revise|tweak|"
    r"make (?:it|this|that|them|the \w+) (?:bigger|smaller|larger|bolder|brighter|darker))\b",
    re.I)
# money given back or credited: "Bitte schreiben Sie mir die Stunde wieder gut", "Können Sie
# mir den Betrag erstatten?", "Please refund the class" — the owner's to decide
_CREDIT = re.compile(r"\b(?:gut ?schreiben|gutgeschrieben|wieder gut|zurückbuchen|erstatten|"
                     r"zurückerstatten|zurückzahlen|zurückgeben|refund|reimburse|credit (?:it|"
                     r"(?:the|this|that|my) \w+) back|credit (?:\w+ )?to my|give (?:\w+ )?back)\b",
                     re.I)
_SEND = re.compile(r"\b(?:schicken|senden|zusenden|zuschicken|mailen|liefern|bereitstellen|"
                   r"send|deliver|get (?:it|them|the \w+) (?:to|over))\b", re.I)
# what is sent is the work: "die korrigierten Dateien", "a revised version", "the final PDF"
_WORK = re.compile(r"\b(?:korrigierte\w*|überarbeitete\w*|druckfertige\w*|finale\w*|"
                   r"neue version|corrected|revised|updated|new version|final|print-ready|"
                   r"fixed)\b", re.I)
# ...unless it is information the knowledge holds: a price list, a quote, the details
_INFO = re.compile(r"\b(?:angebot|kostenvoranschlag|preisliste|preise\w*|info\w*|unterlagen|"
                   r"broschüre|katalog|speisekarte|details|quote|estimate|price list|prices|"
                   r"pricing|rates|brochure|catalogue|catalog|menu|information)\b", re.I)
_STATUS = re.compile(r"\b(?:heute|morgen|umgehend|sofort|asap|today|tomorrow|"
                     r"as soon as possible|so schnell wie möglich)\b", re.I)


# "Können Sie die Saite ersetzen, und was kostet das?": the price is what it asks
_ASKS_PRICE = re.compile(r"\b(?:kost\w*|preis\w*|wie ?viel|wie lange|how much|how long|"
                         r"cost\w*|price\w*|charge)\b", re.I)


# what was agreed with this sender before: "vom gleichen Kostenrahmen wie im Frühjahr", "the
# same terms as last time" — the knowledge holds the standard terms, not that agreement
_AGREED = re.compile(
    r"\b(?:wie (?:im|beim|bei|letztes|letzte[ns]?|vergangene[ns]?|voriges|vorige[ns]?) "
    r"(?:\w+ )?(?:frühjahr|sommer|herbst|winter|jahr|mal|auftrag|projekt|\w*katalog|\w*programm)|"
    r"wie (?:besprochen|vereinbart|abgesprochen)|"
    r"as (?:last time|before|agreed|discussed)|same (?:\w+ ){0,2}as (?:last|before))\b",
    re.I)


# the state of the sender's own order: "Ist mein Rad schon fertig?", "Is my order ready yet?"
_STATUS_Q = re.compile(
    r"\b(?:(?:ist|sind|wird|werden) (?:mein|meine|unser|unsere)\w* (?:\w+ ){1,2}"
    r"(?:schon|bereits|inzwischen|endlich|noch nicht)\b|"
    r"(?:is|are) (?:my|our) (?:\w+ ){1,2}(?:ready|done|finished|repaired|fixed|shipped|"
    r"on (?:its|their|the) way)|wie ist der (?:stand|status)|wie weit sind sie|"
    r"what(?:'s| is) the status|where is (?:my|our)|wo (?:bleibt|ist) (?:mein|meine|unser))",
    re.I)
# booking something for given days: whether it is free is the owner's booking book
_BOOKING = re.compile(r"\b(?:leihen|ausleihen|mieten|reservieren|buchen|vormerken|rent|hire|"
                      r"book|reserve)\b", re.I)
_DAYS = re.compile(
    rf"\b\d{{1,2}}\.\s?(?:\d{{1,2}}\.|{_MONTHS_DE})|\b(?:{_MONTHS_EN}) \d{{1,2}}\b|"
    rf"\b\d{{1,2}}(?:st|nd|rd|th)? (?:of )?(?:{_MONTHS_EN})\b|\b(?:{_WEEKDAYS})\b", re.I)


def is_task(sentence: str) -> bool:
    """A piece of work asked of the owner (change, correct, send the work or send it by a
    time), what was agreed with this sender before, the state of their own order, or a
    booking for given days: the owner's to promise or confirm, not a question the knowledge
    answers."""
    if _AGREED.search(sentence) or _STATUS_Q.search(sentence):
        return True
    if _BOOKING.search(sentence) and _DAYS.search(sentence) and not _ASKS_PRICE.search(sentence):
        return True
    if not _YOU_DO.search(sentence) or _ASKS_PRICE.search(sentence):
        return False
    if _CHANGE.search(sentence) or _CREDIT.search(sentence):
        return True
    if _SEND.search(sentence) and not _INFO.search(sentence):
        return bool(_WORK.search(sentence) or _DEADLINE.search(sentence)
                    or _STATUS.search(sentence))
    return False


@dataclass(frozen=True)
class Question:
    text: str  # the sender's sentence, as written
    wants_time: bool = False  # asks for a call, meeting or visit: the calendar answers
    task: bool = False  # asks the owner to do a piece of work: the owner answers


def body_lines(text: str) -> list[str]:
    """The new text without greeting, closing and signature."""
    out: list[str] = []
    for line in text.splitlines():
        if _CLOSING.match(line) and out:
            break
        if not out and _GREETING.match(line):
            continue
        out.append(line.rstrip())
    return out


def _sentences(text: str) -> list[str]:
    parts: list[str] = []
    for piece in _SENTENCE.split(text):
        if parts and _ABBREV_END.search(parts[-1]):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return [p.strip() for p in parts if p.strip()]


def _units(lines: list[str]) -> list[tuple[str, bool]]:
    """(sentence, is a list item under a question intro) for paragraphs and list items; a
    list item's wrapped lines belong to it."""
    units: list[tuple[str, bool]] = []
    para: list[str] = []
    item: list[str] = []
    intro = False

    def flush() -> None:
        nonlocal intro
        if item:
            joined = " ".join(item)
            units.extend((x, intro) for x in _sentences(joined))
            item.clear()
        if para:
            joined = " ".join(para)
            units.extend((x, False) for x in _sentences(joined))
            intro = bool(_INTRO.search(joined))
            para.clear()

    for line in lines:
        m = _ITEM.match(line)
        if m:
            flush()
            item.append(m.group(1).strip())
        elif not line.strip():
            flush()
            intro = intro and not units  # a blank line after a list ends it
        elif item:
            item.append(line.strip())  # the item's wrapped continuation
        else:
            para.append(line.strip())
    flush()
    return units


# "…, dann kannst du schon mal reinschauen.": what the sender lets the owner do, not a request
_LEAVE = re.compile(r"\b(?:dann|damit|sodass|so dass|then|so that|so)\s+(?:kannst du|können sie|"
                    r"könnt ihr|you can|you could)\b", re.I)


def _is_question(sentence: str, in_list: bool) -> bool:
    s = sentence.strip()
    if len(s) < 6 or _COURTESY.search(s):
        return False
    if _GET_BACK.search(s) and not _ASKS.search(s):
        return False
    if in_list and not s.endswith("."):
        return True
    if s.endswith("?"):
        return True
    if s.endswith(":") or _LEAVE.search(s):
        return False
    return bool(_REQUEST.search(s) or _IMPERATIVE_DE.match(s) or _IMPERATIVE_EN.match(s))


_COMPOUND = re.compile(
    r",?(?<!\s)\s++(?:and|und|sowie)\s++(?=(?:let (?:me|us) know|tell (?:me|us)|could you|"
    r"can you|would you|"
    r"do you|does|is there|are there|is it|what|how|when|whether|if you|ob|wann|wie|was|"
    r"welche\w*|können sie|könnten sie|kannst du|gibt es|ist (?:die|der|das|es)|sind|"
    r"\w+(?:e|n|st|t) (?:sie|du|ihr|man)|(?:kann|darf|muss|soll) (?:ich|man)|"
    r"(?:können|dürfen|müssen|sollen) wir|(?:do|does|is|are|can|could|will|would|should) "
    r"(?:you|we|i|it|they|there))\b)", re.I)


# "Teilen Sie mir mit, ob …, ob … und ob …": each "ob"/"whether" clause is its own question
# (a whitespace run is entered only at its start: linear on a line of spaces, where
# "\s+(?:und|…)" tried from every position of the run was quadratic — 44 s on 40,000)
_CLAUSES = re.compile(r"(?:,\s*|(?<!\s)\s+(?:und|oder|and|or)\s+)(?=(?:ob|whether)\b)", re.I)


_WH = re.compile(r"^(?:\w++ ){0,2}(?:wie|was|wann|wo|welche\w*|warum|wieso|how|what|when|where|"
                 r"which|why)\b", re.I)
_POINTS_BACK = re.compile(r"\b(?:das|dies\w*|dafür|davon|dazu|that|this|it|those|them)\b", re.I)


def split_compound(sentence: str) -> list[str]:
    """"How much is it, and do you travel to Halle?" → two questions."""
    clauses = _CLAUSES.split(sentence)
    if len(clauses) >= 3 and all(len(c.split()) >= 3 for c in clauses):
        # the first clause keeps its lead-in ("Können Sie mitteilen, ob …"), the others
        # stand as "Ob …?"
        end = "?" if sentence.rstrip().endswith("?") else "."
        if not re.search(r"\b(?:ob|whether)\b", clauses[0], re.I):
            clauses = [f"{clauses[0].rstrip(' ,')}, {clauses[1]}", *clauses[2:]]
        out = [c.strip(" ,").rstrip(".?") + end for c in clauses]
        return [p[:1].upper() + p[1:] for p in out]
    parts = [p.strip(" ,") for p in _COMPOUND.split(sentence) if p and p.strip(" ,")]
    if len(parts) < 2 or any(len(p.split()) < 3 for p in parts):
        return [sentence]
    if not _WH.match(parts[0]) and any(len(p.split()) <= 6 and _POINTS_BACK.search(p)
                                       for p in parts[1:]):
        # "Do you provide staff, and how is that charged?" asks about the first half ("Wie
        # gehen Sie vor, und was würde das kosten?" about the project: two questions)
        return [sentence]
    end = "?" if sentence.rstrip().endswith("?") else "."
    out = [p if p.endswith(("?", ".", "!")) else p + end for p in parts]
    return [p[:1].upper() + p[1:] for p in out]


def wants_time(sentence: str) -> bool:
    if _NOT_TIME.search(sentence):
        return False
    framed = _DEADLINE.sub(" ", sentence)  # "bis Montag" asks for the work, not a meeting
    return bool(_WANTS_TIME.search(sentence) or _APPOINTMENT.search(sentence)
                or _HAVE_TIME.search(sentence) or _WHICH_DAY.search(sentence)
                or _WHEN_COME.search(sentence) or _MOVE.search(sentence)
                or (_WHEN_FRAME.search(framed) and (_CAN_YOU.search(framed)
                                                    or _DAY_SUITS.search(framed))))


def question(text: str) -> Question:
    task = is_task(text)
    return Question(text=text, wants_time=not task and wants_time(text), task=task)


def read_questions(text: str, limit: int = 8) -> list[Question]:
    """The sender's questions and requests in the order they wrote them."""
    found: list[Question] = []
    for sentence, in_list in _units(body_lines(text)):
        if _is_question(sentence, in_list):
            s = re.sub(r"\s+", " ", sentence).strip()
            head, colon, tail = s.partition(": ")
            # "zwei Fragen: Muss …?", "Eine Sache noch, die mir eingefallen ist: Bitte …"
            if colon and len(tail) >= 10 and (len(head) <= 40 or not _is_question(head, False)):
                s = tail[:1].upper() + tail[1:]
            found.extend(question(x) for x in split_compound(s))
    unique = {q.text.lower(): q for q in reversed(found)}  # the first of equal questions
    return [q for q in found if unique[q.text.lower()] is q][:limit]


_ENUM = re.compile(r"(?:^|:\s*)([^:]{3,200}?(?:,\s*[^,]{2,60}){1,}\s+(?:und|and|sowie|or|oder)"
                   r"\s+[^,]{2,60}?)$")
_PAREN = re.compile(r"\s?\(([^()]*)\)")  # one space before, not \s*: linear on long blanks


def _enumeration(sentence: str) -> list[str]:
    """"Logo, Praxisschild, Briefpapier und eine Website" → the parts; a parenthesis first
    ("kosten (Logo, Flyer A5)?"), then the sentence without its parentheses."""
    for candidate in [*_PAREN.findall(sentence), _PAREN.sub("", sentence).rstrip(" .?!")]:
        m = _ENUM.search(candidate)
        if not m and candidate in _PAREN.findall(sentence) and candidate.count(",") >= 1:
            m = re.match(r"(.*)", candidate)
        if m:
            parts = re.split(r",\s*|(?<!\s)\s+(?:und|and|sowie|or|oder)\s+", m.group(1))
            parts = [x.strip(" .") for x in parts if len(x.strip()) >= 3]
            if len(parts) >= 2 and all(len(x.split()) <= 6 for x in parts):
                return parts
    return []


def items_before(text: str, question: str, limit: int = 5) -> list[str]:
    """The things a pointing question refers to ("Was würde so etwas kosten?", "Could you
    give us a rough price range?"): the items of the list just before it, else an
    enumeration ("Logo, Praxisschild, Briefpapier und eine Website") in the sentence before
    or in the question itself. [] when there is none."""
    lines = body_lines(text)
    flat = [re.sub(r"\s+", " ", x).lower() for x in lines]
    key = question[:20].lower()
    at = next((n for n, line in enumerate(flat) if key in line), None)
    if at is None:
        return []
    items: list[str] = []
    gap = 0
    for line in reversed(lines[:at]):
        m = _ITEM.match(line)
        if m:
            items.insert(0, m.group(1).strip())
        elif items:
            break
        elif line.strip():
            gap += 1
            if gap > 3:  # only a list close above the question
                break
    if len(items) >= 2:
        return [re.sub(r"\s+", " ", x) for x in items[:limit]]
    joined = re.sub(r"\s+", " ", " ".join(lines[max(0, at - 3):at + 1]))
    pos = joined.lower().find(key)
    window = joined[:pos + len(question)] if pos >= 0 else joined
    for sentence in reversed(_sentences(window)[-2:]):
        parts = _enumeration(sentence)
        if parts:
            return parts[:limit]
    return []


# a sentence that says when: a day, a date, a clock time or a part of the day
_SAYS_WHEN = re.compile(
    rf"\b(?:{_WEEKDAYS}|vormittag\w*|nachmittag\w*|morgens|abends|"
    r"mornings?|afternoons?|evenings?|\d{1,2}\.\d{1,2}\.|\d{1,2}(?::\d\d)?\s?(?:uhr|am|pm)|"
    r"ab \d{1,2}|after \d{1,2}|\d{1,2}:\d\d)\b", re.I)
_CALLS_OFF = re.compile(r"\b(?:absag\w*|abzusagen|storn\w*|cancel\w*|call off|"
                        r"sag\w*(?: \w+){0,4} ab(?=[.!,;])|fällt(?: \w+)? aus|"
                        r"klappt (?:\w+ )?nicht|can(?:no|')t make|won't make)\b", re.I)


def time_details(text: str, question: str, limit: int = 2) -> list[str]:
    """The sentences right after a question for a time that say when ("Können wir auf
    nächste Woche gehen? Mir würde Montag ab 14 Uhr oder Dienstag vormittags passen."):
    the wish is in them. Not a sentence that calls a time off."""
    sentences = [re.sub(r"\s+", " ", x) for x, _ in _units(body_lines(text))]
    key = question[:30].lower()
    at = next((n for n, x in enumerate(sentences) if key in x.lower()), None)
    out: list[str] = []
    for x in sentences[at + 1:] if at is not None else []:
        if len(out) >= limit or not _SAYS_WHEN.search(x) or _CALLS_OFF.search(x):
            break
        out.append(x)
    return out


def first_sentence(text: str) -> str:
    """The first sentence of a text (abbreviations and ordinals do not end it)."""
    parts = _sentences(text)
    return parts[0] if parts else text
