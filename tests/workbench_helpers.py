"""Shared by the workbench tests: a run's results made by the real pipeline, a real server process."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from pipeline.run import extract_paths
from pipeline.settings import Settings
from pipeline.workbench.recheck import rerun
from schemas.finding import Finding
from schemas.record import Record

REPO = Path(__file__).resolve().parent.parent
SYNTH = REPO / "evals" / "fixtures" / "synthetic"
DOCUMENT = "synth-1-004-tab_rows-2019"  # a TAB-rows report the current reader reads right
AMBIGUOUS_KEY = "applications.granted.total"  # printed 17
AMBIGUOUS_CANDIDATES: list[int | float | str | None] = [71, 17]
MISREAD_KEY = "applications.new_received.other_org"  # printed 22
MISREAD_VALUE = 2
TRUE_VALUES = {AMBIGUOUS_KEY: 17, MISREAD_KEY: 22}


def extract(paths: list[Path]) -> list[Record]:
    return extract_paths([str(p) for p in paths], Settings(backend="rules"))


def as_an_older_reader_left_it(record: Record) -> Record:
    """The record with one cell left ambiguous and one digit lost, as a weaker reader would leave them.

    Which documents the reader finds ambiguous changes as the reader improves; the workbench only
    reads the record contract, so the test fixes the doubtful cells itself and keeps the rest real.
    """
    record = record.model_copy(deep=True)
    record.fields[AMBIGUOUS_KEY] = None
    record.candidates = {AMBIGUOUS_KEY: list(AMBIGUOUS_CANDIDATES)}
    record.fields[MISREAD_KEY] = MISREAD_VALUE
    record.confidence.update({AMBIGUOUS_KEY: 0.0, MISREAD_KEY: 0.5})
    ambiguous = Finding(
        rule="ambiguous", severity="error", fields=[AMBIGUOUS_KEY], message="two readings fit: 71 or 17"
    )
    record.checks = [ambiguous, *rerun(record, {})]
    record.needs_review = True
    record.review_reasons = ["ambiguous: applications.granted.total", "S2 failed: applications.new_received"]
    return record


def write_results(records: list[Record], path: Path) -> Path:
    path.write_text("".join(r.model_dump_json() + "\n" for r in records), encoding="utf-8")
    return path


def flagged_run(folder: Path) -> tuple[Path, Path]:
    """Results of a run over one real report (in `folder`), flagged as above; returns (results, document)."""
    folder.mkdir(parents=True, exist_ok=True)
    document = folder / f"{DOCUMENT}.txt"
    shutil.copyfile(SYNTH / f"{DOCUMENT}.txt", document)
    (record,) = extract([document])
    return write_results([as_an_older_reader_left_it(record)], folder / "results.jsonl"), document


@dataclass
class Server:
    url: str  # as printed, token included if any
    process: subprocess.Popen[str]

    @property
    def base(self) -> str:
        parts = urllib.parse.urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"


@contextmanager
def running(results: Path, db: Path, *extra: str) -> Iterator[Server]:
    """`pipeline review RESULTS` as a real process on a free port; killed at the end."""
    command = [sys.executable, "-m", "pipeline.cli", "review", str(results), "--port", "0", "--db", str(db)]
    process = subprocess.Popen(
        [*command, "--who", "tester", *extra],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        yield Server(_printed_url(process), process)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        if process.stdout:
            process.stdout.close()


def _printed_url(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    deadline = time.monotonic() + 60
    seen = []
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line and process.poll() is not None:
            break
        seen.append(line)
        match = re.search(r"review workbench: (http://\S+)", line)
        if match:
            _wait_until_listening(match.group(1))
            return match.group(1)
    raise RuntimeError("the workbench did not start: " + "".join(seen))


def _wait_until_listening(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            fetch(url)
            return
        except (ConnectionError, urllib.error.URLError):
            time.sleep(0.1)
    raise RuntimeError(f"{url} does not answer")


@dataclass
class Answer:
    status: int
    body: str
    headers: dict[str, str]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def fetch(url: str, data: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Answer:
    """GET (or POST a form) without following redirects; HTTP errors are answers too."""
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    request = urllib.request.Request(url, data=body, headers=headers or {})
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return Answer(response.status, response.read().decode(errors="replace"), dict(response.headers))
    except urllib.error.HTTPError as error:
        return Answer(error.code, error.read().decode(errors="replace"), dict(error.headers))


def csrf_of(page: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', page)
    assert match, "no CSRF token in the page"
    return match.group(1)


def document_links(page: str) -> list[str]:
    return re.findall(r'href="(/doc/[0-9a-f]+)"', page)
