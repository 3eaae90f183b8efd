# Assistenz — every command a user or CI runs. `make demo` and `make test` are all you need.
PY    ?= python3
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.lock pyproject.toml | cksum | cut -d' ' -f1)
export TMPDIR := $(CURDIR)/.tmp

.PHONY: install demo test lint eval bench stress lock clean

$(STAMP): requirements.lock pyproject.toml
	@mkdir -p $(TMPDIR)
	@test -x $(BIN)/python || $(PY) -m venv $(VENV)
	@# uv installs the lock file in ~10 s where pip takes ~90 s (measured on a fresh clone);
	@# pip stays the fallback when uv cannot be installed or cannot reach the index.
	@( $(BIN)/python -m pip install --quiet --disable-pip-version-check uv \
	   && $(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -r requirements.lock \
	   && $(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e . ) || ( \
	   echo "uv failed; installing with pip" \
	   && $(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip \
	   && $(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock \
	   && $(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e . )
	@rm -f $(VENV)/.installed-* && touch $@

install: $(STAMP)

## demo: triage the demo mailbox, then serve the web UI + API on http://127.0.0.1:8000
## The demo mailbox is set in the last week of November 2026: it is replayed as of then.
## It prints the demo password and an owner token; replies land in a local SMTP receiver.
DEMO_NOW := 2026-11-26T16:00
demo: install
	DEMO_NOW=$(DEMO_NOW) demo/demo.sh

## test: lint, type-check and run the whole test suite, then the time-sensitive tests
## again with the real clock 400 days ahead (a test that only passes near the day it was
## written fails the day it is written)
FUTURE_DAYS := 400
test: install lint
	@# the tests start `assistenz` in many subprocesses: with PYTHONDONTWRITEBYTECODE set
	@# (as on our machines) each would compile every module again without these
	$(BIN)/python -m compileall -q -j 2 core agent tools service api assistenz tests evals
	$(BIN)/python -m pytest -q --durations=25
	ASSISTENZ_TEST_FUTURE_DAYS=$(FUTURE_DAYS) $(BIN)/python -m pytest -q -m clock --durations=15

lint: install
	$(BIN)/ruff check core agent tools service api assistenz tests evals examples
	$(BIN)/mypy
	$(BIN)/lint-imports

## eval: measure triage, scheduling (v1, and v2 when present) and routing (v2 rosters) on the
## labelled eval sets (results in evals/results/)
eval: install
	$(BIN)/python -m evals.run
	$(BIN)/python -m evals.scheduling_eval --split test
	$(BIN)/python -m evals.drafts_eval
	$(BIN)/python -m evals.routing_eval

## bench: speed figures (not part of the tests); every evals/bench_*.py module runs
bench: install
	@for m in evals/bench_*.py; do echo "== $$m"; $(BIN)/python -m evals.$$(basename $$m .py) || exit 1; done

## stress: 100 kill -9 trials of `assistenz run` against a real Dovecot and SMTP receiver;
## reports lost / duplicated / double-sent mail (all 0) and where each kill landed.
## On PostgreSQL with two workers: make stress DATABASE=postgresql WORKERS=2 TRIALS=50
TRIALS ?= 100
DATABASE ?= sqlite
WORKERS ?= 1
stress: install
	$(BIN)/python -m evals.stress_imap --trials $(TRIALS) --database $(DATABASE) --workers $(WORKERS)

## lock: re-resolve the dependencies into requirements.lock (needs the package registry)
lock:
	rm -rf .lockvenv && $(PY) -m venv .lockvenv
	.lockvenv/bin/python -m pip install --quiet --upgrade pip
	.lockvenv/bin/python -m pip install --quiet '.[dev]'
	.lockvenv/bin/python -m pip freeze --exclude-editable | grep -iv '^assistenz' > requirements.lock
	rm -rf .lockvenv

clean:
	rm -rf $(VENV) .tmp data .pytest_cache .mypy_cache .ruff_cache
