"""The labelled mail sets: where the mails are, their labels, and the workspace they assume."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
V1 = ROOT / "evals" / "data" / "v1"


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


SETS = {
    "dev": LabelledSet("dev", V1 / "dev", V1 / "labels" / "dev.yaml", V1 / "workspace.yaml"),
    "test": LabelledSet("test", V1 / "test", V1 / "labels" / "test.yaml", V1 / "workspace.yaml"),
    "injection": LabelledSet("injection", V1 / "injection", V1 / "labels" / "injection.yaml",
                             V1 / "workspace.yaml"),
    **{f"seed-{c}": LabelledSet(f"seed-{c}", V1 / f"seed-{c}", V1 / "labels" / f"seed-{c}.yaml",
                                V1 / f"workspace-seed-{c}.yaml") for c in "abcdef"},
    "demo": LabelledSet("demo", ROOT / "demo" / "mailbox" / "new", ROOT / "demo" / "labels.yaml",
                        ROOT / "demo" / "workspace.yaml"),
}
