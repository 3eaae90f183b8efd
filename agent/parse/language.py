"""Which language a text is written in (ISO 639-1), with py3langid's bundled model."""

from __future__ import annotations

import re
from functools import lru_cache

from py3langid.langid import LanguageIdentifier, _load_identifier

# Languages a small business in German-speaking Europe meets; a closed set keeps short
# texts from being read as something exotic.
LANGUAGES = ("de", "en", "fr", "it", "es", "nl", "pt", "pl", "tr", "da", "sv", "no", "fi", "cs",
             "sk", "sl", "hr", "hu", "ro", "el", "ru", "uk")
_WORD = re.compile(r"[^\W\d_]{2,}")
# a link or an address, matched from the start of its whitespace-delimited token only (the
# look-behind): "\S+@\S+" alone retries at every position of a long token (quadratic)
_URL = re.compile(r"(?<!\S)(?:https?://\S+|[^\s@]+@\S+)")


@lru_cache(maxsize=1)
def _identifier() -> LanguageIdentifier:
    ident: LanguageIdentifier = _load_identifier(norm_probs=True, langs=list(LANGUAGES))
    return ident


def detect_language(text: str, default: str = "und", prefer: tuple[str, ...] = ("de", "en")) -> str:
    """ISO 639-1 code of `text`, or `default` when there is too little text to tell.

    Short texts are ambiguous ("Termin morgen?" scores Danish); unless another language is
    clearly ahead, the best of the `prefer`red languages wins.
    """
    text = _URL.sub(" ", text)[:4000]
    words = len(_WORD.findall(text))
    if words < 2:
        return default
    ranking = _identifier().rank(text)
    top, prob = ranking[0]
    if top in prefer or not prefer:
        return str(top)
    needed = 0.999 if words < 8 else 0.9
    if prob >= needed:
        return str(top)
    return str(next(lang for lang, _ in ranking if lang in prefer))
