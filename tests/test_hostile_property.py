"""Issue 11: a property-based test (Hypothesis) of the per-message budget.

Hypothesis builds hostile messages — header fields of up to 64 KB, hundreds of encoded
words and addresses, two From headers, MIME trees up to 150 deep and 40 wide, calendar
parts with any RRULE frequency — large enough to reach every bound of `limits:`. Each one
is triaged in this process within a time and memory bound; then all of them go through
`assistenz triage` (the worker process with its budget) at once, which must print one
object per message, in order, and exit 0."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from clocks import FIXED_NOW, child_env, iso
from conftest import ROOT
from hostile_mail import ScriptedClassifier
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agent.pipeline import Deps, triage
from core.clock import fixed_clock
from core.config import Limits, Workspace
from core.models import RawMessage
from service.deps import default_deps

GENERATED: list[bytes] = []
LIMITS = Limits()

UNITS = st.sampled_from([
    "=?utf-8?q?M=C3=BCller?= ", "=?utf-8?b?w7zDpMO2?=", "max@muster.example, ",
    '"Muster, Max" <max@muster.example>, ', "(Kommentar) ", "a" * 50, " ", "\t", "\\",
    '"', "<", ">", ",", "@", "=?", "?=", "ü", "\u200b", "Anna Beispiel ",
    "anna@beispiel-design.de", '"anna@beispiel-design.de"@evil.example',
])


@st.composite
def field_value(draw: st.DrawFn) -> str:
    unit = draw(UNITS)
    count = draw(st.integers(min_value=1, max_value=LIMITS.max_header_field * 4 // len(unit)))
    return (unit * count)[: LIMITS.max_header_field * 4]


@st.composite
def headers(draw: st.DrawFn) -> str:
    names = draw(st.lists(st.sampled_from(
        ["From", "To", "Cc", "Subject", "Reply-To", "Sender", "X-Loop", "Auto-Submitted",
         "Authentication-Results", "Content-Disposition"]), min_size=1, max_size=6))
    lines = ["From: Max Muster <max@muster.example>"] if draw(st.booleans()) else []
    for name in names:
        value = draw(field_value())
        if draw(st.booleans()):  # folded into many lines
            value = "\n ".join(value[i:i + 900] for i in range(0, len(value), 900))
        lines.append(f"{name}: {value}")
    return "\n".join(lines)


@st.composite
def mime(draw: st.DrawFn, depth: int = 0) -> str:
    kind = draw(st.sampled_from(["text", "html", "calendar", "nest", "wide"]))
    if kind == "nest" and depth == 0:
        levels = draw(st.integers(1, 150))
        text = draw(mime(depth=1))
        for i in range(levels):
            text = f'Content-Type: multipart/mixed; boundary="d{i}"\n\n--d{i}\n{text}\n--d{i}--\n'
        return text
    if kind == "wide" and depth < 5:
        parts = draw(st.integers(1, 40))
        body = "".join(f"--w{depth}\nContent-Type: text/plain\n\nTeil {i}\n" for i in range(parts))
        return f'Content-Type: multipart/mixed; boundary="w{depth}"\n\n{body}--w{depth}--\n'
    if kind == "html":
        return "Content-Type: text/html\n\n" + "<div style='display:none'><!--" * draw(
            st.integers(1, 3000)) + "Hallo"
    if kind == "calendar":
        freq = draw(st.sampled_from(["SECONDLY", "MINUTELY", "HOURLY", "DAILY", "YEARLY"]))
        extra = draw(st.sampled_from(["", ";BYMONTH=2;BYMONTHDAY=30", ";COUNT=100000",
                                      ";BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16"]))
        return ("Content-Type: text/calendar; method=REQUEST\n\nBEGIN:VCALENDAR\r\nVERSION:2.0\r\n"
                "METHOD:REQUEST\r\nBEGIN:VEVENT\r\nUID:p@x\r\nORGANIZER:mailto:max@muster.example\r\n"
                "DTSTART:20261201T100000Z\r\nDTEND:20261201T110000Z\r\n"
                f"RRULE:FREQ={freq}{extra}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    return "Content-Type: text/plain; charset=utf-8\n\n" + "Hallo Anna, " * draw(
        st.integers(1, 5000))


@st.composite
def message(draw: st.DrawFn) -> bytes:
    head = draw(headers())
    body = draw(mime())
    return f"Message-ID: <p@hostile.test>\nMIME-Version: 1.0\n{head}\n{body}".encode(
        "utf-8", "surrogatepass")


@pytest.fixture(scope="module")
def fast(ws: Workspace) -> Deps:
    return default_deps(ws, classifier=ScriptedClassifier(), clock=fixed_clock(FIXED_NOW))


@settings(max_examples=40, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                 HealthCheck.large_base_example,
                                 HealthCheck.function_scoped_fixture])
@given(data=message())
def test_every_hostile_message_is_triaged_within_bounds(data: bytes, fast: Deps) -> None:
    GENERATED.append(data)
    tracemalloc.start()
    started = time.perf_counter()
    out = triage(RawMessage(ref="p", data=data), fast).to_json()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert seconds < 10 and peak < 300 * 1024 * 1024, (seconds, peak)
    assert (out["category"] and out["action"] != "auto") or not any(
        f.startswith("limit:") for f in out["flags"])  # type: ignore[attr-defined]


def test_generated_inputs_reach_the_bounds() -> None:
    """The generator is not too small: its messages trip every kind of bound."""
    from agent.parse.mime import parse_message

    flags = set()
    for data in GENERATED:
        flags.update(parse_message(RawMessage(ref="p", data=data)).flags)
    assert {"limit:header", "limit:structure"} <= flags or len(GENERATED) < 40, flags
    assert max(len(d) for d in GENERATED) > LIMITS.max_header_field


@pytest.mark.slow
def test_triage_prints_one_object_per_message(tmp_path: Path) -> None:
    assert GENERATED, "runs after the property test"
    paths = []
    for i, data in enumerate(GENERATED):
        path = tmp_path / f"{i:03d}.eml"
        path.write_bytes(data)
        paths.append(str(path))
    config = ROOT / "tests" / "fixtures" / "workspace.yaml"
    runner = Path(__file__).resolve().parent / "hostile_run.py"
    done = subprocess.run([sys.executable, str(runner), "triage", *paths, "--config",
                           str(config), "--json", "--now", iso(FIXED_NOW)],
                          capture_output=True, text=True, timeout=900, env=child_env(),
                          cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert [line["file"] for line in lines] == paths
    assert all("category" in line or "error" in line for line in lines)
