"""Requests that must reach the owner whatever the category (CONTRACT §4 rule 2): bank
detail changes, unusual or urgent payments, credential and data requests, and text that
addresses the agent itself.

Everything a sender can write is read — subject, text, quoted history, the HTML's visible
and hidden text, attachment names and attachment text (PDF included) — after folding
(agent/fold.py: look-alike letters of other scripts as Latin, invisible characters gone).
The decision rests on more than words:

- IBANs are found and validated (`schwifty`: country format and check digits); an IBAN in
  the sender's own text that differs from the ones this sender or company used before
  (`known`, from the store through Deps) is a bank detail change whatever the wording;
- concepts (bank details, change, payment, urgency, credentials, a request to send) count
  only together, in the same or the next sentence — not by character distance — in seven
  languages (agent/lexicon.py), next to entities: a validated IBAN, a deadline by the hour;
- a credential named in a sentence that says it will never be asked for is no request.
A false alarm costs a notification; a miss could cost money.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field

from agent import lexicon
from agent.fold import fold
from core.models import Mail, Risk

_I = re.I | re.S
_SCAN_CHARS = 200_000  # per source; bounds the work on a huge body
_MAX_IBAN_CANDIDATES = 50


def _alt(*words: str) -> str:
    return "|".join(words)


def _near(a: str, b: str, gap: int = 80) -> re.Pattern[str]:
    """`a` and `b` within `gap` characters of each other, in either order."""
    return re.compile(rf"\b(?:{a}).{{0,{gap}}}\b(?:{b})|\b(?:{b}).{{0,{gap}}}\b(?:{a})", _I)


def _concept(words: Iterable[str]) -> re.Pattern[str]:
    """Stems at a word start, on folded text; a space stands for any run of blanks."""
    stems = sorted({re.escape(fold(w)).replace(r"\ ", r"\s+") for w in words},
                   key=len, reverse=True)
    return re.compile(rf"(?<!\w)(?:{'|'.join(stems)})")


def _all(table: dict[str, list[str]]) -> list[str]:
    return [w for words in table.values() for w in words]


_BANK = _concept(_all(lexicon.BANK))
_ACCOUNT = _concept(lexicon.ACCOUNT)
_CHANGE = _concept(_all(lexicon.CHANGE))
_PAY = _concept(_all(lexicon.PAY))
_URGENT = _concept(_all(lexicon.URGENT))
_CRED = _concept([*_all(lexicon.CREDENTIAL), "pin-code", "pin code", "pincode", "pin-nummer",
                  "tan-code", "tan-nummer"])
_ASK = _concept(_all(lexicon.ASK))
_NEVER = _concept(lexicon.NEVER)
# "PIN" and "TAN" only in capitals: "pin it to your profile" is no code
_CAPS_CODE = re.compile(r"\b(PIN|TAN)\b")
# a deadline by the hour: "bis 14 Uhr", "by 2 pm", "avant 14h", "entro le 14", "do 14:00"
_DEADLINE = re.compile(
    r"(?<!\w)(?:bis|by|before|avant|antes de las|entro le|entro|do|voor)\s+(?:ore\s+|"
    r"godziny\s+)?[0-9]{1,2}(?:[:.][0-9]{2})?\s*(?:uhr|h\b|am\b|pm\b|uur|o'clock|$|[\s,.])")
_BOUNDARY = re.compile(r"[.!?](?=\s)|\n")
# an IBAN as people write it: country, check digits, blocks of four (spaces or not)
_IBAN = re.compile(r"(?<![a-z0-9])[a-z]{2}[0-9]{2}(?:[ -]?[a-z0-9]{4}){2,8}"
                   r"(?:[ -]?[a-z0-9]{1,3})?(?![a-z0-9])")

_DATA = _alt(
    r"kontaktdaten\s+(?:von|der|unserer|ihrer|aller)", r"contact\s?details\s+of",
    r"list\s+of\s+(?:all\s+)?(?:your\s+)?(?:customers|clients|contacts)",
    r"copies\s+of\s+(?:the\s+)?(?:\d+\s+)?(?:most\s+recent\s+|last\s+)?(?:e-?mails|contracts)",
    r"alle\s+(?:meine|ihre|deine|unsere)\s+(?:termine|kontakte|kunden|rechnungen|e-?mails)",
    r"(?:referenz|reference)\s?-?(?:kunden|clients|customers)",
    r"andere[nr]?\s+(?:kunden|agenturen)", r"other\s+(?:clients|customers|agencies)",
    r"kundenliste", r"kundendaten", r"kundenkartei", r"customer\s?(?:list|data|database|records)",
    r"client\s?(?:list|data)", r"kontaktliste", r"contact\s?list", r"adressliste",
    r"alle\s?(?:e-?mails|mails|rechnungen|verträge|kontakte|dokumente|unterlagen|termine)",
    r"all\s?(?:e-?mails|emails|invoices|contracts|contacts|documents|files|appointments|messages)",
    r"datenbank", r"database\s?export", r"datenexport", r"export\s+(?:der|aller|all|of)",
    r"personalakte", r"mitarbeiterdaten",
    r"payroll", r"lohnabrechnung", r"steuer-?id", r"ausweis", r"passport",
    r"kalenderdaten", r"kalender-?export", r"calendar\s?(?:data|export)", r"posteingang",
    r"inbox",
)
_HAND_OVER = _alt(
    r"weiterleit", r"forward", r"schick", r"send", r"übermitt", r"export", r"zukommen",
    r"share", r"teilen", r"hochladen", r"upload", r"cc\b", r"bcc\b", r"kopie\s?an",
    r"submit", r"einreichen", r"übersenden", r"hänge", r"attach",
    r"copy\s?to",
)

_GIFT = _alt(
    r"gutschein-?karten", r"geschenkkarten", r"gift\s?cards?", r"itunes", r"google\s?play\s?karten",
    r"amazon-?gutschein", r"steam-?karten", r"paysafe", r"bitcoin", r"krypto", r"crypto\s?wallet",
)

# Text that talks to the agent instead of the owner: a real sender writes to a person.
_AGENT = (r"(?:(?:ai|ki)[-\s])?(?:ai|ki|a\.i\.|assistant|assistent(?:in|en)?|bot|agent|"
          r"language\s+model|llm|chatgpt|gpt|sprachmodell|automated\s+(?:system|assistant)|"
          r"automatische[rn]?\s+(?:system|assistent(?:en)?))")
_INJECTION = re.compile(_alt(
    rf"\b(?:dear|hey|hallo|hi|liebe[rs]?|note\s+(?:to|for)|hinweis\s+(?:an|für)|"
    rf"message\s+(?:to|for)|nachricht\s+an|an|to|for|für)\s+(?:the\s+|den\s+|die\s+|das\s+|"
    rf"my\s+|your\s+|our\s+|mein(?:e[mnr]?)?\s+|ihr(?:e[mnr]?)?\s+|unser(?:e[mnr]?)?\s+)?"
    rf"(?:e-?mail\s+)?{_AGENT}\s*[:,]",
    rf"(?:^|\n)[ \t]*{_AGENT}[ \t]*:",
    r"\b(?:ai|ki)[-\s]?(?:assistent(?:in)?|assistant|agent|system)\s*[:,]",
    r"(?:ignore|disregard|forget|ignoriere|ignorieren\s+sie|vergiss|vergessen\s+sie|missachte)\s+"
    r"(?:all\s+|alle\s+|your\s+|deine\s+|ihre\s+)?(?:previous|prior|earlier|above|"
    r"vorherigen?|bisherigen?|obigen?)",
    r"system\s*(?:prompt|message|nachricht|notice|instruction|anweisung)",
    r"(?:nachricht|anweisung|message|instruction)s?\s+(?:vom|von\s+der|from\s+the)\s+"
    r"(?:inhaber|owner|geschäftsführung|chef)",
    r"(?:mark|markiere|markieren\s+sie)\s+(?:this|diese[ns]?)\s+(?:mail\s+|nachricht\s+)?"
    r"(?:as|als)\s+(?:approved|freigegeben|genehmigt)",
    r"\b(?:classify|kategorisiere|einordnen|klassifiziere)\w{0,12}\s+(?:this|diese)",
), re.I)


_MENTIONS_AGENT = re.compile(r"\b(?:ai|ki|assistant|assistent\w*|agent|bot|llm|gpt|chatgpt|"
                             r"instruction|anweisung|system)\b", re.I)

_DATA_MORE = _alt(
    r"liste\s+des\s+clients", r"fichier\s+clients?", r"base\s+de\s+donn[ée]es",
    r"lista\s+de\s+clientes", r"base\s+de\s+datos", r"elenco\s+clienti", r"lista\s+clienti",
    r"banca\s+dati", r"lista\s+klient[óo]w", r"baza\s+(?:danych|klient[óo]w)",
    r"klantenlijst", r"klantgegevens", r"klantenbestand",
)
_HAND_OVER_MORE = _alt(
    r"envoy", r"transmett", r"enviar", r"env[íi]e", r"inviare", r"inviate", r"prze[śs]lij",
    r"wy[śs]lij", r"stuur", r"sturen",
)
_DATA_REQUEST = _near(f"{_DATA}|{_DATA_MORE}", f"{_HAND_OVER}|{_HAND_OVER_MORE}", 160)
_GIFT_CARDS = re.compile(_GIFT, _I)


@dataclass
class _Sentences:
    """Which sentence each concept occurs in (sentences: split at . ! ? and line ends)."""

    text: str
    ends: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.ends = [m.end() for m in _BOUNDARY.finditer(self.text)]

    def index(self, pos: int) -> int:
        return bisect_right(self.ends, pos)

    def hits(self, pattern: re.Pattern[str]) -> set[int]:
        return {self.index(m.start()) for m in pattern.finditer(self.text)}


def _together(a: set[int], b: set[int], distance: int = 1) -> bool:
    """Two concepts in the same sentence or within `distance` sentences of each other."""
    return any(i + d in b for i in a for d in range(-distance, distance + 1))


def valid_iban(candidate: str) -> str | None:
    """The IBAN (compact, upper case) when `candidate` is one — its country's format and
    check digits — also when trailing text was read with it."""
    from schwifty import IBAN  # loaded on first use: ~0.1 s

    compact = candidate.replace(" ", "").replace("-", "").upper()
    for length in range(len(compact), 14, -1):
        try:
            return str(IBAN(compact[:length]).compact)
        except Exception:  # schwifty raises its own errors for every kind of invalid IBAN
            continue
    return None


def find_ibans(text: str) -> list[str]:
    """Valid IBANs in `text` (folded), in order, each once."""
    out: list[str] = []
    for i, m in enumerate(_IBAN.finditer(text)):
        if i >= _MAX_IBAN_CANDIDATES:
            break
        iban = valid_iban(m.group(0))
        if iban and iban not in out:
            out.append(iban)
    return out


def _negated(text: str, sentence_start: int, at: int, words: int = 4) -> bool:
    """A "nicht"/"never"/"do not" among the few words right before a request: "bitte nichts
    direkt an sie schicken", "do not send" ask for nothing. Only before it: "Schicken Sie
    Ihr Passwort, sonst geht nichts mehr" still asks."""
    before = " ".join(text[max(sentence_start, at - 80):at].split()[-words:])
    return _NEVER.search(before) is not None


def _asks_for_credentials(s: _Sentences) -> bool:
    """A credential in the same or the next sentence as a request for it, unless its own
    sentence says it will never be asked for."""
    starts = [0, *s.ends]
    asks = {s.index(m.start()) for m in _ASK.finditer(s.text)
            if not _negated(s.text, starts[min(s.index(m.start()), len(starts) - 1)],
                            m.start())}
    for m in _CRED.finditer(s.text):
        i = s.index(m.start())
        start = starts[i] if i < len(starts) else 0
        if _NEVER.search(s.text, start, m.start()):
            continue
        if any(abs(i - j) <= 1 for j in asks):
            return True
    return False


_NEW = frozenset(fold(w) for w in lexicon.NEW)
# what a "new" must describe: a word holding a bank word ("Bankverbindung", "Hausbank",
# "Kontonummer", "bancaires") or ending in an account word ("Geschäftskonto", "IBAN");
# not "Kontostand"
_HOLDS_BANK = tuple(fold(w) for w in (*_all(lexicon.BANK), "bank", "bancair", "bancar",
                                       "bankow") if " " not in w and len(w) >= 4)
_ENDS_ACCOUNT = tuple(fold(w) for w in (*lexicon.ACCOUNT, "iban", "banque", "banco", "banca"))


def _describes_account(text: str, end: int, words: int = 3) -> bool:
    """One of the next `words` words after a "new" names the account ("neue
    Bankverbindung", "new bank details", "nuestra nueva cuenta", "neues Geschäftskonto")."""
    following = [w.strip(".,:;!?()\"'«»„“”") for w in text[end:end + 80].split()[:words]]
    return any(any(b in w for b in _HOLDS_BANK) or w.endswith(_ENDS_ACCOUNT)
               for w in following)


def _change_hits(s: _Sentences) -> set[int]:
    """The sentences with a change word; a form of "new" counts only where it describes
    the account: a bank's notice of "ein neuer Zahlungseingang" beside a masked IBAN is no
    change of bank details."""
    return {s.index(m.start()) for m in _CHANGE.finditer(s.text)
            if m.group(0) not in _NEW or _describes_account(s.text, m.end())}


def _bank_change(s: _Sentences, ibans: bool) -> bool:
    change = _change_hits(s)
    if not change:
        return False
    if _together(s.hits(_BANK), change):
        return True
    pay = s.hits(_PAY)
    accounts = s.hits(_ACCOUNT) | (s.hits(_IBAN) if ibans else set())
    return _together(accounts, change) and _together(pay, accounts | change)


def _payment_pressure(s: _Sentences) -> bool:
    pay = s.hits(_PAY)
    return bool(pay) and (_together(pay, s.hits(_URGENT)) or _together(pay, s.hits(_DEADLINE)))


def hidden_and_visible(html: str | None) -> tuple[str, str]:
    """(text a reader does not see — comments, invisible elements —, all text) of an HTML
    body, read with lxml (linear; regular expressions over HTML are not)."""
    if not html:
        return "", ""
    import lxml.etree
    import lxml.html

    try:
        doc = lxml.html.document_fromstring(html[:300_000])
    except Exception:  # empty or unparseable markup
        return "", ""
    hidden = [str(c.text or "") for c in doc.iter(lxml.etree.Comment)]
    for el in doc.iter():
        if not isinstance(el.tag, str):
            continue
        style = (el.get("style") or "").replace(" ", "").lower()
        if el.get("hidden") is not None or any(k in style for k in _HIDDEN_STYLES):
            hidden.append(el.text_content())
    visible = doc.text_content()
    return "\n".join(h.strip() for h in hidden if h.strip()), visible


_HIDDEN_STYLES = ("display:none", "visibility:hidden", "font-size:0", "opacity:0",
                  "color:#fff", "color:white", "max-height:0", "height:0")


def hidden_text(html: str | None) -> str:
    return hidden_and_visible(html)[0]


@dataclass(frozen=True)
class RiskScan:
    risks: list[Risk]
    ibans: list[str] = field(default_factory=list)  # valid IBANs in the sender's own text
    known_ibans: list[str] = field(default_factory=list)  # earlier ones, when these differ
    new_ibans: list[str] = field(default_factory=list)  # the ones this sender never used


def _sources(mail: Mail) -> tuple[str, str, str]:
    """(everything the sender wrote, their own new text, the hidden HTML text)."""
    hidden, visible = hidden_and_visible(mail.html)
    names = " ".join(a.filename or "" for a in mail.attachments)
    attached = "\n".join(a.text[:_SCAN_CHARS] for a in mail.attachments if a.text)
    parts = [mail.subject, mail.body.full[:_SCAN_CHARS], names, attached, hidden,
             visible[:_SCAN_CHARS] if visible and mail.body.from_html is False else ""]
    own = "\n".join([mail.subject, mail.body.new[:_SCAN_CHARS], attached])
    return "\n".join(parts), own, hidden


def scan_risks(mail: Mail, extra_text: str = "", known: Iterable[str] = ()) -> RiskScan:
    """The rule-2 risks a mail raises (empty for ordinary mail), and the IBANs it names.

    `extra_text` is the owner's note on a forward: it is scanned for requests (the owner
    cannot order a payment through the agent either), not for injection — the owner may
    address the agent. `known` are the IBANs this sender or company used before.
    """
    sender_text, own, hidden = _sources(mail)
    marked = _CAPS_CODE.sub(r"\1-code", f"{sender_text}\n{extra_text}")
    s = _Sentences(fold(marked))
    ibans = find_ibans(fold(own))
    known_list = [k.upper().replace(" ", "") for k in known]
    new = [i for i in ibans if known_list and i not in known_list]
    found: list[Risk] = []
    if new or _bank_change(s, ibans=bool(find_ibans(s.text))):
        found.append(Risk.bank_details)
    if _payment_pressure(s) or _GIFT_CARDS.search(s.text):
        found.append(Risk.payment_request)
    if _asks_for_credentials(s):
        found.append(Risk.credentials)
    if _DATA_REQUEST.search(s.text):
        found.append(Risk.data_request)
    folded_sender = fold(sender_text)
    if ("HeaderLineBreak" in mail.defects or _INJECTION.search(folded_sender)
            or _MENTIONS_AGENT.search(fold(hidden))):
        found.append(Risk.injection)
    return RiskScan(risks=found, ibans=ibans, known_ibans=known_list if new else [],
                    new_ibans=new)


def find_risks(mail: Mail, extra_text: str = "", known: Iterable[str] = ()) -> list[Risk]:
    return scan_risks(mail, extra_text, known).risks
