"""The budget of one message (issue 11): triage runs in a worker process with a memory limit
and a wall-clock deadline, so no message — however it was crafted — can stop the others.

The worker is forked — through a fork server once this process has run the embedding
model or opened a vector store (their threads do not survive a plain fork, and the child
would wait for ever; see `_start_method`) —, builds the pipeline once
(`make_deps`, a picklable callable such as `functools.partial(worker_deps, ws)`),
triages one warm-up message so every lazy initialisation has happened, then limits its
own address space (`RLIMIT_AS`) to what it uses plus `limits.message_mb`. It triages one
message per round trip over a pipe.
Over the memory limit, Python raises MemoryError in the worker, which
reports it and exits; over the time limit, the parent kills it (SIGKILL). Either way the
parent raises `OverBudget("zu groß: …")` for that message and starts a fresh worker for the
next one. A `signal.alarm` or a thread could not stop a regular expression running in C
or free memory a parser holds; a process can.

The worker reads the time the parent sends with each message (the agent has one clock),
and the automatic replies the parent saw (rule 5's ledger) survive a restart.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import resource
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from multiprocessing.connection import Connection
from typing import Any, Protocol

from agent.pipeline import Deps, triage, triage_batch
from core.clock import Clock
from core.config import Workspace
from core.models import RawMessage, ReplyRecord, TriageOutcome

log = logging.getLogger(__name__)
BATCH_SECONDS = 2.0  # added to a batch's budget per message in it
START_SECONDS = 600.0  # loading the pipeline (first run: building the example store)
WARM_UP = (b"From: Warm Up <warm@example.org>\nTo: agent@example.org\nSubject: Hallo\n"
           b"Message-ID: <warm-up@assistenz>\nContent-Type: text/plain; charset=utf-8\n\n"
           b"Guten Tag, eine kurze Frage zu Ihrem Angebot.\n")


class OverBudget(Exception):
    """The message took more time or memory than its budget; str() says which, for the
    owner ("zu groß: …")."""


class WorkerError(Exception):
    """The pipeline raised for this message (a bug or a broken message, not the budget)."""


@dataclass(frozen=True)
class Budget:
    seconds: float
    mb: int

    @classmethod
    def of(cls, ws: Workspace) -> Budget:
        """`limits.message_seconds`, plus the configured LLM's own worst case (two calls,
        each with its retries) — a slow endpoint is not the message's fault."""
        seconds = ws.limits.message_seconds
        if ws.llm is not None:
            seconds += 2 * ws.llm.timeout * (ws.llm.max_retries + 1)
        return cls(seconds=seconds, mb=ws.limits.message_mb)


class _RelayClock:
    """The worker's clock: the time the parent read from the agent's clock for this
    message (standing still while it is triaged)."""

    def __init__(self) -> None:
        self.now: datetime | None = None

    def __call__(self) -> datetime:
        assert self.now is not None, "the worker's clock is set with every message"
        return self.now


def _address_space() -> int:
    """This process's virtual memory size in bytes (what RLIMIT_AS limits)."""
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


def _limit_memory(extra_mb: int) -> None:
    limit = _address_space() + extra_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def _die_with_parent() -> None:
    """Linux: the kernel kills the worker when the fork server that started it dies; the
    fork server ends when the command's process dies (even by SIGKILL), so no worker
    outlives a killed `run`."""
    with contextlib.suppress(Exception):
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def _serve(conn: Connection, theirs: Connection, make_deps: Callable[[Clock], Deps],
           budget_mb: int, replies: list[ReplyRecord], now: datetime, parent: int) -> None:
    """The worker process: build the pipeline once, then triage what arrives."""
    theirs.close()  # the parent's end: only the parent holds it, so its death is EOF here
    _die_with_parent()
    try:
        os.kill(parent, 0)
    except ProcessLookupError:
        return  # the command died before the line above took effect
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    clock = _RelayClock()
    try:
        deps = make_deps(clock)
        deps.ledger.apply(replies)
        clock.now = now  # the parent's clock when it started the worker
        with contextlib.suppress(Exception):
            triage(RawMessage(ref="warm-up", data=WARM_UP), deps)
        _limit_memory(budget_mb)
    except Exception as exc:
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", None))
    while True:
        try:
            now, raw = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        clock.now = now
        if isinstance(raw, list):  # a batch: parsed first, texts embedded in one call,
            # then each outcome sent when it is decided (the parent times each message)
            for item in triage_batch(raw, deps, lambda: conn.send(("prepared", None))):
                if isinstance(item, MemoryError):
                    conn.send(("memory", None))
                    return
                if isinstance(item, Exception):
                    conn.send(("error", f"{type(item).__name__}: {item}"[:1000]))
                else:
                    deps.ledger.apply(item.decision.replies)  # before the next is decided
                    conn.send(("ok", item))
            continue
        try:
            outcome = triage(raw, deps)
            deps.ledger.apply(outcome.decision.replies)
            conn.send(("ok", outcome))
        except MemoryError:
            del raw
            conn.send(("memory", None))
            return  # memory may be fragmented or half-freed: a fresh worker goes on
        except Exception as exc:  # a broken message: reported, the worker goes on
            conn.send(("error", f"{type(exc).__name__}: {exc}"[:1000]))


def _start_method() -> str:
    """`fork` while this process has neither run the embedding model nor opened a vector
    store (the command's usual case: the child inherits every import, no start-up cost);
    once it has, their threads (OpenMP, chroma's runtime) are not inherited and a forked
    child would wait for them for ever, so the worker starts through a fork server."""
    from tools.embeddings import get_embedder

    chroma = sys.modules.get("chromadb.api.shared_system_client")
    clients = getattr(getattr(chroma, "SharedSystemClient", None), "_identifier_to_system", {})
    return "forkserver" if get_embedder.cache_info().currsize or clients else "fork"


class Worker:
    """Triage under a budget in a worker process (see the module's docstring)."""

    def __init__(self, make_deps: Callable[[Clock], Deps], clock: Clock, budget: Budget
                 ) -> None:
        self.make_deps = make_deps
        self.clock = clock
        self.budget = budget
        self.replies: list[ReplyRecord] = []  # rule 5's ledger of this run, for restarts
        self._proc: Any = None
        self._conn: Connection | None = None
        self.restarts = 0

    # --- the process ----------------------------------------------------------------------

    def _start(self) -> Connection:
        method = _start_method()
        ctx: Any = multiprocessing.get_context(method)
        if method == "forkserver":  # the server imports the pipeline's modules once (no
            # threads start on import), so each worker forked from it starts warm
            ctx.set_forkserver_preload(["__main__", "service.deps", "service.worker"])
        pipe: tuple[Connection, Connection] = ctx.Pipe()
        parent, child = pipe
        proc = ctx.Process(target=_serve, args=(child, parent, self.make_deps, self.budget.mb,
                                                list(self.replies), self.clock(), os.getpid()),
                           name="assistenz-triage", daemon=True)
        proc.start()
        child.close()
        if not parent.poll(START_SECONDS):
            self._kill(proc)
            raise RuntimeError("the triage worker did not start")
        try:
            kind, detail = parent.recv()
        except EOFError:
            raise RuntimeError(f"the triage worker died while starting (exit "
                               f"{proc.exitcode})") from None
        if kind != "ready":
            self._kill(proc)
            raise RuntimeError(f"the triage worker could not start: {detail}")
        self._proc, self._conn = proc, parent
        return parent

    @staticmethod
    def _kill(proc: Any) -> None:
        if proc.is_alive():
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGKILL)
        proc.join(5)

    def _drop(self) -> None:
        if self._proc is not None:
            self._kill(self._proc)
        if self._conn is not None:
            self._conn.close()
        self._proc = self._conn = None
        self.restarts += 1

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()  # the worker sees EOF and ends
        if self._proc is not None:
            self._proc.join(5)
            self._kill(self._proc)
        self._proc = self._conn = None

    def __enter__(self) -> Worker:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- several messages -----------------------------------------------------------------

    def triage_many(self, raws: list[RawMessage]) -> list[TriageOutcome | Exception]:
        """Outcomes in order (an exception for a message that failed). The batch goes to
        the worker at once — parsed together, texts embedded in one call — under the budget
        of one message plus a little per message; then each message is decided under its
        own budget. One over it is failed alone and the rest go on in a fresh worker; over
        the budget before any is decided (one of them is hostile, but which?), each is
        triaged again alone."""
        if len(raws) <= 1:
            return [self._one(r) for r in raws]
        conn = self._conn or self._start()
        try:
            conn.send((self.clock(), list(raws)))
            kind, _ = self._receive(conn, self.budget.seconds + BATCH_SECONDS * len(raws))
        except OSError:  # BrokenPipeError among them
            kind = "died"
        if kind != "prepared":
            log.warning("a batch of %d went over its budget (%s): each again alone",
                        len(raws), kind)
            self._drop()
            return [self._one(r) for r in raws]
        out: list[TriageOutcome | Exception] = []
        for i in range(len(raws)):
            started = time.monotonic()
            kind, detail = self._receive(conn, self.budget.seconds)
            if kind == "ok" and isinstance(detail, TriageOutcome):
                self.replies += detail.decision.replies
                out.append(detail)
            elif kind == "error":
                out.append(WorkerError(str(detail)))
            else:  # this one went over its budget: the worker is gone, the rest go on
                out.append(self._over_budget(kind, started))
                return out + self.triage_many(raws[i + 1:])
        return out

    @staticmethod
    def _receive(conn: Connection, seconds: float) -> tuple[str, Any]:
        try:
            if not conn.poll(seconds):
                return "time", None
            kind, detail = conn.recv()
        except (EOFError, OSError):
            return "died", None
        return str(kind), detail

    def _over_budget(self, kind: str, started: float) -> OverBudget:
        """The message went over its budget (`kind`: time, memory, died): the worker is
        dropped and the owner is told which budget."""
        exitcode = self._proc.exitcode if self._proc is not None else None
        self._drop()
        if kind == "time":
            return OverBudget(f"zu groß: Verarbeitung dauerte länger als "
                              f"{self.budget.seconds:.0f} s")
        if kind == "memory":
            return OverBudget(f"zu groß: brauchte mehr als {self.budget.mb} MB Speicher")
        return OverBudget(f"zu groß: Verarbeitung abgebrochen nach "
                          f"{time.monotonic() - started:.0f} s (Worker beendet, Code {exitcode})")

    def _one(self, raw: RawMessage) -> TriageOutcome | Exception:
        try:
            return self.triage(raw)
        except (OverBudget, WorkerError) as exc:
            return exc

    # --- one message ----------------------------------------------------------------------

    def triage(self, raw: RawMessage) -> TriageOutcome:
        """The outcome, or OverBudget / WorkerError for this message (the next one gets a
        working worker either way)."""
        conn = self._conn or self._start()
        started = time.monotonic()
        try:
            conn.send((self.clock(), raw))
            kind, detail = self._receive(conn, self.budget.seconds)
        except OSError:  # BrokenPipeError among them
            kind, detail = "died", None
        if kind == "ok" and isinstance(detail, TriageOutcome):
            self.replies += detail.decision.replies
            return detail
        if kind == "error":
            raise WorkerError(str(detail))
        raise self._over_budget(kind, started)


class Triager(Protocol):
    """What `run` and `triage` need: the worker, or the pipeline in this process."""

    def triage(self, raw: RawMessage) -> TriageOutcome: ...

    def triage_many(self, raws: list[RawMessage]) -> list[TriageOutcome | Exception]: ...


class InProcess:
    """Triage in this process (tests, and callers that bring their own Deps): no budget."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    def triage(self, raw: RawMessage) -> TriageOutcome:
        try:
            outcome = triage(raw, self.deps)
        except Exception as exc:  # reported like the worker's errors
            raise WorkerError(f"{type(exc).__name__}: {exc}") from exc
        self.deps.ledger.apply(outcome.decision.replies)
        return outcome

    def triage_many(self, raws: list[RawMessage]) -> list[TriageOutcome | Exception]:
        out: list[TriageOutcome | Exception] = []
        for item in triage_batch(raws, self.deps):  # lazy: each decided after the last
            if isinstance(item, Exception):
                out.append(WorkerError(f"{type(item).__name__}: {item}"))
            else:
                self.deps.ledger.apply(item.decision.replies)
                out.append(item)
        return out
