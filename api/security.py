"""What every response carries, which Host headers are answered, and login throttling."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import datetime, timedelta

from starlette.types import ASGIApp, Message, Receive, Scope, Send

# No inline script or style anywhere (the pages load /static/*.js and *.css), no framing,
# nothing from other hosts. The mail view's sandboxed iframe gets its own stricter policy.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; frame-src 'self'; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = [
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


class SecurityHeaders:
    """Adds the headers above to every HTTP response (a route may set its own CSP)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in present]
                if scope.get("scheme") == "https":
                    extra.append((b"strict-transport-security", b"max-age=31536000"))
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


def allowed_hosts(base_host: str, extra: list[str], bind: str | None) -> list[str]:
    """Host headers `serve` answers (DNS rebinding: a page on evil.example that resolves to
    127.0.0.1 gets a 400, not the owner's mail)."""
    hosts = {"127.0.0.1", "localhost", "[::1]", base_host, *extra}
    if bind and bind not in {"0.0.0.0", "::"}:
        hosts.add(f"[{bind}]" if ":" in bind and not bind.startswith("[") else bind)
    return sorted(h for h in hosts if h)


class LoginThrottle:
    """At most `limit` failed logins per client address in `window`; then 429 until the
    oldest failure leaves the window. Also a global cap against a spread-out attack."""

    def __init__(self, clock: Callable[[], datetime], limit: int = 5,
                 window: timedelta = timedelta(minutes=15), overall: int = 50) -> None:
        self.clock = clock
        self.limit = limit
        self.window = window
        self.overall = overall
        self._failures: dict[str, deque[datetime]] = {}
        self._all: deque[datetime] = deque()

    def _trim(self, q: deque[datetime], now: datetime) -> None:
        while q and q[0] <= now - self.window:
            q.popleft()

    def wait_seconds(self, client: str) -> int:
        """0 when a login may be tried now, else how long to wait."""
        now = self.clock()
        q = self._failures.get(client, deque())
        self._trim(q, now)
        self._trim(self._all, now)
        if len(q) >= self.limit:
            return max(1, int((q[0] + self.window - now).total_seconds()))
        if len(self._all) >= self.overall:
            return max(1, int((self._all[0] + self.window - now).total_seconds()))
        return 0

    def failed(self, client: str) -> None:
        now = self.clock()
        self._failures.setdefault(client, deque()).append(now)
        self._all.append(now)

    def succeeded(self, client: str) -> None:
        self._failures.pop(client, None)
