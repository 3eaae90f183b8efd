"""Sending webhooks the Standard Webhooks way (https://www.standardwebhooks.com):
`webhook-id`, `webhook-timestamp` and `webhook-signature: v1,<base64 HMAC-SHA256 of
"id.timestamp.body">` with the endpoint's `whsec_` secret. At least once: a 2xx settles a
delivery, 410 Gone disables it, anything else is tried again with backoff (honouring
Retry-After) for about three days. Addresses on loopback or private networks are refused
unless the endpoint says `allow_private: true` (an SSRF guard)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import logging
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlparse

import httpx

from core.config import Webhook, Workspace
from tools.store.webhooks import Delivery, Webhooks

log = logging.getLogger(__name__)
BACKOFF = (5, 300, 1800, 7200, 18000, 36000, 50400, 72000, 86400)  # seconds, then give up
TIMEOUT = 10.0


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    key = base64.b64decode(secret.removeprefix("whsec_"))
    mac = hmac.new(key, f"{webhook_id}.{timestamp}.".encode() + body, hashlib.sha256)
    return "v1," + base64.b64encode(mac.digest()).decode()


def body_of(d: Delivery) -> bytes:
    return json.dumps({"type": d.event, "timestamp": d.created_at.isoformat(),
                       "data": d.payload}, ensure_ascii=False, sort_keys=True).encode()


def endpoint_of(ws: Workspace, key: str) -> Webhook | None:
    """`assistant:<id>` or `owner:<n>` → the endpoint as configured now."""
    kind, _, name = key.partition(":")
    if kind == "assistant":
        a = ws.assistant(name)
        return a.webhook if a else None
    if kind == "owner" and name.isdigit() and int(name) < len(ws.webhooks):
        return ws.webhooks[int(name)]
    return None


def endpoints_for(ws: Workspace, event: str, assistant_id: str | None) -> list[tuple[str, Webhook]]:
    """Who hears of a task event: the assistant's own endpoint (if they want webhooks) and
    the owner's tools that subscribed to it."""
    out: list[tuple[str, Webhook]] = []
    a = ws.assistant(assistant_id) if assistant_id else None
    if a is not None and a.webhook is not None and (not a.webhook.events
                                                    or event in a.webhook.events):
        out.append((f"assistant:{a.id}", a.webhook))
    for i, w in enumerate(ws.webhooks):
        if not w.events or event in w.events:
            out.append((f"owner:{i}", w))
    return out


def public_address(url: str) -> str | None:
    """Why this URL may not be called (loopback, private, link-local …), or None."""
    host = urlparse(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except OSError as exc:
        return f"cannot resolve {host}: {exc}"
    for info in infos:
        ip = ipaddress.ip_address(info[4][0])
        if (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast
                or ip.is_reserved or ip.is_unspecified):
            return f"{host} resolves to {ip}, a non-public address"
    return None


@dataclass(frozen=True)
class Attempt:
    outcome: str  # delivered | retry | failed
    error: str = ""
    retry_after: int = 0  # seconds the receiver asked for


def deliver_due(store: Webhooks, ws: Workspace, clock: Callable[[], datetime],
                budget: float = 15.0, client: httpx.Client | None = None) -> dict[str, int]:
    """Send what is due, for at most `budget` seconds (a dead endpoint never stalls the
    loop); returns counts."""
    counts = {"delivered": 0, "retry": 0, "failed": 0}
    started = time.monotonic()
    http = client or httpx.Client(timeout=TIMEOUT, follow_redirects=False)
    try:
        for d in store.due(clock()):
            if time.monotonic() - started > budget:
                break
            attempt = deliver(d, ws, clock, http)
            counts[attempt.outcome] += 1
            if attempt.outcome == "delivered":
                store.delivered(d.id)
            elif attempt.outcome == "retry" and d.attempts < len(BACKOFF):
                wait = max(BACKOFF[d.attempts], attempt.retry_after)
                store.retry(d.id, attempt.error, clock() + timedelta(seconds=wait))
            else:
                store.retry(d.id, attempt.error, None)
    finally:
        if client is None:
            http.close()
    return counts


def deliver(d: Delivery, ws: Workspace, clock: Callable[[], datetime],
            http: httpx.Client) -> Attempt:
    endpoint = endpoint_of(ws, d.endpoint)
    if endpoint is None:
        return Attempt("failed", "the endpoint is no longer configured")
    if not endpoint.allow_private:
        refused = public_address(endpoint.url)
        if refused:
            return Attempt("failed", f"refused: {refused} (allow_private: true allows it)")
    body = body_of(d)
    ts = int(clock().timestamp())
    headers = {"webhook-id": d.id, "webhook-timestamp": str(ts),
               "webhook-signature": sign(endpoint.secret, d.id, ts, body),
               "content-type": "application/json", "user-agent": "Assistenz-Webhooks/1"}
    try:
        r = http.post(endpoint.url, content=body, headers=headers)
    except httpx.HTTPError as exc:
        return Attempt("retry", f"{type(exc).__name__}: {exc}")
    if 200 <= r.status_code < 300:
        return Attempt("delivered")
    error = f"{r.status_code} {r.reason_phrase}"
    if r.status_code == 410:
        return Attempt("failed", error)
    after = r.headers.get("retry-after", "")
    return Attempt("retry", error, int(after) if after.isdigit() else 0)
