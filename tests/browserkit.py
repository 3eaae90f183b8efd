"""A real browser against a real `assistenz serve`: Debian's Chromium driven by Playwright
(Playwright's own browser download does not work here), a Maildir triaged by `assistenz
run --once` (with the scripted classifier of tests/fast_run.py), an aiosmtpd receiver for
what is sent, and a guard that routes every request the browser makes: loopback goes
through, anything else is recorded and aborted — the request log proves that no page
reached another host. Console errors (CSP violations show there), page errors and
dialogs (alert/confirm/prompt) are recorded too."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
from clocks import assistenz, child_env
from mailservers import SmtpReceiver, free_port, write_workspace

HERE = Path(__file__).resolve().parent
CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage"]
PASSWORD = "ein-langes-passwort"
LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def ensure_chromium() -> str:
    """Debian's chromium, installed when missing (the test set-up's one network need)."""
    if not Path(CHROMIUM).exists():
        subprocess.run(["apt-get", "update", "-qq"], check=False, capture_output=True)
        subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends",
                        "chromium"], check=True, capture_output=True,
                       env={"DEBIAN_FRONTEND": "noninteractive", "PATH": "/usr/bin:/bin"})
    return CHROMIUM


def maildir(folder: Path, mails: list[bytes]) -> Path:
    for sub in ("cur", "new", "tmp"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    for i, data in enumerate(mails):
        (folder / "new" / f"17000{i:04d}.m{i}.test").write_bytes(data)
    return folder


class Served:
    """`assistenz serve` as a process; by default through tests/fast_run.py (the scripted
    classifier, so a correction does not load the kNN example store)."""

    def __init__(self, config: Path | str, port: int, program: list[str] | None = None,
                 extra: tuple[str, ...] = ()) -> None:
        self.config, self.port, self.extra = config, port, extra
        self.program = program or [sys.executable, str(HERE / "fast_run.py")]
        self.base = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Served:
        self.proc = subprocess.Popen(
            [*self.program, "serve", "--config", str(self.config), "--port", str(self.port),
             *self.extra],
            env=child_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/health", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.2)
            assert self.proc.poll() is None, self.proc.stderr.read() if self.proc.stderr else ""
        raise AssertionError("serve did not come up")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()

    def kill(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)


@dataclass
class World:
    config: Path
    served: Served
    smtp: SmtpReceiver

    @property
    def base(self) -> str:
        return self.served.base


@contextmanager
def world(tmp: Path, mails: list[bytes], now: str = "2026-12-01T09:00",
          undo_seconds: int = 3, **extra: Any) -> Iterator[World]:
    """Mail triaged into a fresh database, a password, `serve` and an SMTP receiver."""
    smtp = SmtpReceiver().start()
    try:
        port = free_port()
        config = write_workspace(tmp / "ws", smtp=smtp.smtp_config(),
                                 maildir=str(maildir(tmp / "Maildir", mails)),
                                 review={"undo_seconds": undo_seconds},
                                 web={"base_url": f"http://127.0.0.1:{port}"}, **extra)
        done = subprocess.run([sys.executable, str(HERE / "fast_run.py"), "run", "--once",
                               "--config", str(config), "--now", now],
                              capture_output=True, text=True, timeout=600, env=child_env())
        assert done.returncode == 0, done.stderr
        assert assistenz("passwd", "--config", str(config),
                         stdin=PASSWORD + "\n").returncode == 0
        served = Served(config, port).start()
        try:
            yield World(config, served, smtp)
        finally:
            served.stop()
    finally:
        smtp.stop()


@dataclass
class Guard:
    """Every request, console error, page error and dialog of a browser context."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    sockets: list[str] = field(default_factory=list)

    def attach(self, context: Any) -> None:
        def route(r: Any) -> None:
            url = r.request.url
            self.requests.append(url)
            host = urlsplit(url).hostname or ""
            if url.startswith(("data:", "blob:", "about:")) or host in LOOPBACK:
                r.continue_()
            else:
                self.blocked.append(url)
                r.abort()

        context.route("**/*", route)
        context.on("page", self.watch)

    def watch(self, page: Any) -> None:
        page.on("console", lambda m: self.console_errors.append(m.text)
                if m.type == "error" else None)
        page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        page.on("websocket", lambda w: self.sockets.append(w.url))

        def dialog(d: Any) -> None:
            self.dialogs.append(f"{d.type}: {d.message}")
            d.dismiss()

        page.on("dialog", dialog)

    def clean(self) -> bool:
        return not (self.blocked or self.console_errors or self.page_errors or self.dialogs
                    or self.sockets)

    def report(self) -> str:
        return (f"requests {len(self.requests)}, blocked {self.blocked}, console errors "
                f"{self.console_errors}, page errors {self.page_errors}, dialogs "
                f"{self.dialogs}, websockets {self.sockets}")


def launch(playwright: Any) -> Any:
    return playwright.chromium.launch(executable_path=ensure_chromium(), headless=True,
                                      args=FLAGS)


def new_context(browser: Any, base: str, guard: Guard, **kwargs: Any) -> Any:
    context = browser.new_context(base_url=base, service_workers="block", locale="de-DE",
                                  **kwargs)
    guard.attach(context)
    return context


def log_in(page: Any, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url("**/")

