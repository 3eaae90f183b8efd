"""Issue 11: no regular expression in the hot path is worse than linear.

Every compiled pattern of the modules a message passes through (agent/, core/, the ingest
peek) and every literal pattern passed to `re.*` in their source is run over hostile
inputs: long runs of each character class, repeated pairs, and the pattern's own words
repeated or followed by long runs. A pattern whose time grows faster than linearly is
caught by running the suspicious ones again on four times the input (linear: ~4×,
quadratic: ~16×). This is the test that found the quadratic ones fixed in issue 11."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGES = ("agent", "core")
EXTRA_MODULES = ("tools.store.peek", "tools.files")
N = 4_000
SUSPICIOUS = 0.02  # seconds at N: run again at 4N
RATIO = 9.0  # 4× the input may cost at most this many times the time (linear: ~4)

_SINGLE = " \t\n-.,:;@<>=?*'\"()[]/\\_+#!|aZ1äß\u200b"
_RUNS = [*_SINGLE,
    "a ", "a.", "1.", "a-", "=?", "<a", "a@", "-\n", " \n", "a\n", "ab ", "1 ", "1,", "a,",
    ". ", "\n\n ", "<!--", "[a", "a:", "x=", "=?x", "\n>", "a\t", "@a.", "a b", "e ",
]


def _patterns_in(value: object, seen: set[int]) -> Iterator[re.Pattern[str] | re.Pattern[bytes]]:
    if id(value) in seen:
        return
    seen.add(id(value))
    if isinstance(value, re.Pattern):
        yield value
    elif isinstance(value, list | tuple | set | frozenset):
        for v in value:
            yield from _patterns_in(v, seen)
    elif isinstance(value, dict):
        for v in list(value.keys()) + list(value.values()):
            yield from _patterns_in(v, seen)


def _modules() -> list[str]:
    names = list(EXTRA_MODULES)
    for pkg in PACKAGES:
        mod = importlib.import_module(pkg)
        names += [m.name for m in pkgutil.walk_packages(mod.__path__, f"{pkg}.")]
    return sorted(set(names))


def _literal_patterns(path: Path) -> Iterator[tuple[str, int]]:
    """re.compile/search/match/sub/… called with a string literal in the source."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name) and node.func.value.id == "re"
                and node.args and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)):
            flags = 0
            for kw in node.keywords:
                if kw.arg == "flags":
                    flags = re.I
            yield node.args[0].value, flags


def all_patterns() -> dict[str, re.Pattern[str] | re.Pattern[bytes]]:
    found: dict[str, re.Pattern[str] | re.Pattern[bytes]] = {}
    for name in _modules():
        mod = importlib.import_module(name)
        seen: set[int] = set()
        for attr, value in vars(mod).items():
            for i, p in enumerate(_patterns_in(value, seen)):
                found[f"{name}.{attr}[{i}]"] = p
        compiled = {p.pattern for p in found.values()}
        path = Path(mod.__file__ or "")
        if path.suffix == ".py":
            for i, (src, flags) in enumerate(_literal_patterns(path)):
                if src in compiled:
                    continue  # the module-level pattern, already collected
                try:
                    found[f"{name}:literal[{i}]"] = re.compile(src, flags)
                except re.error:
                    continue
    return found


PATTERNS = all_patterns()


def _words(p: re.Pattern[str] | re.Pattern[bytes]) -> list[str]:
    src = p.pattern.decode("latin-1") if isinstance(p.pattern, bytes) else p.pattern
    words = re.findall(r"[A-Za-zÀ-ÿ]{2,}", src)
    return sorted(set(words), key=len, reverse=True)[:6]


def inputs(p: re.Pattern[str] | re.Pattern[bytes], n: int) -> Iterator[str]:
    for run in _RUNS:
        yield run * (n // len(run))
    for w in _words(p):
        yield (w + " ") * (n // (len(w) + 1))
        yield w + " " * n
        yield w * (n // len(w))
        yield (w + ":") * (n // (len(w) + 1))
        yield w + "a" * n


def cost(p: re.Pattern[str] | re.Pattern[bytes], text: str) -> float:
    data: str | bytes = text.encode("utf-8") if isinstance(p.pattern, bytes) else text
    started = time.perf_counter()
    for _ in p.finditer(data):  # type: ignore[arg-type]
        pass
    p.match(data)  # type: ignore[arg-type]
    return time.perf_counter() - started


def test_the_hot_path_has_patterns() -> None:
    assert len(PATTERNS) > 100  # the collection itself works


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_pattern_is_linear_on_hostile_input(name: str) -> None:
    p = PATTERNS[name]
    for text in inputs(p, N):
        small = cost(p, text)
        if small < SUSPICIOUS:
            continue
        big_text = inputs(p, 4 * N)  # the same family, four times as long
        big = cost(p, next(t for t in big_text if t[:20] == text[:20] and len(t) > len(text)))
        assert big < RATIO * max(small, SUSPICIOUS / 2), (name, text[:30], small, big)
