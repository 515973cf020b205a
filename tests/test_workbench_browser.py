"""End to end in headless Chromium: queue, document, candidate, edit, reload, relations, export, eval."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from workbench_helpers import (
    AMBIGUOUS_KEY,
    MISREAD_KEY,
    REPO,
    TRUE_VALUES,
    Server,
    flagged_run,
    running,
)

CHROMIUM, CHROMEDRIVER = shutil.which("chromium"), shutil.which("chromedriver")
webdriver = pytest.importorskip("selenium.webdriver", reason="selenium is in the [dev] extra")
pytestmark = pytest.mark.skipif(
    CHROMIUM is None or CHROMEDRIVER is None,
    reason="needs Debian's chromium and chromium-driver (scripts/install-system-packages installs them)",
)

from selenium.webdriver.common.by import By  # noqa: E402  (after the skip: selenium may be absent)
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.remote.webelement import WebElement  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1500,1000",
)


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    driver = webdriver.Chrome(options=options, service=webdriver.ChromeService(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def _cell(driver: WebDriver, key: str) -> WebElement:
    return driver.find_element(By.ID, f"cell-{key}")


def _after(driver: WebDriver, action: object) -> None:
    """Run `action` (a click or a key) and wait for the page it loads."""
    old = driver.find_element(By.TAG_NAME, "html")
    action_call = action if callable(action) else None
    assert action_call is not None
    action_call()
    WebDriverWait(driver, 30).until(lambda d: _stale(old))
    WebDriverWait(driver, 30).until(lambda d: d.execute_script("return document.readyState") == "complete")


def _stale(element: WebElement) -> bool:
    try:
        element.is_enabled()
        return False
    except Exception:  # StaleElementReferenceException: the page was replaced
        return True


def _press(driver: WebDriver, key: str) -> None:
    _after(driver, lambda: driver.find_element(By.TAG_NAME, "body").send_keys(key))


def _relation(driver: WebDriver, rule: str, field: str) -> WebElement:
    items = driver.find_elements(By.CSS_SELECTOR, f'#relations li[data-rule="{rule}"]')
    (item,) = [i for i in items if field in (i.get_attribute("data-fields") or "").split()]
    return item


def _open_document(driver: WebDriver, server: Server) -> None:
    driver.get(server.url)
    (link,) = driver.find_elements(By.CSS_SELECTOR, "tr.entry a.open")
    assert "北河县民政局" in link.text
    _after(driver, link.click)
    assert "北河县民政局" in driver.find_element(By.ID, "doc-title").text


def test_review_a_flagged_document_in_chromium(tmp_path: Path, browser: WebDriver) -> None:
    started = time.perf_counter()
    results, _ = flagged_run(tmp_path / "run")
    db = tmp_path / "decisions.sqlite"
    with running(results, db) as server:
        _open_document(browser, server)
        # the S2 row the lost digit broke is red before any decision
        assert "fails" in _relation(browser, "S2", MISREAD_KEY).get_attribute("class")

        # keyboard: "n" moves to the next doubtful cell, "p" back
        first = browser.find_element(By.ID, "selected").get_attribute("data-key")
        _press(browser, "n")
        second = browser.find_element(By.ID, "selected").get_attribute("data-key")
        assert second != first and "selected" in (_cell(browser, str(second)).get_attribute("class") or "")
        _press(browser, "p")
        assert browser.find_element(By.ID, "selected").get_attribute("data-key") == first

        # pick a candidate of the ambiguous cell with one click
        _after(browser, _cell(browser, AMBIGUOUS_KEY).find_element(By.TAG_NAME, "a").click)
        assert "ambiguous" in browser.find_element(By.ID, "selected").text
        buttons = browser.find_elements(By.CSS_SELECTOR, "#candidates button.candidate")
        assert [b.text.split()[-1] for b in buttons] == ["71", "17"]
        _after(browser, buttons[1].click)

        # edit the misread cell from the keyboard: select it, "e", type, Enter
        _after(browser, _cell(browser, MISREAD_KEY).find_element(By.TAG_NAME, "a").click)
        assert "S2" in browser.find_element(By.ID, "selected").text
        browser.find_element(By.TAG_NAME, "body").send_keys("e")
        field = browser.switch_to.active_element
        assert field.get_attribute("id") == "edit-value"
        field.clear()
        _after(browser, lambda: field.send_keys("22\n"))

        browser.refresh()
        for key, value in TRUE_VALUES.items():
            cell = _cell(browser, key)
            assert cell.text == str(value)
            assert "decided" in (cell.get_attribute("class") or "")
        s2 = _relation(browser, "S2", MISREAD_KEY)
        assert s2.get_attribute("class") == "holds" and "holds now" in s2.text
        assert s2.value_of_css_property("background-color") == "rgba(201, 236, 201, 1)"  # green
        assert "holds" in _relation(browser, "S1", MISREAD_KEY).get_attribute("class")
        screenshots = Path(tempfile.mkdtemp(prefix="workbench-screenshot-"))
        shot = screenshots / "document.png"
        browser.save_screenshot(str(shot))
        print(f"screenshot of the document page: {shot}")

        # accept every other doubtful cell with "a"; the page moves on to the next one each time
        for _ in range(40):
            if browser.find_elements(By.ID, "all-decided"):
                break
            _press(browser, "a")
        assert browser.find_elements(By.ID, "all-decided")
        browser.get(server.url)
        assert not browser.find_elements(By.CSS_SELECTOR, "tr.entry")  # it left the queue

    fixtures = tmp_path / "fixtures"
    pipeline = [sys.executable, "-m", "pipeline.cli"]
    subprocess.run(
        [*pipeline, "review", "export", str(results), "--db", str(db), "--fixtures", str(fixtures)],
        cwd=REPO,
        check=True,
    )
    runs = tmp_path / "runs"
    subprocess.run(
        [*pipeline, "eval", "--fixtures", str(fixtures), "--runs-dir", str(runs), "--label", "reviewed"],
        cwd=REPO,
        check=True,
        capture_output=True,
    )
    (saved,) = runs.glob("*-reviewed.json")
    (document,) = json.loads(saved.read_text(encoding="utf-8"))["documents"]
    for key, value in TRUE_VALUES.items():
        assert {name: document["fields"][key][name] for name in ("expected", "got", "outcome")} == {
            "expected": value,
            "got": value,
            "outcome": "correct",
        }
    assert all(result["outcome"] == "correct" for result in document["fields"].values())
    print(f"end-to-end test: {time.perf_counter() - started:.1f} s")
