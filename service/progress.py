"""Progress of a long run, with an estimate of the time left.

On a terminal (or with `--progress`) a tqdm bar: done/total, mails per second and the time
left. Without one (a service, a log file) a log line at most every `every` seconds:
"processed 1,200 of 10,000 (18.4 mails/s), about 8 min left".
"""

from __future__ import annotations

import logging
import sys
import time
from types import TracebackType

from tqdm import tqdm

log = logging.getLogger(__name__)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


class Progress:
    def __init__(self, total: int, desc: str, bar: bool | None = None,
                 every: float = 30.0) -> None:
        self.total, self.desc, self.every = total, desc, every
        show = sys.stderr.isatty() if bar is None else bar
        self._bar = tqdm(total=total, unit="mail", desc=desc, file=sys.stderr,
                         dynamic_ncols=True, smoothing=0.1) if show else None
        self.done = 0
        self._start = self._last = time.monotonic()

    def update(self, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last >= self.every and self.total:
            self._last = now
            log.warning("%s", self.line(now - self._start))

    def line(self, elapsed: float) -> str:
        rate = self.done / elapsed if elapsed > 0 else 0.0
        left = max(self.total - self.done, 0)
        eta = f"about {_duration(left / rate)} left" if rate > 0 else "time left unknown"
        return (f"{self.desc}: {self.done:,} of {self.total:,} ({rate:.1f} mails/s), {eta}")

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        if self._bar is not None:
            self._bar.close()
