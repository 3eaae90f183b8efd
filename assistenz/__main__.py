"""`python -m assistenz …` is the `assistenz` command."""

from assistenz.cli import main

raise SystemExit(main())
