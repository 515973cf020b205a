"""Progress of long work inside one document, for the worker's deadline.

A worker process is killed when its document shows no progress within the deadline: a hang costs
one deadline, while a long scan read by OCR page after page, each page a few seconds, is never
cut off half way. OCR reports each page it read; the worker passes the news on to the parent.
Outside a worker nobody listens and a report costs nothing.
"""

from __future__ import annotations

from collections.abc import Callable

_listener: Callable[[], None] | None = None


def listen(listener: Callable[[], None] | None) -> None:
    """Have `listener` called at every report (None: stop listening). One per process."""
    global _listener
    _listener = listener


def report() -> None:
    """Some part of the document's work is done."""
    if _listener is not None:
        _listener()
