"""Dev check of the knowledge ranking (agent/ranking.py) without the rest of the pipeline:

    python -m evals.knowledge_ranking

For each question of tests/fixtures/drafts/questions.yaml (written for development against
the dev and demo knowledge, never taken from an eval set): is the best-ranked passage one
that holds the expected value, and does it pass the gate a draft answers from
(agent/material.py MATCH)? Questions the knowledge cannot answer count when they pass it.
"""

from __future__ import annotations

import sys

import yaml

from agent.material import MATCH
from agent.ranking import Ranker
from evals.drafts_eval import norm
from evals.sets import ROOT
from tools.embeddings import get_embedder
from tools.knowledge import KnowledgeBase

FOLDERS = {"piano": ROOT / "tests" / "fixtures" / "drafts" / "knowledge",
           "design": ROOT / "demo" / "knowledge"}
TMP = ROOT / ".tmp" / "knowledge-ranking"


def main() -> int:
    data = yaml.safe_load((ROOT / "tests" / "fixtures" / "drafts" / "questions.yaml")
                          .read_text(encoding="utf-8"))
    embedder = get_embedder()
    bases = {k: KnowledgeBase(v, TMP / k, embedder) for k, v in FOLDERS.items()}
    for group, items in data.items():
        kb = bases[group.split("_")[-1]]
        ranker = Ranker(kb.passages())
        hits = [kb.search([x["q"]], x["lang"], 16)[0] for x in items]
        top1 = right = wrong = unanswerable = passed = 0
        for item, found in zip(items, hits, strict=True):
            best = ranker.rank(item["q"], found)[0]
            text = norm(f"{best.passage.heading} {best.passage.text} {best.passage.block}")
            gate = best.score >= MATCH
            if item["expect"] is None:
                unanswerable += 1
                passed += gate
                continue
            ok = norm(item["expect"]) in text
            top1 += ok
            right += ok and gate
            wrong += (not ok) and gate
            if not ok and "-v" in sys.argv:
                print(f"  {group}: {item['q'][:70]} → {best.passage.text[:60]}")
        n = len(items) - unanswerable
        print(f"{group:15} {n:3} answerable: best passage right {top1}, answered right {right}, "
              f"answered wrong {wrong}; {unanswerable} unanswerable, {passed} answered anyway")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
