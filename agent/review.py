"""What the owner's review checks before a draft may go out (CONTRACT §7), as rules."""

from __future__ import annotations

import re

# A placeholder: anything in square brackets with a letter or an ellipsis inside
# ("[Name]", "[Preis einsetzen]", "[…]"); "[1]" or "[]" are not placeholders.
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{0,200}?(?:[^\W\d_]|…|\.\.\.)[^\[\]\n]{0,200}?\]")


def placeholders(text: str) -> list[str]:
    """The placeholders left in a draft's text, in order; [] when it may be sent."""
    return [m.group(0) for m in _PLACEHOLDER.finditer(text)]
