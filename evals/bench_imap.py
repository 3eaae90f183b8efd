"""Ingest speed from a real Dovecot: `assistenz`'s ingest (IMAP → SQLite, committed, no
triage) next to the fastest bare imapclient FETCH of the same messages, same server, same run.

    python -m evals.bench_imap [--messages 5000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from mailservers import DEV_MAILS, Dovecot

from agent.config import Imap
from agent.runner import ingest
from tools.imap import ImapSource
from tools.store.repo import Store

RESULTS = Path(__file__).resolve().parent / "results"
BATCHES = (100, 500, 2000)  # FETCH sizes tried for the bare client; the fastest counts
_MID = re.compile(rb"^Message-ID:[^\r\n]*\r?\n", re.I | re.M)


def mailbox(n: int) -> list[bytes]:
    """n real mails from the eval set, each with its own Message-ID."""
    real = [p.read_bytes() for p in sorted(DEV_MAILS.glob("*.eml"))]
    out = []
    for i in range(n):
        body = _MID.sub(b"", real[i % len(real)], count=1)
        out.append(b"Message-ID: <bench-%d@assistenz.test>\r\n" % i + body)
    return out


def bare_fetch(server: Dovecot, batch: int) -> tuple[int, int]:
    """What a careful client does: one SEARCH, then BODY.PEEK[] in batches."""
    count = size = 0
    with server.client() as c:
        c.select_folder("INBOX", readonly=True)
        uids = c.search(["ALL"])
        for i in range(0, len(uids), batch):
            for data in c.fetch(uids[i:i + batch], ["BODY.PEEK[]"]).values():
                count += 1
                size += len(data[b"BODY[]"])
    return count, size


def assistenz_ingest(server: Dovecot, store: Store) -> int:
    """Connect, log in, select, search, fetch, store and commit: what `assistenz run` does
    before triage (the database file exists already, as it does after the first start)."""
    source = ImapSource(Imap(**server.imap_config()))
    try:
        return ingest(source, store)
    finally:
        source.close()


def best(fn: Any, repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return min(times), result


def fastest_bare(server: Dovecot, repeat: int) -> tuple[float, int, int, int]:
    """(seconds, batch size, messages, bytes) for the batch size that reads fastest."""
    results = []
    for n in BATCHES:
        seconds, (count, size) = best(lambda n=n: bare_fetch(server, n), repeat)
        results.append((seconds, n, count, size))
    return min(results)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    server = Dovecot().start()
    try:
        server.deliver(mailbox(args.messages))
        bare_fetch(server, 500)  # warm the server's index and the page cache
        fetch_s, chunk, count, size = fastest_bare(server, args.repeat)
        runs: list[float] = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")  # schema created
                started = time.perf_counter()
                stored = assistenz_ingest(server, store)
                runs.append(time.perf_counter() - started)
                assert stored == count, (stored, count)
        ingest_s = min(runs)
    finally:
        server.cleanup()
    result = {
        "messages": count, "megabytes": round(size / 1e6, 1),
        "bare_fetch_msgs_per_s": round(count / fetch_s), "ingest_msgs_per_s":
        round(count / ingest_s), "ratio": round(fetch_s / ingest_s, 3),
        "bare_fetch_s": round(fetch_s, 2), "bare_fetch_batch": chunk,
        "ingest_s": round(ingest_s, 2),
    }
    print(f"{count} mails ({result['megabytes']} MB) from Dovecot on 127.0.0.1, best of "
          f"{args.repeat}:")
    print(f"  bare imapclient FETCH BODY.PEEK[] (batches of {chunk}): "
          f"{result['bare_fetch_msgs_per_s']:>6} msgs/s")
    print(f"  assistenz ingest (fetch + SQLite commit, no triage): "
          f"{result['ingest_msgs_per_s']:>6} msgs/s")
    print(f"  ratio: {result['ratio']:.0%} (goal ≥ 80 %)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "bench_imap.json").write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
