"""The one mapping between the nested report models and the canonical flat keys."""

from __future__ import annotations

from functools import cache
from typing import Any

from pydantic import BaseModel

from schemas.report import REPORT_MODELS, Report

Value = int | float | str | None


def _leaf_paths(model: type[BaseModel], prefix: str = "") -> list[str]:
    paths: list[str] = []
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            paths.extend(_leaf_paths(annotation, f"{prefix}{name}."))
        else:
            paths.append(f"{prefix}{name}")
    return paths


@cache
def keys_for(template: str) -> tuple[str, ...]:
    """Every canonical key of a format (`"2019"` or `"2021"`), in table order."""
    return tuple(_leaf_paths(REPORT_MODELS[template]))


def all_keys() -> frozenset[str]:
    return frozenset(keys_for("2019")) | frozenset(keys_for("2021"))


def flatten(report: Report) -> dict[str, Value]:
    """Nested model -> {canonical key: value}, every key of the report's format present."""
    flat: dict[str, Value] = {}

    def walk(node: BaseModel, prefix: str) -> None:
        for name in type(node).model_fields:
            value = getattr(node, name)
            if isinstance(value, BaseModel):
                walk(value, f"{prefix}{name}.")
            else:
                flat[f"{prefix}{name}"] = value

    walk(report, "")
    return flat


def unflatten(flat: dict[str, Any], template: str) -> Report:
    """{canonical key: value} -> nested model of `template`; unknown keys are an error."""
    known = set(keys_for(template))
    unknown = sorted(set(flat) - known)
    if unknown:
        raise KeyError(f"keys not in the {template} format: {', '.join(unknown[:5])}")
    nested: dict[str, Any] = {}
    for key, value in flat.items():
        node = nested
        *parents, leaf = key.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = value
    return REPORT_MODELS[template].model_validate(nested)
