"""Synthetic fixtures: reports whose values obey the format's arithmetic, rendered in the layouts and
with the noise of template.md §6, each written beside its label.

Values are drawn first (the filer's truth), then every cell gets its printed text; a blank cell or a
lost row makes the label null, "无" makes it 0, money is labelled in 万元 whatever the cell says.
"""

from evals.synth.cases import ALL, CLASSIC, LAYOUTS, generate, write_case
from evals.synth.noise import NOISE
from evals.synth.text import glue_recoverable
from evals.synth.values import broken_relations

__all__ = [
    "ALL",
    "CLASSIC",
    "LAYOUTS",
    "NOISE",
    "broken_relations",
    "generate",
    "glue_recoverable",
    "write_case",
]
