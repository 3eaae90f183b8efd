"""`assistenz …` as a subprocess for crash trials, with a scripted classifier in place of
the slow kNN default (see mailservers.use_fast_classifier); everything else is the CLI."""

from __future__ import annotations

import sys

from mailservers import use_fast_classifier

from assistenz.cli import main

# at import, not only as __main__: the triage worker's fork server imports this file too
# (as __mp_main__), and the worker must build the scripted classifier
use_fast_classifier()

if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
