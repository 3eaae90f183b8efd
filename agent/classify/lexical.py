"""The words of the whole text, hashed: a cheap second view of a mail next to the
embedding of its head. Nearest examples by these vectors vote beside the embedding's
neighbours (agent/classify/knn.py), so what stands further down a long mail still counts
without paying for its tokens in the embedding model."""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache

import numpy as np
import numpy.typing as npt

DIM = 2048
_WORD = re.compile(r"\w{3,}")
Vector = npt.NDArray[np.float32]


@lru_cache(maxsize=200_000)
def _bucket(word: str) -> int:
    # blake2b, not hash(): the same word lands in the same bucket in every process
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little") % DIM


def lexical_vector(text: str) -> Vector:
    """Log-scaled counts of the words (3+ letters, lower case) in DIM buckets, unit length."""
    buckets = [_bucket(word) for word in _WORD.findall(text.lower())]
    v = np.bincount(buckets, minlength=DIM).astype(np.float32) if buckets else \
        np.zeros(DIM, dtype=np.float32)
    v = np.log1p(v)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def lexical_matrix(texts: list[str]) -> Vector:
    return np.stack([lexical_vector(t) for t in texts]) if texts else np.zeros((0, DIM),
                                                                              np.float32)
