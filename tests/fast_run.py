"""`assistenz …` as a subprocess for crash trials, with a scripted classifier in place of
the slow kNN default (see mailservers.use_fast_classifier); everything else is the CLI."""

from __future__ import annotations

import sys

from mailservers import use_fast_classifier

from assistenz.cli import main

if __name__ == "__main__":
    use_fast_classifier()
    raise SystemExit(main(sys.argv[1:]))
