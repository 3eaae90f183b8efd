"""Honest tuning on the dev split only: k-fold cross-validation of the whole classifier.

    python -m evals.tune                 # 5-fold CV accuracy / macro-F1 on dev, per language
    python -m evals.tune --errors        # also list the misclassified dev mails
    python -m evals.tune --loco          # leave one corpus out: a business never seen
    python -m evals.tune --loco --temperature   # … and fit the temperature out of fold
    python -m evals.tune --loco --fast   # … with the words-only model deciding where it is sure
    python -m evals.tune --loco --fast --categories   # … and P/R per category, pooled

For each fold the example store is the dev split minus that fold, the logistic model is
trained leave-one-out on the store, and the fold is predicted — the way an unseen mail is.
The test split is never read here.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter, defaultdict

import numpy as np

from agent.classify import knn
from agent.classify.calibrate import fit
from agent.classify.keywords import keyword_scores_text
from agent.classify.knn import CATS, features, load_seeds
from agent.classify.lexical import lexical_matrix
from evals.metrics import macro_f1, prf
from evals.sets import ROOT
from tools.embeddings import get_embedder

CACHE = ROOT / ".tmp" / "tune-embeddings.npz"


def embeddings(texts: list[str], chars: int | None = None) -> np.ndarray:
    """The examples' vectors as the shipped embedder makes them, or with the first `chars`
    characters embedded instead (to measure what the embedded head costs)."""
    from tools import embeddings as emb

    chars = chars or emb.MAX_CHARS
    key = f"{chars}:{hashlib.sha256(json.dumps(texts).encode()).hexdigest()}"
    cache = CACHE.with_name(f"tune-embeddings-{chars}.npz")
    if cache.exists():
        data = np.load(cache, allow_pickle=False)
        if str(data["key"]) == key:
            cached: np.ndarray = data["vectors"]
            return cached
    inner = emb.E5Embedder(max_chars=chars) if emb.cpu_has_avx2() else emb.HashingEmbedder()
    vectors = np.concatenate([inner.queries(texts[i:i + 64]) for i in range(0, len(texts), 64)])
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.savez(cache, key=key, vectors=vectors)
    return vectors


def seed_vectors(seeds: list[knn.Seed], chars: int | None) -> np.ndarray:
    """The vectors shipped with the seeds when they are the shipped head's, else made."""
    from tools import embeddings as emb

    if (chars or emb.MAX_CHARS) == emb.MAX_CHARS and all(s.vector is not None for s in seeds):
        return np.stack([s.vector for s in seeds if s.vector is not None])
    return embeddings([s.example.text for s in seeds], chars)


def _words(sims: np.ndarray, pool: np.ndarray, i: int, cats: list[str]
           ) -> list[tuple[float, str]]:
    """The nearest examples of the pool by the words of the whole text (not i itself)."""
    ranked = pool[np.argsort(-sims[pool])][: knn.K_SEARCH + 1]
    return [(float(sims[j]), cats[j]) for j in ranked if j != i][: knn.K_SEARCH]


def cross_validate(folds: int = 5, l2: float = knn.L2, seed: int = 7,
                   chars: int | None = None) -> dict[str, object]:
    seeds = load_seeds(model=get_embedder().name)
    texts = [s.example.text for s in seeds]
    cats = [s.example.category for s in seeds]
    langs = [s.example.language for s in seeds]
    vectors = seed_vectors(seeds, chars)
    proto_vecs = knn._prototypes(get_embedder())
    sims = vectors @ vectors.T
    words = lexical_matrix(texts)
    word_sims = words @ words.T
    proto = vectors @ proto_vecs.T
    kws = [keyword_scores_text(t) for t in texts]
    index = {c.value: i for i, c in enumerate(CATS)}
    n = len(seeds)
    is_dev = np.array([s.example.id.startswith("seed-v1-d") for s in seeds])
    dev = np.where(is_dev)[0]
    order = np.random.default_rng(seed).permutation(len(dev))
    fold_of = np.full(n, -1, dtype=int)  # -1: a seed corpus example, always in the store
    fold_of[dev[order]] = np.arange(len(dev)) % folds

    def row(i: int, pool: np.ndarray) -> np.ndarray:
        ranked = pool[np.argsort(-sims[i, pool])]
        neigh = [(float(sims[i, j]), cats[j]) for j in ranked if j != i][:knn.K_SEARCH]
        return features(neigh, proto[i], kws[i], seeds[i].signals, vectors[i],
                        _words(word_sims[i], pool, i, cats))

    pred = [""] * n
    for f in range(folds):  # only dev mails are predicted; corpora examples always train
        train = np.where(fold_of != f)[0]
        x = np.array([row(i, train) for i in train])
        y = np.array([index[cats[i]] for i in train])
        model = fit(x, y, len(CATS), l2=l2)
        for i in np.where(fold_of == f)[0]:
            p = model.predict(row(i, train)[None, :])[0]
            pred[i] = CATS[int(np.argmax(p))].value
    by_lang: dict[str, list[int]] = defaultdict(list)
    for i in dev:
        by_lang[langs[i] if langs[i] in {"de", "en"} else "other"].append(int(i))
    gold, guess = [cats[i] for i in dev], [pred[i] for i in dev]
    result: dict[str, object] = {
        "accuracy": sum(p == c for p, c in zip(guess, gold, strict=True)) / len(dev),
        "macro_f1": macro_f1(prf(gold, guess)),
        "per_language": {lang: round(macro_f1(prf([cats[i] for i in ids], [pred[i] for i in ids])),
                                     3) for lang, ids in sorted(by_lang.items())},
        "errors": [(seeds[i].example.id, cats[i], pred[i]) for i in dev if pred[i] != cats[i]],
    }
    return result


def leave_one_corpus_out(l2: float = knn.L2, fit_temperature: bool = False,
                         chars: int | None = None, fast: bool = False) -> dict[str, object]:
    """Accuracy on each labelled corpus when the store holds all the others: how well the
    classifier does for a business it has never seen. Also how the confidence (scaled by
    knn.TEMPERATURE) splits at the LLM and auto thresholds, its calibration error, and
    with `fit_temperature` the temperature fitted on 4-fold out-of-fold predictions of each
    training pool (what knn.TEMPERATURE was set from). With `fast`, a mail the words-only
    model is sure of (knn.FAST_SURE) takes its answer, as the classifier does; the result
    then says for how many mails that was and how often it was right."""
    seeds = load_seeds(model=get_embedder().name)
    texts = [s.example.text for s in seeds]
    cats = [s.example.category for s in seeds]
    # d(ev), a, b, c, e, g, h, i (seed corpora), t (the old test split), s (SpamAssassin)
    corpus = np.array([s.example.id.split("-")[2][0] for s in seeds])
    vectors = seed_vectors(seeds, chars)
    sims = vectors @ vectors.T
    words = lexical_matrix(texts)
    word_sims = words @ words.T
    proto = vectors @ knn._prototypes(get_embedder()).T
    kws = [keyword_scores_text(t) for t in texts]
    index = np.array([[c.value for c in CATS].index(x) for x in cats])
    acc: dict[str, float] = {}
    temps: dict[str, float] = {}
    scored: list[tuple[float, bool]] = []
    decided_fast: list[bool] = []
    gold: dict[str, list[str]] = {}
    guess: dict[str, list[str]] = {}
    for held in sorted(set(corpus)):
        pool = np.where(corpus != held)[0]

        def row(i: int, pool: np.ndarray = pool) -> np.ndarray:
            ranked = pool[np.argsort(-sims[i, pool])][: knn.K_SEARCH + 1]
            neigh = [(float(sims[i, j]), cats[j]) for j in ranked if j != i][: knn.K_SEARCH]
            return features(neigh, proto[i], kws[i], seeds[i].signals, vectors[i],
                            _words(word_sims[i], pool, i, cats))

        x, y = np.array([row(i) for i in pool]), index[pool]
        model = fit(x, y, len(CATS), l2=l2, temperature=knn.TEMPERATURE)
        if fit_temperature:
            temps[held] = _oof_temperature(x, y, l2)
        test = np.where(corpus == held)[0]
        probs = model.predict(np.array([row(i) for i in test]))
        if fast:
            def cheap(i: int, pool: np.ndarray = pool) -> np.ndarray:
                return knn.fast_features(kws[i], seeds[i].signals,
                                         _words(word_sims[i], pool, i, cats))

            quick = fit(np.array([cheap(i) for i in pool]), y, len(CATS), l2=knn.FAST_L2)
            quick_probs = quick.predict(np.array([cheap(i) for i in test]))
            sure = quick_probs.max(axis=1) >= knn.FAST_SURE
            probs = np.where(sure[:, None], quick_probs, probs)
            decided_fast += [bool(x) for x in sure]
        hits = [int(np.argmax(p)) == index[i] for p, i in zip(probs, test, strict=True)]
        acc[held] = sum(hits) / len(test)
        gold[held] = [cats[i] for i in test]
        guess[held] = [CATS[int(np.argmax(p))].value for p in probs]
        scored += [(float(p.max()), h) for p, h in zip(probs, hits, strict=True)]
    out: dict[str, object] = {"accuracy": acc, "temperature": temps, "gold": gold,
                              "guess": guess, **_confidence(scored)}
    if fast:
        right = [h for (_, h), f in zip(scored, decided_fast, strict=True) if f]
        out["fast_share"] = len(right) / len(scored)
        out["fast_right"] = sum(right) / len(right) if right else 0.0
    return out


def _oof_temperature(x: np.ndarray, y: np.ndarray, l2: float, folds: int = 4) -> float:
    fold = np.random.default_rng(3).permutation(len(y)) % folds
    logits = np.zeros((len(y), len(CATS)))
    for f in range(folds):
        m = fit(x[fold != f], y[fold != f], len(CATS), l2=l2)
        logits[fold == f] = m.logits(x[fold == f])
    grid = np.exp(np.linspace(np.log(0.2), np.log(3.0), 60))

    def nll(t: float) -> float:
        z = logits / t
        z = z - z.max(axis=1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(y)), y].mean())

    return float(min(grid, key=nll))


def _confidence(scored: list[tuple[float, bool]]) -> dict[str, float]:
    conf = np.array([c for c, _ in scored])
    ok = np.array([h for _, h in scored], dtype=float)
    ece = sum(float(m.mean() * abs(conf[m].mean() - ok[m].mean()))
              for a in np.linspace(0, 1, 10, endpoint=False)
              if (m := (conf >= a) & (conf < a + 0.1)).any())
    out = {"ece": ece}
    for t in (0.75, 0.55):
        m = conf >= t
        out[f"share_{t}"] = float(m.mean())
        out[f"accuracy_{t}"] = float(ok[m].mean()) if m.any() else 0.0
    return out


# held-out folds outside the written-corpus mean: t, the old test split (its dev twins stay
# in the store), and s, the real SpamAssassin mail
WRITTEN_APART = {"t", "s"}


def _print_categories(gold: dict[str, list[str]], guess: dict[str, list[str]],
                      corpora: list[str]) -> None:
    g = [c for k in corpora for c in gold[k]]
    p = [c for k in corpora for c in guess[k]]
    print("per category over the written corpora held out (P / R / F1, n):")
    for cat, v in prf(g, p).items():
        print(f"  {cat:17} {v['precision']:.2f} / {v['recall']:.2f} / {v['f1']:.2f}  "
              f"n={int(v['support'])}")
    mixed = Counter((a, b) for a, b in zip(g, p, strict=True) if a != b).most_common(8)
    print("largest confusions (gold → predicted):",
          ", ".join(f"{a}→{b} {n}" for (a, b), n in mixed))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--l2", type=float, default=knn.L2)
    ap.add_argument("--errors", action="store_true")
    ap.add_argument("--loco", action="store_true",
                    help="leave one corpus out: accuracy on each corpus, trained on the rest")
    ap.add_argument("--chars", type=int, default=None,
                    help="embed the first N characters of each example instead of the "
                         "shipped head (what the head costs in accuracy)")
    ap.add_argument("--fast", action="store_true",
                    help="with --loco: the words-only model decides where it is sure")
    ap.add_argument("--temperature", action="store_true",
                    help="with --loco: fit the temperature out of fold (five times slower)")
    ap.add_argument("--categories", action="store_true",
                    help="with --loco: precision/recall per category and the largest "
                         "confusions, pooled over the written corpora (not t, s)")
    args = ap.parse_args(argv)
    if args.loco:
        r = leave_one_corpus_out(args.l2, args.temperature, args.chars, args.fast)
        acc: dict[str, float] = r["accuracy"]  # type: ignore[assignment]
        print("leave-one-corpus-out accuracy:",
              ", ".join(f"{k} {v:.3f}" for k, v in acc.items()),
              f"— mean {sum(acc.values()) / len(acc):.3f}")
        print(f"confidence (temperature {knn.TEMPERATURE}): calibration error {r['ece']:.3f}; "
              f"≥ 0.75: {r['share_0.75']:.1%} of mails, {r['accuracy_0.75']:.1%} right; "
              f"≥ 0.55: {r['share_0.55']:.1%}, {r['accuracy_0.55']:.1%} right")
        if args.fast:
            print(f"decided by the words alone (no embedding): {r['fast_share']:.1%} of "
                  f"mails, {r['fast_right']:.1%} of them right")
        written = [k for k in acc if k not in WRITTEN_APART]
        print(f"mean over the written corpora ({', '.join(written)}): "
              f"{sum(acc[k] for k in written) / len(written):.3f}")
        if r["temperature"]:
            print("temperature fitted out of fold per pool:", r["temperature"])
        if args.categories:
            _print_categories(r["gold"], r["guess"], written)  # type: ignore[arg-type]
        return 0
    r = cross_validate(args.folds, args.l2, chars=args.chars)
    print(f"dev {args.folds}-fold CV: accuracy {r['accuracy']:.3f}, macro-F1 {r['macro_f1']:.3f}, "
          f"per language {r['per_language']}")
    if args.errors:
        for e in r["errors"]:  # type: ignore[attr-defined]
            print("  ", *e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
