"""The one error a loader raises."""

from __future__ import annotations


class LoadError(Exception):
    """A file that cannot be read as a report; the message names the file and the problem."""
