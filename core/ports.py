"""The narrow doors between the decisions (`agent/`) and the world (`tools/`).

The decision stages use these protocols and plain types; `tools/` implements them
(`tools.embeddings`, `tools.vectorstore`, `tools.llm`, `tools.calendar`), and `service/`
wires one to the other. Nothing here touches a network, a disk or a model runtime.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, Field

from core.models import Category, Priority

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Sentence embeddings (e5 wants "query:" and "passage:" sides)."""

    name: str
    dim: int

    def queries(self, texts: list[str]) -> Vectors: ...

    def passages(self, texts: list[str]) -> Vectors: ...


# --- labelled examples --------------------------------------------------------------------


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    category: str
    priority: str = "normal"
    language: str = "und"
    source: str = "seed"  # seed | correction
    action: str | None = None
    assignee: str | None = None
    signals: tuple[tuple[str, int], ...] = ()  # header/text signals the classifier uses

    def metadata(self) -> dict[str, str | int]:
        meta: dict[str, str | int] = {"category": self.category, "priority": self.priority,
                                      "language": self.language, "source": self.source}
        if self.action:
            meta["action"] = self.action
        if self.assignee:
            meta["assignee"] = self.assignee
        meta.update({f"sig_{k}": int(v) for k, v in self.signals})
        return meta


@dataclass(frozen=True)
class Neighbour:
    example: Example
    similarity: float


class ExampleIndex(Protocol):
    """Labelled examples with their vectors (the classifier's memory)."""

    def ids(self) -> set[str]: ...

    def add(self, examples: list[Example], vectors: Vectors) -> None: ...

    def all(self) -> tuple[list[Example], Vectors]: ...

    def nearest(self, vector: Vectors, k: int) -> list[Neighbour]: ...

    def kept_fit(self, key: str) -> dict[str, Any] | None:
        """The classifier's models fitted on exactly these examples (`key`), if kept."""
        ...

    def keep_fit(self, key: str, arrays: dict[str, Any]) -> None: ...


# --- the owner's approved replies ---------------------------------------------------------


@dataclass(frozen=True)
class ApprovedReply:
    """A reply the owner edited and approved, found for a new mail like the one it answered."""

    draft_id: int
    body: str  # her text as approved
    facts: dict[str, Any]  # of the mail it answered: names, dates, amounts, invoice numbers
    recipient: str  # whom it answered ("Petra Brandt", or the address)
    approved_at: datetime
    similarity: float


class ApprovedReplies(Protocol):
    """Her approved wording, nearest first: same category and language, nearest by the
    embedding of the mail answered (None when nothing is close enough)."""

    def like(self, text: str, category: str, language: str) -> ApprovedReply | None: ...


# --- a language model ---------------------------------------------------------------------


class LLMError(Exception):
    """The model could not give a usable answer; the offline decision stands."""


class LLMTriage(BaseModel):
    """What the model may say about a mail: a closed vocabulary, nothing it could act on."""

    category: Category
    priority: Priority
    confidence: float = Field(ge=0.0, le=1.0, description="how sure, 0..1")
    reason: str = Field(default="", max_length=300, description="one short sentence")


@dataclass
class Call:
    """One model call, for the log table and the evals."""

    purpose: str
    model: str
    prompt_version: str
    ok: bool
    latency_ms: float
    usage: dict[str, int] = field(default_factory=dict)
    error: str | None = None


class LLMClient(Protocol):
    model_name: str
    calls: list[Call]

    def triage(self, system: str, user: str, prompt_version: str) -> LLMTriage: ...

    def write(self, system: str, user: str, prompt_version: str) -> str: ...


# --- the owner's knowledge ------------------------------------------------------------------


@dataclass(frozen=True)
class Passage:
    """One piece of the owner's knowledge: a sentence or list item with the headings above it."""

    id: str
    text: str  # the sentence or list item, Markdown removed
    heading: str = ""  # the nearest heading above it ("Stundensatz")
    source: str = ""  # the file it comes from, relative to the knowledge folder
    language: str = "und"
    block: str = ""  # the whole paragraph the sentence comes from, when it has more than one
    context: str = ""  # the headings between the file's title and `heading` ("Sessel")


@dataclass(frozen=True)
class PassageHit:
    passage: Passage
    similarity: float  # cosine similarity of the question and the passage, -1..1


class KnowledgeSearch(Protocol):
    """The owner's knowledge, searched by meaning; passages in `language` come first."""

    def search(self, questions: list[str], language: str, k: int = 3) -> list[list[PassageHit]]:
        """For each question the `k` nearest passages by meaning (e5 cosine), best first."""
        ...

    def passages(self) -> list[Passage]:
        """All passages (what the word statistics of the re-ranking count over)."""
        ...
