"""`make eval`: triage the labelled sets and report how well it went.

    python -m evals.run                      # test split, injection set and demo mailbox
    python -m evals.run --sets dev           # the dev split (leave-one-out: no self-matches)
    python -m evals.run --config my.yaml     # another workspace file (e.g. with an llm section)

Writes evals/results/<timestamp>-<set>.json (+ .html and a confusion-matrix .png).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from agent.pipeline import Deps, triage
from core.config import Workspace, load_config
from core.models import RawMessage
from evals.metrics import cascade, score
from evals.report import write_reports
from evals.sets import EVAL_NOW, ROOT, SETS, LabelledSet, arrival
from service.deps import default_deps

RESULTS = ROOT / "evals" / "results"


def _ws(s: LabelledSet, override: Path | None) -> Workspace:
    ws = load_config(override or s.workspace)
    return ws.model_copy(update={"data_dir": ROOT / ".tmp" / "eval-data"})


def run_set(s: LabelledSet, deps: Deps,
            now: list[datetime]) -> tuple[list[dict[str, Any]], list[float]]:
    results, latencies = [], []
    for path in tqdm(s.files(), desc=s.name, unit="mail", file=sys.stderr, disable=None):
        data = path.read_bytes()
        now[0] = arrival(data)  # replayed as of the moment it would have arrived
        raw = RawMessage(ref=path.name, data=data, received_at=now[0])
        start = time.perf_counter()
        try:
            results.append(triage(raw, deps).to_json())
        except Exception as exc:  # counted as an error, never hidden
            results.append({"file": path.name, "error": f"{type(exc).__name__}: {exc}"})
        latencies.append(time.perf_counter() - start)
    return results, latencies


def evaluate(name: str, override: Path | None = None) -> dict[str, Any]:
    s = SETS[name]
    ws = _ws(s, override)
    now = [EVAL_NOW]
    deps = default_deps(ws, clock=lambda: now[0],
                        exclude_examples=s.folder if name == "dev" else None)
    labels = s.labels()
    start = time.perf_counter()
    results, latencies = run_set(s, deps, now)
    wall = time.perf_counter() - start
    readers = {a.id: a.languages for a in ws.assistants}
    report = score(labels, results, ws.owner.email, readers)
    report.update({
        "set": name,
        "classifier": getattr(deps.classifier, "name", type(deps.classifier).__name__),
        "llm": ws.llm.model if ws.llm else None,
        "llm_calls_per_email": getattr(deps.classifier, "llm_calls", 0) / max(len(results), 1),
        "latency_p50_ms": 1000 * statistics.median(latencies),
        "latency_p95_ms": 1000 * statistics.quantiles(latencies, n=20)[18]
        if len(latencies) >= 20 else 1000 * max(latencies),
        "emails_per_second": len(results) / wall,
        "cascade": cascade(labels, results, ws.triage.llm_below_confidence),
    })
    return report


def _print(r: dict[str, Any]) -> None:
    def pct(x: float | None) -> str:
        return "–" if x is None else f"{100 * x:.1f} %"

    print(f"\n== {r['set']}  ({r['n']} mails, {r['errors']} errors, "
          f"classifier {r['classifier']})")
    print(f"category accuracy {pct(r['category_accuracy'])}, macro-F1 {r['category_macro_f1']:.3f}")
    for lang, v in r["per_language"].items():
        print(f"  {lang:5} n={v['n']:3}  macro-F1 {v['macro_f1']:.3f}  "
              f"accuracy {pct(v['accuracy'])}")
    print("  per category (P / R / F1, n):")
    for cat, v in r["per_category"].items():
        print(f"    {cat:17} {v['precision']:.2f} / {v['recall']:.2f} / {v['f1']:.2f}  "
              f"n={int(v['support'])}")
    print(f"priority {pct(r['priority_accuracy'])}, action {pct(r['action_accuracy'])}, "
          f"assignee {pct(r['assignee_accuracy'])}, reply recipients "
          f"{pct(r['reply_recipients_correct'])}")
    print(f"forbidden planned actions: {r['forbidden_planned_actions']}, "
          f"automatic effects on spam/newsletter/personal (misclassified): "
          f"{r['unwanted_auto_actions']}, recall of allowed auto actions {pct(r['auto_recall'])}")
    print(f"latency p50 {r['latency_p50_ms']:.0f} ms, p95 {r['latency_p95_ms']:.0f} ms, "
          f"{r['emails_per_second']:.1f} emails/s, LLM calls/email {r['llm_calls_per_email']:.2f}")
    c = r["cascade"]
    print(f"confidence below {c['threshold']:.2f} (sent to the LLM when one is configured): "
          f"{pct(c['share_below'])} of mails; category accuracy there "
          f"{pct(c['accuracy_below'])}, above {pct(c['accuracy_above'])}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default="test,injection,demo")
    ap.add_argument("--config", type=Path, help="workspace file instead of each set's own")
    ap.add_argument("--no-write", action="store_true", help="print only, write no files")
    args = ap.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    for name in args.sets.split(","):
        report = evaluate(name, args.config)
        _print(report)
        if not args.no_write:
            RESULTS.mkdir(parents=True, exist_ok=True)
            base = RESULTS / f"{stamp}-{name}"
            base.with_suffix(".json").write_text(json.dumps(report, indent=1, ensure_ascii=False))
            write_reports(report, base)
            print(f"  → {base}.json / .html / .png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
