"""Write a run's records from the store: JSON Lines, CSV (wide or long), Parquet, or the store itself.

The format follows the output's extension; an unknown one is an error before anything runs.
Records are read from the store one at a time in input order, given the cross-year findings
against everything in the store, and written to a temporary file that is renamed into place
only when complete, so the file at the output path is always one whole run's.

A large run is written in parts, one per job: helper processes write the later parts to files of
their own while this one writes the first, and the parts are joined in order. The export follows
the last document, so with one process it was the part of a run that more cores never shortened.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import IO, Any, Literal, Protocol

from pipeline.crosscheck import YearFacts, pair_findings
from pipeline.store import ALL_POSITIONS, Store

Shape = Literal["wide", "long"]
FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".parquet": "parquet", ".sqlite": "sqlite"}
DOCUMENT_COLUMNS = ("source", "needs_review", "error")
DOCUMENT_LABELS = {"source": "文件", "needs_review": "需人工复核", "error": "无法读取的原因"}
LONG_COLUMNS = ("source", "key", "value", "confidence", "needs_review", "raw", "page")
PARQUET_ROWS = 512  # rows per row group: memory stays flat in the number of documents
# Records per part at least: a helper process costs ~10 ms to fork and open the store, a record
# ~0.3 ms to write (JSON Lines; CSV more).
PART_RECORDS = 500


class ExportError(Exception):
    """The output cannot be written (unknown extension, unwritable place)."""


@dataclass(frozen=True)
class FieldSpec:
    key: str
    template: str
    type: str  # int, number, str
    label: str


@cache
def spec_fields() -> tuple[FieldSpec, ...]:
    """The canonical fields in `fields.tsv` order (a copy of the contract ships in `schemas/`)."""
    text = files("schemas").joinpath("fields.tsv").read_text(encoding="utf-8")
    return tuple(FieldSpec(**row) for row in csv.DictReader(io.StringIO(text), delimiter="\t"))


# Formats this tool does not write: an output path naming one is refused rather than filled with
# JSON Lines. Any other path gets JSON Lines, the output contract's format (`--output FILE`).
OTHER_FORMATS = frozenset(
    {".xlsx", ".xls", ".ods", ".tsv", ".gz", ".zip", ".bz2", ".xz", ".zst", ".feather", ".arrow", ".db"}
)


def format_of(output: str) -> str:
    """The export format an output path asks for; `-` and any path without a known extension are
    JSON Lines."""
    suffix = Path(output).suffix.lower() if output != "-" else ""
    if suffix in OTHER_FORMATS:
        known = ", ".join(FORMATS)
        raise ExportError(
            f"{output}: unknown output format {suffix!r}; use one of {known} (or any other name)"
        )
    return FORMATS.get(suffix, "jsonl")


# -- records with their cross-year findings -----------------------------------------------------


class Exported:
    """One record on its way out: the JSON as stored (with what this run adds), parsed only if asked.

    JSON Lines copies the stored UTF-8 `line` as it is; only CSV and Parquet pay for parsing ~40 KB
    per record.
    """

    def __init__(self, data: bytes, source: str, findings: list[dict[str, Any]]) -> None:
        self._data, self._source, self._findings = data, source, findings
        self._parsed: dict[str, Any] | None = None

    @property
    def record(self) -> dict[str, Any]:
        if self._parsed is None:
            record: dict[str, Any] = json.loads(self._data)
            if record["source"] != self._source:
                _rename(record, record["source"], self._source)
            record["checks"] = [*record["checks"], *self._findings]
            self._parsed = record
        return self._parsed

    @property
    def line(self) -> bytes:
        """The record's JSON as UTF-8, as json.dumps writes the parsed `record`, without a newline."""
        if self._names_source() and not self._findings:
            return self._data
        if self._names_source() and (spliced := _with_findings(self._data, self._findings)) is not None:
            return spliced
        return json.dumps(self.record, ensure_ascii=False, separators=(",", ":")).encode()

    def _names_source(self) -> bool:
        """Whether the stored record is this source's as it stands: its `"source"` (the first key)
        is this one, within the first 4,096 characters."""
        head = '{"source":' + json.dumps(self._source, ensure_ascii=False) + ","
        return len(head) <= 4096 and self._data.startswith(head.encode())


_CHECKS, _AFTER_CHECKS = b'"checks":[', b'],"confidence":'  # a record's keys, in `Record`'s field order
_NEGATIVE_EXPONENT = re.compile(b"e-")


def _with_findings(data: bytes, findings: list[dict[str, Any]]) -> bytes | None:
    """`data` with `findings` added to its checks, as json.dumps would write the parsed record with
    them: the same, without parsing and re-writing ~40 KB. None when it could differ.

    The first `"checks":[` is the record's own (before it come scalars and `fields`, a flat dict of
    scalars; a quote inside a string is escaped), and a finding holds only strings, so its array
    ends at the first `],"confidence":`.
    """
    if _reformatted(data):
        return None
    start = data.find(_CHECKS) + len(_CHECKS)
    end = data.find(_AFTER_CHECKS, start)
    if start < len(_CHECKS) or end < 0:
        return None
    added = ",".join(json.dumps(finding, ensure_ascii=False, separators=(",", ":")) for finding in findings)
    return data[:end] + (b"," if end > start else b"") + added.encode() + data[end:]


def _reformatted(data: bytes) -> bool:
    """Whether json.dumps(json.loads(data)) might differ from `data`, the JSON pydantic wrote.

    Both escape strings alike and write numbers alike but below 1e-4, where pydantic writes
    `0.00001` and `1e-7` and Python `1e-05` and `1e-07`. Any `0.0000` or digit followed by `e-`
    counts, in strings too: such records take the long way.
    """
    if b"0.0000" in data:
        return True
    exponents = _NEGATIVE_EXPONENT.finditer(data, 1)
    return any(data[match.start() - 1 : match.start()].isdigit() for match in exponents)


def _rename(record: dict[str, Any], stored: str, given: str) -> None:
    """A result stored from a file of the same content elsewhere: its messages name this path."""
    record["source"] = given
    if record.get("error"):
        record["error"] = record["error"].replace(stored, given)
    record["review_reasons"] = [reason.replace(stored, given) for reason in record.get("review_reasons", [])]
    for check in record.get("checks", []):
        check["message"] = check["message"].replace(stored, given)


def run_records(store: Store, run_id: int, positions: range = ALL_POSITIONS) -> Iterator[Exported]:
    """A run's records in input order (those at `positions`), source as given, with the
    cross-year checks over the store."""
    key = store.run(run_id).result_key
    for source, text, agency_key, facts in store.run_records(run_id, positions):
        yield Exported(text, source, _cross_year(store, key, agency_key, facts, source))


def _cross_year(
    store: Store, key: str, agency_key: str | None, facts: YearFacts | None, source: str
) -> list[dict[str, Any]]:
    """E1-E3, E5 against the agency's previous year anywhere in the store (one report of it)."""
    if facts is None or agency_key is None:
        return []
    earlier: YearFacts | None = store.earlier_year(key, agency_key, facts.year - 1)
    if earlier is None:
        return []
    later = facts.model_copy(update={"source": source})
    return [f.model_dump() for f in pair_findings(earlier, later)]


# -- writers ------------------------------------------------------------------------------------------


class RecordWriter(Protocol):
    def write(self, exported: Exported) -> None: ...

    def close(self) -> None: ...


class JsonLinesWriter:
    def __init__(self, stream: IO[bytes]) -> None:
        self._stream = stream

    def write(self, exported: Exported) -> None:
        self._stream.write(exported.line + b"\n")

    def close(self) -> None:
        self._stream.flush()


def _cell(value: Any) -> Any:
    return "" if value is None else value


def long_rows(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One row per numeric field of a record: document, key, value, confidence, review, raw cell, page."""
    provenance = record.get("provenance", {})
    for key, value in record.get("fields", {}).items():
        if key.startswith("meta."):
            continue
        where = provenance.get(key, {})
        yield {
            "source": record["source"],
            "key": key,
            "value": value,
            "confidence": record.get("confidence", {}).get(key),
            "needs_review": record["needs_review"],
            "raw": where.get("raw"),
            "page": where.get("page"),
        }


def wide_row(record: dict[str, Any]) -> dict[str, Any]:
    """One row per document: the document columns, then every canonical field in fields.tsv order."""
    fields = record.get("fields", {})
    row = {column: record.get(column) for column in DOCUMENT_COLUMNS}
    meta = {
        "meta.agency": record.get("agency"),
        "meta.year": record.get("year"),
        "meta.template": record.get("template"),
    }
    row.update(
        {spec.key: meta[spec.key] if spec.key in meta else fields.get(spec.key) for spec in spec_fields()}
    )
    return row


class CsvWriter:
    """UTF-8 with a BOM, so that Excel opens the Chinese right; a later part of a file (`head=False`)
    has neither BOM nor header."""

    def __init__(self, stream: IO[str], shape: Shape, labels: bool, head: bool = True) -> None:
        self._shape = shape
        columns = (
            list(LONG_COLUMNS) if shape == "long" else [*DOCUMENT_COLUMNS, *(s.key for s in spec_fields())]
        )
        self._csv = csv.DictWriter(stream, fieldnames=columns)
        if not head:
            return
        stream.write("\ufeff")
        self._csv.writeheader()
        if labels and shape == "wide":  # a second header row: pandas reads it with skiprows=[1]
            self._csv.writerow(DOCUMENT_LABELS | {spec.key: spec.label for spec in spec_fields()})

    def write(self, exported: Exported) -> None:
        record = exported.record
        rows = long_rows(record) if self._shape == "long" else [wide_row(record)]
        self._csv.writerows({key: _cell(value) for key, value in row.items()} for row in rows)

    def close(self) -> None:
        pass


class ParquetWriter:
    """Typed columns (int64, float64, string, bool), written in row groups as records arrive."""

    def __init__(self, path: Path, shape: Shape) -> None:
        import pyarrow as pa
        import pyarrow.parquet as pq

        self._pa, self._shape = pa, shape
        self.schema = _parquet_schema(shape)
        self._writer = pq.ParquetWriter(path, self.schema)
        self._rows: list[dict[str, Any]] = []

    def write(self, exported: Exported) -> None:
        record = exported.record
        self._rows.extend(long_rows(record) if self._shape == "long" else [wide_row(record)])
        if len(self._rows) >= PARQUET_ROWS:
            self._flush()

    def _flush(self) -> None:
        if self._rows:
            self._writer.write_table(self._pa.Table.from_pylist(self._rows, schema=self.schema))
            self._rows = []

    def close(self) -> None:
        self._flush()
        self._writer.close()


def _parquet_schema(shape: Shape) -> Any:
    import pyarrow as pa

    if shape == "long":
        kinds = [pa.string(), pa.string(), pa.float64(), pa.float64(), pa.bool_(), pa.string(), pa.int64()]
        return pa.schema(list(zip(LONG_COLUMNS, kinds, strict=True)))
    types = {"int": pa.int64(), "number": pa.float64(), "str": pa.string()}
    columns = [("source", pa.string()), ("needs_review", pa.bool_()), ("error", pa.string())]
    return pa.schema(columns + [(spec.key, types[spec.type]) for spec in spec_fields()])


# -- writing a file whole or not at all ----------------------------------------------------------------


WRITE_BACK_EVERY_S = 0.25


@contextmanager
def replaced_atomically(output: Path) -> Iterator[Path]:
    """A temporary path beside `output`, fsync'd and renamed onto it when the block succeeds."""
    temporary = output.with_name(f".{output.name}.{os.getpid()}.tmp")
    try:
        with _written_back(temporary):
            yield temporary
        with open(temporary, "rb+") as done:
            os.fsync(done.fileno())
        os.replace(temporary, output)
        directory = os.open(output.parent, os.O_RDONLY)
        try:
            os.fsync(directory)  # the rename itself survives a crash
        finally:
            os.close(directory)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def _written_back(path: Path) -> Iterator[None]:
    """While the block writes `path`, a thread sends what is written so far to the disk.

    The final fsync then waits for the last quarter second's writing only, not for the whole
    file: 90 MB of JSON Lines after 2,000 documents took 0.2 s to fsync at the end of a run, with
    the second core idle. Any writer of `path` (ours, pyarrow's, SQLite's backup) is covered.
    """
    finished = threading.Event()

    def write_back() -> None:
        while not finished.wait(WRITE_BACK_EVERY_S):
            with suppress(OSError), open(path, "rb+") as written:  # not there yet, or gone
                os.fsync(written.fileno())

    thread = threading.Thread(target=write_back, name="write-back", daemon=True)
    thread.start()
    try:
        yield
    finally:
        finished.set()
        thread.join()


def export_run(
    store: Store, run_id: int, output: str, shape: Shape = "wide", labels: bool = False, jobs: int = 1
) -> int:
    """Write run `run_id` of `store` to `output` in the format of its extension, with up to `jobs`
    processes; returns the record count."""
    kind = format_of(output)
    parts = _parts(store.run(run_id).inputs or 0, jobs if kind in ("jsonl", "csv") else 1)
    if output == "-":
        sys.stdout.flush()  # the lines go to the bytes beneath it
        return _write_parts(store, run_id, sys.stdout.buffer, _PartFormat(kind, shape, labels), parts)
    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    if kind == "sqlite":
        if path.resolve() != store.path.resolve():
            with replaced_atomically(path) as temporary:
                store.backup_to(temporary)
        return store.run(run_id).inputs or 0
    with replaced_atomically(path) as temporary:
        if kind == "parquet":
            return _write_all(store, run_id, ParquetWriter(temporary, shape))
        with temporary.open("wb") as stream:
            return _write_parts(store, run_id, stream, _PartFormat(kind, shape, labels), parts)


def _write_all(store: Store, run_id: int, writer: RecordWriter, positions: range = ALL_POSITIONS) -> int:
    count = 0
    for exported in run_records(store, run_id, positions):
        writer.write(exported)
        count += 1
    writer.close()
    return count


# -- a run in parts, written side by side -------------------------------------------------------------


@dataclass(frozen=True)
class _PartFormat:
    """How a part is written: JSON Lines or CSV (the first part alone with the CSV's BOM and header)."""

    kind: str  # "jsonl" or "csv"
    shape: Shape
    labels: bool

    def write(self, store: Store, run_id: int, positions: range, stream: IO[bytes], first: bool) -> int:
        if self.kind == "jsonl":
            return _write_all(store, run_id, JsonLinesWriter(stream), positions)
        text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=True)
        try:
            return _write_all(store, run_id, CsvWriter(text, self.shape, self.labels, first), positions)
        finally:
            text.detach()  # the stream stays open for the parts after this one


def _parts(inputs: int, jobs: int) -> list[range]:
    """The run's input positions in up to `jobs` consecutive parts of `PART_RECORDS` or more; the last
    part runs on to the end, so a run whose count of inputs is not known is written whole."""
    count = max(1, min(jobs, inputs // PART_RECORDS))
    starts = [inputs * part // count for part in range(count)]
    return [range(start, stop) for start, stop in zip(starts, [*starts[1:], ALL_POSITIONS.stop], strict=True)]


def _write_parts(store: Store, run_id: int, stream: IO[bytes], form: _PartFormat, parts: list[range]) -> int:
    """The run's records to `stream`: the first part from here, the others from helper processes
    into files of their own meanwhile, then copied after it in order."""
    if len(parts) == 1:
        return form.write(store, run_id, parts[0], stream, first=True)
    from pipeline.forkserver import CONTEXT  # the bulk run's fork server: its helpers start in ~ms

    with (
        tempfile.TemporaryDirectory(prefix=".export-", dir=store.path.parent) as folder,
        ProcessPoolExecutor(len(parts) - 1, mp_context=CONTEXT) as helpers,
    ):
        files = [Path(folder) / f"part-{number}" for number in range(1, len(parts))]
        later = [
            helpers.submit(_write_part_file, store.path, run_id, form, positions, file)
            for positions, file in zip(parts[1:], files, strict=True)
        ]
        count = form.write(store, run_id, parts[0], stream, first=True)
        for written, file in zip(later, files, strict=True):
            count += written.result()
            with file.open("rb") as part:
                shutil.copyfileobj(part, stream, _COPY_CHUNK)
    return count


_COPY_CHUNK = 2**20


def _write_part_file(store_path: Path, run_id: int, form: _PartFormat, positions: range, file: Path) -> int:
    """A helper process's part: its records written to `file`."""
    from pipeline.store import Store  # in a helper, as in the command

    with Store(store_path, checkpoints=False) as store, file.open("wb") as stream:
        return form.write(store, run_id, positions, stream, first=False)


# -- one run per output at a time; an earlier run's output is never taken for this one's --------------


@contextmanager
def output_lock(output: str) -> Iterator[None]:
    """Hold `<output>.lock` for the run; a second run on the same output is refused, naming the holder.

    The lock is an OS file lock, so a killed run (kill -9 included) releases it by dying.
    """
    if output == "-":
        yield
        return
    import fcntl

    path = Path(output)
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(path.name + ".lock")
    with lock.open("a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            message = (
                f"{output}: another run ({holder}) is writing this output; wait for it or use another -o"
            )
            raise ExportError(message) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}\n")
        handle.flush()
        yield  # the lock file stays: removing it would let two runs lock two different files


def set_aside(output: str) -> Path | None:
    """Move an earlier run's output to `<output>.previous` so that, until this run finishes, nothing
    at the output path can be mistaken for its result."""
    path = Path(output)
    if output == "-" or format_of(output) == "sqlite" or not path.exists():
        return None
    previous = path.with_name(path.name + ".previous")
    os.replace(path, previous)
    return previous
