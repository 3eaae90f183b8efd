"""The owner's knowledge files (Markdown) split into passages: one sentence, list item or
table row each, with the heading above it, so a question finds the sentence that answers it
rather than a whole page."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from core.ports import Passage

SPLITTER_VERSION = 5
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_ITEM = re.compile(r"^\s*(?:[-*+•]|\d{1,2}[.)])\s+(.*)$")
_TABLE_RULE = re.compile(r"^\s*\|?\s*:?-{2,}")
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(.+?)\1")
# a sentence ends at . ! ? followed by a space and a capital or digit, except after
# abbreviations and ordinal numbers ("z. B.", "ca.", "Nr.", "1. Dezember")
_ABBREV = re.compile(r"(?:\b(?:z|d|u|o|s|v|ca|bzw|inkl|zzgl|ggf|evtl|Nr|Dr|Prof|Str|usw|etc|"
                     r"vgl|max|min|mind|abzgl|exkl|gem|lt|Mo|Di|Mi|Do|Fr|Sa|So|Jan|Feb|Mär|Apr|"
                     r"Jun|Jul|Aug|Sep|Sept|Okt|Nov|Dez|approx|incl|excl|e\.g|i\.e|vs|no|Mr|Ms|"
                     r"Mrs|St)|(?<![\d€$£,.])\b\d{1,2}|\b[A-ZÄÖÜ])\.$")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÄÖÜ0-9„\"(])")


@dataclass(frozen=True)
class KnowledgeFile:
    path: Path
    relative: str
    text: str
    language: str  # from the front matter, or "und"

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()


def read_file(path: Path, root: Path) -> KnowledgeFile:
    raw = path.read_text(encoding="utf-8", errors="replace")
    language = "und"
    if raw.startswith("---\n"):
        head, sep, body = raw[4:].partition("\n---")
        if sep:
            try:
                meta = yaml.safe_load(head) or {}
            except yaml.YAMLError:
                meta = {}
            if isinstance(meta, dict) and isinstance(meta.get("language"), str):
                language = meta["language"].strip().lower()[:2] or "und"
            raw = body.partition("\n")[2]
    return KnowledgeFile(path, path.relative_to(root).as_posix(), raw, language)


def knowledge_files(folder: Path) -> list[Path]:
    """The Markdown files of a knowledge folder (subfolders too), in a stable order."""
    return sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in
                  {".md", ".markdown", ".txt"} and not p.name.startswith("."))


def fingerprint(files: list[KnowledgeFile], model: str) -> str:
    """Changes when any file's content, the file set, the splitter or the model changes."""
    h = hashlib.sha256(f"{SPLITTER_VERSION}|{model}".encode())
    for f in files:
        h.update(f"|{f.relative}:{f.digest}".encode())
    return h.hexdigest()[:32]


def plain(text: str) -> str:
    """Markdown inline markup removed: links keep their text, emphasis its words."""
    text = _LINK.sub(r"\1", text)
    for _ in range(2):
        text = _EMPHASIS.sub(r"\2", text)
    return re.sub(r"\s+", " ", text).strip()


def sentences(text: str) -> list[str]:
    parts: list[str] = []
    for piece in _SENTENCE_END.split(text):
        if parts and _ABBREV.search(parts[-1]):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return [p.strip() for p in parts if p.strip()]


def _table_row(line: str, header: list[str]) -> str:
    cells = [plain(c) for c in line.strip().strip("|").split("|")]
    if header and len(header) == len(cells):
        return "; ".join(f"{h}: {c}" for h, c in zip(header, cells, strict=True) if c)
    return " – ".join(c for c in cells if c)


_LABELLED = re.compile(r"^\S[^:]{1,60}:\s*\S|(?:\d|€|%|\))\s*$")


def _line_list(lines: list[str]) -> bool:
    """Lines written one under another without list marks ("Sessel: ab 380 €" / "Sofa: ab
    1.200 €"): each line is its own item when every one is short, starts with a label or
    ends with a number, and none ends a sentence that the next one continues."""
    return len(lines) >= 2 and all(
        len(x) <= 160 and _LABELLED.search(x) and not x.endswith((",", "-", "–")) and
        not (x[-1:].isalpha() and i + 1 < len(lines) and lines[i + 1][:1].islower())
        for i, x in enumerate(lines))


def _blocks(text: str) -> list[tuple[list[str], str, str]]:
    """(heading path, kind, text) for every paragraph, list item and table row."""
    out: list[tuple[list[str], str, str]] = []
    path: list[str] = []
    para: list[str] = []
    item: list[str] = []
    header: list[str] = []

    def flush() -> None:
        if para and _line_list(para):
            out.extend((list(path), "item", line) for line in para)
            para.clear()
        if para:
            out.append((list(path), "para", " ".join(para)))
            para.clear()
        if item:
            out.append((list(path), "item", " ".join(item)))
            item.clear()

    for line in text.splitlines():
        stripped = line.strip()
        heading = _HEADING.match(stripped)
        if heading:
            flush()
            level = len(heading.group(1))
            path[level - 1:] = [plain(heading.group(2))]
            path = [p for p in path if p]
            header = []
        elif not stripped:
            flush()
            header = []
        elif stripped.startswith("|"):
            flush()
            if _TABLE_RULE.match(stripped):
                continue
            if not header:
                header = [plain(c) for c in stripped.strip("|").split("|")]
                continue
            out.append((list(path), "row", _table_row(stripped, header)))
        elif _ITEM.match(line):
            flush()
            item.append(_ITEM.match(line).group(1))  # type: ignore[union-attr]
        elif item and line.startswith((" ", "\t")):
            item.append(stripped)
        else:
            if item:
                flush()
            para.append(stripped.lstrip("> "))
    flush()
    return out


def _answered(units: list[str]) -> list[str]:
    """A question in a paragraph goes with the sentence that answers it ("Darf der Hund
    mit? Ja, für 10 € pro Nacht." is one passage): alone it would match the sender's
    question best and answer nothing."""
    out: list[str] = []
    for unit in units:
        if out and out[-1].endswith("?"):
            out[-1] = f"{out[-1]} {unit}"
        else:
            out.append(unit)
    return out


def split(file: KnowledgeFile) -> list[Passage]:
    """A file's passages: a list item or table row is one passage; a paragraph gives one
    per sentence. Each keeps the nearest heading."""
    passages: list[Passage] = []
    asked = ""  # a paragraph that is only a question ("**Darf der Hund mit?**") heads the next
    for path, kind, text in _blocks(file.text):
        heading = path[-1] if path else ""
        if kind == "para" and plain(text).endswith("?") and len(sentences(plain(text))) == 1:
            asked = plain(text)
            continue
        if asked:
            heading, asked = asked, ""
        units = [plain(text)] if kind in {"item", "row"} else _answered(sentences(plain(text)))
        block = plain(text) if len(units) > 1 else ""
        for unit in units:
            if len(unit) < 3:
                continue
            n = len(passages)
            passages.append(Passage(id=f"{file.relative}#{n}", text=unit, heading=heading,
                                    source=file.relative, language=file.language,
                                    block=block, context=" – ".join(path[1:-1])))
    return passages


def embedding_text(p: Passage) -> str:
    """What is embedded: the heading gives a short sentence its topic."""
    text = f"{p.heading}: {p.text}" if p.heading and p.heading not in p.text else p.text
    return f"{p.context} – {text}" if p.context else text
