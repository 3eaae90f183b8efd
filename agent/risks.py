"""Requests that must reach the owner whatever the category (CONTRACT §4 rule 2).

Deterministic patterns, German and English. They look at everything a sender can write —
subject, new text, quoted history, attachment names — because an attacker writes there too.
A false alarm costs a notification; a miss could cost money.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from core.models import Mail, Risk

_I = re.I | re.S


def _alt(*words: str) -> str:
    return "|".join(words)


def _near(a: str, b: str, gap: int = 80) -> re.Pattern[str]:
    """`a` and `b` within `gap` characters of each other, in either order."""
    return re.compile(rf"\b(?:{a}).{{0,{gap}}}\b(?:{b})|\b(?:{b}).{{0,{gap}}}\b(?:{a})", _I)


_BANK = _alt(
    r"bank\s?verbindung", r"konto\s?verbindung", r"kontodaten", r"bankdaten", r"iban",
    r"bic\b", r"bank\s?(?:details|account|information|info)",
    r"account\s?(?:details|number)", r"routing", r"payee", r"zahlungsempfänger",
    r"empfängerkonto", r"kontonummer",
)
_CHANGE = _alt(
    r"neu(?:e|en|er)?\b", r"geändert", r"ändern", r"änderung", r"aktualisier",
    r"umgestellt", r"gewechselt", r"wechsel", r"new\b", r"chang", r"updat", r"switch",
    r"moved",
)
_MONEY = _alt(
    r"überweis", r"transfer", r"wire\b", r"zahlung", r"payment", r"pay\b", r"bezahl",
    r"begleichen", r"geld", r"funds", r"remit",
)
_URGENT = _alt(
    r"dringend", r"eilig", r"sofort", r"umgehend", r"heute\s?noch", r"noch\s?heute",
    r"unverzüglich", r"urgent", r"asap", r"immediately", r"right\s?away", r"today",
    r"vertraulich", r"confidential", r"diskret", r"discreet",
)
_CRED = _alt(
    r"passw(?:o|ö)rt?", r"kennwort", r"zugangsdaten", r"login(?:daten)?", r"anmeldedaten",
    r"credentials", r"(?-i:\bPIN\b)", r"(?-i:\bTAN\b)", r"pin-?(?:code|nummer|number)",
    r"2fa", r"zwei-?faktor", r"two-?factor",
    r"verification\s?code", r"bestätigungscode", r"sicherheitscode", r"one-?time\s?code",
    r"\botp\b", r"einmal-?code", r"mfa",
)
_ASK = _alt(
    r"send", r"schick", r"senden", r"übermitt", r"mitteil", r"nennen", r"bestätig(?!ung|t\b)",
    r"verify", r"confirm(?!ation|ed)", r"provide", r"share", r"teilen", r"eingeben", r"enter",
    r"reply\s?with",
    r"antworte", r"weiterleit", r"forward", r"geben\s?sie", r"tell", r"zukommen", r"log\s?in",
    r"anmelden", r"click", r"klick", r"validat", r"verifizier", r"reaktivier", r"reactivat",
    r"update",
)
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

_CRED_MENTION = re.compile(rf"\b(?:{_CRED})", _I)
_ASK_WORD = re.compile(rf"\b(?:{_ASK})", _I)
# "Wir fragen Sie niemals nach Ihrer PIN", "we will never ask for your password": the
# sentence before a credential that says it will not be asked for
_NEVER = re.compile(r"\b(?:niemals|nie|never|will\s+not|won't|do\s+not|don't|nicht)\b", _I)
_SENTENCE_END = re.compile(r"[.!?\n]")


def _asks_for_credentials(text: str) -> bool:
    """A credential named near a verb that asks for it, unless its own sentence says it
    will never be asked for (banks' standard warning)."""
    for m in _CRED_MENTION.finditer(text):
        before = text[max(0, m.start() - 80):m.start()]
        own = _SENTENCE_END.split(before)[-1]
        if _NEVER.search(own):
            continue
        if (_ASK_WORD.search(text, max(0, m.start() - 80), m.start())
                or _ASK_WORD.search(text, m.end(), m.end() + 80)):
            return True
    return False


_CHECKS: list[tuple[Risk, Callable[[str], object]]] = [
    (Risk.bank_details, _near(_BANK, _CHANGE, 60).search),
    (Risk.payment_request, _near(_MONEY, _URGENT, 80).search),
    (Risk.payment_request, re.compile(_GIFT, _I).search),
    (Risk.credentials, _asks_for_credentials),
    (Risk.data_request, _near(_DATA, _HAND_OVER, 160).search),
]


# Text that talks to the agent instead of the owner: a real sender writes to a person.
_AGENT = (r"(?:(?:ai|ki)[-\s])?(?:ai|ki|a\.i\.|assistant|assistent(?:in|en)?|bot|agent|"
          r"language\s+model|llm|chatgpt|gpt|sprachmodell|automated\s+(?:system|assistant)|"
          r"automatische[rn]?\s+(?:system|assistent(?:en)?))")
_INJECTION = re.compile(_alt(
    rf"\b(?:dear|hey|hallo|hi|liebe[rs]?|note\s+(?:to|for)|hinweis\s+(?:an|für)|"
    rf"message\s+(?:to|for)|nachricht\s+an|an|to|for|für)\s+(?:the\s+|den\s+|die\s+|das\s+|"
    rf"my\s+|your\s+|our\s+|mein(?:e[mnr]?)?\s+|ihr(?:e[mnr]?)?\s+|unser(?:e[mnr]?)?\s+)?"
    rf"(?:e-?mail\s+)?{_AGENT}\s*[:,]",
    rf"(?:^|\n)\s*{_AGENT}\s*:",
    r"\b(?:ai|ki)[-\s]?(?:assistent(?:in)?|assistant|agent|system)\s*[:,]",
    r"(?:ignore|disregard|forget|ignoriere|ignorieren\s+sie|vergiss|vergessen\s+sie|missachte)\s+"
    r"(?:all\s+|alle\s+|your\s+|deine\s+|ihre\s+)?(?:previous|prior|earlier|above|"
    r"vorherigen?|bisherigen?|obigen?)",
    r"system\s*(?:prompt|message|nachricht|notice|instruction|anweisung)",
    r"(?:nachricht|anweisung|message|instruction)s?\s+(?:vom|von\s+der|from\s+the)\s+"
    r"(?:inhaber|owner|geschäftsführung|chef)",
    r"(?:mark|markiere|markieren\s+sie)\s+(?:this|diese[ns]?)\s+(?:mail\s+|nachricht\s+)?"
    r"(?:as|als)\s+(?:approved|freigegeben|genehmigt)",
    r"(?:classify|kategorisiere|einordnen|klassifiziere)\w*\s+(?:this|diese)",
), re.I)
_COMMENT = re.compile(r"<!--(.*?)-->", re.S)
_HIDDEN_STYLE = re.compile(
    r"<(\w+)[^>]*style\s*=\s*[\"'][^\"']*(?:display\s*:\s*none|visibility\s*:\s*hidden|"
    r"font-size\s*:\s*0|color\s*:\s*(?:#fff(?:fff)?|white)|opacity\s*:\s*0)[^\"']*[\"'][^>]*>"
    r"(.*?)</\1>", re.I | re.S)
_TAG = re.compile(r"<[^>]+>")


_MENTIONS_AGENT = re.compile(r"\b(?:ai|ki|assistant|assistent\w*|agent|bot|llm|gpt|chatgpt|"
                             r"instruction|anweisung|system)\b", re.I)
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


def _spoofed_name(mail: Mail) -> bool:
    """A display name that is itself an address, but not the one the mail comes from."""
    if mail.sender is None:
        return False
    named = _ADDRESS.findall(mail.sender.name)
    return any(n.lower() != mail.sender.email.lower() for n in named)


def hidden_text(html: str | None) -> str:
    """What a reader does not see but a machine reads: comments and invisible elements."""
    if not html:
        return ""
    html = html[:300_000]
    parts = [m.group(1) for m in _COMMENT.finditer(html)]
    parts += [_TAG.sub(" ", m.group(2)) for m in _HIDDEN_STYLE.finditer(html)]
    return "\n".join(p.strip() for p in parts if p.strip())


def find_risks(mail: Mail, extra_text: str = "") -> list[Risk]:
    """The rule-2 risks a mail raises (empty for ordinary mail).

    `extra_text` is the owner's note on a forward: it is scanned for requests (the owner
    cannot order a payment through the agent either), not for injection — the owner may
    address the agent.
    """
    names = " ".join(a.filename or "" for a in mail.attachments)
    attached = "\n".join(a.text for a in mail.attachments if a.text)
    hidden = hidden_text(mail.html)
    sender_text = "\n".join([mail.subject, mail.body.full, names, attached, hidden])
    text = f"{sender_text}\n{extra_text}"
    found: list[Risk] = []
    for risk, check in _CHECKS:
        if risk not in found and check(text):
            found.append(risk)
    if ("HeaderLineBreak" in mail.defects or _INJECTION.search(sender_text)
            or _MENTIONS_AGENT.search(hidden) or _spoofed_name(mail)):
        found.append(Risk.injection)
    return found
