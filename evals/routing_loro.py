"""Leave-one-roster-out check of routing scorers on the dev rosters (issue #17).

    python -m evals.routing_loro                # tests/fixtures/routing, ~4 min

Hand-tuned routing weights helped the dev rosters they were chosen on and lost on v2 four
times. This measures a change the way v2 would see it: every number a scorer learns is
fitted on ten dev rosters and judged on the eleventh, for each of the eleven.

Every dev mail is triaged once per mode (`label`, `e2e`, as in `evals.routing_eval`) with a
router that records its call; the recorded calls are then decided again offline with the
router's own rules (FIT, MARGIN, the language desk; load 0, as in the eval), so a scorer
costs seconds instead of a full eval. The offline replay reproduces main's figures exactly
(checked first, the run stops if not). Scorers:
- main: `agent/routing.py` as shipped;
- thresholds: main's score, FIT and MARGIN chosen on the ten other rosters;
- clogit: per assistant, a conditional logit over the roster's assistants plus "nobody"
  on six features (best z, best category z, best lexical overlap of a skill phrase with
  the mail, the category z of the best-z phrase, and both category terms again for the
  broad categories admin/other); its FIT and MARGIN are chosen on out-of-fold scores of
  the ten training rosters (nested). Trained on the label mode; the target is the labelled
  assignee (or acceptable ones), for "nobody: language/away/capacity" the assistants
  sharing a kind with the mail (kinds.yaml), for "nobody: skills" nobody.
Prints per roster the routed mails right for each scorer, both modes. Refuses v2.
"""

from __future__ import annotations

import argparse
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from agent.pipeline import triage
from agent.routing import BROAD, FIT, MARGIN, W_BROAD, W_CATEGORY, W_LANGUAGE, Router, task_text
from core.models import Category, RawMessage
from evals.routing_eval import MODES, Business, LabelClassifier, businesses, judge
from evals.sets import EVAL_NOW, ROOT, arrival
from service.deps import default_deps

DEV = ROOT / "tests" / "fixtures" / "routing"
WORD = re.compile(r"\w+")
_STOP = ("und and oder or der die das den dem des ein eine einer für for the a an of to in on "
         "mit with von from bei at zu zur zum auf per via all alle our unsere")
STOP = frozenset(_STOP.split())


def fold(text: str) -> str:
    """Lower case, umlauts as ae/oe/ue, other accents dropped."""
    text = text.lower().replace("ä", "ae").replace("ö", "oe").replace("ü", "ue")
    text = unicodedata.normalize("NFKD", text.replace("ß", "ss"))
    return "".join(c for c in text if not unicodedata.combining(c))


def stem(word: str) -> str:
    for suffix in ("ungen", "en", "er", "es", "e", "n", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)] + ("ung" if suffix == "ungen" else "")
    return word


def lexical(phrase: str, mail: str) -> float:
    """Share of the phrase's words found in the mail, also inside a compound of ≥ 5
    letters ("Rechnung" in "Rechnungskorrektur")."""
    mail_words = WORD.findall(fold(mail))
    whole = {stem(w) for w in mail_words} | set(mail_words)
    long = [w for w in mail_words if len(w) >= 5]
    words = [stem(w) for w in WORD.findall(fold(phrase)) if len(w) >= 3 and w not in STOP]
    if not words:
        return 0.0
    hits = sum(w in whole or (len(w) >= 4 and any(w in m for m in long)) for w in words)
    return hits / len(words)


@dataclass
class Call:
    """One recorded router call with what the offline replay needs."""

    business: str
    mode: str
    label: dict[str, Any]
    routed: bool
    right: bool  # main's outcome, as the pipeline decided it
    kinds: set[str]  # the mail's kinds
    ids: list[str] = None  # type: ignore[assignment]
    phrase_of: np.ndarray = None  # type: ignore[assignment]  # assistant index per phrase
    z: np.ndarray = None  # type: ignore[assignment]
    cz: np.ndarray = None  # type: ignore[assignment]
    lex: np.ndarray = None  # type: ignore[assignment]
    lang: np.ndarray = None  # type: ignore[assignment]
    ok: np.ndarray = None  # type: ignore[assignment]  # phrase allowed for the language
    broad: bool = False
    blocked: list[str | None] = None  # type: ignore[assignment]
    desk: str | None = None
    akinds: list[set[str]] = None  # type: ignore[assignment]
    called: bool = False


class Recording(Router):
    calls: list[tuple[Any, Category, date, tuple[str, ...]]]

    def choose(self, view: Any, category: Category, load: Any, today: date,
               exclude: Any = (), only: Any = None) -> Any:
        self.calls.append((view, category, today, tuple(exclude)))
        return super().choose(view, category, load, today, exclude, only)


def record(root: Path) -> list[Call]:
    from service.classifier import build_classifier
    from tools.embeddings import get_embedder

    kinds = yaml.safe_load((root / "kinds.yaml").read_text(encoding="utf-8"))
    embedder = get_embedder()
    found = businesses(root)
    classifier = build_classifier(found[0].workspace(), embedder)
    out: list[Call] = []
    for mode in MODES:
        for b in found:
            out += list(_record_business(b, mode, classifier, embedder, kinds))
    return out


def _record_business(b: Business, mode: str, classifier: Any, embedder: Any,
                     kinds: dict[str, Any]) -> Iterator[Call]:
    ws = b.workspace()
    now = [EVAL_NOW]
    label_cls = LabelClassifier()
    router = Recording(ws, embedder)
    router.calls = []
    deps = replace(default_deps(ws, classifier=label_cls if mode == "label" else classifier,
                                clock=lambda: now[0], load=lambda _id: 0), router=router)
    idx = router._built()
    ids = [a.id for a in ws.assistants]
    for label in b.labels():
        data = (b.folder / "mails" / label["file"]).read_bytes()
        now[0] = arrival(data)
        label_cls.category = Category(label["category"])
        router.calls.clear()
        o = triage(RawMessage(ref=label["file"], data=data, received_at=now[0]), deps)
        d = o.decision
        c = Call(b.name, mode, label, bool(label["routed"]),
                 judge(label, d.action.value, d.assignee, d.rule),
                 set(kinds["mails"].get(f"{b.name}/{label['file']}", [])))
        if router.calls:
            view, category, today, exclude = router.calls[-1]
            query = embedder.queries([task_text(view)])[0]
            text = task_text(view)
            c.called, c.ids, c.broad = True, ids, category in BROAD
            c.phrase_of = np.array([ids.index(p.assistant) for p in idx.phrases])
            c.z = (idx.vectors @ query - idx.mean) / idx.spread
            c.cz = idx.category[category]
            c.lex = np.array([lexical(p.text, text) for p in idx.phrases])
            c.lang = np.array([bool(p.languages) for p in idx.phrases], float)
            c.ok = np.array([not p.languages or view.language in p.languages
                             for p in idx.phrases])
            why = [router.blocked(a, view.language, lambda _id: 0, today) for a in ws.assistants]
            c.blocked = [w.why if w else None for w in why]
            desk = router._desk(view, lambda _id: 0, today, exclude)
            c.desk = desk.assistant.id if desk else None
            c.akinds = [set(kinds["assistants"].get(f"{b.name}/{i}", [])) for i in ids]
        yield c


Scores = Callable[[Call], np.ndarray]


def main_scores(c: Call) -> np.ndarray:
    s = c.z + (W_BROAD if c.broad else W_CATEGORY) * c.cz + W_LANGUAGE * c.lang
    return _best(c, s)


def _best(c: Call, per_phrase: np.ndarray) -> np.ndarray:
    out = np.full(len(c.ids), -np.inf)
    for a, v, ok in zip(c.phrase_of, per_phrase, c.ok, strict=True):
        if ok and v > out[a]:
            out[a] = v
    return out


def decide(c: Call, scores: np.ndarray, fit: float, margin: float) -> bool:
    """Right or not, with the router's rules on these scores (load 0: the best one wins)."""
    order = [int(i) for i in np.argsort(-scores) if np.isfinite(scores[i])]
    if not order or scores[order[0]] < fit:
        return judge(c.label, "notify", None, "")
    fitting = [i for i in order if scores[i] >= max(fit, scores[order[0]] - margin)]
    pool = [i for i in fitting if c.blocked[i] is None]
    if pool:
        return judge(c.label, "route", c.ids[pool[0]], "")
    if c.desk and all(c.blocked[i] == "language" for i in fitting):
        return judge(c.label, "route", c.desk, "")
    return judge(c.label, "notify", None, "")


def right(calls: list[Call], scores: Scores, fit: float, margin: float) -> list[bool]:
    return [decide(c, scores(c), fit, margin) if c.called else c.right
            for c in calls if c.routed]


FEATURES = ("z", "cz", "lex", "cz@z", "broad*cz", "broad*cz@z")


def features(c: Call) -> np.ndarray:
    out = np.full((len(c.ids), len(FEATURES)), np.nan)
    b = float(c.broad)
    for a in range(len(c.ids)):
        m = (c.phrase_of == a) & c.ok
        if m.any():
            z, cz = c.z[m], c.cz[m]
            out[a] = [z.max(), cz.max(), c.lex[m].max(), cz[np.argmax(z)],
                      b * cz.max(), b * cz[np.argmax(z)]]
    return out


def targets(c: Call) -> list[int]:
    if c.label.get("assignee"):
        ok = {c.label["assignee"], *(c.label.get("acceptable") or [])}
        return [i for i, a in enumerate(c.ids) if a in ok]
    if c.label.get("nobody_reason") == "skills":
        return []
    return [i for i, k in enumerate(c.akinds) if k & c.kinds]


@dataclass(frozen=True)
class Logit:
    mean: np.ndarray
    scale: np.ndarray
    w: np.ndarray
    b: float

    def __call__(self, c: Call) -> np.ndarray:
        f = features(c)
        u = ((f - self.mean) / self.scale) @ self.w + self.b
        return np.where(np.isnan(u), -np.inf, u)


def train(calls: list[Call], lam: float = 1.0, steps: int = 300, rate: float = 0.1) -> Logit:
    """Conditional logit over a mail's assistants and "nobody" (utility 0), L2, by
    gradient descent on standardised features."""
    data = [(features(c), targets(c)) for c in calls]
    rows = np.vstack([f[~np.isnan(f).any(1)] for f, _ in data])
    mean, scale = rows.mean(0), rows.std(0) + 1e-9
    w, b = np.zeros(len(FEATURES)), 0.0
    for _ in range(steps):
        gw, gb = lam * w, 0.0
        for f, t in data:
            keep = ~np.isnan(f).any(1)
            x = np.where(keep[:, None], (f - mean) / scale, 0.0)
            u = np.where(keep, x @ w + b, -np.inf)
            top = max(0.0, float(u[keep].max())) if keep.any() else 0.0
            e = np.where(keep, np.exp(u - top), 0.0)
            p = e / (e.sum() + np.exp(-top))
            q = np.zeros_like(p)
            hit = [i for i in t if keep[i]]
            if hit:
                q[hit] = e[hit] / e[hit].sum()
            gw += x[keep].T @ (p - q)[keep]
            gb += float((p - q)[keep].sum())
        w, b = w - rate * gw / len(data), b - rate * gb / len(data)
    return Logit(mean, scale, w, b)


def best_thresholds(calls: list[Call], scores: Scores,
                    grid: list[tuple[float, float]]) -> tuple[float, float]:
    cached = {id(c): scores(c) for c in calls if c.called}
    best, pick = -1, grid[0]
    for fit, margin in grid:
        n = sum(decide(c, cached[id(c)], fit, margin) if c.called else c.right
                for c in calls if c.routed)
        if n > best:
            best, pick = n, (fit, margin)
    return pick


MAIN_GRID = list(itertools.product(np.arange(2.5, 6.01, 0.25).tolist(), [1.0, 1.5, 2.0, 3.0]))
LOGIT_GRID = list(itertools.product(np.arange(-2.0, 2.01, 0.25).tolist(),
                                    [0.5, 1.0, 1.5, 2.0, 3.0]))


def loro(calls: list[Call]) -> dict[str, dict[str, list[bool]]]:
    """Per scorer and roster: right or not for every routed mail (both modes)."""
    rosters = sorted({c.business for c in calls})
    out: dict[str, dict[str, list[bool]]] = {"main": {}, "thresholds": {}, "clogit": {}}
    for r in rosters:
        held = [c for c in calls if c.business == r]
        rest = [c for c in calls if c.business != r]
        out["main"][r] = right(held, main_scores, FIT, MARGIN)
        out["thresholds"][r] = right(held, main_scores,
                                     *best_thresholds(rest, main_scores, MAIN_GRID))
        learn = [c for c in rest if c.called and c.routed and c.mode == "label"]
        model = train(learn)
        oof: dict[int, np.ndarray] = {}
        for r2 in sorted({c.business for c in rest}):
            inner = train([c for c in learn if c.business != r2])
            oof |= {id(c): inner(c) for c in rest if c.business == r2 and c.called}
        fit, margin = best_thresholds(rest, lambda c, o=oof: o[id(c)], LOGIT_GRID)
        out["clogit"][r] = right(held, model, fit, margin)
        print(f"  {r}: clogit fit {fit:.2f} margin {margin:.1f} weights "
              f"{dict(zip(FEATURES, np.round(model.w, 2).tolist(), strict=True))}")
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DEV)
    args = ap.parse_args(argv)
    if args.data.resolve().is_relative_to(ROOT / "evals" / "data" / "v2"):
        ap.error("v2 is a measurement set: nothing is fitted or chosen on it")
    calls = record(args.data.resolve())
    replay = [decide(c, main_scores(c), FIT, MARGIN) for c in calls if c.called]
    if replay != [c.right for c in calls if c.called]:
        raise SystemExit("the offline replay does not reproduce main's decisions")
    res = loro(calls)
    print(f"\n  {'routed mails right (label+e2e)':32} " + " ".join(f"{s:>10}" for s in res))
    for r in sorted(res["main"]):
        n = len(res["main"][r])
        print(f"  {r:32} " + " ".join(f"{sum(res[s][r]):>6}/{n:<3}" for s in res))
    total = sum(len(v) for v in res["main"].values())
    print(f"  {'all':32} " + " ".join(
        f"{sum(sum(v) for v in res[s].values()):>6}/{total:<3}" for s in res))


if __name__ == "__main__":
    main()
