"""The answer cache: its key, JSON-only storage, owner-only directory, and no request on a hit."""

from __future__ import annotations

import json
import pickle
import sqlite3
import stat
from pathlib import Path
from typing import Any

import diskcache
import pytest
from llm_fakes import ScriptedEndpoint, completion, settings

from pipeline import llm
from pipeline.llm import cache as cache_module
from pipeline.llm.backend import ModelError, ModelRequest
from pipeline.llm.cache import CachedBackend, cache_key
from pipeline.llm.openai_backend import OpenAIBackend
from pipeline.llm.tasks import TABLE_TASKS
from schemas.report import Outcomes, ReviewLitigation

TEXT = "\t行政复议\n结果维持\t结果纠正\t其他结果\t尚未审结\t总计\n" + "\t".join("210031000100000")
GOOD = {"review": {"upheld": 2, "corrected": 1, "other": 0, "pending": 0, "total": 3}}
REQUEST = TABLE_TASKS[2].request("2021", TEXT)


def _key(
    tmp_path: Path, request: ModelRequest = REQUEST, schema: type[Any] = ReviewLitigation, **changes: Any
) -> str:
    return cache_key(OpenAIBackend(settings(tmp_path, **changes)).identity(), request, schema)


def test_a_second_identical_request_is_answered_from_disk_without_a_request(tmp_path: Path) -> None:
    endpoint = ScriptedEndpoint(completion(GOOD))  # a second request would find no reply
    backend = CachedBackend(OpenAIBackend(settings(tmp_path), http_client=endpoint.client()), tmp_path / "c")
    first = backend.complete(REQUEST, ReviewLitigation)
    second = backend.complete(REQUEST, ReviewLitigation)

    assert len(endpoint.requests) == 1
    assert not first.cached and second.cached
    assert second.parsed == first.parsed and type(second.parsed) is ReviewLitigation
    assert (second.usage.calls, second.usage.cached_calls, second.usage.prompt_tokens) == (1, 1, 0)


def test_accepted_findings_come_back_from_the_cache(tmp_path: Path) -> None:
    text = "\t行政复议\n" + "\t".join("210041000100000")
    request = TABLE_TASKS[2].request("2021", text)
    answer = {"review": {"upheld": 2, "corrected": 1, "other": 0, "pending": 0, "total": 4}}
    endpoint = ScriptedEndpoint(*(completion(answer) for _ in range(3)))
    backend = CachedBackend(OpenAIBackend(settings(tmp_path), http_client=endpoint.client()), tmp_path / "c")
    first = backend.complete(request, ReviewLitigation)

    assert backend.complete(request, ReviewLitigation).findings == first.findings != ()


def test_a_failed_request_is_not_cached(tmp_path: Path) -> None:
    bad = {"review": {"upheld": 9, "total": 3}}
    endpoint = ScriptedEndpoint(*(completion(bad) for _ in range(3)), completion(GOOD))
    backend = CachedBackend(
        OpenAIBackend(settings(tmp_path, max_reasks=2), http_client=endpoint.client()), tmp_path / "c"
    )
    with pytest.raises(ModelError):
        backend.complete(REQUEST, ReviewLitigation)
    assert backend.complete(REQUEST, ReviewLitigation).parsed.review.upheld == 2
    assert len(endpoint.requests) == 4


@pytest.mark.parametrize(
    "change",
    [
        {"base_url": "http://other.test/v1"},
        {"model": "gpt-4o"},
        {"temperature": 0.5},
        {"max_output_tokens": 512},
        {"mode": "tools"},
        {"max_reasks": 5},
    ],
)
def test_changing_one_backend_ingredient_misses(tmp_path: Path, change: dict[str, Any]) -> None:
    assert _key(tmp_path, **change) != _key(tmp_path)


def test_changing_the_request_the_schema_or_the_checks_misses(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = _key(tmp_path)
    other_text = TABLE_TASKS[2].request("2021", TEXT + "\n")
    assert _key(tmp_path, request=other_text) != base
    assert (
        _key(tmp_path, request=REQUEST.model_copy(update={"prompt_version": REQUEST.prompt_version + 1}))
        != base
    )
    assert _key(tmp_path, request=REQUEST.model_copy(update={"prompt_sha256": "0" * 64})) != base
    assert _key(tmp_path, schema=Outcomes) != base
    monkeypatch.setattr(cache_module, "VALIDATOR_VERSION", "changed")
    assert _key(tmp_path) != base


def test_the_key_does_not_depend_on_the_local_server_port(tmp_path: Path) -> None:
    first = _key(tmp_path, backend="local", base_url="http://127.0.0.1:40001/v1")
    assert _key(tmp_path, backend="local", base_url="http://127.0.0.1:40002/v1") == first


def test_the_cache_holds_json_never_pickle_in_an_owner_only_directory(tmp_path: Path) -> None:
    directory = tmp_path / "c"
    endpoint = ScriptedEndpoint(completion(GOOD))
    backend = CachedBackend(OpenAIBackend(settings(tmp_path), http_client=endpoint.client()), directory)
    backend.complete(REQUEST, ReviewLitigation)
    backend.close()

    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    with sqlite3.connect(directory / "cache.db") as db:
        rows = db.execute("SELECT mode, value, filename FROM Cache").fetchall()
    assert len(rows) == 1
    mode, value, filename = rows[0]
    assert mode != 4  # diskcache's MODE_PICKLE
    raw = value if filename is None else (directory / filename).read_text(encoding="utf-8")
    stored = json.loads(raw)
    assert stored["answer"]["review"]["total"] == 3 and stored["findings"] == []


def test_open_backend_caches_unless_told_not_to(tmp_path: Path) -> None:
    with llm.open_backend(settings(tmp_path)) as cached:
        assert isinstance(cached, CachedBackend)
    assert (tmp_path / "cache" / "llm" / "cache.db").exists()
    with llm.open_backend(settings(tmp_path, use_cache=False)) as direct:
        assert isinstance(direct, OpenAIBackend)
    with llm.open_backend(settings(tmp_path, backend="rules")) as none:
        assert none is None


class _Planted:
    """A pickle that, if ever loaded, writes a marker file (what an attacker's payload would do)."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        return (Path.write_text, (self.marker, "executed"))


@pytest.mark.parametrize("large", [False, True], ids=["inline", "file"])
def test_a_planted_pickle_is_never_loaded_and_is_deleted(tmp_path: Path, large: bool) -> None:
    directory, marker = tmp_path / "c", tmp_path / "marker"
    key = _key(tmp_path)
    control = tmp_path / "control"
    pickle.loads(pickle.dumps(_Planted(control)))  # the payload works when it is unpickled
    assert control.read_text() == "executed"
    # Plant with diskcache's default (pickling) disk, as someone with write access could.
    planted = diskcache.Cache(str(directory), disk_min_file_size=0 if large else 2**20)
    planted.set(key, _Planted(marker))
    planted.close()
    with sqlite3.connect(directory / "cache.db") as db:
        assert db.execute("SELECT mode FROM Cache").fetchall() == [(4,)]  # MODE_PICKLE

    endpoint = ScriptedEndpoint(completion(GOOD))
    backend = CachedBackend(OpenAIBackend(settings(tmp_path), http_client=endpoint.client()), directory)
    answer = backend.complete(REQUEST, ReviewLitigation)
    backend.close()

    assert not marker.exists()
    assert not answer.cached and len(endpoint.requests) == 1  # a miss: asked the model
    with sqlite3.connect(directory / "cache.db") as db:
        assert [mode for (mode,) in db.execute("SELECT mode FROM Cache")] in ([1], [3])  # JSON text now


def test_rows_that_are_not_json_answers_are_misses(tmp_path: Path) -> None:
    directory, key = tmp_path / "c", _key(tmp_path)
    planted = diskcache.Cache(str(directory))
    planted.set(key, b"\x80\x04not json")
    planted.close()
    endpoint = ScriptedEndpoint(completion(GOOD), completion(GOOD))
    backend = CachedBackend(OpenAIBackend(settings(tmp_path), http_client=endpoint.client()), directory)
    assert not backend.complete(REQUEST, ReviewLitigation).cached
    backend._cache.set(key, {"answer": "not an answer"})
    assert not backend.complete(REQUEST, ReviewLitigation).cached
    assert len(endpoint.requests) == 2
