"""Mail the words alone decide is never embedded (issue 18: the embedding is nearly the whole
cost of triage on long mail); everything else is embedded once, and the owner's corrections
are still found by the embedding."""

from __future__ import annotations

from pathlib import Path

import pytest
from clocks import FIXED_NOW
from conftest import FIXTURES, raw_of

from agent.classify.knn import FAST_SURE, KnnClassifier
from agent.parse.mime import parse_message
from agent.view import build_view
from core.config import Workspace
from core.models import Category, MessageView
from core.ports import Example, Vectors
from service.classifier import build_classifier
from tools.embeddings import get_embedder


class Counting:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self) -> None:
        self.inner = get_embedder()
        self.name, self.dim = self.inner.name, self.inner.dim
        self.texts: list[str] = []

    def queries(self, texts: list[str]) -> Vectors:
        self.texts += texts
        return self.inner.queries(texts)

    def passages(self, texts: list[str]) -> Vectors:
        self.texts += texts
        return self.inner.passages(texts)


@pytest.fixture
def setup(ws: Workspace, tmp_path: Path) -> tuple[KnnClassifier, Counting, Workspace]:
    local = ws.model_copy(update={"data_dir": tmp_path})
    embedder = Counting()
    classifier = build_classifier(local, embedder)
    assert isinstance(classifier, KnnClassifier)
    embedder.texts.clear()  # the seeds' vectors ship with the package: nothing so far anyway
    return classifier, embedder, local


def view_of(name: str, ws: Workspace) -> MessageView:
    return build_view(parse_message(raw_of(FIXTURES / name)), ws, FIXED_NOW)


BULK = "spam/bulk-html-no-unsubscribe.eml"  # mass-mail HTML, no unsubscribe header


def test_bulk_spam_is_filed_without_embedding_it(setup: tuple[KnnClassifier, Counting,
                                                               Workspace]) -> None:
    classifier, embedder, ws = setup
    c = classifier.classify(view_of(BULK, ws))
    assert c.category is Category.spam
    assert c.decided_by == "knn-words" and c.confidence >= FAST_SURE
    assert embedder.texts == []


def test_a_batch_embeds_only_what_the_words_do_not_decide(
        setup: tuple[KnnClassifier, Counting, Workspace]) -> None:
    classifier, embedder, ws = setup
    names = [BULK,
             *sorted(f"drafts/mails/{p.name}" for p in (FIXTURES / "drafts" / "mails")
                     .glob("*.eml"))[:6]]
    views = [view_of(n, ws) for n in names]
    classifier.prepare(views)
    prepared = len(embedder.texts)
    outcomes = [classifier.classify(v) for v in views]
    full = [c for c in outcomes if c.decided_by != "knn-words"]
    assert full, "the customer mails need the embedding"
    assert prepared == len(full)  # the batch embedded exactly the mails decided in full
    assert outcomes[0].decided_by == "knn-words"


def test_a_correction_is_still_found_for_mail_the_words_would_decide(
        setup: tuple[KnnClassifier, Counting, Workspace]) -> None:
    """The owner said such a mail is `admin` (she knows the sender): the next one is decided
    by her correction, not filed as spam by its words."""
    classifier, embedder, ws = setup
    view = view_of(BULK, ws)
    from agent.classify.base import text_of

    classifier.add_example(Example(id="correction-1", text=text_of(view), category="admin",
                                   source="correction"))
    embedder.texts.clear()
    c = classifier.classify(view)
    assert c.category is Category.admin and c.decided_by == "learned"
    assert len(embedder.texts) == 1


def test_a_correction_is_learned_at_once_and_a_refit_happens_once(
        setup: tuple[KnnClassifier, Counting, Workspace], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A correction needs no refit (which takes seconds at every start of `assistenz` and of
    its triage worker): it is a neighbour at once. Once corrections are many, the models are
    fitted again — once, and the next start takes the fit kept beside the examples."""
    from agent.classify import knn
    from agent.classify.base import text_of

    classifier, embedder, ws = setup
    view = view_of(BULK, ws)
    real_fit = knn.fit_models

    def no_fit(*_args: object) -> None:
        raise AssertionError("fitted although nothing asked for it")

    monkeypatch.setattr(knn, "_FITTED", {})  # a new process: nothing fitted in memory
    monkeypatch.setattr(knn, "fit_models", no_fit)
    classifier.add_example(Example(id="correction-1", text=text_of(view), category="admin",
                                   source="correction"))
    c = classifier.classify(view)
    assert c.category is Category.admin and c.decided_by == "learned"

    monkeypatch.setattr(knn, "REFIT_SHARE", 0.0)  # as if corrections were many
    monkeypatch.setattr(knn, "fit_models", real_fit)
    monkeypatch.setattr(knn, "_FITTED", {})
    build_classifier(ws, embedder)
    assert list((ws.data_dir / "examples").glob("fit-*.npz"))  # kept beside the examples
    monkeypatch.setattr(knn, "_FITTED", {})
    monkeypatch.setattr(knn, "fit_models", no_fit)
    again = build_classifier(ws, embedder)
    assert isinstance(again, KnnClassifier)
    assert again.classify(view).category is Category.admin
