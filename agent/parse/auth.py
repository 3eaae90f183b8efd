"""What the receiving provider says about the sender: Authentication-Results (RFC 8601),
or ARC-Authentication-Results (RFC 8617) when there is no plain one.

Only the topmost header counts: the receiving provider adds its own above everything the
sender wrote, and a sender can write any number of fake ones below it. A result counts
for the From domain only when it is aligned with it (DMARC's rule: the same domain or one
a parent of the other).
"""

from __future__ import annotations

from email.message import Message

from core.models import SenderAuth

_METHODS = ("dmarc", "dkim", "spf")


def _strip_comments(value: str) -> str:
    """RFC 8601 allows (comments) anywhere; removed in one pass."""
    out: list[str] = []
    depth = 0
    for ch in value:
        if ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif not depth:
            out.append(ch)
    return "".join(out)


def _results(value: str) -> list[tuple[str, str, dict[str, str]]]:
    """(method, result, properties) of every resinfo in one header value."""
    parts = _strip_comments(value[:8192]).split(";")
    out: list[tuple[str, str, dict[str, str]]] = []
    for part in parts[1:]:  # parts[0] is the authserv-id
        tokens = part.split()
        if not tokens or "=" not in tokens[0]:
            continue
        method, _, result = tokens[0].partition("=")
        props: dict[str, str] = {}
        for tok in tokens[1:]:
            key, eq, val = tok.partition("=")
            if eq and "." in key:
                props[key.lower()] = val.strip('"').lower()
        out.append((method.split("/")[0].lower(), result.lower(), props))
    return out


def _domain(value: str) -> str:
    return value.rpartition("@")[2].strip("<>").lower()


def aligned(a: str, b: str) -> bool:
    """Relaxed alignment: the same domain, or one below the other."""
    a, b = a.lower().rstrip("."), b.lower().rstrip(".")
    return bool(a and b) and (a == b or a.endswith("." + b) or b.endswith("." + a))


def _topmost(msg: Message) -> str | None:
    try:
        plain = msg.get_all("Authentication-Results") or []
        if plain:
            return str(plain[0])
        arc = [str(v) for v in msg.get_all("ARC-Authentication-Results") or []]
    except Exception:
        return None
    best: tuple[int, str] | None = None
    for value in arc:  # "i=2; mx.example; dkim=pass …": the highest instance is the latest hop
        head, _, rest = value.partition(";")
        key, _, num = head.strip().partition("=")
        if key.strip().lower() == "i" and num.strip().isdigit():
            i = int(num.strip())
            if best is None or i > best[0]:
                best = (i, rest)
    return best[1] if best else None


def sender_auth(msg: Message, from_domain: str) -> SenderAuth:
    """The provider's verdict on the From domain (`present` False when there is none)."""
    value = _topmost(msg)
    if value is None:
        return SenderAuth()
    passed: list[str] = []
    failed: list[str] = []
    for method, result, props in _results(value):
        if method not in _METHODS:
            continue
        if method == "dmarc":
            domain = props.get("header.from", from_domain)
        elif method == "dkim":
            domain = props.get("header.d") or _domain(props.get("header.i", ""))
        else:
            domain = _domain(props.get("smtp.mailfrom", "")) or props.get("smtp.helo", "")
        if not aligned(domain, from_domain):
            continue
        if result == "pass":
            passed.append(f"{method}=pass")
        elif result in ("fail", "hardfail") and method in ("dmarc", "spf"):
            failed.append(f"{method}=fail")
    detail = ", ".join(failed or passed)
    return SenderAuth(present=True, passed=bool(passed) and not failed, failed=bool(failed),
                      detail=detail)
