"""Prompts and text templates live as files under `prompts/`, never as strings in code.

A template file starts with a front matter block naming its version and variables:

    ---
    version: 3
    variables: [greeting, signature]
    ---
    {{ greeting }} …

`render()` refuses unknown and missing variables, so a template and its caller cannot drift
apart silently. Tables (YAML files such as the explanation phrases) carry a `version` key.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import jinja2
import yaml

_ENV = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False,
                          keep_trailing_newline=False, trim_blocks=True, lstrip_blocks=True)


class PromptError(Exception):
    pass


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    variables: frozenset[str]
    text: str

    @property
    def id(self) -> str:
        """What decisions record: the file and its version."""
        return f"{self.name}@v{self.version}"

    def render(self, **values: Any) -> str:
        missing = self.variables - values.keys()
        unknown = values.keys() - self.variables
        if missing or unknown:
            raise PromptError(f"{self.name}: missing {sorted(missing)}, unknown {sorted(unknown)}")
        return _ENV.from_string(self.text).render(**values).strip() + "\n"


def _read(relative: str) -> str:
    path = resources.files("prompts").joinpath(relative)
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PromptError(f"no prompt file prompts/{relative}") from None


def exists(name: str) -> bool:
    return resources.files("prompts").joinpath(f"{name}.txt").is_file()


@lru_cache(maxsize=256)
def load_prompt(name: str) -> Prompt:
    raw = _read(f"{name}.txt")
    if not raw.startswith("---\n"):
        raise PromptError(f"prompts/{name}.txt: missing front matter")
    head, _, body = raw[4:].partition("\n---\n")
    meta = yaml.safe_load(head) or {}
    if not isinstance(meta.get("version"), int):
        raise PromptError(f"prompts/{name}.txt: front matter needs an integer 'version'")
    return Prompt(name=name, version=meta["version"],
                  variables=frozenset(meta.get("variables") or []), text=body)


@lru_cache(maxsize=64)
def load_table(name: str) -> dict[str, Any]:
    data = yaml.safe_load(_read(f"{name}.yaml"))
    if not isinstance(data, dict) or not isinstance(data.get("version"), int):
        raise PromptError(f"prompts/{name}.yaml: needs a mapping with an integer 'version'")
    return data


def all_prompt_names() -> list[str]:
    root = resources.files("prompts")
    names: list[str] = []

    def walk(node: Any, prefix: str) -> None:
        for child in node.iterdir():
            if child.is_dir() and not child.name.startswith(("_", ".")):
                walk(child, f"{prefix}{child.name}/")
            elif child.name.endswith(".txt"):
                names.append(prefix + child.name[:-4])

    walk(root, "")
    return sorted(names)
