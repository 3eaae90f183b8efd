"""First names → "f" / "m", from the name statistics that ship inside the `nomquamgender`
package (MIT; counts of gendered first names from many countries). Only names that are
common (≥ 30 people) and clearly one or the other (≥ 90 %) get an answer; the rest — and
every name when the package is missing — get None, and the greeting then uses the full name.

The package's own module parses its 22 MB table at import (~300 MB). Reading it with a
regular expression took ~1 s at every start of `assistenz` and of its triage worker, so the
compact answer (77,000 names, 200 kB) ships as `first_names.tsv.gz`, made from the package
by `python -m evals.make_names` (a test checks it still says what the package says); without
that file the package's table is read as before.
"""

from __future__ import annotations

import gzip
import importlib.util
import logging
import re
import threading
import unicodedata
from functools import lru_cache
from pathlib import Path

log = logging.getLogger(__name__)
SHIPPED = Path(__file__).with_name("first_names.tsv.gz")
_ENTRY = re.compile(r'"([^"\\]+)": \[(\d+), (\d+), ([\d.]+)')
MIN_COUNT = 30
CLEAR = 0.1


def _ascii(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name.lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("ß", "ss")


def _table_path() -> Path | None:
    spec = importlib.util.find_spec("nomquamgender")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(next(iter(spec.submodule_search_locations))) / "name_data.json"
    return path if path.is_file() else None


class FirstNames:
    """`gender_of(first_name)` for the greeting; loads the table on first use."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path
        self._table: dict[str, str] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, str]:
        if self._path is None and SHIPPED.is_file():
            with gzip.open(SHIPPED, "rt", encoding="utf-8") as f:
                return dict(line.rstrip("\n").split("\t", 1) for line in f if "\t" in line)
        return self.from_package()

    def from_package(self) -> dict[str, str]:
        path = self._path or _table_path()
        if path is None:
            log.warning("names: nomquamgender is not installed; greetings use full names")
            return {}
        table: dict[str, str] = {}
        text = path.read_text(encoding="utf-8")
        for m in _ENTRY.finditer(text):
            count, p = int(m.group(3)), float(m.group(4))
            if count >= MIN_COUNT and (p <= CLEAR or p >= 1 - CLEAR) and m.group(1).isalpha():
                table[m.group(1)] = "f" if p >= 0.5 else "m"
        return table

    def __call__(self, first_name: str) -> str | None:
        with self._lock:
            if self._table is None:
                self._table = self._load()
        name = first_name.split("-")[0].strip()
        return self._table.get(_ascii(name)) if name else None


@lru_cache(maxsize=1)
def first_names() -> FirstNames:
    """One table per process."""
    return FirstNames()


def write_shipped(path: Path = SHIPPED) -> int:
    """The compact table from the installed package, for shipping; returns its size."""
    table = FirstNames(_table_path()).from_package()
    lines = "".join(f"{name}\t{table[name]}\n" for name in sorted(table))
    with gzip.GzipFile(path, "wb", mtime=0) as f:  # mtime 0: the same bytes every time
        f.write(lines.encode("utf-8"))
    return len(table)
