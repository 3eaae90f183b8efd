"""Draft eval: do the drafts answer the sender?

    python -m evals.drafts_eval                 # the draft eval (v2) and the demo mailbox
    python -m evals.drafts_eval --sets dev      # the dev material: tests/fixtures/drafts (a
                                                # piano workshop), drafts-catering (a caterer),
                                                # drafts-fahrrad (a bicycle workshop; precision)
                                                # drafts-pension (a holiday flat) and
                                                # drafts-kurse (a yoga and Pilates studio)

Runs the real pipeline (classifier, gate, calendar, knowledge, drafter) on each labelled mail,
replayed as of five minutes after its own Date:, and scores the draft against the labels
(format: evals/data/v2/drafts/labels.yaml):
- answered: labelled questions whose answer source is the knowledge or the calendar and that
  the draft answers — a knowledge answer counts when the draft states every `expect` fact of
  the question (or of one of its `alternatives`), numbers, units and dashes normalised; a
  calendar answer counts when the draft offers a concrete free slot;
- owner_named: questions labelled for the owner that the draft names in an
  "Offen für Sie:" / "Open for you:" line (the line shares most of the question's words);
- facts: labelled facts the draft repeats with the labelled value (dates and amounts compared
  as values, numbers as numbers, names and places as words);
- wrong_facts: amounts and dates in the draft that are neither in the mail, nor in the
  owner's knowledge, nor among the calendar slots the decision offered;
- salutations: drafts whose first line is the labelled greeting or one of its alternatives;
- brackets: drafts with a placeholder in square brackets (CONTRACT §7 refuses to approve them);
- off_topic: lines of the draft that quote the owner's knowledge (a sentence of 25 characters
  or more found in it) yet state none of the facts the mail's labelled knowledge questions
  expect — a price list under a request to enlarge a logo, a maintenance contract under a
  complaint: what a recipient reads as not listening. Counted per line, and drafts with any.
Per business and per language too. This file has its own normalisers on purpose: the scorer
does not share code with what it scores.
"""

from __future__ import annotations

import argparse
import email
import email.policy
import json
import re
import sys
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import yaml
from tqdm import tqdm

from agent.pipeline import triage
from core.config import Workspace, load_config
from core.models import RawMessage, TriageOutcome
from evals.sets import ROOT, arrival
from service.deps import default_deps

RESULTS = ROOT / "evals" / "results"
V2 = ROOT / "evals" / "data" / "v2" / "drafts"
TMP = ROOT / ".tmp" / "eval-data"
# the dev material (`--sets dev`): business → folder under tests/fixtures, each with its
# knowledge, mails, labels.yaml and workspace.yaml; written for development, not a measurement
DEV = {"dev": "drafts", "catering": "drafts-catering", "fahrrad": "drafts-fahrrad",
       "pension": "drafts-pension", "kurse": "drafts-kurse"}

# --- normalising -----------------------------------------------------------------------------

_DASH = re.compile(r"\s*[–—‒-]\s*")
_DE = "januar februar märz april mai juni juli august september oktober november dezember"
_EN = "january february march april may june july august september october november december"
_MONTHS = {m: i + 1 for i, names in enumerate(zip(_DE.split(), _EN.split(), strict=True))
           for m in names}
_MONTHS.update({k[:3]: v for k, v in list(_MONTHS.items())})
_MONTHS["sept"] = 9
_MON = "|".join(sorted(_MONTHS, key=len, reverse=True))
_DATES = re.compile(
    rf"(?<![\d.])(\d{{1,2}})\.\s?(\d{{1,2}})\.(?:\s?(\d{{2,4}}))?(?!\d)"
    rf"|(?<!\d)(\d{{1,2}})(?:\.|st|nd|rd|th)?\s+(?:of\s+)?({_MON})\b"
    rf"|\b({_MON})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!:)"
    rf"|\b(20\d\d)-(\d\d)-(\d\d)\b", re.I)
_CURRENCY = r"(?:€|eur\b|euro\b|chf\b|usd\b|\$|£)"
_NUM = r"\d{1,3}(?:[.,' ]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d+)?"
_AMOUNTS = re.compile(rf"{_CURRENCY}\s?({_NUM})|({_NUM})\s?(?:,-|\.-)?\s?{_CURRENCY}", re.I)
_NUMBERS = re.compile(_NUM)
_TIMES = re.compile(r"(?<![\d.:])([01]?\d|2[0-3])(?::([0-5]\d)|\s?uhr)|(?<![\d.:])(1[0-2]|0?[1-9])"
                    r"(?::([0-5]\d))?\s?(am|pm)\b", re.I)
_WORDS = {"ein": 1, "eine": 1, "one": 1, "zwei": 2, "two": 2, "drei": 3, "three": 3, "vier": 4,
          "four": 4, "fünf": 5, "five": 5, "sechs": 6, "six": 6, "sieben": 7, "seven": 7,
          "acht": 8, "eight": 8, "neun": 9, "nine": 9, "zehn": 10, "ten": 10, "elf": 11,
          "eleven": 11, "zwölf": 12, "twelve": 12}
_BRACKET = re.compile(r"\[[^\]\n]{0,200}\]")
_OPEN = re.compile(r"^\s*(?:offen für sie|open for you)\s*:\s*(.+)$", re.I | re.M)
_SLOT = re.compile(r"\d{1,2}:\d\d\s?[–-]\s?\d{1,2}:\d\d")


def number(text: str) -> float | None:
    t = text.replace("'", "").replace(" ", "")
    if "," in t and "." in t:
        dec = "," if t.rfind(",") > t.rfind(".") else "."
        t = t.replace("." if dec == "," else ",", "").replace(dec, ".")
    elif "," in t or "." in t:
        sep = "," if "," in t else "."
        head, _, tail = t.rpartition(sep)
        t = t.replace(sep, "") if len(tail) == 3 and head.replace(sep, "").isdigit() \
            else head.replace(sep, "") + "." + tail
    try:
        return float(t)
    except ValueError:
        return None


def amounts(text: str) -> set[float]:
    out = set()
    for m in _AMOUNTS.finditer(text):
        v = number(m.group(1) or m.group(2))
        if v is not None:
            out.add(round(v, 2))
    return out


def dates(text: str) -> set[tuple[int, int]]:
    out = set()
    for m in _DATES.finditer(text):
        g = m.groups()
        if g[0]:
            d, mo = int(g[0]), int(g[1])
        elif g[3]:
            d, mo = int(g[3]), _MONTHS[g[4].lower()]
        elif g[5]:
            d, mo = int(g[6]), _MONTHS[g[5].lower()]
        else:
            d, mo = int(g[9]), int(g[8])
        if 1 <= d <= 31 and 1 <= mo <= 12:
            out.add((mo, d))
    return out


def times(text: str) -> set[str]:
    out = set()
    for m in _TIMES.finditer(text):
        if m.group(1):
            out.add(f"{int(m.group(1)):02d}:{m.group(2) or '00'}")
        else:
            h = int(m.group(3)) % 12 + (12 if m.group(5).lower() == "pm" else 0)
            out.add(f"{h:02d}:{m.group(4) or '00'}")
    return out


def numbers(text: str) -> set[float]:
    out = {v for v in (number(x) for x in _NUMBERS.findall(text)) if v is not None}
    out |= {float(v) for w, v in _WORDS.items() if re.search(rf"\b{w}\b", text, re.I)}
    return out


def norm(text: str) -> str:
    t = text.lower().replace("\u00a0", " ").replace("\u202f", " ")
    t = _DASH.sub("-", t)
    t = re.sub(_NUM, lambda m: _canon(m.group(0)), t)
    t = re.sub(r"\s+", " ", t)
    return t.replace(" %", "%").replace("€ ", "€").replace(" €", "€")


def _canon(num: str) -> str:
    v = number(num)
    return num if v is None else (f"{v:.2f}".rstrip("0").rstrip("."))


def states(draft: str, expect: str) -> bool:
    """The draft states `expect`: an amount by its value, anything else as normalised text."""
    if re.search(_CURRENCY, expect, re.I) and amounts(expect):
        return amounts(expect) <= amounts(draft)
    return norm(expect) in norm(draft)


# --- scoring one draft ------------------------------------------------------------------------


def knowledge_answered(body: str, answer: dict[str, Any]) -> bool:
    groups = [answer.get("expect") or [], *(answer.get("alternatives") or [])]
    return any(g and all(states(body, str(e)) for e in g) for g in groups)


def nights_answered(body: str, answer: dict[str, Any]) -> bool:
    """A calendar answer about nights, labelled with what it says ("frei", "booked"): stated
    in a line of the draft that names a date (not "free of charge" elsewhere)."""
    lines = [line for line in body.splitlines() if dates(line)]
    return bool(answer.get("expect")) and any(knowledge_answered(line, answer) for line in lines)


def _stems(text: str) -> set[str]:
    return {w.lower()[:5] for w in re.findall(r"[^\W\d_]{4,}", text)}


def named(body: str, question: str) -> bool:
    want = _stems(question)
    if not want:
        return False
    return any(len(want & _stems(line)) / len(want) >= 0.5 for line in _OPEN.findall(body))


def fact_repeated(body: str, fact: dict[str, Any]) -> bool:
    kind, value = fact["kind"], str(fact["value"])
    written = str(fact.get("written") or "")
    iso = re.findall(r"(20\d\d)-(\d\d)-(\d\d)", value)
    if kind in {"date", "deadline", "date_range"} and iso:
        ok = all((int(mo), int(d)) in dates(body) for _, mo, d in iso)
        want_times = times(value)
        return ok and want_times <= times(body)
    if kind == "amount" and amounts(value + " EUR" if "EUR" not in value else value):
        return amounts(value) <= amounts(body)
    if kind == "time" and times(value):
        return times(value) <= times(body)
    if kind in {"quantity", "measure", "duration"}:
        nums = numbers(value)
        return bool(nums) and nums <= numbers(body)
    if kind in {"order_number", "invoice_number", "booking_number", "offer_number",
                "contract_number", "reference", "phone"}:
        squash = re.sub(r"[\s()/-]", "", value.lower())
        return squash in re.sub(r"[\s()/-]", "", body.lower())
    for candidate in (value, written):
        if candidate and norm(candidate) in norm(body):
            return True
    words = [w for w in re.findall(r"[^\W\d_]{4,}", value)]
    return bool(words) and all(w.lower() in body.lower() for w in words)


_MARKDOWN = re.compile(r"[*_`#>]+")
_SPLIT = re.compile(r"(?<=[.!?])\s+|:\s+")


def off_topic(body: str, knowledge: str, expects: list[str]) -> tuple[int, int]:
    """(lines quoting the knowledge, of those the ones stating no expected fact)."""
    known = norm(_MARKDOWN.sub("", knowledge))
    quoting = unasked = 0
    for line in body.splitlines():
        parts = [norm(x.strip(" –-•")) for x in _SPLIT.split(line)]
        if not any(len(x) >= 25 and x in known for x in parts):
            continue
        quoting += 1
        unasked += not any(states(line, e) for e in expects)
    return quoting, unasked


def _mail_text(data: bytes) -> str:
    msg = email.message_from_bytes(data, policy=email.policy.default)
    parts = [str(msg.get("Subject", ""))]
    for part in msg.walk():
        if part.get_content_maintype() == "text":
            try:
                parts.append(str(part.get_content()))
            except (LookupError, UnicodeError):
                continue
    return "\n".join(parts)


def wrong_facts(body: str, mail: str, knowledge: str, o: TriageOutcome,
                signature: str) -> list[str]:
    """Amounts and dates in the draft that neither the mail, the knowledge, the offered
    slots nor the owner's signature contain."""
    d = o.decision
    zone = o.view.mail.date.tzinfo if o.view.mail.date else UTC
    slot_days = {(s.start.astimezone(zone).month, s.start.astimezone(zone).day)
                 for s in d.calendar.offered + d.calendar.booked}
    allowed_amounts = amounts(mail) | amounts(knowledge) | amounts(signature)
    allowed_dates = dates(mail) | dates(knowledge) | slot_days
    text = body.replace(signature.strip(), "")
    bad = [f"amount {v:g}" for v in sorted(amounts(text) - allowed_amounts)]
    bad += [f"date {d_}.{m}." for m, d_ in sorted(dates(text) - allowed_dates)]
    return bad


# --- running a set ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DraftSet:
    name: str
    labels: list[dict[str, Any]]
    mails: dict[str, Path]  # label file → mail path
    workspaces: dict[str, Path]  # business → workspace file


def _business_workspace(business: str) -> Path:
    """A workspace for a business of the draft eval: its knowledge folder, a calendar with
    a few busy mornings, drafts for everything a reply makes sense for."""
    company = " ".join(w.capitalize() for w in business.split("-"))
    folder = TMP / f"drafts-{business}"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "calendar.ics").write_text(_calendar(), encoding="utf-8")
    config = {
        "owner": {"name": company, "email": f"info@{business}.example",
                  "agent_email": f"assistenz@{business}.example", "company": company,
                  "timezone": "Europe/Berlin", "languages": ["de", "en"],
                  "signature": f"Viele Grüße\n{company}\n", "working_hours": "Mo-Fr 08:00-17:00"},
        "delegation": {"scheduling": "auto", "customer_inquiry": "draft", "support": "draft",
                       "invoice_payment": "draft", "admin": "draft", "other": "draft",
                       "social_media": "draft", "personal": "notify"},
        "calendar": {"ics": "calendar.ics"},
        "knowledge": str(V2 / "knowledge" / business),
        "data_dir": str(folder / "data"),
    }
    path = folder / "workspace.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def _calendar() -> str:
    """Busy Monday and Wednesday mornings and Friday afternoons, Nov 2026 – Feb 2027."""
    events = []
    for n in range(0, 120):
        day = date(2026, 11, 16).toordinal() + n
        d = date.fromordinal(day)
        spans = {0: ("0800", "1200"), 2: ("0900", "1230"), 4: ("1300", "1700")}
        if d.weekday() in spans:
            a, b = spans[d.weekday()]
            stamp = d.strftime("%Y%m%d")
            events.append(f"BEGIN:VEVENT\nUID:eval-busy-{stamp}@assistenz.example\n"
                          f"DTSTART;TZID=Europe/Berlin:{stamp}T{a}00\n"
                          f"DTEND;TZID=Europe/Berlin:{stamp}T{b}00\nSUMMARY:busy\nEND:VEVENT")
    return ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//Assistenz eval//drafts//EN\n"
            + "\n".join(events) + "\nEND:VCALENDAR\n")


def load_set(name: str) -> DraftSet:
    if name == "drafts":
        labels = yaml.safe_load((V2 / "labels.yaml").read_text(encoding="utf-8"))
        mails = {x["file"]: V2 / "mails" / x["file"] for x in labels}
        businesses = sorted({x["business"] for x in labels})
        return DraftSet(name, labels, mails, {b: _business_workspace(b) for b in businesses})
    if name == "demo":
        labels = yaml.safe_load((ROOT / "demo" / "draft-labels.yaml").read_text(encoding="utf-8"))
        for x in labels:
            x.setdefault("business", "demo")
        mails = {x["file"]: ROOT / "demo" / "mailbox" / "new" / x["file"] for x in labels}
        return DraftSet(name, labels, mails, {"demo": ROOT / "demo" / "workspace.yaml"})
    labels, mails, workspaces = [], {}, {}
    for business, folder in DEV.items():
        dev = ROOT / "tests" / "fixtures" / folder
        some = yaml.safe_load((dev / "labels.yaml").read_text(encoding="utf-8"))
        for x in some:
            x.setdefault("business", business)
            mails[x["file"]] = dev / "mails" / x["file"]
        labels += some
        workspaces[business] = dev / "workspace.yaml"
    return DraftSet(name, labels, mails, workspaces)


def _knowledge_text(ws: Workspace) -> str:
    if ws.knowledge is None:
        return ""
    return "\n".join(p.read_text(encoding="utf-8") for p in sorted(ws.knowledge.rglob("*.md")))


def score_mail(label: dict[str, Any], o: TriageOutcome | None, mail_text: str,
               knowledge: str, signature: str) -> dict[str, Any]:
    draft = o.decision.draft if o is not None else None
    body = draft.body if draft is not None else ""
    row: dict[str, Any] = {"file": label["file"], "business": label["business"],
                           "language": label["language"], "has_draft": draft is not None,
                           "action": o.decision.action.value if o else "error",
                           "category": o.classification.category.value if o else "error"}
    qs = []
    for q in label.get("questions") or []:
        source = (q.get("answer") or {}).get("source", "owner")
        if source == "knowledge":
            ok = bool(body) and knowledge_answered(body, q["answer"])
        elif source == "calendar":
            cal = o.decision.calendar if o else None
            ok = bool(body and cal and (cal.offered or cal.booked) and _SLOT.search(body))
            ok = ok or nights_answered(body, q["answer"])
        else:
            ok = bool(body) and named(body, q["text"])
        qs.append({"id": q["id"], "source": source, "ok": ok, "text": q["text"]})
    row["questions"] = qs
    row["facts"] = [{"kind": f["kind"], "value": f["value"], "ok": bool(body) and
                     fact_repeated(body, f)} for f in label.get("facts") or []]
    first = body.strip().splitlines()[0].strip() if body.strip() else ""
    wanted = [label["greeting"], *(label.get("greeting_alternatives") or [])]
    row["greeting"] = first
    row["greeting_ok"] = bool(body) and _greet(first) in {_greet(g) for g in wanted}
    row["brackets"] = _BRACKET.findall(body)
    expects = [str(e) for q in label.get("questions") or []
               if (q.get("answer") or {}).get("source") == "knowledge"
               for g in [q["answer"].get("expect") or [], *(q["answer"].get("alternatives") or [])]
               for e in g]
    row["knowledge_lines"], row["off_topic"] = off_topic(body, knowledge, expects)
    row["wrong_facts"] = wrong_facts(body, mail_text, knowledge, o, signature) if (
        o is not None and body) else []
    row["open_points"] = _OPEN.findall(body)
    row["draft_language"] = draft.language if draft else None
    row["language_explained"] = bool(o) and (draft is None or draft.language == label["language"]
                                             or "Sprache der Mail" in (o.explanation if o else "")
                                             or "mail's language" in (o.explanation if o else ""))
    row["body"] = body
    return row


def _greet(line: str) -> str:
    return re.sub(r"\s+", " ", line.strip().rstrip(",!").replace("Dr.", "Dr")).lower()


def run_set(name: str) -> list[dict[str, Any]]:
    s = load_set(name)
    rows: list[dict[str, Any]] = []
    by_business: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for label in s.labels:
        by_business[label["business"]].append(label)
    for business, labels in sorted(by_business.items()):
        ws = load_config(s.workspaces[business])
        if name == "demo":
            ws = ws.model_copy(update={"data_dir": TMP / "demo-drafts"})
        now = [datetime(2026, 11, 27, tzinfo=UTC)]
        deps = default_deps(ws, clock=lambda now=now: now[0])
        knowledge = _knowledge_text(ws)
        for label in tqdm(labels, desc=f"{name}:{business}", file=sys.stderr, disable=None):
            path = s.mails[label["file"]]
            data = path.read_bytes()
            now[0] = arrival(data)
            try:
                o: TriageOutcome | None = triage(RawMessage(ref=path.name, data=data,
                                                            received_at=now[0]), deps)
            except Exception as exc:  # counted, never hidden
                print(f"error in {label['file']}: {type(exc).__name__}: {exc}", file=sys.stderr)
                o = None
            rows.append(score_mail(label, o, _mail_text(data), knowledge, ws.owner.signature))
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    qs = [q for r in rows for q in r["questions"]]
    answerable = [q for q in qs if q["source"] in {"knowledge", "calendar"}]
    owner = [q for q in qs if q["source"] == "owner"]
    facts = [f for r in rows for f in r["facts"]]

    def share(ok: int, n: int) -> float | None:
        return round(ok / n, 3) if n else None

    return {
        "mails": len(rows), "drafts": sum(r["has_draft"] for r in rows),
        "questions": len(qs), "answerable": len(answerable),
        "answered": share(sum(q["ok"] for q in answerable), len(answerable)),
        "answered_knowledge": share(sum(q["ok"] for q in answerable if q["source"] == "knowledge"),
                                    sum(q["source"] == "knowledge" for q in answerable)),
        "answered_calendar": share(sum(q["ok"] for q in answerable if q["source"] == "calendar"),
                                   sum(q["source"] == "calendar" for q in answerable)),
        "answered_of_all_questions": share(sum(q["ok"] for q in answerable), len(qs)),
        "owner_questions": len(owner),
        "owner_named": share(sum(q["ok"] for q in owner), len(owner)),
        "open_points": sum(len(r["open_points"]) for r in rows),
        "facts": len(facts), "facts_repeated": share(sum(f["ok"] for f in facts), len(facts)),
        "wrong_facts": sum(len(r["wrong_facts"]) for r in rows),
        "salutations": share(sum(r["greeting_ok"] for r in rows if r["has_draft"]),
                             sum(r["has_draft"] for r in rows)),
        "brackets": sum(bool(r["brackets"]) for r in rows),
        "knowledge_lines": sum(r["knowledge_lines"] for r in rows),
        "off_topic_lines": sum(r["off_topic"] for r in rows),
        "drafts_off_topic": share(sum(r["off_topic"] > 0 for r in rows if r["has_draft"]),
                                  sum(r["has_draft"] for r in rows)),
        "other_language_explained": share(
            sum(r["language_explained"] for r in rows if r["language"] not in {"de", "en"}),
            sum(r["language"] not in {"de", "en"} for r in rows)),
    }


def report(name: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    out = {"set": name, **summary(rows)}
    for key in ("business", "language"):
        groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for r in rows:
            groups[r[key]].append(r)
        out[f"per_{key}"] = {k: summary(v) for k, v in sorted(groups.items())}
    out["rows"] = rows
    return out


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.1f} %"


def print_report(r: dict[str, Any]) -> None:
    print(f"\n== drafts: {r['set']} ({r['mails']} mails, {r['drafts']} drafts, "
          f"{r['questions']} questions)")
    print(f"  answered from knowledge or calendar  {_pct(r['answered'])} of {r['answerable']} "
          f"(knowledge {_pct(r['answered_knowledge'])}, calendar {_pct(r['answered_calendar'])}; "
          f"{_pct(r['answered_of_all_questions'])} of all questions)")
    print(f"  owner's questions named              {_pct(r['owner_named'])} of "
          f"{r['owner_questions']} ({r['open_points']} open points in all)")
    print(f"  facts repeated correctly             {_pct(r['facts_repeated'])} of {r['facts']}")
    print(f"  wrong facts                          {r['wrong_facts']}")
    print(f"  right salutations                    {_pct(r['salutations'])}")
    print(f"  drafts with a bracket placeholder    {r['brackets']}")
    print(f"  knowledge lines off the question     {r['off_topic_lines']} of "
          f"{r['knowledge_lines']} (drafts with one: {_pct(r['drafts_off_topic'])})")
    print(f"  other languages answered or explained {_pct(r['other_language_explained'])}")
    for key in ("per_business", "per_language"):
        for k, v in r[key].items():
            print(f"    {k:28} n={v['mails']:3}  answered {_pct(v['answered']):>8}  owner named "
                  f"{_pct(v['owner_named']):>8}  facts {_pct(v['facts_repeated']):>8}  "
                  f"salutations {_pct(v['salutations']):>8}  wrong {v['wrong_facts']}  "
                  f"off topic {v['off_topic_lines']}/{v['knowledge_lines']}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sets", default="drafts,demo", help="drafts, demo, dev (comma-separated)")
    ap.add_argument("--no-write", action="store_true")
    args = ap.parse_args(argv)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    for name in args.sets.split(","):
        r = report(name, run_set(name))
        print_report(r)
        if not args.no_write:
            RESULTS.mkdir(parents=True, exist_ok=True)
            path = RESULTS / f"{stamp}-drafts-{name}.json"
            path.write_text(json.dumps(r, indent=1, ensure_ascii=False, default=str))
            print(f"  → {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
