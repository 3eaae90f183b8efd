"""The example store: labelled mails as vectors in a local chroma `PersistentClient`.

Embeddings are computed by our own embedder (tools/embeddings.py) and handed to chroma;
chroma's default embedding function would download a model and fail offline. Chroma
rebuilds a collection's embedding function from its stored config on every call, so the
registered function below only delegates to the process-wide embedder (loaded once).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tools.embeddings import Vectors, get_embedder

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import chromadb
from chromadb.api.types import Documents, EmbeddingFunction, Embeddings
from chromadb.config import Settings
from chromadb.utils.embedding_functions import register_embedding_function

log = logging.getLogger(__name__)
COLLECTION = "examples"


@register_embedding_function
class AssistenzEmbedding(EmbeddingFunction[Documents]):
    """Delegates to the cached process-wide embedder; never loads a model itself."""

    def __init__(self) -> None:
        pass

    def __call__(self, input: Documents) -> Embeddings:
        vectors = get_embedder().queries([str(t) for t in input])
        return [np.asarray(v, dtype=np.float32) for v in vectors]

    @staticmethod
    def name() -> str:
        return "assistenz-embedder"

    def get_config(self) -> dict[str, Any]:
        return {}

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> AssistenzEmbedding:
        return AssistenzEmbedding()

    def default_space(self) -> Any:
        return "cosine"


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

    def metadata(self) -> dict[str, str]:
        meta = {"category": self.category, "priority": self.priority, "language": self.language,
                "source": self.source}
        if self.action:
            meta["action"] = self.action
        if self.assignee:
            meta["assignee"] = self.assignee
        return meta


@dataclass(frozen=True)
class Neighbour:
    example: Example
    similarity: float


def _example(id_: str, doc: str, meta: dict[str, Any]) -> Example:
    return Example(id=id_, text=doc, category=str(meta["category"]),
                   priority=str(meta.get("priority", "normal")),
                   language=str(meta.get("language", "und")),
                   source=str(meta.get("source", "seed")),
                   action=meta.get("action"), assignee=meta.get("assignee"))


class ExampleStore:
    """Labelled examples with their vectors, persisted under the workspace's data_dir."""

    def __init__(self, path: Path, model_name: str) -> None:
        path.mkdir(parents=True, exist_ok=True)
        self._client = chromadb.PersistentClient(
            path=str(path), settings=Settings(anonymized_telemetry=False, allow_reset=False))
        # one collection per embedding model: vectors of different models never mix
        safe = "".join(ch if ch.isalnum() else "-" for ch in model_name)[:40].strip("-")
        function: Any = AssistenzEmbedding()  # chroma's generics do not fit a text-only function
        self._col: Any = self._client.get_or_create_collection(
            name=f"{COLLECTION}-{safe}", embedding_function=function,
            configuration={"hnsw": {"space": "cosine"}})

    def ids(self) -> set[str]:
        return set(self._col.get(include=[])["ids"])

    def add(self, examples: list[Example], vectors: Vectors) -> None:
        if not examples:
            return
        self._col.upsert(ids=[e.id for e in examples], documents=[e.text for e in examples],
                         metadatas=[e.metadata() for e in examples],
                         embeddings=[np.asarray(v, dtype=np.float32) for v in vectors])

    def delete(self, ids: list[str]) -> None:
        if ids:
            self._col.delete(ids=ids)

    def all(self) -> tuple[list[Example], Vectors]:
        got = self._col.get(include=["documents", "metadatas", "embeddings"])
        examples = [_example(i, d or "", dict(m or {})) for i, d, m in
                    zip(got["ids"], got["documents"] or [], got["metadatas"] or [], strict=True)]
        emb = got["embeddings"]
        vectors = np.asarray(emb, dtype=np.float32) if emb is not None and len(emb) else \
            np.zeros((0, 1), dtype=np.float32)
        return examples, vectors

    def nearest(self, vector: Vectors, k: int) -> list[Neighbour]:
        count = self._col.count()
        if count == 0:
            return []
        res = self._col.query(query_embeddings=[np.asarray(vector, dtype=np.float32)],
                              n_results=min(k, count),
                              include=["documents", "metadatas", "distances"])
        ids, docs = res["ids"][0], (res["documents"] or [[]])[0]
        metas, dists = (res["metadatas"] or [[]])[0], (res["distances"] or [[]])[0]
        return [Neighbour(_example(i, d or "", dict(m or {})), 1.0 - float(dist))
                for i, d, m, dist in zip(ids, docs, metas, dists, strict=True)]
