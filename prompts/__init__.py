"""Prompt templates as versioned files (`<name>.v<N>.md`), rendered strictly."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from hashlib import sha256
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from jinja2 import Environment


@dataclass(frozen=True)
class Prompt:
    name: str
    version: int
    sha256: str  # of the template file: a changed file is a changed prompt
    text: str


def render(name: str, version: int, **variables: str) -> Prompt:
    """The rendered prompt; a missing or an unexpected variable is an error."""
    from jinja2 import meta

    source = (Path(__file__).parent / f"{name}.v{version}.md").read_text(encoding="utf-8")
    expected = meta.find_undeclared_variables(_environment().parse(source))
    if expected != set(variables):
        raise TypeError(f"prompt {name}.v{version} takes {sorted(expected)}, got {sorted(variables)}")
    text = _environment().from_string(source).render(**variables)
    return Prompt(name, version, sha256(source.encode("utf-8")).hexdigest(), text)


@cache
def _environment() -> Environment:
    """Jinja's, made at the first prompt: the rules path renders none, and jinja2 costs a worker
    ~50 ms to import."""
    from jinja2 import Environment, StrictUndefined

    return Environment(undefined=StrictUndefined, keep_trailing_newline=True, autoescape=False)
