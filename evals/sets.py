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
    "seed-a": LabelledSet("seed-a", V1 / "seed-a", V1 / "labels" / "seed-a.yaml",
                          V1 / "workspace-seed-a.yaml"),
    "seed-b": LabelledSet("seed-b", V1 / "seed-b", V1 / "labels" / "seed-b.yaml",
                          V1 / "workspace-seed-b.yaml"),
    "seed-c": LabelledSet("seed-c", V1 / "seed-c", V1 / "labels" / "seed-c.yaml",
                          V1 / "workspace-seed-c.yaml"),
    "seed-d": LabelledSet("seed-d", V1 / "seed-d", V1 / "labels" / "seed-d.yaml",
                          V1 / "workspace-seed-d.yaml"),
    "seed-e": LabelledSet("seed-e", V1 / "seed-e", V1 / "labels" / "seed-e.yaml",
                          V1 / "workspace-seed-e.yaml"),
    "seed-f": LabelledSet("seed-f", V1 / "seed-f", V1 / "labels" / "seed-f.yaml",
                          V1 / "workspace-seed-f.yaml"),
    "demo": LabelledSet("demo", ROOT / "demo" / "mailbox" / "new", ROOT / "demo" / "labels.yaml",
                        ROOT / "demo" / "workspace.yaml"),
}
