"""A receiver for Assistenz webhooks that checks them the Standard Webhooks way: the
signature over the raw body (constant-time), a timestamp at most five minutes off, and each
`webhook-id` only once (a delivery may come twice: at least once is the promise).

Use it in your own service, e.g. with FastAPI:

    seen: set[str] = set()

    @app.post("/assistenz")
    async def hook(request: Request) -> dict[str, str]:
        try:
            event = verify(SECRET, request.headers, await request.body(), seen)
        except Duplicate:
            return {"ok": "seen before"}
        except Rejected as exc:
            raise HTTPException(400, str(exc))
        ...  # event["type"]: task.offered, task.accepted, task.declined, task.completed …
        return {"ok": "yes"}
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

TOLERANCE = 300  # seconds


class Rejected(Exception):
    """Not from Assistenz (or too old): answer 400 and do nothing."""


class Duplicate(Rejected):
    """Delivered before: answer 200 (so it is not sent again) and do nothing."""


def verify(secret: str, headers: Mapping[str, str], body: bytes, seen: set[str],
           now: float | None = None) -> dict[str, Any]:
    """The event, or Rejected. Verify the raw body before parsing it."""
    wid = headers.get("webhook-id", "")
    stamp = headers.get("webhook-timestamp", "")
    signatures = headers.get("webhook-signature", "")
    if not wid or not stamp.isdigit() or not signatures:
        raise Rejected("missing webhook headers")
    if abs((now if now is not None else time.time()) - int(stamp)) > TOLERANCE:
        raise Rejected("timestamp too old or too new (a replay?)")
    key = base64.b64decode(secret.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, f"{wid}.{stamp}.".encode() + body,
                                         hashlib.sha256).digest()).decode()
    given = [s.split(",", 1)[1] for s in signatures.split() if s.startswith("v1,")]
    if not any(hmac.compare_digest(expected, g) for g in given):
        raise Rejected("bad signature")
    if wid in seen:
        raise Duplicate("already processed (a second delivery)")
    seen.add(wid)
    event: dict[str, Any] = json.loads(body)
    return event
