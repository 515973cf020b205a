"""What a worker process does with one document: extract it and hand back a storable result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from pipeline.run import extract_document
from pipeline.settings import Settings
from pipeline.store import StoredResult, failed_result, stored_result

if TYPE_CHECKING:
    from pipeline.llm import Backend


def extract_to_result(
    path: str, content: str, settings: Settings, backend: Backend | None = None
) -> StoredResult:
    """Extract one document; every failure is a record naming the file, never an exception."""
    try:
        record = extract_document(path, settings, backend)
    except MemoryError:
        return failed_result(path, content, f"{path}: out of memory while reading (worker memory limit)")
    return stored_result(record, content)
