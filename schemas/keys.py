"""The one mapping between the nested report models and the canonical flat keys."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from schemas.report import REPORT_MODELS, Report

Value = int | float | str | None


@cache
def keys_for(template: str) -> tuple[str, ...]:
    """Every canonical key of a format (`"2019"` or `"2021"`)."""
    return tuple(flatten(REPORT_MODELS[template]()))


def flatten(model: BaseModel, prefix: str = "") -> dict[str, Value]:
    """Nested model -> {canonical key: value}; `prefix` places a section model (e.g. "active.")."""
    flat: dict[str, Value] = {}
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            flat.update(flatten(value, f"{prefix}{name}."))
        else:
            flat[f"{prefix}{name}"] = value
    return flat


def unflatten(flat: dict[str, Any], template: str) -> Report:
    """{canonical key: value} -> nested model of `template`; unknown keys are an error."""
    known = set(keys_for(template))
    unknown = sorted(set(flat) - known)
    if unknown:
        raise KeyError(f"keys not in the {template} format: {', '.join(unknown[:5])}")
    return REPORT_MODELS[template].model_validate(nest(flat))


def nest(flat: dict[str, Any]) -> dict[str, Any]:
    """{"a.b.c": v} -> {"a": {"b": {"c": v}}}: canonical keys as the paths of nested models."""
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        node = nested
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return nested
