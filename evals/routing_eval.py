"""Routing eval: does routed work reach the right person, and does the owner hear of work
nobody on the team can take?

    python -m evals.routing_eval                          # the v2 routing set (8 rosters)
    python -m evals.routing_eval --data tests/fixtures/routing   # the dev rosters
    python -m evals.routing_eval --mode label             # only with the labels' category

Each business folder holds `workspace.yaml` (the roster), `mails/*.eml` and `labels.yaml`
(per mail: `routed` — the delegation routes its category —, `assignee` or null,
`acceptable` — other ids that are equally right —, `nobody_reason`, `risk`). Every mail is
triaged by the real pipeline as of five minutes after its own Date: (`evals/sets.py`),
with nobody's queue holding tasks yet (each mail is judged against the roster as written),
twice:
- `label`: the category is the label's, so the classifier's errors do not hide routing's;
- `e2e`: the classifier's own category (end to end).

Figures, over the mails whose category the delegation routes:
- top1: the agent routed to the labelled assignee or an acceptable one (mails with an
  assignee; a mail labelled as risky that rule 2 holds for the owner also counts as right,
  since the contract's rule 2 comes before routing);
- nobody: the agent told the owner instead of routing (mails labelled with no assignee);
- nobody_reason: of those, the agent named the labelled reason (language, away, capacity,
  skills) — reported, not a goal;
- wrongly_routed (e2e): mails the delegation does not route that the agent routed anyway.
Writes evals/results/routing-<timestamp>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from tqdm import tqdm

from agent.classify.base import Classifier
from agent.pipeline import Deps, triage
from agent.priority import priority_of
from core.config import Workspace, load_config
from core.models import Category, Classification, MessageView, RawMessage
from evals.sets import EVAL_NOW, ROOT, arrival
from service.deps import default_deps

DATA = ROOT / "evals" / "data" / "v2" / "routing"
RESULTS = ROOT / "evals" / "results"
MODES = ("label", "e2e")


class LabelClassifier:
    """The label's category, as sure as a rule: routing is measured without the
    classifier's errors."""

    name = "label"

    def __init__(self) -> None:
        self.category = Category.other

    def classify(self, view: MessageView) -> Classification:
        return Classification(category=self.category, confidence=0.99, decided_by="label",
                              priority=priority_of(view, self.category))


@dataclass(frozen=True)
class Business:
    name: str
    folder: Path

    def workspace(self) -> Workspace:
        ws = load_config(self.folder / "workspace.yaml")
        return ws.model_copy(update={"data_dir": ROOT / ".tmp" / "eval-routing"})

    def labels(self) -> list[dict[str, Any]]:
        data = yaml.safe_load((self.folder / "labels.yaml").read_text(encoding="utf-8"))
        return [dict(x) for x in data]


def businesses(root: Path) -> list[Business]:
    return [Business(p.name, p) for p in sorted(root.iterdir())
            if (p / "labels.yaml").is_file() and (p / "workspace.yaml").is_file()]


def judge(label: dict[str, Any], action: str, assignee: str | None, rule: str) -> bool:
    """Right when the labelled person (or an acceptable one) got it, or — nobody labelled —
    the owner was told."""
    if label.get("assignee") is None:
        return action == "notify" and assignee is None
    if label.get("risk") and action == "notify" and rule == "r2-risk":
        return True
    right = {label["assignee"], *(label.get("acceptable") or [])}
    return action == "route" and assignee in right


def _reason(reason: str) -> str | None:
    return reason.removeprefix("r6_no_") if reason.startswith("r6_no_") else None


def run_business(b: Business, mode: str, classifier: Classifier) -> Iterator[dict[str, Any]]:
    ws = b.workspace()
    now = [EVAL_NOW]
    label_cls = LabelClassifier()
    deps: Deps = default_deps(ws, classifier=label_cls if mode == "label" else classifier,
                              clock=lambda: now[0], load=lambda _id: 0)
    for label in b.labels():
        data = (b.folder / "mails" / label["file"]).read_bytes()
        now[0] = arrival(data)
        label_cls.category = Category(label["category"])
        o = triage(RawMessage(ref=label["file"], data=data, received_at=now[0]), deps)
        d = o.decision
        yield {
            "business": b.name, "file": label["file"], "routed": bool(label["routed"]),
            "expected": label.get("assignee"), "acceptable": label.get("acceptable") or [],
            "expected_reason": label.get("nobody_reason"),
            "label_category": label["category"], "category": o.classification.category.value,
            "language": o.view.language, "action": d.action.value, "assignee": d.assignee,
            "rule": d.rule, "reason": _reason(d.reason),
            "right": judge(label, d.action.value, d.assignee, d.rule),
            "explanation": o.explanation,
        }


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def figures(rows: list[dict[str, Any]]) -> dict[str, Any]:
    routed = [r for r in rows if r["routed"]]
    someone = [r for r in routed if r["expected"] is not None]
    nobody = [r for r in routed if r["expected"] is None]
    told = [r for r in nobody if r["right"]]
    return {
        "mails": len(rows), "routed": len(routed),
        "top1": _share(sum(r["right"] for r in someone), len(someone)), "top1_n": len(someone),
        "nobody": _share(len(told), len(nobody)), "nobody_n": len(nobody),
        "nobody_reason": _share(sum(r["reason"] == r["expected_reason"] for r in told),
                                len(told)),
        "routing": _share(sum(r["right"] for r in routed), len(routed)),
        "category_on_routed": _share(sum(r["category"] == r["label_category"] for r in routed),
                                     len(routed)),
        "wrongly_routed": sum(1 for r in rows if not r["routed"] and r["action"] == "route"),
    }


def run(root: Path, modes: tuple[str, ...]) -> dict[str, Any]:
    from service.classifier import build_classifier
    from tools.embeddings import get_embedder

    found = businesses(root)
    if not found:
        raise SystemExit(f"no business folders with labels.yaml and workspace.yaml in {root}")
    classifier = build_classifier(found[0].workspace(), get_embedder())
    report: dict[str, Any] = {"data": str(root), "modes": {}}
    for mode in modes:
        rows: list[dict[str, Any]] = []
        for b in tqdm(found, desc=mode, unit="roster", file=sys.stderr, disable=None):
            rows += list(run_business(b, mode, classifier))
        report["modes"][mode] = {
            "overall": figures(rows),
            "per_roster": {b.name: figures([r for r in rows if r["business"] == b.name])
                           for b in found},
            "misses": [r for r in rows if r["routed"] and not r["right"]],
            "rows": rows,
        }
    return report


def _fmt(x: float | None) -> str:
    return "  –  " if x is None else f"{x:.3f}"


def show(report: dict[str, Any], misses: bool) -> None:
    for mode, m in report["modes"].items():
        title = "category from the label" if mode == "label" else "end to end (classifier)"
        o = m["overall"]
        print(f"\n== routing eval, {title}: {o['routed']} routed of {o['mails']} mails")
        print(f"  {'roster':24} {'top-1':>6} {'n':>4} {'nobody':>7} {'n':>4} {'reason':>7}")
        for name, f in [*m["per_roster"].items(), ("OVERALL", o)]:
            print(f"  {name:24} {_fmt(f['top1']):>6} {f['top1_n']:>4} {_fmt(f['nobody']):>7} "
                  f"{f['nobody_n']:>4} {_fmt(f['nobody_reason']):>7}")
        extra = f"category right on routed mail {_fmt(o['category_on_routed'])}, " \
                f"routed though not delegated {o['wrongly_routed']}" if mode == "e2e" else ""
        print(f"  all routed mail right {_fmt(o['routing'])}{'; ' + extra if extra else ''}")
        if misses:
            for r in m["misses"]:
                print(f"  miss {r['business']}/{r['file']}: expected {r['expected']} "
                      f"({r['expected_reason']}), got {r['action']} {r['assignee']} "
                      f"[{r['category']}] — {r['explanation']}")


def main(argv: list[str] | None = None) -> dict[str, Any]:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA, help="a folder of business folders")
    ap.add_argument("--mode", choices=[*MODES, "both"], default="both")
    ap.add_argument("--misses", action="store_true",
                    help="print every miss (only for your own dev rosters)")
    ap.add_argument("--no-write", action="store_true", help="print only, write no file")
    args = ap.parse_args(argv)
    if args.misses and args.data.resolve().is_relative_to(ROOT / "evals" / "data" / "v2"):
        ap.error("--misses is for your own dev rosters: v2 is a measurement set")
    started = time.monotonic()
    report = run(args.data.resolve(), MODES if args.mode == "both" else (args.mode,))
    report["seconds"] = round(time.monotonic() - started, 1)
    show(report, args.misses)
    if not args.no_write:
        RESULTS.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = RESULTS / f"routing-{stamp}.json"
        out.write_text(json.dumps(report, indent=1, ensure_ascii=False))
        print(f"  → {out}")
    return report


if __name__ == "__main__":
    main()
