"""`assistenz …` as a subprocess for crash trials, with the keyword classifier in place of
the slow kNN default (see mailservers.use_keyword_classifier); everything else is the CLI."""

from __future__ import annotations

import sys

from mailservers import use_keyword_classifier

from agent.cli import main

if __name__ == "__main__":
    use_keyword_classifier()
    raise SystemExit(main(sys.argv[1:]))
