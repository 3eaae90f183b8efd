"""Ingest speed from a real Dovecot: `assistenz`'s ingest (IMAP → SQLite, committed, no
triage) next to the fastest bare imapclient FETCH of the same messages, same server, same run.

    python -m evals.bench_imap [--messages 5000] [--repeat 5]
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

from core.config import Imap
from service.runner import ingest
from tools.imap import ImapSource
from tools.store import Store

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


def timed(fn: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    result = fn()
    return time.perf_counter() - started, result


def one_ingest(server: Dovecot) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")  # schema exists, as after a start
        return timed(lambda: assistenz_ingest(server, store))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args(argv)
    server = Dovecot().start()
    bare: dict[int, list[float]] = {n: [] for n in BATCHES}
    ingests: list[float] = []
    try:
        server.deliver(mailbox(args.messages))
        _, (count, size) = timed(lambda: bare_fetch(server, 500))  # warm the server's caches
        # interleaved, so a busy moment on the machine hits both sides alike
        for _ in range(args.repeat):
            for n in BATCHES:
                bare[n].append(timed(lambda n=n: bare_fetch(server, n))[0])
            seconds, stored = one_ingest(server)
            assert stored == count, (stored, count)
            ingests.append(seconds)
    finally:
        server.cleanup()
    fetch_s, chunk = min((min(t), n) for n, t in bare.items())
    ingest_s = min(ingests)
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
