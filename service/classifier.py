"""Building the classifier a workspace asks for."""

from __future__ import annotations

from agent.classify.base import Classifier
from agent.classify.cascade import CascadeClassifier
from agent.classify.knn import KnnClassifier, load_seeds, seed_fingerprint
from core.config import Workspace
from core.ports import Embedder, LLMClient
from tools.vectorstore import ExampleStore


def example_store(ws: Workspace, embedder: Embedder) -> ExampleStore:
    return ExampleStore(ws.data_dir / "examples", embedder.name, seed_key=seed_fingerprint())


def build_classifier(ws: Workspace, embedder: Embedder, skip_identical: bool = False,
                     llm: LLMClient | None = None) -> Classifier:
    """The embedded offline default (kNN over the shipped seeds plus the owner's corrections),
    with a language model behind it for unsure cases when the workspace configures one."""
    offline = KnnClassifier(embedder, example_store(ws, embedder),
                            load_seeds(model=embedder.name), skip_identical=skip_identical)
    if llm is None:
        return offline
    return CascadeClassifier(offline, llm, ws.triage.llm_below_confidence, ws.owner.name,
                             ws.owner.company)
