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
    }
