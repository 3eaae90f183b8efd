"""Choosing the assistant for a routed task (CONTRACT §4 rule 6).

An assistant fits a kind of task when their free-text skills are closest to that category's
description (sentence embeddings; within a small margin of their best category). Among those
who fit, read the message's language and have capacity left, the one whose skills are most
similar to the task itself wins; ties go to the least loaded. Nobody: the owner is notified,
and told why (language, capacity or skills).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np

from agent.classify.base import text_of
from core.config import Assistant, Workspace
from core.models import Category, MessageView
from core.ports import Embedder

TIE_MARGIN = 0.01
FIT_MARGIN = 0.025  # categories this close to an assistant's best one are theirs too


@dataclass(frozen=True)
class RouteChoice:
    assistant: Assistant
    score: float
    load: int
    eligible: int  # how many assistants could have taken it


@dataclass(frozen=True)
class RouteMiss:
    reason: Literal["language", "capacity", "skills"]


def task_text(view: MessageView) -> str:
    """The task is the mail as the classifier read it (its vector is cached already)."""
    return text_of(view)


class Router:
    def __init__(self, ws: Workspace, embedder: Embedder) -> None:
        self._ws = ws
        self._embedder = embedder
        self._skills = embedder.passages([f"{a.skills}" for a in ws.assistants]) \
            if ws.assistants else np.zeros((0, embedder.dim), np.float32)
        self._covers = self._coverage(ws, embedder)

    @staticmethod
    def _coverage(ws: Workspace, embedder: Embedder) -> dict[str, set[Category]]:
        if not ws.assistants:
            return {}
        from agent.classify.knn import CATS, _prototypes

        sims = embedder.queries([a.skills for a in ws.assistants]) @ _prototypes(embedder).T
        return {a.id: {CATS[j] for j in range(len(CATS)) if row[j] >= row.max() - FIT_MARGIN}
                for a, row in zip(ws.assistants, sims, strict=True)}

    def fits(self, assistant_id: str, category: Category) -> bool:
        return category in self._covers.get(assistant_id, set())

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
               load: Callable[[str], int]) -> RouteChoice | RouteMiss:
        fitting = [a for a in self._ws.assistants if self.fits(a.id, category)]
        if not fitting:
            return RouteMiss("skills")
        readers = [a for a in fitting if view.language in a.languages]
        if not readers:
            return RouteMiss("language")
        pool = [a for a in readers if load(a.id) < a.capacity]
        if not pool:
            return RouteMiss("capacity")
        query = self._embedder.queries([task_text(view)])[0]
        index = {a.id: i for i, a in enumerate(self._ws.assistants)}
        scored = [(float(self._skills[index[a.id]] @ query), a) for a in pool]
        top = max(s for s, _ in scored)
        tied = [(s, a) for s, a in scored if top - s <= TIE_MARGIN]
        score, best = min(tied, key=lambda sa: (load(sa[1].id), -sa[0]))
        return RouteChoice(assistant=best, score=score, load=load(best.id), eligible=len(pool))
