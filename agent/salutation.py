"""The greeting a reply opens with: the sender's own register, with their name and title.

"Sehr geehrte Frau Brenner" → "Sehr geehrter Herr Dr. Körner,"; "Hallo Jana" → "Hallo
Lukas,"; "Dear Ms Brenner" → "Dear Dr Hughes,"; "Hi Jana" → "Hi Tom,"; no name → a neutral
greeting. The name comes from the sender's signature (where people write their title) or
their From header; Herr/Frau and Mr/Ms only when the first name tells (`gender_of`), else the
full name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from core.models import Mail

GenderOf = Callable[[str], str | None]  # first name → "f", "m" or None

_OPENING = re.compile(
    r"^\s*(sehr geehrte[rs]?|liebe[rs]?|hallo|hi|hey|moin|servus|grüß gott|guten tag|"
    r"guten morgen|guten abend|dear|hello|good morning|good afternoon|good evening|bonjour|"
    r"hoi|hej|beste|geachte|buongiorno|hola)\b[ ,]*(.{0,60}?)[ ,!:]*$", re.I)
_TITLE = re.compile(r"^(?:(?:prof|dr|dipl|ing|mag|med|rer|nat|phil|jur|dres|msc|bsc|ba|ma|"
                    r"mba)\.?(?:[- ](?:ing|med|rer|nat|phil|jur)\.?)*\s+)+", re.I)
# Of the titles people sign with, only "Dr." and "Prof." belong in a salutation (German and
# English usage alike): "Dipl.-Ing. Till Quast" is greeted "Herr Quast".
_SALUTE_TITLES = ("prof", "dr")
_HONORIFIC = re.compile(r"^(?:herr|frau|mr|ms|mrs|miss|mx|monsieur|madame|mme|m)\.?\s+", re.I)
_CLOSING = re.compile(
    r"^\s*+(?:mit )?(?:freundliche[nr]?|viele|beste[n]?|liebe|herzliche[n]?|schöne|sonnige)?\s*"
    r"(?:grüße|gruß)|^\s*+(?:with )?(?:best|kind|warm|warmest|kindest|many)?\s*"
    r"(?:regards|wishes|thanks)|^\s*+(?:cheers|"
    r"thanks|thank you|danke|vielen dank|mfg|lg|vg|cordialement|sincerely|yours|bien à vous)|"
    r"^\s*+(?:best|beste|bests|ciao|tschüss|bis bald|bis dann|servus|cheers|thx|all the best|"
    r"take care|xo|hg|bg)\s*+[,.!]?\s*+$", re.I)
_NOT_A_NAME = re.compile(
    r"\b(?:gmbh|mbh|ag|kg|ug|ohg|gbr|eg|partg|e\.\s?v\.|ltd|inc|llc|llp|plc|corp|aps|ab|as|"
    r"oy|bv|b\.v\.|nv|sa|sas|sarl|srl|spa|s\.l\.|"
    r"zur|zum|und|and|für|for|of|website|webshop|shop|gasthaus|gasthof|restaurant|café|cafe|"
    r"bistro|bäckerei|verlag|group|gruppe|holding|"
    r"team|info|office|service|support|verwaltung|"
    r"hotel|schule|musikschule|praxis|kanzlei|\w*verein|gemeinschaft|erbengemeinschaft|firma|"
    r"kita|kindergarten|elternbeirat|\w*gemeinde|club|society|association|foundation|"
    r"company|studio|agentur|agency|buchhaltung|sekretariat|kontakt|contact|noreply|"
    r"manager|assistant|assistenz|geschäftsführ\w*|inhaber\w*|tel|phone|mobil|www|straße|"
    r"str\.|street)\b|[@\d/|:]", re.I)
# name particles, written small inside a name ("Maarten van Dijk", "Ursula von der Leyen")
_PARTICLES = frozenset({"von", "van", "de", "der", "den", "zu", "da", "di", "del", "le", "la",
                        "ten", "ter", "vom", "dos", "das", "du"})
_ROLE_MAILBOX = re.compile(
    r"(?:no-?reply|do-?not-?reply|info|office|kontakt|contact|mail|post|hello|hallo|team|"
    r"service|support|verwaltung|buchhaltung|booking|buchung|reservierung|reservations?|"
    r"sales|vertrieb|admin|webmaster|anfrage|anfragen|enquiries|inquiries|form|formular|"
    r"website|web)(?:[._+-].*)?$", re.I)
_LEGAL_FORM = re.compile(r"\b(?:gmbh|mbh|ag|kg|ug|ohg|gbr|e\.\s?v\.|ltd|inc|llc|llp|plc|corp|aps|"
                         r"ab|as|oy|bv|b\.v\.|nv|sa|sas|sarl|srl|spa)\b", re.I)
_DE_HONORIFIC = re.compile(r"(?:herr|frau|herrn)\b", re.I)
# the sender addressed the owner by honorific ("Dear Ms …", "Beste mevrouw …", "Bonjour
# Madame …"): the reply does the same
_FORMAL_ADDRESS = re.compile(
    r"(?:mr|ms|mrs|miss|mx|dr|prof|madame|monsieur|mme|herr|frau|mevrouw|meneer|signora|"
    r"signor|señora|señor|sra|sr|fru|pani|pan)\b\.?", re.I)
_SIR = re.compile(r"\b(?:sir|madam|team|all|there|everyone|folks)\b", re.I)
_WORD = re.compile(r"^[A-ZÄÖÜÀ-Þ][\wÀ-ÿ'’-]*\.?$")


@dataclass(frozen=True)
class Person:
    first: str = ""
    last: str = ""
    title: str = ""  # "Dr.", "Prof. Dr."
    gender: str | None = None  # "f" | "m" | None

    @property
    def known(self) -> bool:
        return bool(self.first or self.last)


def _clean_title(title: str) -> str:
    words = re.split(r"[\s]+|(?<=\.)-", title.strip())
    kept = [w.strip(".-").capitalize() + "." for w in words
            if w.strip(".-").lower() in _SALUTE_TITLES]
    return " ".join(kept)


def parse_name(text: str) -> Person | None:
    """"Dr. Matthias Körner", "Körner, Matthias", "Frau Petra Wilms" → a person; a company,
    an address or a phone number → None."""
    name = re.sub(r"\s+", " ", text.strip().strip('"').strip(",")).strip()
    if not name or _NOT_A_NAME.search(name) or len(name) > 50 or _CLOSING.match(name):
        return None
    if "," in name:
        last, _, first = name.partition(",")
        name = f"{first.strip()} {last.strip()}"
    honorific = _HONORIFIC.match(name)
    gender = None
    if honorific:
        word = honorific.group(0).strip().rstrip(".").lower()
        gender = "m" if word in {"herr", "mr", "monsieur", "m"} else "f"
        name = name[honorific.end():]
    title_m = _TITLE.match(name)
    title = _clean_title(title_m.group(0)) if title_m else ""
    name = name[title_m.end():] if title_m else name
    words = name.split()
    if not 1 <= len(words) <= 4 or not all(_WORD.match(w) or (i and w.lower() in _PARTICLES)
                                            for i, w in enumerate(words)):
        return None
    if len(words) == 1:
        return Person(first=words[0], title=title, gender=gender)
    i = len(words) - 1
    while i > 1 and words[i - 1].lower() in _PARTICLES:
        i -= 1
    return Person(first=words[0], last=" ".join(words[i:]), title=title, gender=gender)


def _signature_person(mail: Mail) -> Person | None:
    """The name the sender signed with: the first name-like line after their closing."""
    text = (mail.body.signature or "") or ""
    lines = [x.strip() for x in text.splitlines() if x.strip()]
    if not lines:
        tail = (mail.body.new or "").splitlines()
        for i, line in enumerate(tail):
            if _CLOSING.match(line):
                lines = [x.strip() for x in tail[i:] if x.strip()]
                break
    if lines and (closing := _CLOSING.match(lines[0])):
        # "Cheers, Quentin" / "Gruß K. Brandl": the name on the closing line itself
        after = lines[0][closing.end():].strip(" ,.!-–")
        lines = ([after] if after else []) + lines[1:]
    for line in lines[:2]:
        person = parse_name(line)
        if person is not None:
            return person
        if _LEGAL_FORM.search(line):
            return None  # signed as a company: the next line is its address, not a name
    return None


def sender_person(mail: Mail, gender_of: GenderOf | None = None) -> Person:
    """Who wrote the mail: the signature's name, completed from the From header."""
    addr = mail.reply_address
    role = bool(addr and _ROLE_MAILBOX.match(addr.email.partition("@")[0]))
    name = addr.name if addr else ""
    if addr and not name and mail.sender and mail.sender.email.lower() == addr.email.lower():
        name = mail.sender.name  # a bare Reply-To to the From address (calendar services)
    # a role mailbox's display name is a company or a form, not who wrote the text
    header = parse_name(name) if name and not role else None
    signed = _signature_person(mail)
    person = header or signed or Person()
    if signed is not None and header is not None:
        same = signed.first == header.first or (signed.last and signed.last == header.last)
        if same:
            person = Person(first=header.first or signed.first,
                            last=header.last or signed.last,
                            title=signed.title or header.title,
                            gender=signed.gender or header.gender)
        elif signed.last and not header.last:
            person = signed
    elif signed is not None and not person.known:
        person = signed
    if person.gender is None and person.first and gender_of is not None:
        person = Person(person.first, person.last, person.title, gender_of(person.first))
    return person


# "Hallo Anna, wie besprochen: …": an opening and a first name, the text going on after the
# comma — found further down too, where a calendar service puts the organiser's note below
# the event's title, time and place
_OPENING_INLINE = re.compile(
    r"^\s*((?i:hallo|hi|hey|liebe[rs]?|moin|servus|dear|hello))\s+([A-ZÄÖÜ][\w'-]{1,30}),")


def sender_opening(mail: Mail) -> tuple[str, str]:
    """(the opening word as the sender wrote it, lowercased; the rest of the line)."""
    lines = [line for line in (mail.body.new or "").splitlines()[:20] if line.strip()]
    if lines and (m := _OPENING.match(lines[0])):
        return m.group(1).lower(), m.group(2).strip()
    for line in lines[:12]:
        if m := _OPENING_INLINE.match(line):
            return m.group(1).lower(), m.group(2)
    return "", ""


def signed_first_name_only(mail: Mail) -> bool:
    s = _signature_person(mail)
    return s is not None and not s.last


# the sender's informal opening → the reply's ("Hallo" for any other)
_DE_INFORMAL = {"liebe": "Liebe", "lieber": "Liebe", "liebes": "Liebe", "hi": "Hi", "hey": "Hey",
                "moin": "Moin", "servus": "Servus"}
_DE_FIRST_NAME_OPENINGS = {"hallo", *_DE_INFORMAL}


def _de(person: Person, opening: str, informal: bool, rest: str) -> str:
    # "Hallo Julia," / "Liebe Julia,": the sender greeted by first name — answered in kind
    first_name_basis = (opening in _DE_FIRST_NAME_OPENINGS and bool(rest)
                        and len(rest.split()) == 1 and not _DE_HONORIFIC.match(rest)
                        and rest[:1].isupper())
    if informal or (first_name_basis and person.first):
        if not person.first:
            return "Hallo,"
        word = _DE_INFORMAL.get(opening, "Hallo")
        if word == "Liebe" and person.gender == "m":
            word = "Lieber"
        elif word == "Liebe" and person.gender is None:
            word = "Hallo"
        return f"{word} {person.first},"
    if not person.last:
        if opening.startswith("sehr geehrte") and "damen" in rest.lower():
            return "Sehr geehrte Damen und Herren,"
        return "Guten Tag,"
    title = f"{person.title} " if person.title else ""
    if person.gender is None:
        return f"Guten Tag {title}{person.first} {person.last},".replace("  ", " ")
    address = "Herr" if person.gender == "m" else "Frau"
    if opening in {"hallo", "moin"} and _DE_HONORIFIC.match(rest):
        # "Hallo Frau Brenner" is answered in kind: "Hallo Herr Fischer,"
        return f"{opening.capitalize()} {address} {title}{person.last},"
    # a business reply in the "Sie" register: "Sehr geehrte/r" whatever the sender opened
    # with ("Guten Tag Herr …", "Liebe Frau …", "Hallo,", no greeting at all)
    return f"Sehr geehrte{'r' if person.gender == 'm' else ''} {address} {title}{person.last},"


def _en(person: Person, opening: str, informal: bool, rest: str, first_only: bool) -> str:
    word = {"hi": "Hi", "hey": "Hi", "hej": "Hi", "hello": "Hello", "dear": "Dear",
            "good morning": "Hello", "good afternoon": "Hello", "good evening": "Hello"}.get(
                opening, "Dear")
    if not person.first and not person.last:
        return "Hello," if word != "Dear" else "Dear Sir or Madam," if "sir" in rest.lower() \
            else "Hello,"
    formal_rest = bool(_FORMAL_ADDRESS.match(rest))
    # first names when the sender used one ("Hi Jana", "Dear Jana") or signed with theirs
    # alone; a full signature and no first name in the opening ("Hello,", "Dear Ms …") ask
    # for title and last name
    first_name_basis = word == "Hi" or informal or first_only or (
        bool(rest) and not formal_rest and not _SIR.search(rest))
    if person.last and (formal_rest or not first_name_basis):
        if person.title:
            return f"Dear {person.title.split()[0].rstrip('.')} {person.last},"
        if person.gender:
            return f"Dear {'Mr' if person.gender == 'm' else 'Ms'} {person.last},"
        return f"Dear {person.first} {person.last},".replace("Dear  ", "Dear ")
    if not opening and not person.last:
        return f"Hello {person.first},"  # no opening to mirror, only a first name signed
    return f"{word} {person.first or person.last},"


def greeting(mail: Mail, language: str, informal: bool,
             gender_of: GenderOf | None = None) -> str:
    """The opening line of the reply, ending in a comma."""
    person = sender_person(mail, gender_of)
    opening, rest = sender_opening(mail)
    if language == "de":
        return _de(person, opening, informal, rest)
    return _en(person, opening, informal, rest, signed_first_name_only(mail))
