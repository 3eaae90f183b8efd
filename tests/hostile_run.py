"""`assistenz …` as a subprocess whose classifier misbehaves on command — it eats memory
("SPEICHERFRESSER") or never returns ("ENDLOSSCHLEIFE") — to show the worker's budget
holds whatever a stage does; every other mail gets tests/hostile_mail.py's scripted
answer. Everything else is the CLI."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from hostile_mail import ScriptedClassifier


class Misbehaving(ScriptedClassifier):
    def classify(self, view: Any) -> Any:
        if "SPEICHERFRESSER" in view.mail.subject:
            hog = [bytearray(256 * 1024 * 1024) for _ in range(256)]  # 64 GB
            return hog
        if "ENDLOSSCHLEIFE" in view.mail.subject:
            time.sleep(3600)
        return super().classify(view)


if __name__ == "__main__":
    import service.classifier as factory
    from assistenz.cli import main

    factory.build_classifier = lambda *_a, **_k: Misbehaving()  # type: ignore[assignment]
    raise SystemExit(main(sys.argv[1:]))
