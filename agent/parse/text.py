"""Readable text from mail bodies: decoding, HTML → text, quoted history and signatures."""

from __future__ import annotations

import codecs
import contextlib
import re

from inscriptis import get_text
from inscriptis.css_profiles import CSS_PROFILES
from inscriptis.model.config import ParserConfig
from mailparser_reply.parser import EmailMessage

from core.models import BodyText

_HTML_CONFIG = ParserConfig(css=CSS_PROFILES["strict"], display_links=False)
_REPLY_LANGUAGES = ["de", "en", "fr", "it", "es", "nl"]
_MAX_SPLIT_CHARS = 20_000  # the quote splitter is regex based; keep its input bounded
_INVISIBLE = re.compile(r"[\u200b-\u200f\u2028\u2029\u2060\ufeff\u00ad]")


def decode_bytes(data: bytes, declared: str | None) -> str:
    """Decode a body whatever its label says: declared charset, else UTF-8, else cp1252."""
    candidates = []
    if declared:
        with contextlib.suppress(LookupError):
            candidates.append(codecs.lookup(declared.strip().strip('"')).name)
    for name in ("utf-8", "cp1252"):
        if name not in candidates:
            candidates.append(name)
    for name in candidates:
        if name in {"ascii", "us-ascii"} and not data.isascii():
            continue  # a wrong "us-ascii" label on 8-bit text: look further
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
    return data.decode("latin-1")


def _without_blocks(html: str) -> str:
    """HTML without <script> and <style> blocks, found with str.find (linear; a lazy
    regular expression rescans to the end for every unclosed tag)."""
    lower = html.lower()
    out: list[str] = []
    pos = 0
    while True:
        starts = [i for i in (lower.find("<script", pos), lower.find("<style", pos)) if i >= 0]
        if not starts:
            out.append(html[pos:])
            return " ".join(out)
        start = min(starts)
        out.append(html[pos:start])
        tag = "</script>" if lower.startswith("<script", start) else "</style>"
        end = lower.find(tag, start)
        if end < 0:
            return " ".join(out)
        pos = end + len(tag)


def html_to_text(html: str) -> str:
    """Turn HTML into the text a reader would see (layout kept, tags and scripts dropped)."""
    try:
        text = get_text(html, _HTML_CONFIG)
    except Exception:  # inscriptis/lxml on hostile markup: fall back to crude stripping
        text = re.sub(r"<[^<>]*>", " ", _without_blocks(html))
    return normalize(text)


def normalize(text: str) -> str:
    """Unify line endings, drop invisible characters and trailing blanks, collapse blank runs."""
    text = _INVISIBLE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = [line.rstrip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def split_body(text: str, from_html: bool = False) -> BodyText:
    """Separate what the sender wrote now from quoted history and the signature."""
    text = normalize(text)
    head, tail = text[:_MAX_SPLIT_CHARS], text[_MAX_SPLIT_CHARS:]
    try:
        # keep_hyphen_lists: a "- item" list is content, not the start of a signature
        replies = EmailMessage(text=head, languages=list(_REPLY_LANGUAGES),
                               keep_hyphen_lists=True).read().replies
    except Exception:  # never let a heuristic break parsing
        replies = []
    if not replies:
        return BodyText(full=text, new=text, from_html=from_html)
    first = replies[0]
    new = first.body.strip()
    quoted = "\n\n".join(r.full_body for r in replies[1:]).strip()
    if tail:
        quoted = (quoted + "\n" + tail).strip()
    if not new and quoted and not first.signatures:  # a fully quoted message: keep it readable
        new = quoted
    return BodyText(full=text, new=new, quoted=quoted, signature=first.signatures.strip(),
                    from_html=from_html)
