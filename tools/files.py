"""Reading messages from local files: one file, a folder of files, an mbox, a Maildir.

Read-only: nothing here moves, renames or deletes a message.
"""

from __future__ import annotations

import mailbox
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from core.models import RawMessage


class InputError(Exception):
    """A PATH argument that names nothing readable (a bad argument, not a bad message)."""


@dataclass(frozen=True)
class Unreadable:
    """A message that could not be read; triage reports it as an error line."""

    ref: str
    error: str


def is_maildir(path: Path) -> bool:
    return path.is_dir() and (path / "cur").is_dir() and (path / "new").is_dir()


def maildir_files(path: Path) -> list[Path]:
    """The message files of a Maildir, in name order (names start with the delivery time)."""
    files = [f for sub in ("cur", "new") for f in (path / sub).iterdir()
             if f.is_file() and not f.name.startswith(".")]
    return sorted(files, key=lambda f: (f.name, f.parent.name))


def maildir_key(file: Path) -> str:
    """The Maildir key: the file name without the ':2,FLAGS' info part."""
    return file.name.split(":", 1)[0]


def _read(path: Path, ref: str, source: str = "file",
          key: str | None = None) -> RawMessage | Unreadable:
    try:
        return RawMessage(ref=ref, data=path.read_bytes(), source=source, source_key=key)
    except OSError as exc:
        return Unreadable(ref=ref, error=f"cannot read file: {exc.strerror or exc}")


def _folder(given: str, path: Path) -> Iterator[RawMessage | Unreadable]:
    files = sorted(f for f in path.iterdir() if f.is_file() and not f.name.startswith("."))
    for f in files:
        yield _read(f, str(Path(given) / f.name))


def _maildir(given: str, path: Path) -> Iterator[RawMessage | Unreadable]:
    source = f"maildir:{path.resolve()}"
    for n, f in enumerate(maildir_files(path), start=1):
        yield _read(f, f"{given}#{n}", source, maildir_key(f))


def _mbox(given: str, path: Path) -> Iterator[RawMessage | Unreadable]:
    try:
        box = mailbox.mbox(str(path), create=False)
        keys = list(box.keys())
    except (OSError, mailbox.Error) as exc:
        yield Unreadable(ref=given, error=f"cannot read mbox: {exc}")
        return
    source = f"mbox:{path.resolve()}"
    for n, key in enumerate(keys, start=1):
        try:
            data = box.get_bytes(key)
        except (OSError, mailbox.Error, KeyError) as exc:
            yield Unreadable(ref=f"{given}#{n}", error=f"cannot read message: {exc}")
            continue
        yield RawMessage(ref=f"{given}#{n}", data=data, source=source, source_key=str(n))


def check_inputs(paths: list[str]) -> None:
    """Fail early (exit 2 in the CLI) when a PATH does not exist or is not a mail container."""
    for given in paths:
        path = Path(given)
        if not path.exists():
            raise InputError(f"{given}: no such file or folder")
        if not (path.is_file() or path.is_dir()):
            raise InputError(f"{given}: not a regular file or folder")


def read_inputs(paths: list[str]) -> Iterator[RawMessage | Unreadable]:
    """Every message named by the PATH arguments, in order (CONTRACT §2)."""
    for given in paths:
        path = Path(given)
        if is_maildir(path):
            yield from _maildir(given, path)
        elif path.is_dir():
            yield from _folder(given, path)
        elif path.suffix.lower() == ".mbox":
            yield from _mbox(given, path)
        else:
            yield _read(path, given)


def count_inputs(paths: list[str]) -> int | None:
    """How many messages the PATHs hold (for a progress bar); None when costly to know."""
    total = 0
    for given in paths:
        path = Path(given)
        if is_maildir(path):
            total += len(maildir_files(path))
        elif path.is_dir():
            total += sum(1 for f in path.iterdir() if f.is_file() and not f.name.startswith("."))
        elif path.suffix.lower() == ".mbox":
            return None
        else:
            total += 1
    return total
