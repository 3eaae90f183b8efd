"""Rules that are certain enough to decide a category without a model."""

from __future__ import annotations

import re
from collections.abc import Collection
from datetime import date

from agent.classify.signals import spoofed_brand
from agent.scheduling.length import names_kind
from agent.scheduling.when import days_in, times_in
from agent.scheduling.wish import intent_of
from core.models import Category, MessageView

_OOO = re.compile(
    r"^(?:auto(?:matische)?[- ]?(?:antwort|reply)|abwesenheits|out of (?:the )?office|"
    r"automatic reply|autoreply|abwesend|urlaubs?(?:abwesenheit|notiz)|away)",
    re.I,
)
_SOCIAL_DOMAINS = re.compile(
    r"(?:^|\.)(?:facebook|facebookmail|instagram|linkedin|twitter|x|tiktok|youtube|pinterest|"
    r"xing|yelp|trustpilot|google|threads|mastodon|snapchat)\.(?:com|net|de|social|io)$",
    re.I,
)


def certain_category(view: MessageView,
                     appointment_types: Collection[str] = ()) -> tuple[Category, str] | None:
    """(category, rule name) when a deterministic rule is sure, else None."""
    mail = view.mail
    if mail.verdict.spam:  # the provider's filter said so (only "spam" verdicts are read)
        return Category.spam, "provider-verdict"
    if spoofed_brand(view):
        return Category.spam, "auth-fail:" + "+".join(mail.verdict.auth_fail)
    if view.calendar_method in {"REQUEST", "CANCEL", "COUNTER", "DECLINECOUNTER", "REPLY",
                                "ADD", "REFRESH"}:
        return Category.scheduling, f"calendar:{view.calendar_method}"
    if mail.automation.bounce:
        return Category.other, "bounce"
    auto = (mail.automation.auto_submitted or "").lower()
    if auto.startswith("auto-replied") or (auto and _OOO.match(mail.subject)):
        return Category.other, "auto-reply"
    if time_request(view, appointment_types):
        return Category.scheduling, "time-request"
    return None


# "Hast du Freitag Zeit?", "Are you free on Tuesday morning?", "Passt es dir nächste Woche?"
_AVAILABLE = re.compile(
    r"\b(?:hast du|haben sie|hättest du|hätten sie|habt ihr|hättet ihr)\b[^.?!\n]{0,60}\bzeit\b|"
    r"\b(?:bist du|sind sie|seid ihr)\b[^.?!\n]{0,30}\b(?:frei|verfügbar|erreichbar)\b|"
    r"\b(?:are you|r u)\b[^.?!\n]{0,30}\b(?:free|available)\b|"
    r"\b(?:do|would) you have (?:some |any |a bit of )?time\b|\b(?:got|have you got) "
    r"(?:some |any )?time\b|\bpasst (?:es )?(?:dir|ihnen|euch)\b|"
    r"\b(?:when|what time) (?:are you free|would suit you|works for you|suits you)\b|"
    r"\bwann (?:hast du|haben sie|hättest du|hätten sie|passt es)\b|"
    # "Would Thursday work for you?", "Does 3pm suit you?"
    r"\b(?:would|does|will|could)\b[^.?!\n]{0,40}\b(?:work|suit)(?:s)?\b[^.!\n]{0,20}\?|"
    # "Könnten Sie nächste Woche vorbeikommen?", "Could you come by on Monday?"
    r"\b(?:können|könnten|könntest|kannst|kann)\s+(?:sie|du|ihr|wir)\b[^.?!\n]{0,60}"
    r"\b(?:vorbeikommen|vorbeischauen|rauskommen|treffen|telefonieren|sprechen|"
    r"zusammensetzen)\b|"
    # "Wäre es möglich, dass wir uns zwischen den Jahren zusammensetzen?"
    r"\b(?:wäre es möglich|ginge es|geht es),? dass\s+(?:wir|sie|du)\b[^.?!\n]{0,60}"
    r"\b(?:vorbeikommen|vorbeischauen|treffen|telefonieren|sprechen|zusammensetzen)\b|"
    r"\b(?:can|could|would)\s+(?:you|we|someone|somebody|one of your)\b[^.?!\n]{0,60}"
    r"\b(?:come (?:by|over|round|out)|"
    r"drop by|stop by|pop (?:by|round)|meet|talk|have a call|hop on a call|speak|"
    r"get together|sit down)\b|"
    # "We'd like to come in next week to sign it"
    r"\b(?:we'd|we would|i'd|i would) like to (?:come (?:in|by|over|round)|drop by|stop by|"
    r"pop in|meet (?:you|with you|up))\b|"
    r"\bfree for (?:a |an )?(?:coffee|call|chat|quick|meeting|talk)\b")
# what a customer's enquiry or an invoice talks about: not a bare request for a meeting
_OTHER_BUSINESS = re.compile(
    r"\b(?:rechnung|invoice|zahlung|payment|betrag|amount|angebot|quote|preis\w*|price\w*|"
    r"kosten\w*|cost\w*|budget|auftrag|hire|buchen|book you|hochzeit|wedding|€|eur\b)")
MAX_REQUEST = 500  # characters of new text: a clear time request is short …
LONG_REQUEST = 900  # … or, after some context, asks for a meeting and its day in one sentence
_LINE_BREAK = re.compile(r"(?<!\n)\n(?!\n)")  # a wrapped line, not a paragraph


def time_request(view: MessageView, appointment_types: Collection[str] = ()) -> bool:
    """A short mail that asks whether the owner has time at a named day or time — or asks
    for one of the owner's appointment types ("Können wir das Aufmaß nächste Woche
    machen?") — and talks of nothing else a category is made of (prices, invoices, bookings
    of the owner's work): a request for a meeting, whoever sends it."""
    mail = view.mail
    body = mail.body.new or mail.body.full
    text = _LINE_BREAK.sub(" ", f"{mail.subject}\n\n{body}".lower())
    if len(body) > LONG_REQUEST or mail.automation.automated:
        return False
    typed = "?" in text and names_kind(text, appointment_types)
    today = view.reference_time.date()
    sentences = _SENTENCE.findall(text)
    if _asks_appointment(sentences, appointment_types, today, view.language) and not (
            _ORDERS.search(text) or _PRICE.search(text)):
        return True
    if _OTHER_BUSINESS.search(text):
        return False
    if not _ORDERS.search(text) and any(  # "I need to cancel … on Thursday 21st at 10"
            intent_of(sentence) != "request" and _appointment(sentence, appointment_types)
            and _dated(sentence, today, view.language) for sentence in sentences):
        return True
    free_slot = bool(_FREE_SLOT.search(text)) and not (_SOCIAL.search(text)
                                                       or _CAPACITY.search(text))
    if not (typed or free_slot or _AVAILABLE.search(text)):
        # a looser question: the day in that sentence
        meeting = bool(_MEETING.search(text))
        return len(body) <= MAX_REQUEST and any(
            (_SUGGESTED.search(sentence) or (meeting and _SUITS.search(sentence)))
            and not _SOCIAL.search(sentence)
            and _dated(sentence, today, view.language) for sentence in sentences)
    if len(body) > MAX_REQUEST:  # a longer mail: one sentence asks for a meeting and its day
        return any(_dated(sentence, today, view.language)
                   for sentence in sentences
                   if (_AVAILABLE.search(sentence) or sentence.endswith("?")) and (
                       _MEETING.search(sentence) or names_kind(sentence, appointment_types)))
    return _dated(text, today, view.language)


_SENTENCE = re.compile(r"[^.?!\n]+[.?!]?")
# "Ginge es übermorgen gegen halb drei?", "u free next tue?", "Mid-January would be great,
# ideally a Thursday", "Für die Begutachtung würde mir die KW 4 gut passen", "Any chance you
# could squeeze us in this Saturday?" — only with a day or time in the same sentence
_SUGGESTED = re.compile(
    r"\b(?:ginge|geht|passt|klappt|wäre|würde)\s+(?:es|das|ihnen|dir|euch)\b[^?!]{0,80}\?$|"
    r"\b(?:are you|r u|u)\s+(?:around|free|available|about)\b|"
    r"\bany chance\b|\b(?:squeeze|fit) (?:us|me) in\b|"
    r"\b(?:would|will) be (?:great|ideal|perfect|best|fine|good)\b|"
    r"\b(?:würde|wäre) (?:mir|uns)\b[^.?!]{0,40}\b(?:passen|recht|lieb|am liebsten)\b|"
    r"\b(?:wie wäre es|how about|what about)\b")
# asking for a free slot or to book one: "Haben Sie Donnerstag noch einen Termin frei?", "hast
# du morgen nach Feierabend noch was frei?", "do you have anything available on Thursday?",
# "Could I book an appointment with you?"
_FREE_SLOT = re.compile(
    r"\b(?:hast du|haben sie|habt ihr|hättest du|hätten sie|hättet ihr)\b[^.?!\n]{0,60}"
    r"\b(?:frei|offen)\b|"
    r"\b(?:do|would) you have (?:anything|something|any (?:slots?|openings?|appointments?|"
    r"availability|gaps?)|an? (?:slot|spot|gap|opening))\b|"
    r"\b(?:can|could|may) (?:i|we) (?:book|schedule|arrange)\b|"
    r"\b(?:kann|könnte|können|könnten) (?:ich|wir)\b[^.?!\n]{0,60}\b(?:vereinbaren|ausmachen)\b")
# free for a piece of work, not for an appointment: "Hätten Sie im Januar noch Kapazität
# frei?", "Do you have any availability for a new project in spring?" ask the owner to take
# on work (an enquiry), whatever day they name
_CAPACITY = re.compile(r"\b(?:kapazität\w*|capacity|capacities|projekt\w*|projects?|"
                       r"zusammenarbeit|collaborat\w*|freelance\w*|aufträge|jobs?)\b")
# a time that would suit, beside an appointment word in the mail: "nächste Woche Mittwoch
# wär super" (… en termin), "any weekday but Monday next week would work for me"
_SUITS = re.compile(r"\b(?:wäre|wär)\s+(?:super|toll|ideal|perfekt|prima|optimal|klasse)\b|"
                    r"\b(?:would|will) (?:work|suit) (?:for )?(?:me|us)\b")
# a friend's invitation in that sentence is not a meeting
_SOCIAL = re.compile(r"\b(?:party|feier|geburtstag\w*|birthday|kino|cinema|movie|dinner|"
                     r"abendessen|grill\w*|bbq|drinks|bier|beer|brunch|konzert|concert)\b")
_MEETING = re.compile(r"\b(?:termin|erstgespräch|gespräch|besprechung|telefonat|treffen|"
                      r"call|meeting|appointment|consultation|session|visit|besuch)\b")


# a cancelled or moved order, delivery or subscription is no appointment
_ORDERS = re.compile(r"\b(?:bestellung\w*|order\w*|lieferung\w*|deliver\w*|abo\w*|"
                     r"subscription\w*|vertrag\w*|contract\w*|kündig\w*|membership|"
                     r"mitgliedschaft|reservierung|reservation|flug|flight|hotel)\b")


def _appointment(sentence: str, appointment_types: Collection[str]) -> bool:
    """The sentence speaks of an appointment: by name, by one of the owner's types, or with a
    clock time ("the meter replacement on Thursday at 10")."""
    _, rest = days_in(sentence, date(2000, 1, 3), "de")  # dates blanked: "21.1." is no time
    return bool(_MEETING.search(sentence) or names_kind(sentence, appointment_types)
                or any(t.kind == "exact" for t in times_in(rest, "de")))


# someone coming to the customer, the customer coming in: "Could someone come out", "zum
# Ausmessen vorbeikommen", "pop round to have a look"
_VISIT = re.compile(r"\b(?:vorbeikommen|vorbeischauen|vorbeikäme|rauskommen|herauskommen|"
                    r"(?:come|pop|drop|stop|swing)\s+(?:round|around|over|out|by|in)|"
                    r"come (?:and|to) (?:have|take) a look|come and (?:see|measure)|"
                    r"schicken sie (?:bitte )?jemanden|send someone|hausbesuch\w*|"
                    r"home visits?|house calls?)\b")
# a wish put as a statement: "Wir hätten gern einen Termin …", "We'd like you to come …",
# "Wir bräuchten jemanden, der …"
_WISH = re.compile(r"\b(?:hätten|hätte|möchten|möchte|würden|würde)\s+(?:[\w-]+\s+){0,4}gerne?\b|"
                   r"\b(?:wir|ich)\s+(?:möchten|möchte|wollen|will)\b|"
                   r"\b(?:bräuchten|bräuchte|brauchen|benötigen)\b|"
                   r"\b(?:we'd|we would|i'd|i would) (?:like|love)\b|"
                   r"\b(?:we|i) (?:want|need)\b")
_ASKS = re.compile(r"\?\s*$")
# money asked about ("Was würde die Beratung kosten?", "für eine Kostenschätzung wäre ich
# dankbar") is the owner's to answer
_PRICE = re.compile(r"\b(?:\w*kost\w*|preis\w*|price\w*|\w*cost\w*|how much|wie ?viel|budget|"
                    r"rabatt|discount)\b|€")
# a conversation asked for ("Zeit für ein Gespräch", "a quick call"); a bare "Termin" can be
# the booking of the owner's work itself (a photo shoot), so it is not enough here
_TALK = re.compile(r"\b(?:\w*gespräch\w*|besprechung|telefonat|telefonieren|treffen|call|"
                   r"meeting|chat|consultation|rücksprache)\b")
# what one asks for and its day: the same sentence or the two after it
_REACH = 3


def _asks_appointment(sentences: list[str], appointment_types: Collection[str], today: date,
                      language: str) -> bool:
    """A sentence asks for an appointment — one of the owner's types by name or by a strong
    word of its family, a conversation, or a visit — as a question or a wish, and it or one of
    the next two sentences names its day or time without talking money ("Could someone
    pop round next week to measure up?", after a paid invoice; "Wir hätten gern einen
    Termin zur Beratung. Am besten in der übernächsten Woche."). A quote or an invoice
    mentioned beside a type or a visit does not make it another category (beside a mere
    call it does: "Worth a 10-min chat?" after a sales pitch); money asked about does (the
    caller checks)."""
    business = any(_OTHER_BUSINESS.search(sentence) for sentence in sentences)
    for i, sentence in enumerate(sentences):
        if _SOCIAL.search(sentence):
            continue
        appointment = (names_kind(sentence, appointment_types) or _VISIT.search(sentence)
                       or (_TALK.search(sentence) and not business))
        asking = (_ASKS.search(sentence) or _AVAILABLE.search(sentence)
                  or _WISH.search(sentence))
        if appointment and asking and any(
                _dated(later, today, language) and not _OTHER_BUSINESS.search(later)
                for later in sentences[i:i + _REACH]):
            return True
    return False


def _dated(text: str, today: date, language: str) -> bool:
    days, rest = days_in(text, today, language)
    return bool(days or times_in(rest, language))


def social_sender(view: MessageView) -> bool:
    """Mail sent by a social platform's own systems."""
    sender = view.mail.sender
    return sender is not None and bool(_SOCIAL_DOMAINS.search(sender.domain))
