"""Offline triage speed next to the bare embedding speed of the same texts, and memory.

    python -m evals.bench_triage      (part of `make bench`)

The pipeline embeds each mail once; everything else (parsing, rules, kNN, the gate,
drafts) should cost little next to that. Goal: pipeline ≥ 80 % of bare embedding speed,
worker RSS ≤ 600 MB.
"""

from __future__ import annotations

import resource
import time

from agent.classify.base import text_of
from agent.parse.mime import parse_message
from agent.pipeline import triage
from agent.view import build_view
from core.config import load_config
from core.models import RawMessage
from evals.sets import EVAL_NOW, ROOT, SETS
from service.deps import default_deps
from tools.embeddings import get_embedder


def main() -> int:
    s = SETS["test"]
    ws = load_config(s.workspace).model_copy(update={"data_dir": ROOT / ".tmp" / "bench-data"})
    raws = [RawMessage(ref=p.name, data=p.read_bytes()) for p in s.files()]
    deps = default_deps(ws, clock=lambda: EVAL_NOW)
    texts = [text_of(build_view(parse_message(r), ws, EVAL_NOW)) for r in raws]
    triage(raws[0], deps)  # warm up

    start = time.perf_counter()
    for r in raws:
        triage(r, deps)
    pipeline = len(raws) / (time.perf_counter() - start)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    embedder = get_embedder().inner  # type: ignore[attr-defined]  # bypass the cache
    start = time.perf_counter()
    for t in texts:
        embedder.queries([t])
    bare = len(texts) / (time.perf_counter() - start)

    start = time.perf_counter()
    embedder.queries(texts)
    batched = len(texts) / (time.perf_counter() - start)

    print(f"model: {embedder.name}; {len(raws)} mails of the test split")
    print(f"bare embedding, one text at a time: {bare:6.1f} texts/s")
    print(f"bare embedding, one batch:          {batched:6.1f} texts/s")
    print(f"offline triage pipeline:            {pipeline:6.1f} emails/s "
          f"({100 * pipeline / bare:.0f} % of bare one-at-a-time)")
    print(f"worker peak RSS with the model loaded: {rss:.0f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
