"""Build the seed examples shipped with the classifier from the dev split and the seed
corpora (never from the test split or the demo mailbox).

    python -m evals.make_seeds      # writes agent/classify/seeds/v1.jsonl

Each seed is the text the classifier reads (agent/classify/base.py `text_of`) of one dev
mail, with its labelled category and priority. Extracting the text here, with the dev
set's own workspace, means owner-forwards in the seeds are unwrapped correctly whoever
the user's owner is.
"""

from __future__ import annotations

import json

import numpy as np

from agent.classify.base import text_of
from agent.classify.knn import compute_prototypes, load_seeds, prototype_key, signals_of
from agent.parse.mime import parse_message
from agent.view import build_view
from core.config import load_config
from core.models import RawMessage
from evals.sets import ROOT, SETS, arrival
from tools.embeddings import get_embedder

OUT = ROOT / "agent" / "classify" / "seeds" / "v1.jsonl"


# never "test", never "demo"
SEED_SETS = ("dev", "seed-a", "seed-b", "seed-c", "seed-d", "seed-e", "seed-f")


def main() -> int:
    with OUT.open("w", encoding="utf-8") as out:
        for name in SEED_SETS:
            s = SETS[name]
            ws = load_config(s.workspace)
            for label in s.labels():
                path = s.folder / label["file"]
                raw = RawMessage(ref=path.name, data=path.read_bytes())
                view = build_view(parse_message(raw), ws, arrival(raw.data))
                row = {"id": f"seed-v1-{path.stem}", "text": text_of(view), "set": name,
                       "category": label["category"], "priority": label["priority"],
                       "language": label["language"], "signals": signals_of(view)}
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    seeds = load_seeds()
    embedder = get_embedder()
    vectors = embedder.queries([s.example.text for s in seeds])
    np.save(OUT.with_suffix(".vectors.npy"), vectors.astype(np.float32))
    OUT.with_suffix(".model.txt").write_text(embedder.name + "\n", encoding="utf-8")
    np.save(OUT.parent / "prototypes.npy", compute_prototypes(embedder))
    (OUT.parent / "prototypes.key.txt").write_text(prototype_key(embedder.name) + "\n")
    print(f"wrote {OUT.relative_to(ROOT)} and its vectors ({len(seeds)} examples)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
