"""Opt-in compiled build: with GOV_REPORT_MYPYC=1, the reader's hot modules are compiled by mypyc.

Everything else about the package is in pyproject.toml. Without the variable this adds nothing and
the package stays pure Python, as the editable dev install must (a compiled module next to its
source would shadow every later edit of the .py). The compiled build is a plain, non-editable
install, built with the environment's own mypy (the dev extra) and a setuptools that builds wheels
by itself (>= 70.1; a new venv has 65):

    .venv/bin/pip install 'setuptools>=70.1'
    GOV_REPORT_MYPYC=1 .venv/bin/pip install --no-build-isolation '.[dev]'

`.venv/bin/pip install -e '.[dev]'` goes back to the pure-Python dev install.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

# The rules path's per-document work (README: bulk runs), and `schemas.reading`, whose classes the
# readers build by the hundred a document. Left out: modules that define pydantic models (mypyc 2.4
# writes C for their metaclass that does not compile) or a dataclass that pydantic validates
# (`schemas.record.Provenance`: compiled, its fields lose their annotations); read.solver, whose
# time is OR-Tools' own; and modules whose compilation measured no gain (sections, narrative,
# load.*, schemas.layout: their time is in str methods and regular expressions). A compiled
# module's dataclasses write their __init__ out: the one `dataclasses` generates is interpreted.
COMPILED = [
    "pipeline/read/__init__.py",
    "pipeline/read/align.py",
    "pipeline/read/candidates.py",
    "pipeline/read/columns.py",
    "pipeline/read/glued.py",
    "pipeline/read/litigation.py",
    "pipeline/read/report.py",
    "pipeline/read/tables.py",
    "pipeline/read/tokens.py",
    "pipeline/ground.py",
    "pipeline/load/html.py",
    "pipeline/load/layout.py",
    "pipeline/review.py",
    "pipeline/run.py",
    "pipeline/validate.py",
    "schemas/reading.py",
]


def _ext_modules() -> list[object]:
    if os.environ.get("GOV_REPORT_MYPYC", "") in ("", "0"):
        return []
    if {"editable_wheel", "develop"} & set(sys.argv):
        raise SystemExit(
            "GOV_REPORT_MYPYC: a compiled build is not editable (a .so would shadow the edited .py); "
            "install it with `pip install --no-build-isolation .`"
        )
    if not {"build", "build_ext", "bdist_wheel", "install"} & set(sys.argv):
        return []  # metadata (egg_info, dist_info) needs no compilation: the type check runs once
    try:
        from mypyc.build import mypycify
    except ImportError as error:
        raise SystemExit(
            "GOV_REPORT_MYPYC needs mypy in the build environment: install the dev extra first and "
            "build with `pip install --no-build-isolation .`"
        ) from error
    return list(mypycify(COMPILED, opt_level="3", group_name="pipeline_native"))


setup(ext_modules=_ext_modules())
