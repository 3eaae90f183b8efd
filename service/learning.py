"""Learning from the owner's corrections: the corrected mail joins the example store, so the
next similar mail is decided the corrected way (category by the classifier, action and
assistant as guidance the policy gate still checks)."""

from __future__ import annotations

from dataclasses import dataclass

from agent.classify.base import text_of
from agent.classify.knn import signals_of
from agent.pipeline import Deps, redecide
from core.config import Workspace
from core.models import Action, Category
from core.ports import Example
from service.classifier import example_store
from service.deps import default_deps
from tools.embeddings import get_embedder
from tools.store import Store
from tools.store.corrections import message_and_decision, record_correction


class CorrectionError(Exception):
    """A correction that names something that does not exist; str() is one line."""


@dataclass(frozen=True)
class Correction:
    message_id: int
    category: Category | None = None
    action: Action | None = None
    assignee: str | None = None


def _check(c: Correction, ws: Workspace) -> None:
    if c.category is None and c.action is None and c.assignee is None:
        raise CorrectionError("nothing to correct: give --category, --action or --assignee")
    if c.assignee is not None and ws.assistant(c.assignee) is None:
        known = ", ".join(a.id for a in ws.assistants) or "none"
        raise CorrectionError(f"no assistant {c.assignee!r} (known: {known})")


def correct(ws: Workspace, store: Store, c: Correction, deps: Deps | None = None
            ) -> dict[str, object]:
    """The owner's decision replaces the agent's: decided again (explanation, planned
    actions, tasks and drafts follow), recorded as hers, and taught (the mail joins the
    example store, so a near-identical mail is decided her way)."""
    _check(c, ws)
    raw, current = message_and_decision(store, c.message_id)
    if raw is None:
        raise CorrectionError(f"no stored message with id {c.message_id}")
    if current is None:
        raise CorrectionError(f"message {c.message_id} has not been processed yet")
    deps = deps or default_deps(ws, load=store.tasks.open_tasks,
                                replied=store.ledger.auto_replied, clock=store.clock,
                                teams=lambda: store.teams.active(store.clock()))
    category = c.category or Category(current["category"])
    action = c.action or (Action.route if c.assignee else None)
    outcome = redecide(raw, deps, category, action, c.assignee)
    view = outcome.view
    example = Example(
        id=f"correction-{c.message_id}", text=text_of(view), category=category.value,
        priority=current.get("priority", "normal"), language=view.language,
        source="correction", action=action.value if action else None, assignee=c.assignee,
        signals=tuple(sorted(signals_of(view).items())))
    embedder = get_embedder()
    example_store(ws, embedder).add([example], embedder.queries([example.text]))
    asked = {"action": action.value if action else None, "assignee": c.assignee}
    return record_correction(store, c.message_id, outcome, asked, example.id)
