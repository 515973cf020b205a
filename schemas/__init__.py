"""Pydantic models at the boundaries: the report formats, the canonical keys, the output record."""
