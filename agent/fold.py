"""Text folded for matching: what a reader sees, not how it is encoded.

A Cyrillic "а" in "Bаnkverbindung", a full-width "ＩＢＡＮ", a zero-width space inside
"Kon\u200bto" or a soft hyphen must not hide a word from the rules. `fold()` applies NFKC,
drops invisible characters, replaces letters of other scripts that look like Latin ones by
those (Unicode's confusables data, through `confusable-homoglyphs`) and case-folds.
Latin letters with diacritics (ä, é, ł) stay as they are: they are the languages' own.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from confusable_homoglyphs import confusables

_INVISIBLE = re.compile(r"[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f"
                        r"\u200b-\u200f\u202a-\u202e\u2060-\u206f\u3164\ufe00-\ufe0f\ufeff]")


@lru_cache(maxsize=8192)
def _latin(ch: str) -> str:
    """The ASCII letter or digit `ch` looks like, or `ch` itself."""
    found = confusables.is_confusable(ch, greedy=False, preferred_aliases=["latin", "common"])
    if not found:
        return ch
    for glyph in found[0]["homoglyphs"]:
        text = glyph["c"]
        if text.isascii() and text.isalnum():
            return str(text)
    return ch


def fold(text: str) -> str:
    """NFKC, no invisible characters, look-alike letters as Latin, case-folded."""
    text = _INVISIBLE.sub("", unicodedata.normalize("NFKC", text))
    if not text.isascii():
        text = "".join(ch if ch.isascii() or not ch.isalpha() else _latin(ch) for ch in text)
    return text.casefold()


def name_tokens(name: str) -> frozenset[str]:
    """The words of a person's name, folded ("Beispiel, Anna" = "anna beispiel")."""
    plain = unicodedata.normalize("NFKD", fold(name))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return frozenset(w for w in re.split(r"[^\w]+", plain) if len(w) > 1)
