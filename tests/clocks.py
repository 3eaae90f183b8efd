"""The tests' clocks, and `assistenz` as a subprocess.

Every test whose outcome depends on the time pins the agent's clock: `FIXED_NOW` through
`Deps`/`Store` in-process, `--now` for a subprocess. `make test` then runs the tests marked
`clock` a second time with the real clock more than a year ahead
(`ASSISTENZ_TEST_FUTURE_DAYS`): in-process with time-machine (tests/conftest.py), and for
subprocesses with libfaketime (Debian `faketime`, installed when missing). A test that only
passes near the day it was written fails in that run the day it is written.
"""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

FIXED_NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)  # a Friday morning in Berlin
FUTURE_DAYS = int(os.environ.get("ASSISTENZ_TEST_FUTURE_DAYS") or 0)
FAKETIME_LIB = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1")


def ensure_faketime() -> Path:
    """libfaketime, from Debian's `faketime` package (installed when missing)."""
    if FAKETIME_LIB.exists():
        return FAKETIME_LIB
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", "faketime"],
                   check=True, env=env, capture_output=True)
    found = next(Path("/usr/lib").glob("*/faketime/libfaketime.so.1"), None)
    if found is None:
        raise RuntimeError("faketime was installed, but libfaketime.so.1 is not there")
    return found


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for an `assistenz` subprocess: in the year-ahead run its wall clock
    is shifted by the same amount as the tests'."""
    env = {**os.environ, **(extra or {})}
    if FUTURE_DAYS:
        lib = ensure_faketime()
        env["LD_PRELOAD"] = " ".join(filter(None, [str(lib), env.get("LD_PRELOAD", "")]))
        env["FAKETIME"] = f"+{FUTURE_DAYS}d"
        env["FAKETIME_DONT_RESET"] = "1"
    return env


def assistenz_argv(*args: str) -> list[str]:
    return [sys.executable, "-m", "assistenz", *args]


def assistenz(*args: str, timeout: float = 300, stdin: str | None = None,
              env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run `assistenz ARGS…` to completion (text output captured)."""
    return subprocess.run(assistenz_argv(*args), capture_output=True, text=True,
                          timeout=timeout, input=stdin, env=child_env(env))


def iso(at: datetime) -> str:
    """For `--now`."""
    return at.isoformat()


if FUTURE_DAYS:  # fail early, not inside the first subprocess test
    ensure_faketime()
