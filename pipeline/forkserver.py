"""The fork server every worker process comes from.

It imports the reader once, and every worker (and every replacement of a killed one) is forked
from it ready to work. `extract` starts it first thing, so that it imports on the second core
while the command itself starts up.
"""

from __future__ import annotations

import multiprocessing
import sys
from multiprocessing import forkserver

CONTEXT = multiprocessing.get_context("forkserver")


def _reader() -> list[str]:
    """What the fork server imports. Each new worker runs the command's script as multiprocessing
    does (`__mp_main__`): with the `pipeline` command imported here, that costs it ~1 ms rather than
    16 ms of importing click. Not when the command runs as `python -m pipeline.cli`: a worker then
    runs that module itself, and importing it before would make it a second copy (runpy warns)."""
    main = getattr(sys.modules.get("__main__"), "__spec__", None)
    as_module = main is not None and main.name == "pipeline.cli"
    return ["pipeline.worker"] if as_module else ["pipeline.cli", "pipeline.worker"]


READER = _reader()
CONTEXT.set_forkserver_preload(READER)
# The reader's solver (pipeline/read/solver.py) imports OR-Tools' CP-SAT (~0.1 s, ~20 MB with numpy)
# when a table has rows the arithmetic must choose between. A bulk run imports it here, once, its
# pages shared by every worker, and each worker maps the solver's code before its first document
# (`pool.prepare_worker`): else memory would step up somewhere in the corpus. A small run does not
# wait for it before its first worker forks.
SHARED_SOLVER_FROM = 16  # documents
SOLVER = "ortools.sat.python.cp_model_helper"


def preload_export() -> None:
    """For `pipeline export`, whose only processes write parts of the output (pipeline/export.py)."""
    CONTEXT.set_forkserver_preload(["pipeline.export"])


def start_fork_server(documents: int) -> None:
    """Start the fork server now rather than at the first document."""
    preload = list(READER)
    if documents >= SHARED_SOLVER_FROM:
        preload.append(SOLVER)  # a module that cannot be imported is skipped
    CONTEXT.set_forkserver_preload(preload)
    forkserver.ensure_running()
