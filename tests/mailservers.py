"""Real mail servers on 127.0.0.1 for tests, stress runs and benchmarks.

- `Dovecot`: an own `dovecot -F -c FILE` instance with one passwd-file user and a Maildir in
  a temporary folder (installed with apt-get when missing — never skipped).
- `SmtpReceiver`: aiosmtpd in-process; records every mail it accepts, can be told to answer
  with an error or to drop the connection during DATA.
- `CutProxy`: a TCP proxy that cuts the connection once after N bytes from the server
  (a server that drops the connection mid-FETCH).

See ../shared/notes/real-servers.md for the facts these follow.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any

from imapclient import IMAPClient

USER, PASSWORD = "agent", "secret"
NOBODY = 65534
_instances = itertools.count(1)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def ensure_dovecot() -> str:
    """The dovecot binary; installs Debian's dovecot-imapd when it is missing."""
    found = shutil.which("dovecot") or (
        "/usr/sbin/dovecot" if Path("/usr/sbin/dovecot").exists() else None)
    if found:
        return found
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env, capture_output=True)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                    "dovecot-imapd"], check=True, env=env, capture_output=True)
    return shutil.which("dovecot") or "/usr/sbin/dovecot"


_CONF = """\
base_dir = {d}/run
state_dir = {d}/state
instance_name = {instance}
log_path = {d}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
mail_location = maildir:~/Maildir
mail_fsync = never
{extra}
namespace inbox {{
  inbox = yes
  separator = /
}}
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {d}/users
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {d}/users
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
"""


class Dovecot:
    """One Dovecot instance; `start()`/`stop()`/`restart()` keep the port and the mail."""

    def __init__(self, root: Path | None = None, extra: str = "") -> None:
        self.binary = ensure_dovecot()
        self.root = Path(root or tempfile.mkdtemp(prefix="dovecot-"))
        self.port = free_port()
        self.extra = extra
        self.proc: subprocess.Popen[bytes] | None = None
        self.n = next(_instances)
        self.home = self.root / "mail" / USER
        self.maildir = self.home / "Maildir"
        self._write_config()

    def _write_config(self) -> None:
        d = self.root
        for sub in ("run", "state", "mail"):
            (d / sub).mkdir(parents=True, exist_ok=True)
        self.home.mkdir(parents=True, exist_ok=True)
        for p in [d, *d.parents]:  # mkdtemp makes 0700 folders; the mail user must pass
            if p == Path("/"):
                break
            if p.stat().st_mode & 0o005 != 0o005:
                p.chmod(p.stat().st_mode | 0o755)
        (d / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}:{NOBODY}:{NOBODY}::{self.home}\n")
        self.conf = d / "dovecot.conf"
        self.conf.write_text(_CONF.format(d=d, instance=self.instance, port=self.port,
                                          extra=self.extra))
        self._chown(self.root / "mail")

    @staticmethod
    def _chown(path: Path) -> None:
        if os.geteuid() != 0:
            return
        for p in [path, *path.rglob("*")]:
            os.lchown(p, NOBODY, NOBODY)

    def start(self, timeout: float = 20.0) -> Dovecot:
        self.proc = subprocess.Popen([self.binary, "-F", "-c", str(self.conf)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"dovecot exited: {err} {self.log()}")
            try:  # greeting first, then auth: ready once a login works
                self.client().logout()
                return self
            except Exception:
                time.sleep(0.05)
        raise RuntimeError(f"dovecot did not greet within {timeout}s: {self.log()}")

    @property
    def instance(self) -> str:
        return f"assistenz-test-{self.n}-{os.getpid()}"

    def _children(self) -> list[int]:
        """PIDs of this instance's processes (their titles carry the unique instance name)."""
        pids = []
        for p in Path("/proc").iterdir():
            if not p.name.isdigit():
                continue
            try:
                title = (p / "cmdline").read_bytes()
            except OSError:
                continue
            if f"dovecot-{self.instance}/".encode() in title:
                pids.append(int(p.name))
        return pids

    def stop(self) -> None:
        """Stop like a server restart does: the master and every open session end."""
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        self.proc = None
        for pid in self._children():  # imap sessions may outlive the master for a while
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)

    def restart(self) -> None:
        self.stop()
        self.start()

    def log(self) -> str:
        f = self.root / "dovecot.log"
        return f.read_text(errors="replace")[-3000:] if f.exists() else ""

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.root, ignore_errors=True)

    # --- helpers for tests -------------------------------------------------------------

    def imap_config(self, **extra: Any) -> dict[str, Any]:
        return {"host": "127.0.0.1", "port": self.port, "username": USER,
                "password": PASSWORD, "tls": False, **extra}

    def client(self) -> IMAPClient:
        c = IMAPClient("127.0.0.1", port=self.port, ssl=False, timeout=30)
        c.login(USER, PASSWORD)
        return c

    def deliver(self, messages: Iterable[bytes], folder: str = "INBOX") -> None:
        """APPEND messages (batched MULTIAPPEND) the way a mail server's delivery would."""
        batch: list[bytes] = []
        with self.client() as c:
            if not c.folder_exists(folder):
                c.create_folder(folder)
            if not c.has_capability("MULTIAPPEND"):
                for m in messages:
                    c.append(folder, m)
                return
            for m in messages:
                batch.append(m)
                if len(batch) >= 200:
                    c.multiappend(folder, batch)
                    batch = []
            if batch:
                c.multiappend(folder, batch)

    def change_uidvalidity(self, folder_dir: Path | None = None) -> None:
        """What a server migration does: the same mails, renumbered under a new UIDVALIDITY.

        Dovecot must be stopped; the uidlist and the indexes are removed so Dovecot assigns
        new UIDs, and the new UIDVALIDITY is forced higher than the old one.
        """
        assert self.proc is None, "stop dovecot first"
        box = folder_dir or self.maildir
        uidlist = box / "dovecot-uidlist"
        old = int(uidlist.read_text().split()[1].lstrip("V"))
        for f in box.iterdir():
            if f.name.startswith("dovecot") and f.name != "dovecot-keywords":
                f.unlink()
        # A fresh uidlist header with a new UIDVALIDITY and no records: every mail gets a
        # new UID (from 1000 on, so old and new UIDs cannot be confused).
        uidlist.write_text(f"3 V{old + 1000} N1000 G{os.urandom(16).hex()}\n")
        self._chown(box)

    def messages(self, folder: str = "INBOX") -> dict[int, dict[bytes, Any]]:
        with self.client() as c:
            c.select_folder(folder, readonly=True)
            uids = c.search(["ALL"])
            return dict(c.fetch(uids, ["FLAGS", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"])) \
                if uids else {}

    def message_ids(self, folder: str = "INBOX") -> list[str]:
        out = []
        for data in self.messages(folder).values():
            head = data[b"BODY[HEADER.FIELDS (MESSAGE-ID)]"]
            msg = message_from_bytes(head, policy=policy.default)
            out.append(str(msg.get("Message-ID", "")).strip())
        return out


# --- SMTP ------------------------------------------------------------------------------


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> Any:
        return message_from_bytes(self.data, policy=policy.default)

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"]).strip()


@dataclass
class SmtpBehaviour:
    """What the receiver does with the next mails (tests switch it on and off)."""

    rcpt_reply: str | None = None  # e.g. "450 try later" or "550 no such user"
    drop_in_data: int = 0  # this many next DATA commands: close the connection, no answer
    delay: float = 0.0  # seconds to wait before answering DATA (widens the crash window)


class _Handler:
    def __init__(self, receiver: SmtpReceiver) -> None:
        self.r = receiver

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if self.r.behaviour.rcpt_reply:
            return self.r.behaviour.rcpt_reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        b = self.r.behaviour
        if b.drop_in_data > 0:
            b.drop_in_data -= 1
            server.transport.close()  # the mail may or may not have been delivered
            return "421 closing"
        if b.delay:
            await asyncio.sleep(b.delay)
        data = envelope.original_content or envelope.content
        with self.r.lock:
            self.r.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos),
                                            bytes(data)))
        return "250 OK queued"


@dataclass
class SmtpReceiver:
    port: int = field(default_factory=free_port)
    received: list[Received] = field(default_factory=list)
    behaviour: SmtpBehaviour = field(default_factory=SmtpBehaviour)
    lock: threading.Lock = field(default_factory=threading.Lock)
    controller: Any = None

    def start(self) -> SmtpReceiver:
        from aiosmtpd.controller import Controller

        self.controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def smtp_config(self, **extra: Any) -> dict[str, Any]:
        return {"host": "127.0.0.1", "port": self.port, "tls": False,
                "from": "Anna Beispiel <assistenz@beispiel-design.de>", **extra}

    def message_ids(self) -> list[str]:
        with self.lock:
            return [r.message_id for r in self.received]


# --- a connection that breaks -----------------------------------------------------------


class CutProxy:
    """Forwards 127.0.0.1:port → target; the first connection whose server→client stream
    passes `cut_after` bytes is closed at once (both sides), later ones pass untouched."""

    def __init__(self, target_port: int, cut_after: int) -> None:
        self.target_port = target_port
        self.cut_after = cut_after
        self.cuts = 0
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = int(self.sock.getsockname()[1])
        self._stop = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            server = socket.create_connection(("127.0.0.1", self.target_port))
            cut = self.cuts == 0
            threading.Thread(target=self._pipe, args=(client, server, False), daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, cut), daemon=True).start()

    def _pipe(self, src: socket.socket, dst: socket.socket, cut: bool) -> None:
        passed = 0
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                if cut and passed + len(data) > self.cut_after:
                    dst.sendall(data[: self.cut_after - passed])
                    self.cuts += 1
                    break
                passed += len(data)
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)
            s.close()

    def close(self) -> None:
        self._stop = True
        self.sock.close()


# --- workspaces and mail for live tests -------------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
DEV_MAILS = ROOT / "evals" / "data" / "v1" / "dev"
SHARED_DATA = ROOT / ".tmp" / "test-data"


class ScriptedClassifier:
    """The classifier seam for mailbox tests: the generated mails get a fixed, confident
    answer ("Anfrage …" → customer_inquiry, "Reklamation" → support); every other mail goes
    to the keyword classifier. Fast (the kNN default takes seconds per mail on 2 cores) and
    independent of how the real classifiers are tuned."""

    SCRIPT = (("Anfrage Teamfotos", "customer_inquiry"), ("Reklamation", "support"))

    def __init__(self) -> None:
        from agent.classify.keywords import KeywordClassifier

        self.fallback = KeywordClassifier()

    def classify(self, view: Any) -> Any:
        from core.models import Category, Classification, Priority

        for prefix, category in self.SCRIPT:
            if view.mail.subject.startswith(prefix):
                return Classification(category=Category(category), confidence=0.95,
                                      priority=Priority.normal, decided_by="script")
        return self.fallback.classify(view)


def use_fast_classifier() -> None:
    """Put ScriptedClassifier where the workspace's classifier is built.

    Only the classification changes; ingest, storage, the gate, drafts and sending run
    as in `assistenz run`. Crash trials over hundreds of mails test those, not the model.
    """
    import service.classifier as factory

    assert hasattr(factory, "build_classifier"), "the classifier seam moved"
    factory.build_classifier = lambda *_a, **_k: ScriptedClassifier()  # type: ignore[assignment]


def private_data(folder: Path) -> Path:
    """A copy of the shared example store for one workspace run by a subprocess. chroma
    does not support two processes writing one store: a `serve` that learns from a
    correction would leave the test process's open client reading ids that moved
    ("Error finding id"). Copying 30 MB is cheaper than building it; before the shared
    store exists, the subprocess builds its own here."""
    import shutil

    target = folder / "data"
    if not target.exists():
        if (SHARED_DATA / "examples").is_dir():
            shutil.copytree(SHARED_DATA, target, ignore=shutil.ignore_patterns("*.db"))
        else:
            target.mkdir(parents=True)
    return target


def write_workspace(folder: Path, imap: dict[str, Any] | None = None,
                    smtp: dict[str, Any] | None = None, **extra: Any) -> Path:
    """A workspace file like the unit tests' one, pointed at these servers and a fresh
    database, with its own copy of the example store (`private_data`) unless given."""
    import yaml

    data = yaml.safe_load((FIXTURES / "workspace.yaml").read_text())
    data.update({"data_dir": str(private_data(folder)),
                 "database": f"sqlite:///{folder / 'db' / 'assistenz.db'}"}, **extra)
    if imap is not None:
        data["imap"] = imap
    if smtp is not None:
        data["smtp"] = smtp
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "workspace.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def inquiry(n: int, tag: str = "") -> bytes:
    """A German customer inquiry from its own sender: the test workspace answers it
    automatically (customer_inquiry: auto), so it exercises the send path."""
    return (
        f"From: Kundin {n} <kundin{n}{tag}@kunden-beispiel.de>\r\n"
        "To: assistenz@beispiel-design.de\r\n"
        f"Subject: Anfrage Teamfotos {n}\r\n"
        f"Message-ID: <anfrage-{n}{tag}@kunden-beispiel.de>\r\n"
        "Date: Thu, 26 Nov 2026 10:00:00 +0100\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "Content-Transfer-Encoding: 8bit\r\n\r\n"
        "Hallo Frau Beispiel,\r\n\r\n"
        f"wir interessieren uns für ein Fotoshooting für unser Team ({n % 20 + 3} Personen). "
        "Was kostet das und wann hätten Sie Zeit?\r\n\r\nViele Grüße\r\n"
        f"Kundin {n}\r\n").encode()


def corpus(total: int, tag: str = "") -> list[bytes]:
    """Real mails from the eval set plus generated inquiries (about a quarter), mixed."""
    real = [p.read_bytes() for p in sorted(DEV_MAILS.glob("*.eml"))]
    n_inquiries = max(1, total // 4)
    mails = real[: total - n_inquiries] + [inquiry(i, tag) for i in range(n_inquiries)]
    return mails[::2] + mails[1::2]
