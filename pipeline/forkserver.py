"""The fork server every worker process comes from.

It imports the reader once, and every worker (and every replacement of a killed one) is forked
from it ready to work. `extract` starts it first thing, so that it imports on the second core
while the command itself starts up.
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver

CONTEXT = multiprocessing.get_context("forkserver")
# Not OR-Tools: the reader's solver (pipeline/read/solver.py) imports it (~0.6 s, ~115 MB) only
# when a table has rows the arithmetic must choose between, which most documents do not; preloaded
# here it would make every run, a one-document run too, wait for it before the first worker forks.
CONTEXT.set_forkserver_preload(["pipeline.worker"])


def start_fork_server() -> None:
    """Start the fork server now rather than at the first document."""
    forkserver.ensure_running()
