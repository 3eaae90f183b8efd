"""What the owner's review checks before a draft may go out (CONTRACT §7), as rules."""

from __future__ import annotations

import re
from functools import cache

from agent.prompts import load_table

# A placeholder: anything in square brackets with a letter or an ellipsis inside
# ("[Name]", "[Preis einsetzen]", "[…]"); "[1]" or "[]" are not placeholders.
_PLACEHOLDER = re.compile(r"\[[^\[\]\n]{0,200}?(?:[^\W\d_]|…|\.\.\.)[^\[\]\n]{0,200}?\]")


def placeholders(text: str) -> list[str]:
    """The placeholders left in a draft's text, in order; [] when it may be sent."""
    return [m.group(0) for m in _PLACEHOLDER.finditer(text)]


@cache
def open_markers() -> tuple[str, ...]:
    """How a draft starts a line that is meant for the owner, not the recipient ("Offen für
    Sie:", "Open for you:"): one table, shared by the drafts, the explanation and the UI."""
    markers: dict[str, str] = load_table("llm/material")["marker"]
    return tuple(markers.values())


def open_points(text: str) -> list[str]:
    """The lines left for the owner ("Offen für Sie: Stundensatz oder Pauschale?"), in order:
    a question of the sender's that only she can answer. Sent as they are, the recipient
    would read a note to someone else."""
    markers = open_markers()
    return [line.strip() for line in text.splitlines() if line.lstrip().startswith(markers)]


def gaps(text: str) -> list[str]:
    """Everything the owner must fill in or delete before the review UI sends a draft:
    placeholders in brackets and open points."""
    return placeholders(text) + open_points(text)
