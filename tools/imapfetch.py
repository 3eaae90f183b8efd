"""Reading many messages fast: batches bounded by count and size, and a lean BODY.PEEK[]
reader.

imapclient's generic FETCH parser tokenises every response; for `BODY.PEEK[]` the bodies
arrive as literals that imaplib already hands over as bytes, so only each message's UID has
to be found. Anything the lean reader does not recognise is fetched again through
imapclient's parser, so an odd server costs speed, never a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from imapclient import IMAPClient

from tools.imapconn import guarded

LARGE = 1024 * 1024  # messages above this size are batched by their size
_UID = re.compile(rb"\bUID (\d+)", re.IGNORECASE)
_BODY_LITERAL = re.compile(rb"BODY\[\] \{\d+\}$", re.IGNORECASE)


def uid_set(uids: list[int]) -> str:
    """"1:5,9,12:13" for [1, 2, 3, 4, 5, 9, 12, 13] (sorted input)."""
    parts: list[str] = []
    start = prev = uids[0]
    for uid in [*uids[1:], -1]:
        if uid == prev + 1:
            prev = uid
            continue
        parts.append(f"{start}:{prev}" if prev != start else str(start))
        start = prev = uid
    return ",".join(parts)


def batches(client: IMAPClient, uids: list[int], count: int,
            max_bytes: int) -> Iterator[list[int]]:
    """Groups of at most `count` UIDs; big messages (found with one SEARCH LARGER) go in
    groups of at most `max_bytes`, a very big one alone."""
    if not uids:
        return
    large = set(guarded("UID SEARCH", lambda: client.search(["LARGER", LARGE])))
    small = [u for u in uids if u not in large]
    for i in range(0, len(small), count):
        yield small[i:i + count]
    big = [u for u in uids if u in large]
    if not big:
        return
    sizes = guarded("FETCH RFC822.SIZE", lambda: client.fetch(big, ["RFC822.SIZE"]))
    batch: list[int] = []
    total = 0
    for uid in big:
        size = int(sizes.get(uid, {}).get(b"RFC822.SIZE", LARGE))
        if batch and total + size > max_bytes:
            yield batch
            batch, total = [], 0
        batch.append(uid)
        total += size
    if batch:
        yield batch


def bodies(client: IMAPClient, uids: list[int]) -> dict[int, bytes]:
    """UID → the message exactly as stored on the server, read without setting \\Seen.
    A UID missing from the answer was expunged meanwhile."""
    imap = client._imap  # the imaplib connection imapclient wraps
    typ, data = guarded("FETCH BODY.PEEK[]", lambda: imap.uid(
        "FETCH", uid_set(uids), "(UID BODY.PEEK[])"))
    found = _parse(data) if typ == "OK" else {}
    missing = [u for u in uids if u not in found]
    if missing:  # an answer shape the lean reader does not know: the thorough parser
        more = guarded("FETCH BODY.PEEK[]", lambda: client.fetch(missing, ["BODY.PEEK[]"]))
        for uid, item in more.items():
            body = item.get(b"BODY[]")
            if body is not None:
                found[uid] = bytes(body)
    return found


def _parse(data: list[object]) -> dict[int, bytes]:
    """imaplib's FETCH data: (b'N (UID u BODY[] {n}', literal) tuples, the rest as bytes
    (the UID may also follow the literal: b' UID u)')."""
    out: dict[int, bytes] = {}
    waiting: bytes | None = None
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            head, literal = item
            waiting = None
            if not isinstance(head, bytes) or not _BODY_LITERAL.search(head):
                continue
            m = _UID.search(head)
            if m:
                out[int(m.group(1))] = bytes(literal)
            else:
                waiting = bytes(literal)
        elif isinstance(item, bytes) and waiting is not None:
            m = _UID.search(item)
            if m:
                out[int(m.group(1))] = waiting
            waiting = None
    return out
