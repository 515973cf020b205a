"""The fork server every worker process comes from.

It imports the reader once, and every worker (and every replacement of a killed one) is forked
from it ready to work. `extract` starts it first thing, so that it imports on the second core
while the command itself starts up.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver

CONTEXT = multiprocessing.get_context("forkserver")
# The reader's solver (pipeline/read/solver.py) imports OR-Tools (~115 MB) only when a document
# needs it; imported here once, its pages are shared by every worker instead of being added to
# each worker by the first such document. (A module that cannot be imported is skipped.)
CONTEXT.set_forkserver_preload(["pipeline.worker", "ortools.sat.python.cp_model"])


def start_fork_server() -> None:
    """Start the fork server now rather than at the first document."""
    forkserver.ensure_running()
