"""The labelled mail sets: where the mails are, their labels, and the workspace they assume."""

from __future__ import annotations

import email.utils
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.parser import BytesHeaderParser
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
V1 = ROOT / "evals" / "data" / "v1"
V2_TEST = ROOT / "evals" / "data" / "v2" / "test"
# The eval sets were written for the last week of November 2026: a mail without a usable
# Date: header is replayed as if it arrived then.
EVAL_NOW = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)


def arrival(data: bytes, default: datetime = EVAL_NOW) -> datetime:
    """When a labelled mail is replayed as received: five minutes after its own Date:, so
    each is decided as of the moment it would have arrived (the agent's clock, set by the
    eval — never read from the header by the agent itself)."""
    try:
        value = BytesHeaderParser().parsebytes(data[:65536]).get("Date")
        sent = email.utils.parsedate_to_datetime(str(value)) if value else None
    except (TypeError, ValueError, IndexError, OverflowError):
        sent = None
    if sent is None or sent.tzinfo is None:
        return default
    return sent.astimezone(UTC) + timedelta(minutes=5)


@dataclass(frozen=True)
class LabelledSet:
    name: str
    folder: Path
    labels_file: Path
    workspace: Path

    def labels(self) -> list[dict[str, Any]]:
        data = yaml.safe_load(self.labels_file.read_text(encoding="utf-8"))
        return [dict(x) for x in data]

    def files(self) -> list[Path]:
        return [self.folder / x["file"] for x in self.labels()]


def _v2_persona(folder: Path) -> LabelledSet:
    return LabelledSet(f"v2/{folder.name}", folder / "mails", folder / "labels.yaml",
                       folder / "workspace.yaml")


# The independent test split: eight businesses no example covers, each with its own
# workspace (evals/data/v2/README.md). A measurement set only: never an example.
V2_PERSONAS = [_v2_persona(p) for p in sorted(V2_TEST.iterdir()) if p.is_dir()]

SETS = {
    "dev": LabelledSet("dev", V1 / "dev", V1 / "labels" / "dev.yaml", V1 / "workspace.yaml"),
    # the old test split, written for the dev persona: now part of the examples, so it is
    # measured leave-one-out like dev (an in-persona figure, not an independent one)
    "test": LabelledSet("test", V1 / "test", V1 / "labels" / "test.yaml", V1 / "workspace.yaml"),
    "injection": LabelledSet("injection", V1 / "injection", V1 / "labels" / "injection.yaml",
                             V1 / "workspace.yaml"),
    **{f"seed-{c}": LabelledSet(f"seed-{c}", V1 / f"seed-{c}", V1 / "labels" / f"seed-{c}.yaml",
                                V1 / f"workspace-seed-{c}.yaml") for c in "abcdefg"},
    "demo": LabelledSet("demo", ROOT / "demo" / "mailbox" / "new", ROOT / "demo" / "labels.yaml",
                        ROOT / "demo" / "workspace.yaml"),
    **{p.name: p for p in V2_PERSONAS},
}
# sets that are examples too: measured leave-one-out (an example never finds itself)
IN_EXAMPLES = {"dev", "test", *(f"seed-{c}" for c in "abcdefg")}
