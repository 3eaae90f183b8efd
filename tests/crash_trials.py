"""kill -9 trials: `assistenz run` over a few hundred mails in a real Dovecot, sending replies
to a real SMTP receiver, killed at a random moment, started again until done. Then count
what was lost, processed twice, or sent twice — all must be 0.

Used by tests/test_crash.py (a few trials) and evals/stress_imap.py (`make stress`, 100+).
"""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mailservers import Dovecot, SmtpReceiver, corpus, write_workspace

HERE = Path(__file__).resolve().parent
# Routing embeds each routed mail (seconds on a busy 2-core machine) and is not what these
# trials test: the owner here drafts or is notified instead; auto replies and drafts remain.
DELEGATION = {"scheduling": "auto", "invoice_payment": "draft", "customer_inquiry": "auto",
              "support": "draft", "social_media": "notify", "admin": "notify",
              "personal": "notify", "newsletter": "ignore", "spam": "ignore", "other": "notify"}
STAGES = ("startup", "ingest", "process", "mark", "queue", "smtp", "sent-copy", "idle")
KEYWORD = b"$AssistenzProcessed"


@dataclass
class Outcome:
    trial: int
    kills: list[tuple[float, str]]  # (seconds after start, stage the kill landed in)
    messages: int
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    double_sent: int = 0
    sent: int = 0
    uncertain: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.double_sent or self.problems)


def runner(config: Path, *args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(HERE / "fast_run.py"), "run", "--config",
                             str(config), *args], cwd=HERE.parent, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)


class Db:
    """Read-only SQL against a trial's database: an SQLite file or a PostgreSQL URL."""

    def __init__(self, where: Path | str) -> None:
        self.where = where

    def query(self, sql: str) -> list[tuple[Any, ...]]:
        if isinstance(self.where, Path):
            return self._sqlite(self.where, sql)
        import psycopg

        try:
            with psycopg.connect(self.where, autocommit=True) as con:
                return list(con.execute(sql).fetchall())  # type: ignore[arg-type]
        except psycopg.errors.UndefinedTable:  # not migrated yet
            return []

    @staticmethod
    def _sqlite(db: Path, sql: str) -> list[tuple[Any, ...]]:
        if not db.exists():
            return []
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30)
        try:
            return con.execute(sql).fetchall()
        except sqlite3.OperationalError:  # tables not created yet
            return []
        finally:
            con.close()

    def one(self, sql: str) -> int:
        rows = self.query(sql)
        return int(rows[0][0]) if rows else 0


class Lab:
    """One Dovecot and one SMTP receiver (and a PostgreSQL server when asked) for many
    trials: a new folder and database per trial, `workers` runners on it at once."""

    def __init__(self, messages: int = 200, root: Path | None = None,
                 smtp_delay: float = 0.02, database: str = "sqlite", workers: int = 1) -> None:
        self.messages = messages
        self.workers = workers
        self.postgres: Any = None
        if database == "postgresql":
            from pgserver import Postgres

            self.postgres = Postgres().start()
        self.root = root or Path(os.environ.get("TMPDIR", "/tmp")) / f"crash-{os.getpid()}"
        self.dovecot = Dovecot().start()
        self.smtp = SmtpReceiver().start()
        self.smtp.behaviour.delay = smtp_delay  # widens the window "DATA sent, no answer yet"
        self.full_run: float | None = None

    def close(self) -> None:
        self.smtp.stop()
        self.dovecot.cleanup()
        if self.postgres is not None:
            self.postgres.stop()
        with contextlib.suppress(OSError):
            self.root.rmdir()  # empty unless a failed trial left its evidence

    def _setup(self, trial: int) -> tuple[Path, Db, str, list[bytes]]:
        folder = f"Trial{trial}"
        mails = corpus(self.messages, tag=f"-t{trial}")
        self.dovecot.deliver(mails, folder=folder)
        ws_dir = self.root / f"trial{trial}"
        extra: dict[str, Any] = {"delegation": DELEGATION}
        db = Db(ws_dir / "db" / "assistenz.db")
        if self.postgres is not None:
            url = self.postgres.database()
            extra["database"] = url
            db = Db(url)
        config = write_workspace(ws_dir, imap=self.dovecot.imap_config(
            folder=folder, sent_folder=f"Sent{trial}"), smtp=self.smtp.smtp_config(), **extra)
        with self.smtp.lock:
            self.smtp.received.clear()
        return config, db, folder, mails

    def _finish(self, config: Path, out: Outcome) -> None:
        """`run --once` by every worker at once, until all is done."""
        finals = [runner(config, "--once") for _ in range(self.workers)]
        for final in finals:
            _, err = final.communicate(timeout=900)
            if final.returncode != 0:
                out.problems.append(f"final run exit {final.returncode}: {err.decode()[-800:]}")

    def calibrate(self) -> Outcome:
        """One uninterrupted `run --once` over a whole mailbox: how long it takes (kills
        are drawn from that span) and a first check that the plain run is right."""
        config, db, folder, mails = self._setup(0)
        started = time.monotonic()
        out = Outcome(trial=0, kills=[], messages=len(mails))
        self._finish(config, out)
        if out.problems:
            raise RuntimeError(f"calibration run failed: {out.problems}")
        self.full_run = time.monotonic() - started
        self.check(out, db, folder, mails)
        if out.ok:
            shutil.rmtree(config.parent, ignore_errors=True)
        return out

    def trial(self, n: int, rng: random.Random, kills: int = 1) -> Outcome:
        if self.full_run is None:
            self.calibrate()
        assert self.full_run is not None
        full = self.full_run
        config, db, folder, mails = self._setup(n)
        out = Outcome(trial=n, kills=[], messages=len(mails))
        for k in range(kills):
            # the long-running mode (IDLE after the work is done), every worker killed at
            # its own random moment
            procs = [(runner(config), rng.uniform(0.0, full * (1.15 if k == 0 else 0.6)))
                     for _ in range(self.workers)]
            started = time.monotonic()
            for proc, at in sorted(procs, key=lambda pa: pa[1]):
                try:
                    proc.wait(max(0.0, at - (time.monotonic() - started)))
                except subprocess.TimeoutExpired:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                    out.kills.append((round(at, 2), self.stage(db, folder)))
                else:
                    out.problems.append(
                        f"runner exited early: {proc.stderr.read().decode()[-500:]}"
                        if proc.stderr else "runner exited early")
        self._finish(config, out)
        self.check(out, db, folder, mails)
        if out.ok:  # keep the evidence of a failed trial only
            shutil.rmtree(config.parent, ignore_errors=True)
        return out

    # --- where did the kill land? -------------------------------------------------------

    def stage(self, db: Db, folder: str) -> str:
        """The first step of the cycle (ingest → process → mark → queue → send) that was not
        complete when the process died."""
        stored = db.one("SELECT count(*) FROM messages")
        if not stored:
            return "startup"
        if stored + db.one("SELECT count(*) FROM message_keys") < self.messages:
            return "ingest"
        if db.one("SELECT count(*) FROM messages WHERE status = 'new'"):
            return "process"
        flags = self.dovecot.messages(folder)
        processed = db.one("SELECT count(*) FROM messages WHERE status = 'processed'")
        if sum(KEYWORD in d[b"FLAGS"] for d in flags.values()) < processed:
            return "mark"
        if db.one("SELECT count(*) FROM outbox WHERE status = 'sending'"):
            return "smtp"
        if db.one("SELECT count(*) FROM drafts d LEFT JOIN outbox o ON o.draft_id = d.id "
                  "WHERE d.kind = 'auto' AND o.id IS NULL") or db.one(
                "SELECT count(*) FROM outbox WHERE status = 'queued'"):
            return "queue"
        if db.one("SELECT count(*) FROM outbox WHERE status = 'sent' AND NOT sent_copy"):
            return "sent-copy"
        return "idle"

    # --- the verdict --------------------------------------------------------------------

    def check(self, out: Outcome, db: Db, folder: str, mails: list[bytes]) -> None:
        from email import message_from_bytes, policy

        from agent.parse.headers import message_id

        expected = Counter(message_id(message_from_bytes(m, policy=policy.default))
                           for m in mails)
        rows = db.query("SELECT message_id, status FROM messages")
        stored = Counter(mid for mid, _ in rows)
        done = Counter(mid for mid, status in rows if status == "processed")
        out.stored = len(rows)
        out.lost = sum((expected - done).values())
        if out.lost:  # what became of them: the evidence a failed trial needs
            why = db.query("SELECT status, claimed_by, claimed_until, attempts, error "
                           "FROM messages WHERE status <> 'processed'")
            kinds = Counter((st, by, str(until), att, (err or "")[:200])
                            for st, by, until, att, err in why)
            out.problems += [f"{n} not processed: {k}" for k, n in kinds.most_common(5)]
            out.problems.append(f"missing entirely: {sum((expected - stored).values())}")
        out.duplicated = sum((stored - expected).values())
        per_message = db.query("SELECT message_id, count(*) FROM decisions GROUP BY 1 "
                                 "HAVING count(*) > 1")
        # one reply per message; the agent's own mails (notices to the owner, offers to
        # assistants) at most once per message and kind of notice
        drafts = db.query("SELECT message_id, count(*) FROM drafts "
                          "WHERE kind NOT IN ('notice', 'offer') GROUP BY 1 HAVING count(*) > 1")
        drafts += db.query("SELECT message_id, count(*) FROM drafts "
                           "WHERE kind IN ('notice', 'offer') AND message_id IS NOT NULL "
                           "GROUP BY message_id, template HAVING count(*) > 1")
        out.duplicated += sum(c - 1 for _, c in per_message) + sum(c - 1 for _, c in drafts)
        on_server = len(self.dovecot.messages(folder))
        if on_server != len(mails):
            out.problems.append(f"{len(mails) - on_server} mails gone from the server")
        self._check_sending(out, db)

    def _check_sending(self, out: Outcome, db: Db) -> None:
        got = Counter(self.smtp.message_ids())
        out.double_sent = sum(c - 1 for c in got.values() if c > 1)
        status = dict(db.query("SELECT rfc_message_id, status FROM outbox"))
        out.sent = sum(s == "sent" for s in status.values())
        out.uncertain = sum(s == "uncertain" for s in status.values())
        stray = [m for m in got if status.get(m) not in {"sent", "uncertain"}]
        left = Counter(s for s in status.values() if s not in {"sent", "uncertain"})
        if left:
            out.problems.append(f"replies left in {dict(left)}")
        claimed = [m for m, s in status.items() if s == "sent" and m not in got]
        unsent = db.one("SELECT count(*) FROM drafts d LEFT JOIN outbox o ON o.draft_id = d.id "
                        "WHERE d.kind = 'auto' AND (o.id IS NULL OR o.status = 'queued')")
        for what, items in (("received but not recorded as sent", stray),
                            ("recorded as sent but never received", claimed)):
            if items:
                out.problems.append(f"{len(items)} {what}")
        if unsent:
            out.problems.append(f"{unsent} automatic replies never sent")
