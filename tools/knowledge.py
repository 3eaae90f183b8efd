"""The owner's knowledge (CONTRACT §4 `knowledge:`) as passages in their own chroma
collection, searched by meaning for the questions a mail asks.

The collection is named after the knowledge's fingerprint (the files' content hashes, the
splitter version and the embedding model): changed files give a new fingerprint, and the
collection is built again from the files; an unchanged folder is only read and hashed. A
running process notices changed files by their size and modification time before each
search.
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np

from core.ports import Embedder, Passage, PassageHit
from tools.markdown import (
    KnowledgeFile,
    embedding_text,
    fingerprint,
    knowledge_files,
    read_file,
    split,
)

os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")

import chromadb
from chromadb.config import Settings

from tools.vectorstore import AssistenzEmbedding

log = logging.getLogger(__name__)
PREFIX = "knowledge-"
CANDIDATES = 16  # nearest passages by meaning (agent/ranking.py re-ranks them)


def _detect(text: str) -> str:
    from py3langid.langid import classify

    lang, _ = classify(text[:2000])
    return str(lang)


class KnowledgeBase:
    """Implements `core.ports.KnowledgeSearch` over a folder of Markdown files."""

    def __init__(self, folder: Path, data_dir: Path, embedder: Embedder) -> None:
        self.folder = folder
        self.embedder = embedder
        self._path = data_dir / "knowledge"
        self._client: Any = None
        self._collection: Any = None
        self._passages: dict[str, Passage] = {}
        self._languages: set[str] = set()
        self._stamp: tuple[tuple[str, int, int], ...] = ()
        self._lock = threading.Lock()

    # --- building -------------------------------------------------------------------------

    def _stat(self) -> tuple[tuple[str, int, int], ...]:
        out = []
        for p in knowledge_files(self.folder):
            st = p.stat()
            out.append((str(p), st.st_mtime_ns, st.st_size))
        return tuple(out)

    def _files(self) -> list[KnowledgeFile]:
        files = [read_file(p, self.folder) for p in knowledge_files(self.folder)]
        return [f if f.language != "und" else KnowledgeFile(f.path, f.relative, f.text,
                                                            _detect(f.text)) for f in files]

    def _open(self) -> Any:
        if self._client is None:
            self._path.mkdir(parents=True, exist_ok=True)
            self._client = chromadb.PersistentClient(
                path=str(self._path),
                settings=Settings(anonymized_telemetry=False, allow_reset=False))
        return self._client

    def refresh(self) -> None:
        """Read the folder again when a file changed; rebuild the collection when the
        content did (the fingerprint names the collection)."""
        with self._lock:
            stamp = self._stat()
            if stamp == self._stamp and self._collection is not None:
                return
            files = self._files()
            passages = [p for f in files for p in split(f)]
            name = f"{PREFIX}{fingerprint(files, self.embedder.name)}"
            client = self._open()
            for col in client.list_collections():
                col_name = col if isinstance(col, str) else col.name
                if col_name.startswith(PREFIX) and col_name != name:
                    client.delete_collection(col_name)  # the knowledge changed: drop the old
            function: Any = AssistenzEmbedding()
            collection = client.get_or_create_collection(
                name=name, embedding_function=function, configuration={"hnsw": {"space": "cosine"}})
            if collection.count() != len(passages):
                self._fill(collection, passages)
            self._collection = collection
            self._passages = {p.id: p for p in passages}
            self._languages = {p.language for p in passages}
            self._stamp = stamp

    def _fill(self, collection: Any, passages: list[Passage]) -> None:
        log.info("knowledge: embedding %d passages from %s", len(passages), self.folder)
        existing = collection.get(include=[])["ids"]
        if existing:
            collection.delete(ids=existing)
        for i in range(0, len(passages), 64):
            chunk = passages[i:i + 64]
            vectors = self.embedder.passages([embedding_text(p) for p in chunk])
            collection.add(ids=[p.id for p in chunk], documents=[p.text for p in chunk],
                           metadatas=[{"language": p.language, "source": p.source,
                                       "heading": p.heading} for p in chunk],
                           embeddings=[np.asarray(v, dtype=np.float32) for v in vectors])

    # --- searching ------------------------------------------------------------------------

    def passages(self) -> list[Passage]:
        self.refresh()
        return list(self._passages.values())

    def search(self, questions: list[str], language: str, k: int = 3) -> list[list[PassageHit]]:
        """The best passages per question; when the knowledge has passages in `language`,
        only those (a reply quotes no other language), else all."""
        if not questions:
            return []
        self.refresh()
        total = self._collection.count() if self._collection is not None else 0
        if total == 0:
            return [[] for _ in questions]
        where = {"language": language} if language in self._languages else None
        vectors = self.embedder.queries(questions)
        res = self._collection.query(
            query_embeddings=[np.asarray(v, dtype=np.float32) for v in vectors],
            n_results=min(max(k, CANDIDATES), total), where=where, include=["distances"])
        out: list[list[PassageHit]] = []
        for ids, dists in zip(res["ids"], res["distances"] or [], strict=True):
            hits = [PassageHit(self._passages[i], 1.0 - float(d))
                    for i, d in zip(ids, dists, strict=True) if i in self._passages]
            out.append(sorted(hits, key=lambda h: -h.similarity)[:k])
        return out


def open_knowledge(folder: Path | None, data_dir: Path, embedder: Embedder) -> KnowledgeBase | None:
    """The workspace's knowledge, or None without a `knowledge:` folder. A folder that
    cannot be read is logged and left out: drafts then name every question for the owner."""
    if folder is None:
        return None
    kb = KnowledgeBase(folder, data_dir, embedder)
    try:
        kb.refresh()
    except (OSError, ValueError) as exc:
        log.warning("knowledge: %s cannot be read (%s); drafts leave questions to you",
                    folder, exc)
        return None
    return kb
