"""Scheduling eval: labelled mails answered from the owner's calendar.

    python -m evals.scheduling_eval [--split test|dev|all] [--set v1|v2|all]

Runs the real pipeline (classifier, gate, calendar logic) on each set: v1 is
evals/data/v1/scheduling/ (60 mails of a Hamburg photographer, workspace-scheduling.yaml),
v2 is evals/data/v2/scheduling/ (a Cologne kitchen fitter with appointment types: mails/,
labels.yaml, workspace.yaml, calendar.ics), run when its labels file exists; `--data DIR`
runs another folder laid out like v2. The clock is each mail's own date plus five minutes.
Prints and returns the figures, and writes evals/results/scheduling-<timestamp>.json:
- decisions: share of mails whose outcome (accept/propose/confirm/draft/notify) is right;
- in_window: share of proposals (expected and made) whose offered slots are all free and
  inside the asked window; in_window_end_to_end counts every expected proposal;
- decisions_when_scheduling: decisions right among mails the classifier put in scheduling;
- double_bookings, outside_hours, in_past: offered, accepted or confirmed slots that overlap
  a busy event, leave working hours (or fall on a holiday) or lie before the mail was sent;
- durations: share of mails with a labelled `duration_minutes` whose offered or confirmed
  slots all have that length (of those that offered or confirmed any);
- draft_alternatives_in_window: drafts with a labelled window whose offered alternatives
  all lie inside it (of the drafts that offered any);
- miss_kinds: misses counted by kind, counts only (wrong_category: not put in scheduling;
  wrong_decision: in scheduling, another outcome, also as expected->got outcome pairs and
  the decisions' reason codes; outside_window; wrong_length) — so a
  measurement set tells where it fails without naming a mail.
A measurement set's JSON file keeps the figures only, no rows per mail.
"""

from __future__ import annotations

import argparse
import email.utils
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from agent.pipeline import triage
from agent.scheduling.holidays import holiday_check
from agent.scheduling.planner import Planner
from core.config import Workspace, load_config
from core.ical.base import Busy
from core.models import Action, Mail, Proposal, RawMessage, TimeSlot, TriageOutcome
from service.deps import default_deps
from tools.calendar.ics_file import IcsFileCalendar

ROOT = Path(__file__).resolve().parent
DATA = ROOT / "data" / "v1"
RESULTS = ROOT / "results"


@dataclass(frozen=True)
class Dataset:
    name: str
    mails: Path
    labels: Path
    config: Path

    @classmethod
    def folder(cls, name: str, path: Path) -> Dataset:
        return cls(name, path / "mails", path / "labels.yaml", path / "workspace.yaml")


SETS = {
    "v1": Dataset("v1", DATA / "scheduling", DATA / "labels" / "scheduling.yaml",
                  DATA / "workspace-scheduling.yaml"),
    "v2": Dataset.folder("v2", ROOT / "data" / "v2" / "scheduling"),
}


def _interval(text: str, zone: ZoneInfo) -> tuple[datetime, datetime]:
    day, span = text.split(" ")
    a, b = span.split("-")
    start = datetime.fromisoformat(f"{day}T{a}").replace(tzinfo=zone)
    return start, datetime.fromisoformat(f"{day}T{b}").replace(tzinfo=zone)


def outcome_of(o: TriageOutcome) -> str:
    d = o.decision
    types = {p.type for p in d.planned_actions}
    mode = d.draft_context.get("mode", "")
    if d.action is Action.auto and "accept_invitation" in types:
        return "accept"
    if d.action is Action.auto and mode in {"propose", "propose_other"}:
        return "propose"
    if d.action is Action.auto and mode in {"confirm", "picked"}:
        return "confirm"
    if d.action is Action.auto and "send_email" not in types:
        return "notify"  # e.g. a cancellation: event removed, owner told
    return d.action.value


@dataclass
class Checker:
    ws: Workspace
    busy: list[Busy]
    problems: dict[str, list[str]] = field(default_factory=lambda: {
        "double_bookings": [], "outside_hours": [], "in_past": []})

    def free(self, s: TimeSlot, ignore_uid: str = "") -> bool:
        return not any(b.start < s.end and s.start < b.end for b in self.busy
                       if b.uid != ignore_uid)

    def check(self, name: str, slots: list[TimeSlot], sent: datetime, uid: str = "") -> None:
        zone, hours = self.ws.owner.zone, self.ws.owner.hours
        assert self.ws.calendar is not None
        holiday = holiday_check(self.ws.calendar.holidays)
        for s in slots:
            a, b = s.start.astimezone(zone), s.end.astimezone(zone)
            if not self.free(s, uid):
                self.problems["double_bookings"].append(name)
            if not hours.contains(a, b) or holiday(a.date()):
                self.problems["outside_hours"].append(name)
            if s.start < sent:
                self.problems["in_past"].append(name)


def _proposal(label: dict[str, Any], zone: ZoneInfo) -> Proposal | None:
    p = label.get("proposal")
    if not p:
        return None
    slots = [TimeSlot(start=a, end=b) for a, b in (_interval(x, zone) for x in p["slots"])]
    return Proposal(thread_id=p["thread"], slots=slots, timezone=p.get("timezone", ""))


def run(split: str = "test", data: Dataset = SETS["v1"]) -> dict[str, Any]:
    ws = load_config(data.config)
    zone = ws.owner.zone
    labels = [x for x in yaml.safe_load(data.labels.read_text()) if split in {"all", x["split"]}]
    assert ws.calendar is not None and ws.calendar.ics is not None
    source = IcsFileCalendar(ws.calendar.ics, zone, [ws.owner.email])
    now = [datetime(2026, 11, 16, tzinfo=UTC)]
    deps = default_deps(ws, clock=lambda: now[0])
    # the busy times the checker holds against: from a week before the first mail to four
    # months after the last (a fixed Nov–Jan range left a February set unchecked)
    sent_all = [_sent((data.mails / x["file"]).read_bytes()) for x in labels]
    first = min(sent_all, default=datetime(2026, 11, 1, tzinfo=UTC))
    last = max(sent_all, default=datetime(2027, 1, 31, tzinfo=UTC))
    checker = Checker(ws, source.busy(first - timedelta(days=7), last + timedelta(days=120)))
    rows, correct, proposals, in_window = [], 0, 0, 0
    for label in labels:
        raw = RawMessage(ref=label["file"], data=(data.mails / label["file"]).read_bytes())
        stored = _proposal(label, zone)

        def lookup(mail: Mail, stored: Proposal | None = stored) -> Proposal | None:
            ids = {mail.in_reply_to, *mail.references}
            return stored if stored and stored.thread_id in ids else None

        deps.schedule = Planner(ws, source, lambda: now[0])
        deps.offers = lookup
        sent = _sent(raw.data)
        now[0] = sent + timedelta(minutes=5)
        o = triage(raw, deps)
        got = outcome_of(o)
        d = o.decision
        uid = next((p.uid for p in d.planned_actions if p.type == "accept_invitation"), "")
        checker.check(label["file"], d.calendar.offered + d.calendar.booked, sent, uid)
        ok = got == label["outcome"]
        correct += ok
        row = {"file": label["file"], "expected": label["outcome"], "got": got,
               "category": o.classification.category.value, "reason": d.reason,
               "offered": [[s.start.isoformat(), s.end.isoformat()] for s in d.calendar.offered],
               "booked": [[s.start.isoformat(), s.end.isoformat()] for s in d.calendar.booked]}
        windows = [_interval(w, zone) for w in label.get("window", [])]
        if label["outcome"] == "propose":
            proposals += 1
            inside = got == "propose" and bool(d.calendar.offered) and all(
                checker.free(s) and _within(s, windows) for s in d.calendar.offered)
            in_window += inside
            row["in_window"] = inside
        elif label["outcome"] == "draft" and windows and got == "draft" and d.calendar.offered:
            row["alternatives_in_window"] = all(_within(s, windows) for s in d.calendar.offered)
        slots = d.calendar.offered + d.calendar.booked
        if label.get("duration_minutes") and slots:
            want = timedelta(minutes=label["duration_minutes"])
            row["duration_right"] = all(s.end - s.start == want for s in slots)
        rows.append(row)
    report = _report(split, rows, correct, proposals, in_window, checker)
    return {"set": data.name, **report}


def _within(s: TimeSlot, windows: list[tuple[datetime, datetime]]) -> bool:
    return any(a <= s.start and s.end <= b for a, b in windows)


def _sent(data: bytes) -> datetime:
    msg = email.message_from_bytes(data)
    parsed = email.utils.parsedate_to_datetime(msg["Date"])
    return parsed.astimezone(UTC)


def _report(split: str, rows: list[dict[str, Any]], correct: int, proposals: int,
            in_window: int, checker: Checker) -> dict[str, Any]:
    n = len(rows)
    reached = sum(1 for r in rows if r["expected"] == "propose" and r["got"] == "propose")
    sched = sum(1 for r in rows if r["category"] == "scheduling")
    sched_ok = sum(1 for r in rows if r["category"] == "scheduling" and r["got"] == r["expected"])
    lengths = [r["duration_right"] for r in rows if "duration_right" in r]
    drafts = [r["alternatives_in_window"] for r in rows if "alternatives_in_window" in r]
    return {
        "split": split, "mails": n,
        "decisions": round(correct / n, 3) if n else None,
        "in_window": round(in_window / reached, 3) if reached else None,
        "in_window_end_to_end": round(in_window / proposals, 3) if proposals else None,
        "decisions_when_scheduling": round(sched_ok / sched, 3) if sched else None,
        "proposals": proposals,
        "double_bookings": len(checker.problems["double_bookings"]),
        "outside_hours": len(checker.problems["outside_hours"]),
        "in_past": len(checker.problems["in_past"]),
        "durations": round(sum(lengths) / len(lengths), 3) if lengths else None,
        "durations_n": len(lengths),
        "draft_alternatives_in_window": round(sum(drafts) / len(drafts), 3) if drafts else None,
        "miss_kinds": _miss_kinds(rows),
        "problems": checker.problems,
        "misses": [r for r in rows if r["got"] != r["expected"] or r.get("in_window") is False
                   or r.get("duration_right") is False
                   or r.get("alternatives_in_window") is False],
        "rows": rows,
    }


def _miss_kinds(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Counts of misses by kind; a mail can count under outside_window and wrong_length."""
    wrong = [r for r in rows if r["got"] != r["expected"]]
    return {
        "wrong_category": sum(1 for r in wrong if r["category"] != "scheduling"),
        "wrong_decision": sum(1 for r in wrong if r["category"] == "scheduling"),
        "outside_window": sum(1 for r in rows if r.get("in_window") is False
                              and r["got"] == r["expected"]),
        "wrong_length": sum(1 for r in rows if r.get("duration_right") is False),
        # wrong decisions in scheduling: which outcome instead of which, and the reason code
        "decisions": dict(Counter(f"{r['expected']}->{r['got']}" for r in wrong
                                  if r["category"] == "scheduling")),
        "reasons": dict(Counter(r["reason"] for r in wrong if r["category"] == "scheduling")),
    }


def _show(report: dict[str, Any], misses: bool) -> None:
    print(f"scheduling eval {report['set']} ({report['split']}, {report['mails']} mails, "
          f"{report['seconds']} s)")
    for key in ("decisions", "decisions_when_scheduling", "in_window", "in_window_end_to_end",
                "durations", "draft_alternatives_in_window", "double_bookings",
                "outside_hours", "in_past", "miss_kinds"):
        print(f"  {key:28} {report[key]}")
    if not misses:
        print(f"  misses: {len(report['misses'])} (listed in the JSON file)")
        return
    for m in report["misses"]:
        print(f"  miss: {m['file']}: expected {m['expected']}, got {m['got']} ({m['reason']}, "
              f"{m['category']}){' wrong length' if m.get('duration_right') is False else ''}"
              f"{' outside the window' if m.get('in_window') is False else ''}")


def main(argv: list[str] | None = None) -> list[dict[str, Any]]:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--split", choices=["test", "dev", "all"], default="test")
    ap.add_argument("--set", choices=["v1", "v2", "all"], default="all",
                    help="which labelled set (all: v1, and v2 when its labels exist)")
    ap.add_argument("--data", type=Path, help="a folder laid out like evals/data/v2/scheduling")
    ap.add_argument("--misses", action="store_true",
                    help="list each miss (v1 always does; v2 is a measurement set)")
    args = ap.parse_args(argv)
    if args.data:
        sets = [Dataset.folder(args.data.name, args.data)]
    else:
        names = ["v1", "v2"] if args.set == "all" else [args.set]
        sets = [SETS[n] for n in names if SETS[n].labels.is_file()]
    reports = []
    for data in sets:
        started = time.monotonic()
        report = run(args.split, data)
        report["seconds"] = round(time.monotonic() - started, 1)
        RESULTS.mkdir(exist_ok=True)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        out = RESULTS / f"scheduling-{data.name}-{stamp}.json"
        measured = data.name == "v2" and not args.misses
        kept = {k: v for k, v in report.items() if k not in {"rows", "misses", "problems"}} \
            if measured else report
        out.write_text(json.dumps(kept, indent=2, ensure_ascii=False))
        # v2's misses are measurement cases: only counted, unless asked for
        _show(report, misses=args.misses or data.name == "v1")
        reports.append(report)
    return reports


if __name__ == "__main__":
    main()
