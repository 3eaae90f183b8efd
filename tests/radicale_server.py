"""A real Radicale CalDAV server on 127.0.0.1 for the calendar tests (started, then stopped)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx


@dataclass(frozen=True)
class Radicale:
    url: str
    username: str
    password: str


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def radicale(folder: Path) -> Iterator[Radicale]:
    """Radicale with htpasswd (plain) auth and owner-only rights, in `folder`."""
    port = free_port()
    (folder / "users").write_text("anna:geheim\n")
    conf = folder / "config"
    conf.write_text(
        f"[server]\nhosts = 127.0.0.1:{port}\n"
        f"[auth]\ntype = htpasswd\nhtpasswd_filename = {folder / 'users'}\n"
        "htpasswd_encryption = plain\ndelay = 0\n"
        "[rights]\ntype = owner_only\n"
        f"[storage]\nfilesystem_folder = {folder / 'collections'}\n"
        "[logging]\nlevel = warning\n")
    log = (folder / "radicale.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "radicale", "-C", str(conf)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 20
        while True:
            try:
                httpx.get(url, timeout=1)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError((folder / "radicale.log").read_text()) from None
                time.sleep(0.05)
        yield Radicale(url=url, username="anna", password="geheim")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()
