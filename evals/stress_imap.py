"""`make stress`: kill -9 trials of `assistenz run` against a real Dovecot and SMTP receiver.

Each trial: 200 mails in a fresh IMAP folder, `assistenz run` killed with SIGKILL at a
random moment (every other trial twice: the restart is killed as well), then `run --once`
until done. Counts lost, duplicated and double-sent mail (all must be 0) and reports in
which stage of the cycle each kill landed.

    python -m evals.stress_imap [--trials 100] [--messages 200] [--seed N]
                                [--database sqlite|postgresql] [--workers 2]

With `--database postgresql` the trials run against a real PostgreSQL server started for
the run (installed when missing); `--workers 2` runs two `assistenz run` processes on the
same database and IMAP folder, each killed at its own random moment.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from crash_trials import STAGES, Lab, Outcome

RESULTS = Path(__file__).resolve().parent / "results"


def _line(o: Outcome) -> str:
    kills = ", ".join(f"{stage}@{at:.1f}s" for at, stage in o.kills)
    verdict = "ok" if o.ok else f"FAIL {o.problems}"
    return (f"trial {o.trial:>3}: kills [{kills}] stored {o.stored} sent {o.sent} "
            f"uncertain {o.uncertain} lost {o.lost} dup {o.duplicated} "
            f"double-sent {o.double_sent} {verdict}")


def report(outcomes: list[Outcome], seconds: float) -> dict[str, object]:
    stages = Counter(stage for o in outcomes for _, stage in o.kills)
    return {
        "trials": len(outcomes),
        "kills": sum(len(o.kills) for o in outcomes),
        "kills_by_stage": {s: stages.get(s, 0) for s in STAGES},
        "messages_per_trial": outcomes[0].messages if outcomes else 0,
        "lost": sum(o.lost for o in outcomes),
        "duplicated": sum(o.duplicated for o in outcomes),
        "double_sent": sum(o.double_sent for o in outcomes),
        "sent": sum(o.sent for o in outcomes),
        "uncertain": sum(o.uncertain for o in outcomes),
        "failed_trials": [o.trial for o in outcomes if not o.ok],
        "seconds": round(seconds, 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--messages", type=int, default=200)
    ap.add_argument("--seed", type=int, default=int(time.time()))
    ap.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    ap.add_argument("--workers", type=int, default=1)
    args = ap.parse_args(argv)
    rng = random.Random(args.seed)
    started = time.monotonic()
    lab = Lab(messages=args.messages, database=args.database, workers=args.workers)
    outcomes: list[Outcome] = []
    try:
        first = lab.calibrate()
        print(f"seed {args.seed}; an uninterrupted run takes {lab.full_run:.1f} s "
              f"({'ok' if first.ok else first.problems}); kills are drawn from that span",
              flush=True)
        for n in range(1, args.trials + 1):
            out = lab.trial(n, rng, kills=2 if n % 2 == 0 else 1)
            outcomes.append(out)
            print(_line(out), flush=True)
    finally:
        lab.close()
    summary = report(outcomes, time.monotonic() - started)
    RESULTS.mkdir(exist_ok=True)
    summary.update({"database": args.database, "workers": args.workers, "seed": args.seed})
    name = f"stress_imap-{args.database}-{args.workers}w.json"
    (RESULTS / name).write_text(json.dumps(summary, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    bad = summary["lost"] or summary["duplicated"] or summary["double_sent"] or \
        summary["failed_trials"]
    return 1 if bad else 0


if __name__ == "__main__":
    raise SystemExit(main())
