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


def _misbehaving(*_a: Any, **_k: Any) -> Misbehaving:
    return Misbehaving()


# at import, not only as __main__: the triage worker's fork server imports this file too
# (as __mp_main__), and the worker must build the misbehaving classifier
import service.classifier as factory  # noqa: E402

factory.build_classifier = _misbehaving  # type: ignore[assignment]

if __name__ == "__main__":
    from assistenz.cli import main

    raise SystemExit(main(sys.argv[1:]))
