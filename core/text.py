"""Text from untrusted headers made safe to show and store (shared by parsing and storage)."""

from __future__ import annotations

import re

_CTRL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def clean(value: str) -> str:
    """One-line, printable text: undo surrogate escapes from 8-bit headers, drop CR/LF."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        raw = value.encode("utf-8", "surrogateescape")
        try:
            value = raw.decode("utf-8")
        except UnicodeDecodeError:
            value = raw.decode("cp1252", "replace")
    value = value.replace("\r", " ").replace("\n", " ")
    return _CTRL.sub("", value).strip()


# a link, an address or a domain-like token, from the start of its token only (linear)
_LINKISH = re.compile(r"(?<!\S)(?:\S*://\S*|\S*@\S*|www\.\S*|\S+\.(?:[a-z]{2,6})(?:/\S*)?(?!\S))",
                      re.IGNORECASE)


def safe_text(value: str, limit: int = 60) -> str:
    """Text a sender wrote (an event's SUMMARY) made fit for a mail the agent sends: one
    line, no links or addresses (they become "[…]"), at most `limit` characters."""
    text = clean(value[:2000])
    text = _LINKISH.sub("[…]", text)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip(" ,;:-") + "…"
