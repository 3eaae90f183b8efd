"""The embedded offline classifier: nearest labelled examples + category descriptions +
keywords + header signals + the mail's embedding itself, combined by a logistic model
trained leave-one-out on the examples (an example never finds itself) and temperature-scaled,
so that confidence means something.

Before the embedding, a second logistic model reads only what costs nothing to compute
(the nearest examples by the words of the whole text, keywords, header signals). When it is
sure (FAST_SURE), its answer stands and the mail is not embedded at all: the embedding is
nearly the whole cost of triage on long mail, and what such a model is sure of it gets right
(`python -m evals.tune --loco --fast`: 97 % right on the mails it decides, the mean
leave-one-corpus-out accuracy unchanged).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from agent.classify.base import text_of
from agent.classify.calibrate import LogisticModel, fit
from agent.classify.keywords import keyword_scores_text
from agent.classify.lexical import DIM as LEXICAL_DIM
from agent.classify.lexical import lexical_matrix, lexical_vector
from agent.classify.signals import header_signals
from agent.priority import PRIORITY_SIGNALS, priority_signals
from agent.prompts import load_table
from core.models import Action, Category, Classification, MessageView, NoteGuidance, Priority
from core.ports import Embedder, Example, ExampleIndex, Neighbour, Vectors

log = logging.getLogger(__name__)
CATS = list(Category)
SIGNALS = ("automated", "bulk", "noreply", "calendar", "reply", "pdf", "forwarded", "html",
           "brand_mismatch", "freemail", "link_mismatch", "reply_other_domain", "odd_tld",
           "mass_html", "unsub_no_header", "obfuscated", "shouting")
K_VOTE = 30
K_SEARCH = 40
LEARN_SIM = 0.93  # a correction at least this similar decides the way the owner did
# Tuned leave-one-corpus-out (`python -m evals.tune --loco`): trained on six example
# corpora, predicting the seventh — a business the model has never seen.
L2 = 100.0  # regularisation of the category model (its features include 384 embedding dims)
TEMPERATURE = 0.6  # fitted on out-of-fold predictions: the L2 leaves probabilities too soft
PRIORITY_L2 = 2.0  # the priority model (tuned by 5-fold CV on dev)
FAST_L2 = 10.0  # the words-only model (leave-one-corpus-out, evals.tune --loco --fast)
FAST_SURE = 0.9  # … decides alone from this confidence on (the same measurement)
TAU = 0.03  # similarity temperature of the vote (tuned by 5-fold CV on dev)
FLOOR = -0.15  # relative similarity of a category with no example among the neighbours
Array = npt.NDArray[np.float64]


def signals_of(view: MessageView) -> dict[str, int]:
    """Everything the models read besides the text; stored with each example."""
    mail = view.mail
    a = mail.automation
    subject = mail.subject.lower()
    return {
        "automated": int(a.automated),
        "bulk": int(a.list_unsubscribe or bool(a.list_id)
                    or (a.precedence or "").lower() in {"bulk", "list"}),
        "noreply": int(a.noreply_sender),
        "calendar": int(view.calendar_method is not None),
        "reply": int(bool(mail.in_reply_to) or subject.startswith(("re:", "aw:", "antw:"))),
        "pdf": int(any((x.filename or "").lower().endswith(".pdf") for x in mail.attachments)),
        "forwarded": int(view.owner_forwarded),
        "html": int(mail.body.from_html),
        **header_signals(view),
        **priority_signals(view),
    }


@dataclass(frozen=True)
class Seed:
    example: Example
    vector: Vectors | None = None  # shipped with the package for the model that made it

    @property
    def signals(self) -> dict[str, int]:
        return dict(self.example.signals)


SEED_VERSION = "v1"


def _shipped_vectors(version: str, model: str | None) -> Vectors | None:
    """Seed vectors computed at build time (evals/make_seeds.py), if made by `model`."""
    folder = resources.files("agent.classify").joinpath("seeds")
    try:
        made_by = folder.joinpath(f"{version}.model.txt").read_text(encoding="utf-8").strip()
        if model is None or made_by != model:
            return None
        with resources.as_file(folder.joinpath(f"{version}.vectors.npy")) as path:
            vectors: Vectors = np.load(path).astype(np.float32)
            return vectors
    except (FileNotFoundError, OSError, ValueError):
        return None


def seed_fingerprint(version: str = SEED_VERSION) -> str:
    """Changes whenever the shipped seeds change — their texts or their vectors (names the
    seed collection, so a store never mixes vectors of two head lengths or models)."""
    folder = resources.files("agent.classify").joinpath("seeds")
    h = hashlib.sha256(folder.joinpath(f"{version}.jsonl").read_bytes())
    for name in (f"{version}.vectors.npy", f"{version}.model.txt"):
        with contextlib.suppress(FileNotFoundError, OSError):
            h.update(folder.joinpath(name).read_bytes())
    return f"{version}-{h.hexdigest()[:10]}"


def load_seeds(version: str = SEED_VERSION, model: str | None = None) -> list[Seed]:
    """The labelled examples shipped inside the package (built from the dev split and the
    seed corpora, never from the test split), with their vectors when `model` made them."""
    text = resources.files("agent.classify").joinpath(f"seeds/{version}.jsonl").read_text(
        encoding="utf-8")
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    vectors = _shipped_vectors(version, model)
    if vectors is not None and len(vectors) != len(rows):
        vectors = None
    out = []
    for i, row in enumerate(rows):
        signals = {k: int(v) for k, v in row.get("signals", {}).items()}
        ex = Example(id=row["id"], text=row["text"], category=row["category"],
                     priority=row.get("priority", "normal"), language=row.get("language", "und"),
                     signals=tuple(sorted(signals.items())))
        out.append(Seed(ex, None if vectors is None else vectors[i]))
    return out


def prototype_texts() -> list[list[str]]:
    table = load_table("classify/prototypes")["prototypes"]
    return [list(table[c.value]) for c in CATS]


def prototype_key(model: str) -> str:
    texts = json.dumps([model, prototype_texts()], ensure_ascii=False)
    return hashlib.sha256(texts.encode()).hexdigest()[:16]


def compute_prototypes(embedder: Embedder) -> Vectors:
    """One mean vector per category description (rows in CATS order)."""
    groups = prototype_texts()
    flat = embedder.queries([t for g in groups for t in g])
    rows, i = [], 0
    for g in groups:
        mean = flat[i:i + len(g)].mean(axis=0)
        rows.append(mean / np.linalg.norm(mean))
        i += len(g)
    return np.stack(rows).astype(np.float32)


def _prototypes(embedder: Embedder) -> Vectors:
    """Shipped prototype vectors when they match the descriptions and the model, else fresh."""
    folder = resources.files("agent.classify").joinpath("seeds")
    try:
        key = folder.joinpath("prototypes.key.txt").read_text(encoding="utf-8").strip()
        if key == prototype_key(embedder.name):
            with resources.as_file(folder.joinpath("prototypes.npy")) as path:
                shipped: Vectors = np.load(path).astype(np.float32)
                return shipped
    except (FileNotFoundError, OSError, ValueError):
        pass
    return compute_prototypes(embedder)


def _votes(sims: list[tuple[float, str]]) -> tuple[Array, Array]:
    """The neighbours' similarity-weighted vote per category, and each category's best
    similarity relative to the nearest neighbour."""
    top = sims[0][0] if sims else 0.0
    vote = np.zeros(len(CATS))
    best = np.full(len(CATS), FLOOR)
    index = {c.value: i for i, c in enumerate(CATS)}
    for rank, (s, cat) in enumerate(sims):
        i = index[cat]
        if rank < K_VOTE:
            vote[i] += np.exp((s - top) / TAU)
        best[i] = max(best[i], s - top)
    return (vote / vote.sum() if vote.sum() else vote), best


def features(sims: list[tuple[float, str]], proto: Array, kw: dict[str, float],
             signals: dict[str, int], vector: Vectors,
             words: list[tuple[float, str]]) -> Array:
    """One feature row: the neighbours by embedding (similarity, category; best first), the
    distance to each category description, keywords, signals, the embedding (a linear
    probe on it generalises where the nearest examples come from another trade) and the
    neighbours by the words of the whole text (agent/classify/lexical.py)."""
    vote, best = _votes(sims)
    word_vote, word_best = _votes(words)
    protos = proto - proto.max()
    kws, sig = _keywords_and_signals(kw, signals)
    return np.concatenate([vote, best, protos, kws, sig, np.asarray(vector, dtype=float),
                           word_vote, word_best])


def fast_features(kw: dict[str, float], signals: dict[str, int],
                  words: list[tuple[float, str]]) -> Array:
    """What the words-only model reads: the neighbours by the words of the whole text,
    keywords and signals — everything of features() but the embedding."""
    word_vote, word_best = _votes(words)
    return np.concatenate([word_vote, word_best, *_keywords_and_signals(kw, signals)])


def _keywords_and_signals(kw: dict[str, float], signals: dict[str, int]) -> tuple[Array, Array]:
    total = 1.0 + sum(kw.values())
    kws = np.array([kw.get(c.value, 0.0) / total for c in CATS])
    return kws, np.array([signals.get(k, 0) for k in SIGNALS], dtype=float)


def nearest(sims: npt.NDArray[np.floating[Any]], k: int,
            skip: Callable[[int], bool] = lambda _i: False) -> list[int]:
    """Indices of the k most similar rows (best first), leaving out those `skip` names."""
    n = min(k + 8, len(sims))
    if n == 0:
        return []
    top = np.argpartition(-sims, n - 1)[:n]
    return [int(i) for i in top[np.argsort(-sims[top], kind="stable")] if not skip(int(i))][:k]


PRIORITIES = list(Priority)


def priority_features(neigh: list[tuple[float, str]], category: str,
                      signals: dict[str, int]) -> Array:
    """Neighbours' priorities (similarity-weighted), the category, and the priority facts."""
    top = neigh[0][0] if neigh else 0.0
    vote = np.zeros(len(PRIORITIES))
    index = {p.value: i for i, p in enumerate(PRIORITIES)}
    for s, prio in neigh[:K_VOTE]:
        vote[index[prio]] += np.exp((s - top) / TAU)
    vote = vote / vote.sum() if vote.sum() else vote
    onehot = np.array([float(c.value == category) for c in CATS])
    facts = np.array([signals.get(k, 0) for k in PRIORITY_SIGNALS], dtype=float)
    return np.concatenate([vote, onehot, facts])


# word vectors, category, priority, the words-only category model
Fitted = tuple[Vectors, LogisticModel, LogisticModel, LogisticModel]
_FITTED: dict[str, Fitted] = {}  # per process: a second classifier over the same examples
FEATURES_VERSION = 3  # bump when features() changes: shipped models are then refitted
REFIT_SHARE = 0.1  # corrections per shipped example before the models are fitted again


def model_key(embedder: str, examples: list[Example]) -> str:
    """Names one fit: the examples and every setting the fit depends on (the vectors follow
    from the texts and the embedder; a store returns them with float noise, so they are
    not hashed themselves)."""
    h = hashlib.sha256()
    settings = [FEATURES_VERSION, embedder, SIGNALS, PRIORITY_SIGNALS, K_VOTE, K_SEARCH, TAU,
                FLOOR, L2, TEMPERATURE, PRIORITY_L2, LEXICAL_DIM, FAST_L2]
    h.update(json.dumps(settings).encode())
    for i in sorted(range(len(examples)), key=lambda i: examples[i].id):  # any store order
        ex = examples[i]
        h.update(json.dumps([ex.id, ex.text, ex.category, ex.priority, ex.signals]).encode())
    return h.hexdigest()[:24]


def fit_models(examples: list[Example], vectors: Vectors, prototypes: Vectors) -> Fitted:
    """Fit the category and priority models on leave-one-out neighbours of every example."""
    words = lexical_matrix([ex.text for ex in examples])
    sims = vectors @ vectors.T
    word_sims = words @ words.T
    proto = vectors @ prototypes.T
    rows, ys, prows, pys, frows = [], [], [], [], []
    cat_index = {c.value: i for i, c in enumerate(CATS)}
    prio_index = {p.value: i for i, p in enumerate(PRIORITIES)}
    for i, ex in enumerate(examples):

        def same(j: int, i: int = i, ex: Example = ex) -> bool:
            return j == i or examples[j].text == ex.text

        near = nearest(sims[i], K_SEARCH, same)
        sig = dict(ex.signals)
        neigh = [(float(sims[i, j]), examples[j].category) for j in near]
        word_neigh = [(float(word_sims[i, j]), examples[j].category)
                      for j in nearest(word_sims[i], K_SEARCH, same)]
        kw = keyword_scores_text(ex.text)
        rows.append(features(neigh, proto[i], kw, sig, vectors[i], word_neigh))
        frows.append(fast_features(kw, sig, word_neigh))
        ys.append(cat_index[ex.category])
        pneigh = [(float(sims[i, j]), examples[j].priority) for j in near]
        prows.append(priority_features(pneigh, ex.category, sig))
        pys.append(prio_index[ex.priority])
    model = fit(np.array(rows), np.array(ys, dtype=np.int64), len(CATS), l2=L2,
                temperature=TEMPERATURE)
    priority_model = fit(np.array(prows), np.array(pys, dtype=np.int64), len(PRIORITIES),
                         l2=PRIORITY_L2)
    fast = fit(np.array(frows), np.array(ys, dtype=np.int64), len(CATS), l2=FAST_L2)
    return words, model, priority_model, fast


_MODEL_NAMES = ("category", "priority", "fast")
Models = tuple[LogisticModel, LogisticModel, LogisticModel]


def models_as_arrays(fitted: Fitted) -> dict[str, Any]:
    """The three fitted models as named arrays (what an .npz file holds)."""
    _, *models = fitted
    arrays: dict[str, Any] = {f"{name}_{part}": getattr(m, part)
                              for name, m in zip(_MODEL_NAMES, models, strict=True)
                              for part in ("weights", "mean", "scale")}
    arrays.update({f"{name}_temperature": m.temperature
                   for name, m in zip(_MODEL_NAMES, models, strict=True)})
    return arrays


def models_from_arrays(data: Any) -> Models | None:
    try:
        category, priority, fast = (
            LogisticModel(weights=data[f"{n}_weights"], mean=data[f"{n}_mean"],
                          scale=data[f"{n}_scale"], temperature=float(data[f"{n}_temperature"]))
            for n in _MODEL_NAMES)
    except (KeyError, ValueError, TypeError):
        return None
    return category, priority, fast


def save_models(path: Path, key: str, fitted: Fitted) -> None:
    """The fit shipped next to the seeds (evals/make_seeds.py), so a start needs no training."""
    np.savez(path, key=key, **models_as_arrays(fitted))


def _shipped_models(key: str, version: str = SEED_VERSION) -> Models | None:
    folder = resources.files("agent.classify").joinpath("seeds")
    try:
        with resources.as_file(folder.joinpath(f"{version}.fit.npz")) as path:
            data = np.load(path, allow_pickle=False)
            return models_from_arrays(data) if str(data["key"]) == key else None
    except (FileNotFoundError, OSError, ValueError, KeyError):
        return None


@dataclass(frozen=True)
class _Look:
    """What a mail shows before any embedding, and the words-only model's answer if sure."""

    keywords: dict[str, float]
    signals: dict[str, int]
    by_words: list[Neighbour]
    fast: Classification | None


class KnnClassifier:
    name = "knn"

    def __init__(self, embedder: Embedder, store: ExampleIndex, seeds: list[Seed],
                 skip_identical: bool = False) -> None:
        self.embedder = embedder
        self.store = store
        self.skip_identical = skip_identical  # for leave-one-out evaluation on the seeds
        self._ready: dict[str, _Look] = {}  # prepare()'s looks per text, until classify()
        self._sync(seeds)
        self._proto = _prototypes(embedder)
        self._train()

    def _sync(self, seeds: list[Seed]) -> None:
        """Seeds shipped with their vectors stay in memory (copying 3,000 of them into a
        fresh store cost every new data folder seconds); seeds without (another embedder)
        are embedded once and kept in the store, which persists."""
        self._shipped = [(s.example, s.vector) for s in seeds if s.vector is not None]
        have = self.store.ids()
        todo = [s.example for s in seeds if s.vector is None and s.example.id not in have]
        if todo:
            log.info("embedding %d seed examples (once per data_dir)", len(todo))
            self.store.add(todo, self.embedder.queries([e.text for e in todo]))

    def _train(self) -> None:
        """The examples in memory, and the category and priority models fitted on
        leave-one-out neighbours of every example — or taken fitted already: shipped with
        the seeds (evals/make_seeds.py), kept in the store by an earlier start, or made
        earlier in this process, for exactly these examples, vectors and settings.

        The owner's corrections join the neighbours at once (and decide a mail like them,
        `_learned`); the models weigh what neighbours, keywords and signals say, which a few
        corrections among thousands of examples do not change, so they are fitted again
        only once corrections make up REFIT_SHARE of the examples (a fit takes seconds)."""
        stored, stored_vectors = self.store.all()
        shipped_ids = {ex.id for ex, _ in self._shipped}
        keep = [i for i, ex in enumerate(stored) if ex.id not in shipped_ids]
        examples = [ex for ex, _ in self._shipped] + [stored[i] for i in keep]
        rows = [v for _, v in self._shipped] + [stored_vectors[i] for i in keep]
        vectors = np.stack(rows) if rows else np.zeros((0, self.embedder.dim), np.float32)
        # kept in memory: a mail's neighbours are one matrix product away (a store query
        # per mail cost more than the rest of the classifier)
        self._examples, self._vectors = examples, vectors.astype(np.float32)
        self.key = model_key(self.embedder.name, examples)
        fitted = _FITTED.get(self.key)
        if fitted is None:
            shipped = len(self._shipped)
            fit_on = examples[:shipped] if shipped and len(keep) < REFIT_SHARE * shipped \
                else examples
            fit_key = model_key(self.embedder.name, fit_on)
            models = _shipped_models(fit_key) or models_from_arrays(self.store.kept_fit(fit_key))
            if models is None:  # fitted once, then kept beside the examples
                made = fit_models(fit_on, self._vectors[:len(fit_on)], self._proto)
                self.store.keep_fit(fit_key, models_as_arrays(made))
                models = made[1:]
            fitted = (lexical_matrix([ex.text for ex in examples]), *models)
        _FITTED[self.key] = fitted
        words, self.model, self.priority_model, self.fast_model = fitted
        # buckets × examples: a mail's few buckets are then a few contiguous rows
        self._words_by_bucket = np.ascontiguousarray(words.T)

    def add_example(self, example: Example) -> None:
        """Learn from a correction: the example joins the store and the neighbours (the
        models are fitted again only when corrections have become many, see `_train`)."""
        self.store.add([example], self.embedder.queries([example.text]))
        self._train()

    def prepare(self, views: list[MessageView]) -> None:
        """Embed the texts of several mails in one batch (cached by content), so that
        classifying each of them afterwards finds its vector ready — only those the
        words-only model is not sure of (the others are never embedded)."""
        self._ready = {}
        for v in views:
            text = text_of(v)
            self._ready[text] = self._look(v, text)
        self.embedder.queries([text for text, look in self._ready.items() if look.fast is None])

    def _skip(self, text: str) -> Callable[[int], bool]:
        if not self.skip_identical:
            return lambda _i: False
        return lambda i: self._examples[i].text == text

    def neighbours(self, vector: Vectors, text: str) -> list[Neighbour]:
        sims = self._vectors @ np.asarray(vector, dtype=np.float32)
        return [Neighbour(self._examples[i], float(sims[i]))
                for i in nearest(sims, K_SEARCH, self._skip(text))]

    def word_neighbours(self, text: str) -> list[Neighbour]:
        query = lexical_vector(text)
        used = np.flatnonzero(query)  # a mail fills few of the buckets: read only those
        sims = query[used] @ self._words_by_bucket[used]
        return [Neighbour(self._examples[i], float(sims[i]))
                for i in nearest(sims, K_SEARCH, self._skip(text))]

    def _look(self, view: MessageView, text: str) -> _Look:
        kw, signals, found = keyword_scores_text(text), signals_of(view), self.word_neighbours(text)
        return _Look(kw, signals, found, self._fast_from(kw, found, signals))

    def _fast_from(self, kw: dict[str, float], found: list[Neighbour],
                   signals: dict[str, int]) -> Classification | None:
        """The words-only model's answer when it is sure, else None (embed and decide in
        full). Never when the owner has corrected a mail with similar words: corrections
        are recognised by the embedding (`_learned`)."""
        if any(n.example.source == "correction" for n in found):
            return None
        words = [(n.similarity, n.example.category) for n in found]
        probs = self.fast_model.predict(
            fast_features(kw, signals, words)[None, :])[0]
        best = int(np.argmax(probs))
        if probs[best] < FAST_SURE:
            return None
        return Classification(category=CATS[best], confidence=float(probs[best]),
                              priority=self._priority(found, CATS[best], signals),
                              decided_by="knn-words", model="words (no embedding)",
                              scores={c.value: round(float(p), 4)
                                      for c, p in zip(CATS, probs, strict=True)})

    def classify(self, view: MessageView) -> Classification:
        text = text_of(view)
        look = self._ready.pop(text, None) or self._look(view, text)
        if look.fast is not None:
            return look.fast
        kw, signals = look.keywords, look.signals
        vector = self.embedder.queries([text])[0]
        found = self.neighbours(vector, text)
        sims = [(n.similarity, n.example.category) for n in found]
        proto = (self._proto @ vector).astype(float)
        words = [(n.similarity, n.example.category) for n in look.by_words]
        row = features(sims, proto, kw, signals, vector, words)
        probs = self.model.predict(row[None, :])[0]
        best = int(np.argmax(probs))
        category, confidence, decided_by = CATS[best], float(probs[best]), "knn"
        learned = self._learned(found)
        if learned is not None and learned.category is not None:
            category, decided_by = learned.category, "learned"
            confidence = max(confidence if category == CATS[best] else 0.0, 0.9)
        return Classification(category=category, confidence=confidence,
                              priority=self._priority(found, category, signals),
                              decided_by=decided_by, model=self.embedder.name, learned=learned,
                              scores={c.value: round(float(p), 4)
                                      for c, p in zip(CATS, probs, strict=True)})

    @staticmethod
    def _learned(found: list[Neighbour]) -> NoteGuidance | None:
        """The owner's correction of a near-identical mail, if there is one."""
        for n in found:
            if n.similarity < LEARN_SIM:
                break
            ex = n.example
            if ex.source == "correction":
                return NoteGuidance(category=Category(ex.category),
                                    action=Action(ex.action) if ex.action else None,
                                    assignee=ex.assignee)
        return None

    def _priority(self, found: list[Neighbour], category: Category,
                  signals: dict[str, int]) -> Priority:
        if category in {Category.newsletter, Category.spam}:
            return Priority.low  # nothing to do, by definition (CONTRACT §2)
        pneigh = [(n.similarity, n.example.priority) for n in found]
        probs = self.priority_model.predict(
            priority_features(pneigh, category.value, signals)[None, :])[0]
        return PRIORITIES[int(np.argmax(probs))]
