"""The cascade: the offline classifier decides; a language model is asked only when the
offline confidence is below the workspace's threshold. On any model failure the offline
decision stands and the message is flagged for review (never automatic)."""

from __future__ import annotations

from agent.classify.base import Classifier
from agent.maildata import email_block
from agent.prompts import load_prompt, load_table
from core.models import Category, Classification, MessageView
from core.ports import LLMClient, LLMError


class CascadeClassifier:
    name = "knn+llm"

    def __init__(self, offline: Classifier, llm: LLMClient, threshold: float,
                 owner_name: str, company: str) -> None:
        self.offline = offline
        self.llm = llm
        self.threshold = threshold
        self.llm_calls = 0
        self._system = load_prompt("llm/triage_system")
        self._user = load_prompt("llm/triage_user")
        self._system_text = self._system.render(
            owner_name=owner_name, company=company,
            categories=load_table("llm/categories")["categories"])

    def prepare(self, views: list[MessageView]) -> None:
        """Let the offline classifier embed a batch of mails at once (see pipeline)."""
        prepare = getattr(self.offline, "prepare", None)
        if prepare is not None:
            prepare(views)

    def classify(self, view: MessageView) -> Classification:
        base = self.offline.classify(view)
        if base.confidence >= self.threshold:
            return base
        self.llm_calls += 1
        headers, body, attachments = email_block(view.mail, view.calendar_method)
        user = self._user.render(headers=headers, body=body, attachments=attachments)
        version = f"{self._system.id}+{self._user.id}"
        try:
            answer = self.llm.triage(self._system_text, user, version)
        except LLMError:
            return base.model_copy(update={"flags": [*base.flags, "llm_failed", "needs_review"]})
        ranked = sorted(base.scores, key=lambda k: -base.scores[k])[:3]
        agrees = answer.category.value == ranked[0] if ranked else False
        # The model's own confidence is not calibrated, and a mail may have talked it into
        # its answer: only agreement with the offline classifier is sure enough for an
        # automatic action (the gate's threshold); otherwise the model files the mail, and
        # a human approves what happens.
        confidence = 0.9 if agrees else (0.5 if answer.category.value in ranked else 0.4)
        return Classification(category=Category(answer.category), confidence=confidence,
                              priority=answer.priority, decided_by="llm",
                              model=self.llm.model_name, prompt_version=version,
                              scores=base.scores, flags=list(base.flags))
