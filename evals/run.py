"""`make eval`: triage the labelled sets and report how well it went.

    python -m evals.run                      # v2 test split, real spam sample, injection, demo
    python -m evals.run --sets v2            # the independent test split, per persona and overall
    python -m evals.run --sets spamassassin  # held-out real mail: spam recall, legitimate as spam
    python -m evals.run --sets test          # the old in-persona test split (now examples:
                                             # leave-one-out, like dev)
    python -m evals.run --config my.yaml     # another workspace file (e.g. with an llm section)

Writes evals/results/<timestamp>-<set>.json (+ .html and a confusion-matrix .png).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from agent.classify.base import Classifier
from agent.pipeline import Deps, triage
from core.config import Workspace, load_config
from core.models import RawMessage
from evals import spamassassin
from evals.metrics import cascade, score, spam_costs
from evals.report import write_reports
from evals.sets import EVAL_NOW, IN_EXAMPLES, ROOT, SETS, V2_PERSONAS, LabelledSet, arrival
from service.deps import default_deps

RESULTS = ROOT / "evals" / "results"
DEFAULT_SETS = "v2,spamassassin,injection,demo"


def _ws(workspace: Path, override: Path | None) -> Workspace:
    ws = load_config(override or workspace)
    return ws.model_copy(update={"data_dir": ROOT / ".tmp" / "eval-data"})


def run_mails(name: str, mails: Iterable[tuple[str, bytes]], deps: Deps,
              now: list[datetime], total: int | None = None
              ) -> tuple[list[dict[str, Any]], list[float]]:
    results, latencies = [], []
    for ref, data in tqdm(mails, desc=name, unit="mail", file=sys.stderr, disable=None,
                          total=total):
        now[0] = arrival(data)  # replayed as of the moment it would have arrived
        raw = RawMessage(ref=ref, data=data, received_at=now[0])
        start = time.perf_counter()
        try:
            results.append(triage(raw, deps).to_json())
        except Exception as exc:  # counted as an error, never hidden
            results.append({"file": ref, "error": f"{type(exc).__name__}: {exc}"})
        latencies.append(time.perf_counter() - start)
    return results, latencies


def _speed(latencies: list[float], wall: float) -> dict[str, float]:
    return {
        "latency_p50_ms": 1000 * statistics.median(latencies),
        "latency_p95_ms": 1000 * statistics.quantiles(latencies, n=20)[18]
        if len(latencies) >= 20 else 1000 * max(latencies),
        "emails_per_second": len(latencies) / wall,
    }


def _readers(ws: Workspace) -> dict[str, list[str]]:
    return {a.id: a.languages for a in ws.assistants}


def run_labelled(s: LabelledSet, override: Path | None,
                 classifier: Classifier | None = None
                 ) -> tuple[Workspace, Deps, list[dict[str, Any]], list[dict[str, Any]],
                            list[float], float]:
    ws = _ws(s.workspace, override)
    now = [EVAL_NOW]
    deps = default_deps(ws, classifier=classifier, clock=lambda: now[0],
                        exclude_examples=s.folder if s.name in IN_EXAMPLES else None)
    labels = s.labels()
    start = time.perf_counter()
    results, latencies = run_mails(s.name, ((p.name, p.read_bytes()) for p in s.files()),
                                   deps, now, len(labels))
    return ws, deps, labels, results, latencies, time.perf_counter() - start


def evaluate(name: str, override: Path | None = None) -> dict[str, Any]:
    if name == "v2":
        return evaluate_v2(override)
    if name == "spamassassin":
        return evaluate_spam(override)
    ws, deps, labels, results, latencies, wall = run_labelled(SETS[name], override)
    report = score(labels, results, ws.owner.email, _readers(ws))
    report.update({
        "set": name,
        "classifier": getattr(deps.classifier, "name", type(deps.classifier).__name__),
        "llm": ws.llm.model if ws.llm else None,
        "llm_calls_per_email": getattr(deps.classifier, "llm_calls", 0) / max(len(results), 1),
        **_speed(latencies, wall),
        "cascade": cascade(labels, results, ws.triage.llm_below_confidence),
    })
    return report


def evaluate_v2(override: Path | None = None) -> dict[str, Any]:
    """The independent test split: each persona under its own workspace; scored per
    persona and over all 208 mails. One classifier serves all (it does not depend on the
    workspace), so the examples are loaded and the model trained once."""
    classifier: Classifier | None = None
    labels: list[dict[str, Any]] = []
    results: list[dict[str, Any]] = []
    owners: list[str] = []
    readers: list[dict[str, list[str]]] = []
    latencies: list[float] = []
    wall = 0.0
    personas: dict[str, Any] = {}
    thresholds = []
    for s in V2_PERSONAS:
        ws, deps, lab, res, lat, took = run_labelled(s, override, classifier)
        classifier = deps.classifier
        persona = s.name.split("/", 1)[1]
        personas[persona] = score(lab, res, ws.owner.email, _readers(ws))
        labels += [{**x, "file": f"{persona}/{x['file']}"} for x in lab]
        results += res
        owners += [ws.owner.email] * len(lab)
        readers += [_readers(ws)] * len(lab)
        latencies += lat
        wall += took
        thresholds.append(ws.triage.llm_below_confidence)
    report = score(labels, results, owners, readers)
    report.update({
        "set": "v2",
        "classifier": getattr(classifier, "name", type(classifier).__name__),
        "llm_calls_per_email": getattr(classifier, "llm_calls", 0) / max(len(results), 1),
        **_speed(latencies, wall),
        "cascade": cascade(labels, results, min(thresholds)),
        "personas": {k: {key: v[key] for key in (
            "n", "errors", "category_accuracy", "category_macro_f1", "action_accuracy",
            "assignee_accuracy", "priority_accuracy", "forbidden_planned_actions",
            "unwanted_auto_actions")} | {"per_language": {
                lang: {"n": x["n"], "macro_f1": x["macro_f1"], "accuracy": x["accuracy"]}
                for lang, x in v["per_language"].items()}}
            for k, v in personas.items()},
    })
    return report


def evaluate_spam(override: Path | None = None) -> dict[str, Any]:
    """The held-out part of the SpamAssassin sample (real mail, labelled spam or not),
    triaged under the v1 workspace (six assistants, routing on)."""
    ws = _ws(SETS["dev"].workspace, override)
    now = [EVAL_NOW]
    deps = default_deps(ws, clock=lambda: now[0])
    mails = list(spamassassin.load("heldout"))
    start = time.perf_counter()
    results, latencies = run_mails("spamassassin", ((m.name, m.data) for m in mails), deps,
                                   now, len(mails))
    report = spam_costs([m.spam for m in mails], results)
    report.update({"set": "spamassassin", "n": len(mails),
                   **_speed(latencies, time.perf_counter() - start)})
    return report


def pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def _print(r: dict[str, Any]) -> None:
    if r["set"] == "spamassassin":
        _print_spam(r)
        return
    print(f"\n== {r['set']}  ({r['n']} mails, {r['errors']} errors, "
          f"classifier {r['classifier']})")
    if r["set"] == "test":
        print("   (the old test split, written for the dev persona and now among the examples:"
              " measured leave-one-out, an in-persona figure)")
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
    if "personas" in r:
        print("  per persona:        n   category  macro-F1 de / en   action  assignee")
        for name, p in r["personas"].items():
            langs = p["per_language"]
            f1 = " / ".join(f"{langs[x]['macro_f1']:.2f}" if x in langs else "  – "
                            for x in ("de", "en"))
            print(f"    {name:22} {p['n']:3}  {pct(p['category_accuracy']):>8}  {f1:>13}   "
                  f"{pct(p['action_accuracy']):>7}  {pct(p['assignee_accuracy']):>7}")


def _print_spam(r: dict[str, Any]) -> None:
    print(f"\n== spamassassin held-out  ({r['n_spam']} spam, {r['n_legitimate']} legitimate, "
          f"{r['errors']} errors; real mail of 2002, split in time from the examples)")
    print(f"spam recall {pct(r['spam_recall'])} (by a rule: {r['spam_by_rule']}), "
          f"legitimate filed as spam {pct(r['legitimate_as_spam'])} "
          f"({r['legitimate_as_spam_n']} mails)")
    print(f"what the missed spam costs: routed to an assistant {r['spam_routed']}, "
          f"in the owner's queue (notify/draft) {r['spam_owner_queue']}, automatic "
          f"{r['spam_auto']} ({r['spam_auto_effects']} automatic effects); "
          f"filed as {r['missed_as']}")
    print(f"latency p50 {r['latency_p50_ms']:.0f} ms, p95 {r['latency_p95_ms']:.0f} ms, "
          f"{r['emails_per_second']:.1f} emails/s")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sets", default=DEFAULT_SETS)
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
            if "confusion" in report:
                write_reports(report, base)
                print(f"  → {base}.json / .html / .png")
            else:
                print(f"  → {base}.json")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
