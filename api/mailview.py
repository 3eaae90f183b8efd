"""Showing a received mail safely: its HTML sanitised with nh3 (an allowlist: no script, no
forms, no images — so no tracking pixel —, no styles, so nothing hidden), every link's
real target written next to its text, served into a sandboxed iframe under its own CSP;
attachments listed from the raw mail and handed out only as downloads with a safe name."""

from __future__ import annotations

import base64
import hashlib
import html
import re
import unicodedata
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage, Message
from email.parser import BytesParser
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import nh3

MAX_HTML = 2_000_000  # characters of HTML shown; the text version has the rest
TAGS = {"a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "div", "dl",
        "dt", "em", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "li", "ol", "p", "pre",
        "q", "s", "small", "span", "strong", "sub", "sup", "table", "tbody", "td", "tfoot",
        "th", "thead", "tr", "u", "ul"}
DROP_WITH_CONTENT = {"script", "style", "title", "head", "template", "noscript", "svg",
                     "math", "object", "embed", "iframe", "frame", "frameset", "textarea",
                     "select", "button", "xmp", "noembed", "noframes", "applet"}
ATTRIBUTES = {"a": {"href", "title"}, "td": {"colspan", "rowspan"},
              "th": {"colspan", "rowspan"}, "ol": {"start"}}
SCHEMES = {"http", "https", "mailto"}
VOID = {"br", "hr"}

# The iframe document's own look: one fixed style block, allowed by its hash in the CSP.
FRAME_STYLE = (
    "body{font:15px/1.5 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1d2330;"
    "margin:.6rem;overflow-wrap:anywhere}a{color:#2f5bea}"
    ".asz-target{font:12px/1.3 ui-monospace,monospace;color:#8a3b00;background:#fff4e5;"
    "border:1px solid #f5c27a;border-radius:3px;padding:0 .25rem;margin-left:.25rem}"
    "table{border-collapse:collapse;max-width:100%}td,th{padding:.15rem .3rem}"
    "pre{white-space:pre-wrap}blockquote{border-left:3px solid #d0d5dd;margin-left:0;"
    "padding-left:.8rem;color:#475467}")
STYLE_HASH = base64.b64encode(hashlib.sha256(FRAME_STYLE.encode()).digest()).decode()
FRAME_CSP = (f"default-src 'none'; style-src 'sha256-{STYLE_HASH}'; img-src 'none'; "
             "font-src 'none'; media-src 'none'; form-action 'none'; base-uri 'none'; "
             "frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox")


def target_label(href: str, limit: int = 48) -> str:
    """What a link really opens: the host in full, the rest shortened."""
    parts = urlsplit(href)
    if parts.scheme == "mailto":
        return href[7:][:limit]
    rest = (parts.path if parts.path not in ("", "/") else "") + \
        (f"?{parts.query}" if parts.query else "")
    host = parts.hostname or href
    shown = host + rest
    return shown if len(shown) <= max(limit, len(host) + 1) else \
        host + rest[: max(limit - len(host), 0)] + "…"


class _Targets(HTMLParser):
    """Re-serialises sanitised HTML and writes each link's target after its text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.links.append(dict(attrs).get("href") or "")
        rendered = "".join(f' {k}="{html.escape(v or "", quote=True)}"' for k, v in attrs)
        self.out.append(f"<{tag}{rendered}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.handle_endtag(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in VOID:
            return
        self.out.append(f"</{tag}>")
        if tag == "a" and self.links:
            href = self.links.pop()
            if href:
                self.out.append(f' <span class="asz-target">→ {html.escape(target_label(href))}'
                                "</span>")

    def handle_data(self, data: str) -> None:
        self.out.append(html.escape(data, quote=False))


def sanitise(markup: str) -> str:
    """The mail's HTML as the owner may see it (a fragment for the frame's body)."""
    clean = nh3.clean(markup[:MAX_HTML], tags=TAGS, clean_content_tags=DROP_WITH_CONTENT,
                      attributes=ATTRIBUTES, url_schemes=SCHEMES, url_relative="deny",
                      link_rel="noopener noreferrer nofollow",
                      set_tag_attribute_values={"a": {"target": "_blank"}})
    parser = _Targets()
    parser.feed(clean)
    parser.close()
    # once more through the same allowlist (plus the target labels): belt and braces
    return nh3.clean("".join(parser.out), tags=TAGS, clean_content_tags=DROP_WITH_CONTENT,
                     attributes=ATTRIBUTES, url_schemes=SCHEMES, url_relative="deny",
                     link_rel="noopener noreferrer nofollow",
                     set_tag_attribute_values={"a": {"target": "_blank"}},
                     allowed_classes={"span": {"asz-target"}})


def frame_document(fragment: str, lang: str) -> str:
    return (f'<!doctype html><html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
            f"<style>{FRAME_STYLE}</style></head><body>{fragment}</body></html>")


# --- the raw mail -----------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    index: int
    filename: str
    content_type: str
    size: int


def _parse(raw: bytes) -> EmailMessage:
    msg = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(msg, EmailMessage)
    return msg


def _is_attachment(part: Message) -> bool:
    if part.is_multipart():
        return False
    return part.get_content_disposition() == "attachment" or bool(part.get_filename()) or \
        part.get_content_maintype() not in ("text", "multipart", "message")


def html_part(raw: bytes) -> str | None:
    """The first text/html body part (the forwarded mail's, when that is the only one)."""
    for part in _parse(raw).walk():
        if part.get_content_type() == "text/html" and not _is_attachment(part):
            try:
                content = part.get_content()
            except (LookupError, ValueError, AssertionError):
                payload = part.get_payload(decode=True)
                content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) \
                    else ""
            return str(content)
    return None


def _parts(raw: bytes) -> list[tuple[Part, Message]]:
    out: list[tuple[Part, Message]] = []
    for part in _parse(raw).walk():
        if not _is_attachment(part):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        try:
            name = part.get_filename() or ""
        except (ValueError, LookupError, AssertionError):
            name = ""
        index = len(out) + 1
        out.append((Part(index=index, filename=safe_filename(str(name), index),
                         content_type=part.get_content_type(), size=len(data)), part))
    return out


def attachments(raw: bytes) -> list[Part]:
    return [p for p, _ in _parts(raw)]


def attachment(raw: bytes, index: int) -> tuple[Part, bytes] | None:
    for p, part in _parts(raw):
        if p.index == index:
            payload = part.get_payload(decode=True)
            return p, payload if isinstance(payload, bytes) else b""
    return None


_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


def safe_filename(name: str, index: int) -> str:
    """A name that cannot leave the download folder, hide its extension or carry markup."""
    name = unicodedata.normalize("NFKC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf", "Zl",
                                                                         "Zp"))
    name = _UNSAFE.sub("_", name).strip(" .")[:120].strip(" .")
    return name or f"anhang-{index}"


def content_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_")
    ascii_name = ascii_name.replace('"', "_").replace(";", "_") or "anhang"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
