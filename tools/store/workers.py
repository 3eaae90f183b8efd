"""Who a worker is, and whether a worker on this host is still alive (claims of a dead
process are void at once; a worker on another machine is only known dead when its lease
runs out)."""

from __future__ import annotations

import os
import socket


def worker_id() -> str:
    """host:pid — unique among live workers, and checkable on the same host."""
    return f"{socket.gethostname()}:{os.getpid()}"


def alive_here(worker: str) -> bool:
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return True  # another machine's worker: only its lease can tell
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
