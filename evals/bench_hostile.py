"""Issue 11's measurements: the worst input of each attack class — seconds and memory in
the budgeted worker process — and what the worker costs in throughput.

    python -m evals.bench_hostile      (part of `make bench`)

Each poison mail (tests/hostile_mail.py) is triaged in a fresh worker (service/worker.py)
with the default `limits:`; memory is the worker's peak RSS above what it had after
loading the pipeline. Throughput: the demo mailbox triaged in this process and through the
worker, with the same fast scripted classifier (the cheapest triage shows the worker's
overhead at its largest; the embedded classifier only makes it smaller).
"""

from __future__ import annotations

import sys
import time
import tracemalloc
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from agent.pipeline import triage
from core.clock import Clock, fixed_clock
from core.config import Workspace, load_config
from core.models import RawMessage
from service.deps import default_deps
from service.worker import Budget, OverBudget, Worker, WorkerError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile_mail import POISON, ScriptedClassifier  # noqa: E402

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)


def _hwm(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _classes(ws: Any, clock: Clock) -> None:
    """The other attack classes (small mails): the slowest and largest of each class's
    fixtures, triaged in this process (Python allocations traced)."""
    from hostile_mail import invitation

    deps = default_deps(ws, classifier=ScriptedClassifier(), clock=clock)
    here = ROOT / "tests" / "fixtures" / "hostile"
    classes = {name: [p.read_bytes() for p in sorted((here / name).glob("*.eml"))]
               for name in ("spoof", "automated", "fraud")}
    classes["calendar"] = [invitation(method="CANCEL"), invitation(sequence=9),
                           invitation(rule="RRULE:FREQ=MINUTELY;COUNT=100000\r\n"),
                           invitation(rule="RRULE:FREQ=DAILY;BYHOUR=9,10,11\r\n")]
    for mails in classes.values():  # warm up: the router's embedder, dateparser, …
        for data in mails:
            triage(RawMessage(ref="warm", data=data), deps)
    print(f"\n{'class':12} {'mails':>5} {'max seconds':>12} {'max MB (traced)':>16}")
    for name, mails in classes.items():
        worst_s = worst_mb = 0.0
        for data in mails:
            tracemalloc.start()
            started = time.perf_counter()
            triage(RawMessage(ref=name, data=data), deps)
            worst_s = max(worst_s, time.perf_counter() - started)
            worst_mb = max(worst_mb, tracemalloc.get_traced_memory()[1] / 2**20)
            tracemalloc.stop()
        print(f"{name:12} {len(mails):5} {worst_s:12.2f} {worst_mb:16.1f}")


def _scripted_deps(ws: Workspace, c: Clock) -> object:
    """The worker's pipeline with a scripted classifier (module level: it is pickled)."""
    return default_deps(ws, classifier=ScriptedClassifier(), clock=c)


def main() -> int:
    ws = load_config(ROOT / "tests" / "fixtures" / "workspace.yaml").model_copy(
        update={"data_dir": ROOT / ".tmp" / "test-data"})
    clock: Clock = fixed_clock(NOW)

    make = partial(_scripted_deps, ws)
    print(f"{'attack (worst input)':34} {'size':>9} {'seconds':>8} {'MB':>6}  outcome")
    for name, build in POISON.items():
        data = build()
        with Worker(make, clock, Budget.of(ws)) as worker:  # type: ignore[arg-type]
            worker._start()
            base = _hwm(worker._proc.pid)
            started = time.perf_counter()
            try:
                out = worker.triage(RawMessage(ref=name, data=data))
                result = f"{out.decision.action.value} ({', '.join(out.view.parsed.flags) or '-'})"
            except (OverBudget, WorkerError) as exc:
                result = str(exc)
            seconds = time.perf_counter() - started
            grown = _hwm(worker._proc.pid) - base if worker._proc is not None else float("nan")
        print(f"{name:34} {len(data) / 1024:8.0f}K {seconds:8.2f} {grown:6.0f}  {result}")

    _classes(ws, clock)
    raws = [RawMessage(ref=p.name, data=p.read_bytes())
            for p in sorted((ROOT / "demo" / "mailbox" / "new").iterdir())] * 3
    deps = default_deps(ws, classifier=ScriptedClassifier(), clock=clock)
    for r in raws[:66]:  # warm up as the worker does
        triage(r, deps)
    started = time.perf_counter()
    for r in raws:
        triage(r, deps)
    inline = len(raws) / (time.perf_counter() - started)
    with Worker(make, clock, Budget.of(ws)) as worker:  # type: ignore[arg-type]
        worker.triage(raws[0])
        started = time.perf_counter()
        for r in raws:
            worker.triage(r)
        budgeted = len(raws) / (time.perf_counter() - started)
    print(f"\nthroughput, {len(raws)} demo mails: in-process {inline:.1f} mails/s, "
          f"worker (one round trip per mail) {budgeted:.1f} mails/s "
          f"({100 * budgeted / inline:.0f} %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
