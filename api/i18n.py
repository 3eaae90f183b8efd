"""The UI's words come from a catalogue per language (prompts/ui/<lang>.yaml), chosen by
the owner's first language; English when that is not German."""

from __future__ import annotations

from typing import Any

from agent.prompts import load_table
from core.config import Workspace

UI_LANGUAGES = ("de", "en")


def ui_language(ws: Workspace) -> str:
    first = ws.owner.languages[0]
    return first if first in UI_LANGUAGES else "en"


def texts(ws: Workspace) -> dict[str, Any]:
    return load_table(f"ui/{ui_language(ws)}")
