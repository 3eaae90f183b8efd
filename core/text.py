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
