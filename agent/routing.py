"""Choosing the assistant for a routed task (CONTRACT §4 rule 6).

Among the assistants who read the message's language and have capacity left, the one whose
free-text skills are most similar to the task (sentence embeddings) wins; ties (within a
small margin) go to the least loaded. Nobody eligible: the caller notifies the owner.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from agent.config import Assistant, Workspace
from agent.models import Category, MessageView
from agent.prompts import load_table
from tools.embeddings import Embedder

TIE_MARGIN = 0.01


@dataclass(frozen=True)
class RouteChoice:
    assistant: Assistant
    score: float
    load: int
    eligible: int  # how many assistants could have taken it


def task_text(view: MessageView, category: Category) -> str:
    mail = view.mail
    words = load_table("routing/task_words")["words"].get(category.value, "")
    return f"{words}\n{mail.subject}\n{mail.body.new[:600]}"


class Router:
    def __init__(self, ws: Workspace, embedder: Embedder) -> None:
        self._ws = ws
        self._embedder = embedder
        self._skills = embedder.passages([f"{a.skills}" for a in ws.assistants]) \
            if ws.assistants else np.zeros((0, embedder.dim), np.float32)

    def eligible(self, language: str, load: Callable[[str], int]) -> list[Assistant]:
        return [a for a in self._ws.assistants
                if language in a.languages and load(a.id) < a.capacity]

    def named(self, assistant_id: str, language: str,
              load: Callable[[str], int]) -> RouteChoice | None:
        """The assistant the owner named, if they read the language and have capacity."""
        pool = self.eligible(language, load)
        match = next((a for a in pool if a.id == assistant_id), None)
        if match is None:
            return None
        return RouteChoice(assistant=match, score=1.0, load=load(match.id), eligible=len(pool))

    def choose(self, view: MessageView, category: Category,
               load: Callable[[str], int]) -> RouteChoice | None:
        pool = self.eligible(view.language, load)
        if not pool:
            return None
        query = self._embedder.queries([task_text(view, category)])[0]
        index = {a.id: i for i, a in enumerate(self._ws.assistants)}
        scored = [(float(self._skills[index[a.id]] @ query), a) for a in pool]
        top = max(s for s, _ in scored)
        tied = [(s, a) for s, a in scored if top - s <= TIE_MARGIN]
        score, best = min(tied, key=lambda sa: (load(sa[1].id), -sa[0]))
        return RouteChoice(assistant=best, score=score, load=load(best.id), eligible=len(pool))
