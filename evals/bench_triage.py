"""Offline triage speed on long real mail and on the short test split, beside the bare
embedding, and what embedding only the head of each mail costs in accuracy.

    python -m evals.bench_triage                  (part of `make bench`)
    python -m evals.bench_triage --compare 2000   # the head beside 2,000 characters

Long mail: the held-out SpamAssassin mails of at least 4 kB (real mail of 2002, not written
by us). Short mail: the v2 test split. Each is triaged one mail at a time (as `run`
does) and in batches of 16 (as `triage` does: parsed together, embedded in one call).
The machine is shared: the load average is printed next to the figures.

Goal: ≥ 20 long mails/s on 2 cores, category accuracy within 2 points of embedding the
whole text (leave-one-corpus-out over the examples, printed side by side with another
head length: 200 characters by default, the one that would be fast enough; the shipped
600 characters hold the whole text of four in five written mails).
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from collections.abc import Callable

from agent.classify.base import text_of
from agent.parse.mime import parse_message
from agent.pipeline import Deps, triage, triage_batch
from agent.view import build_view
from core.config import load_config
from core.models import RawMessage
from evals import spamassassin, tune
from evals.sets import EVAL_NOW, ROOT, SETS, V2_PERSONAS
from service.deps import default_deps
from tools import embeddings
from tools.embeddings import get_embedder

LONG_BYTES = 4096
BATCH = 16


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.1f} (1 min) / {five:.1f} (5 min) on {os.cpu_count()} cores"


def _forget() -> None:
    """Empty the embedder's cache, so every run embeds every mail."""
    memo = getattr(get_embedder(), "_memo", None)
    if memo is not None:
        memo.clear()


def _rate(run: Callable[[], None], n: int) -> float:
    _forget()
    start = time.perf_counter()
    run()
    return n / (time.perf_counter() - start)


def _one_by_one(raws: list[RawMessage], deps: Deps,
                decided: list[str] | None = None) -> Callable[[], None]:
    def go() -> None:
        for r in raws:
            out = triage(r, deps)
            if decided is not None:
                decided.append(out.classification.decided_by)
    return go


def _batched(raws: list[RawMessage], deps: Deps) -> Callable[[], None]:
    def go() -> None:
        for i in range(0, len(raws), BATCH):
            for out in triage_batch(raws[i:i + BATCH], deps):
                if isinstance(out, Exception):
                    raise out
    return go


def speed(name: str, raws: list[RawMessage], deps: Deps) -> None:
    ws = deps.ws
    texts = [text_of(build_view(parse_message(r), ws, EVAL_NOW)) for r in raws]
    inner = get_embedder().inner  # type: ignore[attr-defined]  # bypass the cache
    kb = sum(len(r.data) for r in raws) / len(raws) / 1024
    print(f"\n{name}: {len(raws)} mails, {kb:.1f} kB on average; {_load()}")
    bare = len(texts) / _timed(lambda: [inner.queries([t]) for t in texts])
    bare_batch = len(texts) / _timed(lambda: [inner.queries(texts[i:i + BATCH])
                                             for i in range(0, len(texts), BATCH)])
    decided: list[str] = []
    one = _rate(_one_by_one(raws, deps, decided), len(raws))
    batch = _rate(_batched(raws, deps), len(raws))
    print(f"  bare embedding of the head, one at a time: {bare:6.1f} mails/s, "
          f"in batches of {BATCH}: {bare_batch:6.1f}")
    print(f"  offline triage, one mail at a time:        {one:6.1f} mails/s")
    print(f"  offline triage, in batches of {BATCH}:         {batch:6.1f} mails/s")
    words = decided.count("knn-words")
    print(f"  decided by the words alone, never embedded: {words} of {len(decided)} "
          f"({words / len(decided):.0%}); embedded: "
          f"{sum(d in {'knn', 'learned'} for d in decided)}; by a rule: "
          f"{sum(not d.startswith(('knn', 'learned')) for d in decided)}")
    print(f"  ({_load()})")


def _timed(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return time.perf_counter() - start


def accuracy(other: int) -> None:
    head = embeddings.MAX_CHARS
    print(f"\naccuracy: the head ({head} characters) beside {other} characters "
          "(leave-one-corpus-out over the examples, evals.tune --loco; the examples are "
          "embedded once per length and kept in .tmp)")
    for chars in (head, other):
        r = tune.leave_one_corpus_out(chars=chars)
        acc: dict[str, float] = r["accuracy"]  # type: ignore[assignment]
        mean = sum(acc.values()) / len(acc)
        print(f"  {chars:5} characters: mean {mean:.3f}  "
              + ", ".join(f"{k} {v:.3f}" for k, v in acc.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--compare", type=int, default=200,
                    help="another head length whose accuracy is shown beside the shipped one")
    ap.add_argument("--no-accuracy", action="store_true")
    args = ap.parse_args(argv)
    ws = load_config(SETS["dev"].workspace).model_copy(
        update={"data_dir": ROOT / ".tmp" / "bench-data"})
    deps = default_deps(ws, clock=lambda: EVAL_NOW)
    print(f"model: {get_embedder().name}; head: {embeddings.MAX_CHARS} characters embedded")
    long = [RawMessage(ref=m.name, data=m.data) for m in spamassassin.load("heldout")
            if len(m.data) >= LONG_BYTES]
    short = [RawMessage(ref=p.name, data=p.read_bytes()) for s in V2_PERSONAS
             for p in s.files()]
    triage(long[0], deps)  # warm up
    speed("long real mail (held-out SpamAssassin, ≥ 4 kB)", long, deps)
    speed("short mail (the v2 test split)", short, deps)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nworker peak RSS with the model loaded: {rss:.0f} MB")
    if not args.no_accuracy:
        accuracy(args.compare)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
