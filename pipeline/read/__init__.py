"""The table reader: a table's text as tokens, aligned to the mandated rows, solved by the arithmetic.

tokens (cells and numeric runs with their spans) -> align (runs to canonical rows) -> candidates
(every reading of a row) -> solver (the readings that satisfy the format's relations across rows)
-> tables / litigation (readings of sections 二, 三 and 四) -> report (the whole document).
"""

from pipeline.read.report import read_report, table_region

__all__ = ["read_report", "table_region"]
