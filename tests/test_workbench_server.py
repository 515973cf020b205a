"""The workbench as a real server process: who may connect, CSRF, escaping, and decisions surviving a kill."""

from __future__ import annotations

import re
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from workbench_helpers import (
    AMBIGUOUS_KEY,
    MISREAD_KEY,
    REPO,
    Server,
    csrf_of,
    document_links,
    extract,
    fetch,
    flagged_run,
    running,
    write_results,
)

from pipeline.workbench.decisions import DecisionStore
from pipeline.workbench.results import document_id

MARKUP = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Path, Path]]:
    """One server over a flagged run for the tests that only look (a start costs seconds)."""
    folder = tmp_path_factory.mktemp("served")
    results, document = flagged_run(folder)
    with running(results, folder / "d.sqlite") as server:
        yield server, document, folder / "d.sqlite"


def _document(server_url: str) -> tuple[str, str]:
    """The first queued document's URL and page."""
    queue = fetch(server_url)
    assert queue.status == 200
    url = server_url.split("?")[0].rstrip("/") + document_links(queue.body)[0]
    return url, fetch(url).body


def test_loopback_server_refuses_other_host_names(served: tuple[Server, Path, Path]) -> None:
    server, _, _ = served
    assert server.url.startswith("http://127.0.0.1:") and "token" not in server.url
    assert fetch(server.url).status == 200
    # a page on another site that rebinds its name to 127.0.0.1 arrives with its own Host
    refused = fetch(server.url, headers={"Host": "attacker.example"})
    assert refused.status == 403 and "token" in refused.body


def test_another_address_needs_the_token_printed_at_start(tmp_path: Path) -> None:
    results, _ = flagged_run(tmp_path)
    # 127.0.0.2 is not the default address but stays on this machine
    with running(results, tmp_path / "d.sqlite", "--host", "127.0.0.2") as server:
        token = re.search(r"\?token=([\w-]+)$", server.url)
        assert token, server.url
        assert fetch(server.base + "/").status == 403
        assert fetch(server.base + "/?token=wrong").status == 403
        assert fetch(server.base + "/doc/" + "0" * 16).status == 403
        admitted = fetch(server.url)
        assert admitted.status == 200 and "北河县民政局" in admitted.body
        cookie = admitted.headers["set-cookie"].split(";")[0]
        assert "HttpOnly" in admitted.headers["set-cookie"]
        assert fetch(server.base + "/", headers={"Cookie": cookie}).status == 200


def test_a_post_without_the_csrf_token_is_refused(served: tuple[Server, Path, Path]) -> None:
    server, _, db = served
    url, page = _document(server.url)
    form = {"key": MISREAD_KEY, "action": "edit", "value": "22"}
    assert fetch(url + "/decide", form).status == 403
    assert fetch(url + "/decide", {**form, "csrf": "forged"}).status == 403
    assert DecisionStore(db).all_latest() == {}
    accepted = fetch(url + "/decide", {**form, "csrf": csrf_of(page)})
    assert accepted.status == 303
    (decisions,) = DecisionStore(db).all_latest().values()
    assert decisions[MISREAD_KEY].new_value == 22 and decisions[MISREAD_KEY].who == "tester"


def test_markup_in_a_report_is_shown_as_text(tmp_path: Path) -> None:
    text = (REPO / "evals/fixtures/003_8aa667842f7c37d2.txt").read_text(encoding="utf-8")
    # past the first 4 KiB, where the loader sniffs for HTML: this stays a text report
    report = tmp_path / "markup.txt"
    report.write_text(text + "\n" + MARKUP + "\n", encoding="utf-8")
    (record,) = extract([report])
    record.agency = f"{record.agency}{MARKUP}"
    record.review_reasons.append(MARKUP)
    results = write_results([record], tmp_path / "results.jsonl")
    with running(results, tmp_path / "d.sqlite") as server:
        queue = fetch(server.url).body
        url, page = _document(server.url)
        for body in (queue, page):
            assert "<script>document.title" not in body and "<img src=x" not in body
            assert "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;" in body
        # and no inline script could run anyway: only the page's own nonce'd script is allowed
        policy = fetch(url).headers["content-security-policy"]
        assert "script-src 'nonce-" in policy and "unsafe-inline" not in policy


def test_only_documents_of_the_run_are_served(served: tuple[Server, Path, Path]) -> None:
    server, document, _ = served
    known = f"{server.base}/doc/{document_id(str(document))}"
    assert fetch(known).status == 200
    for path in (
        "/doc/" + "0" * 16,
        "/doc/..%2F..%2Fetc%2Fpasswd",
        "/doc/../../etc/passwd",
        "/etc/passwd",
        f"/doc/{document_id(str(document))}/page/1.png",  # a text report has no pages
        "/static/../pyproject.toml",
    ):
        answer = fetch(server.base + path)
        assert answer.status == 404, path
        assert "root:" not in answer.body and "[project]" not in answer.body


def test_killing_the_server_loses_no_saved_decision(tmp_path: Path) -> None:
    results, _ = flagged_run(tmp_path)
    db = tmp_path / "d.sqlite"
    with running(results, db) as server:
        url, page = _document(server.url)
        csrf = csrf_of(page)
        saved = fetch(
            url + "/decide", {"csrf": csrf, "key": AMBIGUOUS_KEY, "action": "candidate", "candidate": "1"}
        )
        assert saved.status == 303
        server.process.send_signal(signal.SIGKILL)  # no shutdown handler runs
        server.process.wait(timeout=10)
    with running(results, db) as server:
        url, page = _document(server.url)
        assert re.search(rf'id="cell-{re.escape(AMBIGUOUS_KEY)}"[^>]*>\s*<a[^>]*>17</a>', page)
        assert 'class="cell decided' in page
        # the page a person had open before the crash can still post after the restart
        again = fetch(url + "/decide", {"csrf": csrf, "key": MISREAD_KEY, "action": "edit", "value": "22"})
        assert again.status == 303
    latest = next(iter(DecisionStore(db).all_latest().values()))
    assert latest[AMBIGUOUS_KEY].new_value == 17 and latest[AMBIGUOUS_KEY].action == "candidate"
    assert latest[MISREAD_KEY].new_value == 22 and latest[MISREAD_KEY].old_value == 2


def test_a_pdf_report_is_shown_with_its_page_image(tmp_path: Path) -> None:
    from evals.synth import generate

    generate(tmp_path / "pdf", 1, seed=11, layouts=("pdf",))
    (document,) = (tmp_path / "pdf").glob("*.pdf")
    (record,) = extract([document])
    record.needs_review = True
    results = write_results([record], tmp_path / "results.jsonl")
    with running(results, tmp_path / "d.sqlite") as server:
        url, page = _document(server.url)
        assert f'src="/doc/{document_id(str(document))}/page/' in page
        image = fetch(url + "/page/1.png")
        assert image.status == 200 and image.headers["content-type"] == "image/png"
        assert image.body.startswith("\ufffdPNG")
        assert fetch(url + "/page/99.png").status == 404
        assert fetch(url + "/page/0.png").status == 404
