"""Building the classifier a workspace asks for."""

from __future__ import annotations

from agent.classify.base import Classifier
from agent.classify.keywords import KeywordClassifier
from agent.config import Workspace
from tools.embeddings import Embedder


def build_classifier(ws: Workspace, embedder: Embedder) -> Classifier:
    return KeywordClassifier()
