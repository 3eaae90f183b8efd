"""Build the seed examples shipped with the classifier from the dev split, the seed
corpora, the old in-persona test split (v1 test, moved into the examples when the
independent v2 test split arrived) and the example part of the SpamAssassin sample
(evals/data/spamassassin; never its held-out part, never the v2 sets or the demo mailbox).

    python -m evals.make_seeds              # writes agent/classify/seeds/v1.jsonl + vectors
    python -m evals.make_seeds --no-vectors # only the texts (the vectors are rebuilt later)

Each seed is the text the classifier reads (agent/classify/base.py `text_of`) of one
labelled mail, with its category and priority. Extracting the text here, with each set's
own workspace, means owner-forwards in the seeds are unwrapped correctly whoever the
user's owner is. The vectors are made by the shipped embedder (tools/embeddings.py).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from typing import Any

import numpy as np

from agent.classify.base import text_of
from agent.classify.knn import (
    compute_prototypes,
    fit_models,
    load_seeds,
    model_key,
    prototype_key,
    save_models,
    signals_of,
)
from agent.parse.mime import parse_message
from agent.view import build_view
from core.config import Workspace, load_config
from core.models import RawMessage
from evals import spamassassin
from evals.sets import ROOT, SETS, arrival
from tools.embeddings import get_embedder

OUT = ROOT / "agent" / "classify" / "seeds" / "v1.jsonl"


# never "demo", never anything from evals/data/v2, never the SpamAssassin held-out part
SEED_SETS = ("dev", "seed-a", "seed-b", "seed-c", "seed-d", "seed-e", "seed-f", "seed-g", "test")


def _row(id_: str, data: bytes, ws: Workspace, label: dict[str, Any], name: str
         ) -> dict[str, Any]:
    raw = RawMessage(ref=id_, data=data)
    view = build_view(parse_message(raw), ws, arrival(raw.data))
    return {"id": id_, "text": text_of(view), "set": name, "category": label["category"],
            "priority": label["priority"], "language": label.get("language") or view.language,
            "signals": signals_of(view)}


def rows() -> Iterator[dict[str, Any]]:
    for name in SEED_SETS:
        s = SETS[name]
        ws = load_config(s.workspace)
        for label in s.labels():
            path = s.folder / label["file"]
            yield _row(f"seed-v1-{path.stem}", path.read_bytes(), ws, label, name)
    ws = load_config(SETS["dev"].workspace)
    for mail in spamassassin.load("example"):
        folder, _, stem = mail.name.partition("/")
        # ids "seed-v1-sa<folder>_<number>": evals.tune --loco reads the corpus letter "s"
        id_ = f"seed-v1-sa{folder.replace('-', '')}_{stem.split('.')[0]}"
        # ham: list and feed mail (newsletter) or mail to the person (other), never urgent
        label = {"category": mail.category, "priority": "low"}
        yield _row(id_, mail.data, ws, label, "spamassassin")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--no-vectors", action="store_true")
    ap.add_argument("--fit-only", action="store_true",
                    help="only refit the shipped models (texts and vectors as they are)")
    args = ap.parse_args(argv)
    if args.fit_only:
        write_fit()
        print(f"wrote {OUT.with_suffix('.fit.npz').relative_to(ROOT)}")
        return 0
    embedder = get_embedder()
    # the vectors of texts that did not change are kept (embedding all examples anew
    # takes minutes; a changed text, model or head length is embedded again)
    known = {s.example.text: s.vector for s in load_seeds(model=embedder.name)
             if s.vector is not None}
    with OUT.open("w", encoding="utf-8") as out:
        for row in rows():
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    seeds = load_seeds()
    if args.no_vectors:
        print(f"wrote {OUT.relative_to(ROOT)} ({len(seeds)} examples, no vectors)")
        return 0
    texts = [s.example.text for s in seeds]
    new = [t for t in dict.fromkeys(texts) if t not in known]
    print(f"embedding {len(new)} new texts ({len(texts) - len(new)} kept)")
    for i in range(0, len(new), 64):
        known.update(zip(new[i:i + 64], embedder.queries(new[i:i + 64]), strict=True))
    vectors = np.stack([known[t] for t in texts])
    np.save(OUT.with_suffix(".vectors.npy"), vectors.astype(np.float32))
    OUT.with_suffix(".model.txt").write_text(embedder.name + "\n", encoding="utf-8")
    np.save(OUT.parent / "prototypes.npy", compute_prototypes(embedder))
    (OUT.parent / "prototypes.key.txt").write_text(prototype_key(embedder.name) + "\n")
    write_fit()
    print(f"wrote {OUT.relative_to(ROOT)} and its vectors ({len(seeds)} examples)")
    return 0


def write_fit() -> None:
    """Fit the classifier's models on the seeds (as a fresh store holds them) and ship the
    fit, so that a start needs no training (also with a few corrections: see
    `KnnClassifier._train`)."""
    embedder = get_embedder()
    seeds = load_seeds(model=embedder.name)
    examples = [s.example for s in seeds]
    vectors = np.stack([s.vector for s in seeds if s.vector is not None]).astype(np.float32)
    prototypes = compute_prototypes(embedder)
    key = model_key(embedder.name, examples)
    save_models(OUT.with_suffix(".fit.npz"), key, fit_models(examples, vectors, prototypes))


if __name__ == "__main__":
    raise SystemExit(main())
