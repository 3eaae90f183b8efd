"""Choosing the assistant for a routed task (CONTRACT §4 rule 6).

Each assistant's free-text skills are read as separate phrases ("Buchhaltung: Rechnungen,
Mahnungen; Reisen buchen" → "Buchhaltung", "Rechnungen", "Mahnungen", "Reisen buchen"),
split on commas, semicolons, colons, lines and "und"/"and". Every phrase is embedded once
and matched against the mail and against its category, across languages:

    fit(phrase) = z(mail · phrase) + W_CATEGORY · z(phrase · category)

The first term is the mail's similarity to the phrase measured against how similar that
phrase is to mail in general (the shipped example mails are the yardstick: a phrase such as
"Post" or "Reisen" is close to every mail and must not win everything); the second says how
much more the phrase is about the mail's category than about the others. A phrase that
names a language ("Social Media auf Deutsch", "English brand collaborations") is about
mail in that language only. An assistant fits as well as their best phrase.

Who fits: everyone within MARGIN of the best fit, if that is at least FIT. Among those
who read the mail's language, are not away that day and have capacity left, the best fit
wins; ties go to the least loaded. When the ones who fit cannot take it, the owner is told
who would fit and why not (language, away, capacity) — unless they are passed over only
for the mail's language and someone's skills name that language and nothing but who writes
in it ("Spanish-speaking clients"): that assistant takes it, and the explanation names who
was passed over. When nobody fits, the owner hears that nobody's skills cover it. The
numbers were tuned on the dev rosters under tests/fixtures/routing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

import numpy as np

from agent.classify.base import text_of
from core.config import Assistant, Workspace
from core.models import Category, MessageView
from core.ports import Embedder, Vectors

FIT = 4.25  # the best phrase must be at least this good for anyone to fit
MARGIN = 2.0  # who fits: within this of the best
TIE = 0.5  # fits this close count as equal: the least loaded gets the task
W_CATEGORY = 3.0
W_BROAD = 1.4  # admin and other hold many unrelated kinds of work: sharing them says less
BROAD = frozenset({Category.admin, Category.other})
W_LANGUAGE = 0.5  # a phrase naming the mail's language ("Spanish-speaking clients")

Why = Literal["language", "away", "capacity", "skills"]
Load = Callable[[str], int]

# Language names as skills write them ("auf Deutsch", "English-speaking", "spanischsprachig").
_LANGUAGE_NAMES = {
    "de": r"deutsch\w*|german\w*", "en": r"englisch\w*|english\w*",
    "fr": r"französisch\w*|franzoesisch\w*|french\w*|francophone",
    "es": r"spanisch\w*|spanish\w*|hispanic", "it": r"italienisch\w*|italian\w*",
    "nl": r"niederländisch\w*|holländisch\w*|dutch\w*", "pl": r"polnisch\w*|polish\w*",
    "pt": r"portugiesisch\w*|portuguese\w*", "tr": r"türkisch\w*|turkish\w*",
    "ca": r"katalanisch\w*|catalan\w*", "ru": r"russisch\w*|russian\w*",
    "uk": r"ukrainisch\w*|ukrainian\w*", "ar": r"arabisch\w*|arabic\w*",
}
_LANGUAGE = {code: re.compile(rf"\b(?:{words})", re.IGNORECASE)
             for code, words in _LANGUAGE_NAMES.items()}
# What is left of a phrase such as "Spanish-speaking clients" or "englischsprachige Kunden"
# besides its language: nothing but who writes (clients, guests, mail). Such a phrase makes
# its assistant the one for that language's mail (a language desk).
_AUDIENCE = re.compile(
    r"(?:\b(?:all(?:e|es)?|the|die|der|den|des|für|for|from|von|aus|with|mit|in|auf|"
    r"our|unsere[nr]?|speaking|sprachig\w*|language|sprache|"
    r"clients?|customers?|kund\w*|guests?|gäste\w*|partners?|partner\w*|"
    r"mails?|e-mails?|emails?|correspondence|korrespondenz|enquir\w*|inquir\w*|"
    r"anfragen|requests?|communication|kommunikation)\b|[-\s])+", re.IGNORECASE)
_ITEMS = re.compile(r"(?<!\s)\s*+(?:[,;/•·]|(?<=\s)[-–—]\s|"
                    r"\b(?:und|and|sowie|as well as|plus)\b|&)\s*", re.IGNORECASE)


@dataclass(frozen=True)
class Phrase:
    assistant: str  # id
    text: str
    languages: frozenset[str] = frozenset()  # the language(s) the phrase is limited to

    @property
    def desk(self) -> bool:
        """The phrase names a language and, besides it, only who writes ("Spanish-speaking
        clients"): its assistant takes that language's mail."""
        if not self.languages:
            return False
        rest = self.text
        for code in self.languages:
            rest = _LANGUAGE[code].sub(" ", rest)
        return not _AUDIENCE.sub("", rest).strip()


def _languages(text: str) -> frozenset[str]:
    return frozenset(code for code, pattern in _LANGUAGE.items() if pattern.search(text))


def _items(text: str) -> list[str]:
    """Top-level items of one line: parentheses hold items of their own."""
    out: list[str] = []
    for inner in re.findall(r"\(([^()]*)\)", text):
        out += _items(inner)
    outer = re.sub(r"\([^()]*\)", " ", text)
    out = [p for p in (x.strip(" .:!?\"'„“”") for x in _ITEMS.split(outer)) if p] + out
    return [p for p in out if len(p) > 1]


def skill_phrases(assistant: Assistant) -> list[Phrase]:
    """The assistant's skills as phrases; a head before a colon ("Buchhaltung: …") is a
    phrase too, and a language it names limits the items after it."""
    phrases: list[Phrase] = []
    for line in re.split(r"[\n\r]+|(?<=\.)\s+(?=[A-ZÄÖÜ])", assistant.skills):
        head, sep, rest = line.partition(":")
        scope = _languages(head) if sep else frozenset()
        for text in _items(head) + (_items(rest) if sep else []):
            langs = _languages(text) or scope
            phrases.append(Phrase(assistant.id, text, langs))
    unique: dict[str, Phrase] = {}
    for p in phrases:
        unique.setdefault(p.text.lower(), p)
    return list(unique.values())


@dataclass(frozen=True)
class Fit:
    assistant: Assistant
    score: float
    phrase: str


@dataclass(frozen=True)
class PassedOver:
    """Someone whose skills fit but who cannot take the task now."""

    assistant: Assistant
    why: Why
    until: date | None = None  # the last day of their absence
    load: int = 0


@dataclass(frozen=True)
class RouteChoice:
    assistant: Assistant
    score: float
    load: int
    eligible: int  # how many who fit could have taken it
    phrase: str = ""  # the skill phrase that matched
    passed: tuple[PassedOver, ...] = ()


@dataclass(frozen=True)
class RouteMiss:
    reason: Why
    passed: tuple[PassedOver, ...] = ()  # who would fit, and why they cannot
    closest: Fit | None = None  # nobody fits: whose skills came closest


def task_text(view: MessageView) -> str:
    """The task is the mail as the classifier read it (its vector is cached already), and
    for a forward the owner's note on top, which says what to do with it."""
    text = text_of(view)
    return f"{view.owner_note.strip()}\n{text}" if view.owner_forwarded and \
        view.owner_note.strip() else text


def background(embedder: Embedder) -> Vectors:
    """Mail in general, as a yardstick for phrase similarities: the shipped example mails."""
    from agent.classify.knn import load_seeds

    seeds = load_seeds(model=embedder.name)
    vectors = [s.vector for s in seeds if s.vector is not None]
    if vectors:
        return np.stack(vectors).astype(np.float32)
    sample = [s.example.text for s in seeds[:: max(1, len(seeds) // 300)]]
    return embedder.queries(sample)


@dataclass
class _Index:
    phrases: list[Phrase]
    vectors: Vectors
    mean: Vectors  # per phrase: similarity to mail in general
    spread: Vectors
    category: dict[Category, Vectors] = field(default_factory=dict)  # z per phrase


class Router:
    def __init__(self, ws: Workspace, embedder: Embedder,
                 reference: Callable[[Embedder], Vectors] = background) -> None:
        self._ws = ws
        self._embedder = embedder
        self._reference = reference
        self._index: _Index | None = None  # built on the first routed mail

    def _built(self) -> _Index:
        if self._index is None:
            self._index = self._build()
        return self._index

    def _build(self) -> _Index:
        from agent.classify.knn import CATS, _prototypes

        phrases = [p for a in self._ws.assistants for p in skill_phrases(a)]
        vectors = self._embedder.queries([p.text for p in phrases]) if phrases else \
            np.zeros((0, self._embedder.dim), np.float32)
        sims = self._reference(self._embedder) @ vectors.T
        cats = vectors @ _prototypes(self._embedder).T  # phrases x categories
        z = (cats - cats.mean(1, keepdims=True)) / (cats.std(1, keepdims=True) + 1e-6)
        return _Index(phrases, vectors, sims.mean(0), sims.std(0) + 1e-6,
                      {c: z[:, i] for i, c in enumerate(CATS)})

    def fits(self, view: MessageView, category: Category) -> list[Fit]:
        """Every assistant with their best phrase for this mail, best first."""
        idx = self._built()
        if not idx.phrases:
            return []
        query = self._embedder.queries([task_text(view)])[0]
        weight = W_BROAD if category in BROAD else W_CATEGORY
        scores = (idx.vectors @ query - idx.mean) / idx.spread + weight * idx.category[category]
        best: dict[str, tuple[float, str]] = {}
        for p, s in zip(idx.phrases, scores.tolist(), strict=True):
            if p.languages:
                if view.language not in p.languages:
                    continue
                s += W_LANGUAGE
            if p.assistant not in best or s > best[p.assistant][0]:
                best[p.assistant] = (s, p.text)
        by_id = {a.id: a for a in self._ws.assistants}
        out = [Fit(by_id[i], s, text) for i, (s, text) in best.items()]
        return sorted(out, key=lambda f: -f.score)

    def blocked(self, a: Assistant, language: str, load: Load, today: date) -> PassedOver | None:
        """Why `a` cannot take a task in `language` today, if they cannot."""
        if language not in a.languages:
            return PassedOver(a, "language")
        away = a.away_on(today)
        if away is not None:
            return PassedOver(a, "away", until=away.to)
        if load(a.id) >= a.capacity:
            return PassedOver(a, "capacity", load=load(a.id))
        return None

    def named(self, assistant_id: str, language: str, load: Load,
              today: date) -> RouteChoice | None:
        """The assistant the owner named, if they can take it (language, away, capacity)."""
        a = self._ws.assistant(assistant_id)
        if a is None or self.blocked(a, language, load, today) is not None:
            return None
        return RouteChoice(assistant=a, score=1.0, load=load(a.id), eligible=1)

    def choose(self, view: MessageView, category: Category, load: Load, today: date,
               exclude: Collection[str] = (),
               only: Collection[str] | None = None) -> RouteChoice | RouteMiss:
        """The best fitting assistant who can take the task, or why nobody can. `today` is
        the owner-local day by the agent's clock; `exclude` names those who must not get it
        (e.g. who declined it); `only` the members of a team the mail belongs to — the
        owner put them on the job, so the best of them gets it without a minimum fit."""
        ranked = [f for f in self.fits(view, category) if f.assistant.id not in exclude
                  and (only is None or f.assistant.id in only)]
        floor = FIT if only is None else -math.inf
        if not ranked or ranked[0].score < floor:
            return RouteMiss("skills", closest=ranked[0] if ranked else None)
        fitting = [f for f in ranked if f.score >= max(floor, ranked[0].score - MARGIN)]
        passed: list[PassedOver] = []
        pool: list[Fit] = []
        for f in fitting:
            why = self.blocked(f.assistant, view.language, load, today)
            if why is None:
                pool.append(f)
            else:
                passed.append(why)
        if not pool:
            if all(p.why == "language" for p in passed):
                desk = self._desk(view, load, today, exclude)
                if desk is not None:
                    return RouteChoice(assistant=desk.assistant, score=desk.score,
                                       load=load(desk.assistant.id), eligible=1,
                                       phrase=desk.phrase, passed=tuple(passed))
            return RouteMiss(passed[0].why, passed=tuple(passed))
        tied = [f for f in pool if pool[0].score - f.score <= TIE]
        best = min(tied, key=lambda f: (load(f.assistant.id), -f.score))
        ahead = tuple(p for p in passed if _score(fitting, p) > best.score)
        return RouteChoice(assistant=best.assistant, score=best.score,
                           load=load(best.assistant.id), eligible=len(pool),
                           phrase=best.phrase, passed=ahead)


    def _desk(self, view: MessageView, load: Load, today: date,
              exclude: Collection[str]) -> Fit | None:
        """Those who fit the work cannot read the mail's language: the assistant for that
        language's mail, if there is one who can take it (the least loaded of them)."""
        by_id = {a.id: a for a in self._ws.assistants}
        desks = [Fit(by_id[p.assistant], 0.0, p.text) for p in self._built().phrases
                 if p.desk and view.language in p.languages and p.assistant not in exclude]
        able = [f for f in desks
                if self.blocked(f.assistant, view.language, load, today) is None]
        return min(able, key=lambda f: load(f.assistant.id)) if able else None


def _score(fitting: list[Fit], p: PassedOver) -> float:
    return next(f.score for f in fitting if f.assistant.id == p.assistant.id)


def route_args(result: RouteChoice | RouteMiss) -> dict[str, str]:
    """What the explanation names: the phrase that matched, and who was passed over and why
    (as JSON: `reason_args` holds strings)."""
    passed = [{"name": p.assistant.name, "why": p.why,
               "until": p.until.isoformat() if p.until else ""} for p in result.passed]
    args = {"passed": json.dumps(passed, ensure_ascii=False)} if passed else {}
    if isinstance(result, RouteChoice) and result.phrase:
        args["phrase"] = result.phrase
    if isinstance(result, RouteMiss) and result.closest is not None:
        args["closest"] = result.closest.phrase
        args["closest_assistant"] = result.closest.assistant.name
    return args
