"""`pipeline extract` as a user runs it: the installed console script on a batch with a bad file."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "evals" / "fixtures"


def pipeline_command() -> list[str]:
    script = Path(sys.executable).with_name("pipeline")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]


def test_batch_with_a_corrupt_file_goes_on(tmp_path: Path) -> None:
    good = shutil.copy(FIXTURES / "002_4a845c3325581b0b.txt", tmp_path / "good.txt")
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n this is not really a pdf")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    output = tmp_path / "out.jsonl"
    done = subprocess.run(
        [*pipeline_command(), "extract", str(broken), str(good), str(empty), "--output", str(output)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    records = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [r["source"] for r in records] == [str(broken), str(good), str(empty)]
    assert "broken.pdf" in records[0]["error"] and records[0]["needs_review"] is True
    assert records[1]["error"] is None and records[1]["fields"]["active.licensing.decisions"] == 1
    assert "empty" in records[2]["error"]
    assert not (tmp_path / "out.jsonl.partial").exists()


def test_unknown_command_line_fails_without_output(tmp_path: Path) -> None:
    done = subprocess.run(
        [*pipeline_command(), "extract", "--output"], capture_output=True, text=True, check=False
    )
    assert done.returncode != 0


def test_an_api_key_alone_keeps_the_offline_reader(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    from pipeline.cli import main

    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.delenv("OPENAI_MODEL", raising=False)
    output = tmp_path / "out.jsonl"
    source = str(FIXTURES / "002_4a845c3325581b0b.txt")
    done = CliRunner().invoke(main, ["extract", source, "--output", str(output)])
    assert done.exit_code == 0, done.output
    assert json.loads(output.read_text(encoding="utf-8"))["backend"] == "rules"

    refused = CliRunner().invoke(main, ["extract", source, "--output", str(output), "--backend", "openai"])
    assert refused.exit_code == 2 and "--model" in refused.output


def test_a_folder_stands_for_the_reports_inside_it(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from pipeline.cli import main

    folder = tmp_path / "reports" / "2021"
    folder.mkdir(parents=True)
    shutil.copy(FIXTURES / "002_4a845c3325581b0b.txt", folder / "b.txt")
    shutil.copy(FIXTURES / "001_de8f091d9f2bb639.txt", folder / "a.txt")
    (folder / "notes.json").write_text("{}", encoding="utf-8")
    output = tmp_path / "out.jsonl"
    done = CliRunner().invoke(main, ["extract", str(tmp_path / "reports"), "--output", str(output)])
    assert done.exit_code == 0, done.output
    sources = [json.loads(line)["source"] for line in output.read_text(encoding="utf-8").splitlines()]
    assert sources == [str(folder / "a.txt"), str(folder / "b.txt")]
