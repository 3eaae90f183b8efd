"""Header and link signals that text similarity cannot see (phishing looks like a notice)."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from urllib.parse import urlparse

from core.models import MessageView

BRANDS = (
    "paypal", "microsoft", "office365", "outlook", "sparkasse", "volksbank", "raiffeisen",
    "commerzbank", "deutsche bank", "postbank", "dkb", "ing", "n26", "comdirect", "dhl",
    "hermes", "ups", "fedex", "amazon", "apple", "icloud", "google", "instagram", "facebook",
    "meta", "whatsapp", "linkedin", "netflix", "spotify", "elster", "finanzamt", "ionos",
    "strato", "telekom", "vodafone", "o2", "adobe", "dropbox", "wetransfer", "docusign",
    "ebay", "visa", "mastercard", "american express", "klarna", "zoll", "bundeszentralamt",
)
FREEMAIL = {
    "gmail.com", "googlemail.com", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "web.de",
    "outlook.com", "outlook.de", "hotmail.com", "hotmail.de", "live.com", "live.de",
    "yahoo.com", "yahoo.de", "t-online.de", "icloud.com", "me.com", "aol.com", "mail.com",
    "proton.me", "protonmail.com", "freenet.de", "posteo.de", "mailbox.org", "arcor.de",
}
ODD_TLDS = {"xyz", "top", "click", "online", "site", "info", "ru", "cn", "tk", "ml", "ga",
            "cf", "gq", "buzz", "icu", "live", "work", "support", "shop", "rest", "monster"}
_IP_URL = re.compile(r"https?://\d{1,3}(?:\.\d{1,3}){3}")
_SHORTENERS = ("bit.ly", "tinyurl.com", "t.co", "goo.gl", "is.gd", "ow.ly", "cutt.ly")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.pairs: list[tuple[str, str]] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self._href = dict(attrs).get("href") or ""
            self._text = []

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.pairs.append((self._href, "".join(self._text).strip()))
            self._href = None


def _host(url: str) -> str:
    try:
        return (urlparse(url if "://" in url else f"http://{url}").hostname or "").lower()
    except ValueError:
        return ""


def link_mismatch(html: str | None, text: str) -> bool:
    """A link whose visible text names another domain than it leads to, a raw IP, a shortener."""
    if _IP_URL.search(text) or any(f"//{s}/" in text for s in _SHORTENERS):
        return True
    if not html:
        return False
    parser = _Links()
    try:
        parser.feed(html[:200_000])
    except Exception:
        return False
    for href, shown in parser.pairs:
        target = _host(href)
        if not target or href.startswith(("mailto:", "#")):
            continue
        if _IP_URL.match(href) or target in _SHORTENERS:
            return True
        if re.match(r"^(https?://)?[\w.-]+\.[a-z]{2,}(/\S*)?$", shown, re.I):
            words = _host(shown)
            if words and not (target.endswith(words) or words.endswith(target)):
                return True
    return False


def brand_mismatch(name: str, domain: str) -> bool:
    """The display name claims a brand the sending domain does not carry."""
    name, domain = name.lower(), domain.lower()
    for brand in BRANDS:
        if (re.search(rf"\b{re.escape(brand)}\b", name)
                and brand.replace(" ", "") not in domain.replace("-", "")):
            return True
    return False


def claims_brand(name: str, domain: str) -> bool:
    """The display name or the sending domain names a brand."""
    labels = set(re.split(r"[.-]", domain.lower()))
    name = name.lower()
    return any(re.search(rf"\b{re.escape(b)}\b", name) or b.replace(" ", "") in labels
               for b in BRANDS)


def spoofed_brand(view: MessageView) -> bool:
    """The receiving provider saw DMARC or SPF fail for a sender who claims a brand."""
    mail = view.mail
    failed = {"dmarc", "spf"} & set(mail.verdict.auth_fail)
    return bool(failed) and mail.sender is not None and claims_brand(mail.sender.name,
                                                                     mail.sender.domain)


_MARKUP = re.compile(r"<(?:font|table|td|img|center|b)\b|bgcolor=|color=", re.I)
_UNSUB = re.compile(
    r"unsubscribe|to be removed|remove (?:me|you)|removal|opt[- ]?out|no longer wish|"
    r"abmelden|abbestellen|austragen|nicht mehr erhalten", re.I)
_SPACED = re.compile(r"(?<![\w.])(?:[A-Za-z][ .*_]){3,}[A-Za-z](?![\w])")
_SWAPPED = re.compile(r"(?<![\w@.])[A-Za-z]+[0-9$][A-Za-z]+(?![\w@])")
_ABBREVIATION = re.compile(r"^(?:[a-z]\.){1,2}[a-z]\.?$", re.I)  # e.g., i.e., z.B.


def mass_html(html: str | None, from_html: bool) -> bool:
    """HTML-only mail laid out with fonts, colours, tables and images: what bulk mailers
    send, not what people write."""
    return html is not None and from_html and len(_MARKUP.findall(html[:200_000])) >= 12


def obfuscated(text: str) -> bool:
    """Words broken up to slip past filters: "V.I.A.G.R.A", "F R E E", "fr3e", "m0ney"."""
    text = text[:5000]
    spaced = [w for w in _SPACED.findall(text) if not _ABBREVIATION.match(w.strip())]
    swapped = {w.lower() for w in _SWAPPED.findall(text) if len(w) >= 4}
    return bool(spaced) or len(swapped) >= 2


def shouting(subject: str, text: str) -> bool:
    """A subject in capitals or with !!! / $$$, or a body full of exclamation marks."""
    letters = [c for c in subject if c.isalpha()]
    caps = len(letters) >= 8 and sum(c.isupper() for c in letters) / len(letters) > 0.7
    return caps or bool(re.search(r"!!|\$\$|€€", subject)) or text.count("!") >= 15


def unsubscribe_without_header(view: MessageView) -> bool:
    """Asks to be unsubscribed by reply or link, but comes without the List-Unsubscribe
    and List-Id headers that every real mailing service sets."""
    a = view.mail.automation
    if a.list_unsubscribe or a.list_id:
        return False
    return bool(_UNSUB.search(view.mail.body.full[-3000:] + view.mail.body.full[:1500]))


def header_signals(view: MessageView) -> dict[str, int]:
    mail = view.mail
    sender = mail.sender
    domain = sender.domain if sender else ""
    reply = mail.reply_to[0].domain if mail.reply_to else domain
    tld = domain.rpartition(".")[2]
    return {
        "brand_mismatch": int(sender is not None and brand_mismatch(sender.name, domain)),
        "freemail": int(domain in FREEMAIL),
        "link_mismatch": int(link_mismatch(mail.html, mail.body.full)),
        "reply_other_domain": int(bool(reply) and reply != domain),
        "odd_tld": int(tld in ODD_TLDS),
        "mass_html": int(mass_html(mail.html, mail.body.from_html)),
        "unsub_no_header": int(unsubscribe_without_header(view)),
        "obfuscated": int(obfuscated(mail.subject + "\n" + mail.body.full)),
        "shouting": int(shouting(mail.subject, mail.body.full)),
    }
