"""Evaluation: fixture cases, a scorer, saved runs compared with a baseline, an HTML report and a
synthetic fixture generator."""
