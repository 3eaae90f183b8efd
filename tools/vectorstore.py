"""The example store: labelled mails as vectors in a local chroma `PersistentClient`.

Embeddings are computed by our own embedder (tools/embeddings.py) and handed to chroma;
chroma's default embedding function would download a model and fail offline. Chroma
rebuilds a collection's embedding function from its stored config on every call, so the
registered function below only delegates to the process-wide embedder (loaded once).
"""

from __future__ import annotations

import contextlib
import logging
import os
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from core.ports import Example, Neighbour, Vectors
from tools.embeddings import get_embedder

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


def _example(id_: str, doc: str, meta: dict[str, Any]) -> Example:
    signals = tuple(sorted((k[4:], int(v)) for k, v in meta.items() if k.startswith("sig_")))
    return Example(id=id_, text=doc, category=str(meta["category"]),
                   priority=str(meta.get("priority", "normal")),
                   language=str(meta.get("language", "und")),
                   source=str(meta.get("source", "seed")),
                   action=meta.get("action"), assignee=meta.get("assignee"), signals=signals)


class ExampleStore:
    """Labelled examples with their vectors, persisted under the workspace's data_dir.

    Two collections: the shipped seeds (named after the seed set, so a new release brings
    its own) and the owner's corrections (kept across releases). Queries search both.
    """

    def __init__(self, path: Path, model_name: str, seed_key: str = "seeds") -> None:
        path.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._client = chromadb.PersistentClient(
            path=str(path), settings=Settings(anonymized_telemetry=False, allow_reset=False))
        model = "".join(ch if ch.isalnum() else "-" for ch in model_name)[:30].strip("-")
        self._seeds = self._collection(f"seeds-{seed_key}-{model}")
        self._corrections = self._collection(f"corrections-{model}")

    def _collection(self, name: str) -> Any:
        function: Any = AssistenzEmbedding()  # chroma's generics do not fit a text-only function
        return self._client.get_or_create_collection(
            name=name[:60], embedding_function=function,
            configuration={"hnsw": {"space": "cosine"}})

    def _cols(self) -> tuple[Any, Any]:
        return self._seeds, self._corrections

    def ids(self) -> set[str]:
        return {i for col in self._cols() for i in col.get(include=[])["ids"]}

    def add(self, examples: list[Example], vectors: Vectors) -> None:
        """Upsert examples; corrections go to their own collection."""
        for col, source in ((self._seeds, "seed"), (self._corrections, "correction")):
            pairs = [(e, v) for e, v in zip(examples, vectors, strict=True)
                     if (e.source == "correction") == (source == "correction")]
            if pairs:
                col.upsert(ids=[e.id for e, _ in pairs], documents=[e.text for e, _ in pairs],
                           metadatas=[e.metadata() for e, _ in pairs],
                           embeddings=[np.asarray(v, dtype=np.float32) for _, v in pairs])

    def delete(self, ids: list[str]) -> None:
        if ids:
            for col in self._cols():
                col.delete(ids=ids)

    def all(self) -> tuple[list[Example], Vectors]:
        examples: list[Example] = []
        chunks: list[Vectors] = []
        for col in self._cols():
            got = col.get(include=["documents", "metadatas", "embeddings"])
            examples += [_example(i, d or "", dict(m or {})) for i, d, m in
                         zip(got["ids"], got["documents"] or [], got["metadatas"] or [],
                             strict=True)]
            emb = got["embeddings"]
            if emb is not None and len(emb):
                chunks.append(np.asarray(emb, dtype=np.float32))
        vectors = np.concatenate(chunks) if chunks else np.zeros((0, 1), dtype=np.float32)
        return examples, vectors

    def kept_fit(self, key: str) -> dict[str, Any] | None:
        """The classifier's models as fitted on these examples by an earlier start (fitting
        takes seconds; without this, every worker start after a correction paid them)."""
        try:
            with np.load(self.path / f"fit-{key}.npz", allow_pickle=False) as data:
                return {name: data[name] for name in data.files}
        except (OSError, ValueError):
            return None

    def keep_fit(self, key: str, arrays: dict[str, Any]) -> None:
        """Kept for the next start (written whole, then renamed: a reader never sees half a
        file); fits of earlier example sets are removed."""
        fd, tmp = tempfile.mkstemp(dir=self.path, prefix=".fit-", suffix=".npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **arrays)
            os.replace(tmp, self.path / f"fit-{key}.npz")
        except OSError as exc:
            log.warning("could not keep the classifier's fit: %s", exc)
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            return
        for old in self.path.glob("fit-*.npz"):
            if old.name != f"fit-{key}.npz":
                with contextlib.suppress(OSError):
                    old.unlink()

    def nearest(self, vector: Vectors, k: int) -> list[Neighbour]:
        found: list[Neighbour] = []
        for col in self._cols():
            count = col.count()
            if count == 0:
                continue
            res = col.query(query_embeddings=[np.asarray(vector, dtype=np.float32)],
                            n_results=min(k, count),
                            include=["documents", "metadatas", "distances"])
            ids, docs = res["ids"][0], (res["documents"] or [[]])[0]
            metas, dists = (res["metadatas"] or [[]])[0], (res["distances"] or [[]])[0]
            found += [Neighbour(_example(i, d or "", dict(m or {})), 1.0 - float(dist))
                      for i, d, m, dist in zip(ids, docs, metas, dists, strict=True)]
        return sorted(found, key=lambda n: -n.similarity)[:k]
