"""The review workbench: a local web application where a person decides the doubtful cells of a run.

Not to be confused with `pipeline/review.py`, the stage that scores confidence and routes documents
to review; this package is where the routed documents are then looked at.
"""

from pipeline.workbench.app import Settings, create_app
from pipeline.workbench.server import serve

__all__ = ["Settings", "create_app", "serve"]
