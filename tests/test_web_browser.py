"""The web view in a real browser: `ledger serve` (the installed executable) on each store,
driven by Selenium in the system's headless Chromium (scripts/install-browser).

Nothing is downloaded at test time: the Chromium binary and chromedriver are
given by path, so Selenium Manager never runs. Screenshots of every page are
saved under the test's temporary folder (`screenshots/`).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ledger_executable, run_executable
from web_ledgers import EXPECTED_LIGHTS, enter_lit_ledger

CODE = "XC2026-1"
CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "") if p and Path(p).exists()), None)
CHROMEDRIVER = next((p for p in ("/usr/bin/chromedriver", shutil.which("chromedriver") or "") if p and Path(p).exists()), None)
FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--window-size=1400,1000", "--lang=zh-CN", "--hide-scrollbars",
    "--accept-lang=zh-CN,zh",  # a Chinese reader's browser: headless Chromium asks for en-US whatever --lang says
]

pytestmark = pytest.mark.slow


def _need_browser() -> None:
    if CHROMIUM and CHROMEDRIVER:
        return
    message = "the system Chromium and chromedriver are not installed (bash scripts/install-browser)"
    if os.environ.get("LEDGER_TEST_REQUIRE_BROWSER"):
        pytest.fail(message)
    pytest.skip(message)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def driver(tmp_path):
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path / 'chromium-profile'}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    browser.set_page_load_timeout(60)
    yield browser
    browser.quit()


@pytest.fixture
def served(ledger, tmp_path):
    """`ledger serve` of a ledger with problems at every light, on a free loopback port."""
    enter_lit_ledger(ledger)
    ledger("keygen")
    ledger("checkpoint")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("LEDGER_")}
    env.update(ledger.env)
    log = open(tmp_path / "serve.log", "w", encoding="utf-8")
    process = subprocess.Popen([ledger_executable(), "serve", "--port", str(port)], cwd=ledger.folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(base + "/", timeout=2) as response:
                assert response.status == 200
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                log.close()
                process.kill()
                pytest.fail(f"ledger serve did not start: {(tmp_path / 'serve.log').read_text(encoding='utf-8')}")
            time.sleep(0.2)
    yield ledger, base
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
    log.close()


def _click_and_wait(driver, selector: str) -> None:
    """Click a link or submit button and wait until the next page has replaced this one.

    The old page is marked on its window object; the next page has no mark. Asking an
    element of the old page whether it is stale (selenium's staleness_of) can instead
    fail with "Node with given id does not belong to the document" while Chromium
    swaps the documents, so the wait ignores errors raised during that swap.
    """
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    driver.execute_script("window.ledgerPageBeforeClick = true")
    driver.find_element(By.CSS_SELECTOR, selector).click()
    WebDriverWait(driver, 30, ignored_exceptions=(WebDriverException,)).until(
        lambda d: d.execute_script(
            "return window.ledgerPageBeforeClick === undefined && document.readyState === 'complete'"
        )
    )


def _visit(driver, url: str, shots: Path, name: str, lang: str = "zh-CN") -> None:
    driver.get(url)
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1400, max(800, min(int(height) + 40, 4000)))
    shots.mkdir(exist_ok=True)
    driver.save_screenshot(str(shots / f"{name}.png"))
    errors = [e for e in driver.get_log("browser") if e["level"] in ("SEVERE", "WARNING")]
    assert errors == [], f"{url}: console messages {errors}"
    assert driver.execute_script("return document.documentElement.lang") == lang
    assert driver.execute_script("return document.characterSet") == "UTF-8"


def test_pages_load_in_chromium_with_chinese_and_no_console_errors(served, driver, tmp_path):
    from selenium.webdriver.common.by import By

    ledger, base = served
    shots = tmp_path / "screenshots"
    pages = {
        "overview": ("/", "整改总览"), "problems": ("/problems", "问题清单"), "problem": (f"/problems/{CODE}-8", "完整记录"),
        "due": ("/due?within=20", "督办清单"), "summary": ("/summary", "整改情况统计"), "reports": ("/reports", "整改情况公布"),
        "report": (f"/reports/{CODE}", "整改情况公布"), "verify": ("/verify", "哈希链验证通过"), "audit": (f"/audit?inspection={CODE}", "审计记录"),
    }
    for name, (path, heading) in pages.items():
        _visit(driver, base + path, shots, name)
        assert heading in driver.find_element(By.TAG_NAME, "body").text, name
        # every page is reachable from the overview's navigation
        if path != "/":
            assert driver.find_elements(By.CSS_SELECTOR, f'header nav a[href="{path.split("?")[0]}"]') or name in ("problem", "report", "audit")
    # The report frame holds publish's HTML, Chinese and all.
    driver.get(base + f"/reports/{CODE}")
    driver.switch_to.frame(driver.find_element(By.ID, "report"))
    assert "县财政局党组关于县委第二巡察组巡察反馈意见整改情况的公布" in driver.find_element(By.TAG_NAME, "body").text
    driver.switch_to.default_content()
    # Chinese glyphs take their full width (a font with CJK glyphs is in use, not boxes of a fallback).
    width = driver.execute_script(
        "const s = document.createElement('span'); s.textContent = '整改台账'; s.style.fontSize = '20px';"
        "document.body.appendChild(s); const w = s.getBoundingClientRect().width; s.remove(); return w;")
    assert 70 <= width <= 90
    assert len(list(shots.glob("*.png"))) == len(pages)
    for shot in shots.glob("*.png"):
        assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000


def test_filters_work_and_lights_match_due(served, driver, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    ledger, base = served
    shots = tmp_path / "screenshots"
    due = run_executable("due", "--within", "20", "--format", "json", cwd=ledger.folder, env=ledger.env)
    assert due.returncode == 0, due.stderr
    import json

    due_lights = {r["id"]: r["light"] for r in json.loads(due.stdout) if r["due"] == "deadline"}

    _visit(driver, base + "/problems", shots, "problems-all")
    shown = {row.get_attribute("data-id"): row.get_attribute("data-light") for row in driver.find_elements(By.CSS_SELECTOR, "#problems tbody tr[data-id]")}
    assert len(shown) == len(EXPECTED_LIGHTS)
    assert {i: light for i, light in shown.items() if light != "none"} == due_lights
    # Chinese labels on the lamps
    assert {e.text for e in driver.find_elements(By.CSS_SELECTOR, "#problems .lamp:not(.lamp-none)")} == {"红灯", "黄灯", "绿灯"}

    for light in ("red", "yellow", "green"):
        driver.get(base + "/problems")
        Select(driver.find_element(By.NAME, "light")).select_by_value(light)
        _click_and_wait(driver, "#filters button[type=submit]")
        rows = driver.find_elements(By.CSS_SELECTOR, "#problems tbody tr[data-id]")
        assert f"light={light}" in driver.current_url
        assert sorted(r.get_attribute("data-id") for r in rows) == sorted(i for i, l in due_lights.items() if l == light)
        _visit(driver, driver.current_url, shots, f"problems-{light}")

    # Two filters at once: a unit and a status.
    driver.get(base + "/problems")
    Select(driver.find_element(By.NAME, "unit")).select_by_visible_text("党建办")
    Select(driver.find_element(By.NAME, "status")).select_by_visible_text("已销号")
    _click_and_wait(driver, "#filters button[type=submit]")
    rows = driver.find_elements(By.CSS_SELECTOR, "#problems tbody tr[data-id]")
    assert [r.get_attribute("data-id") for r in rows] == [f"{CODE}-8"]
    assert Select(driver.find_element(By.NAME, "unit")).first_selected_option.text == "党建办"

    # The overview counts the same lights, and its light cards lead to the filtered list.
    _visit(driver, base + "/", shots, "overview")
    for light in ("red", "yellow", "green"):
        assert int(driver.find_element(By.ID, f"count-{light}").text) == sum(1 for l in due_lights.values() if l == light)
    _click_and_wait(driver, "a.light-card.red")
    assert [r.get_attribute("data-id") for r in driver.find_elements(By.CSS_SELECTOR, "#problems tbody tr[data-id]")] == [f"{CODE}-1"]

    # The 督办 page shows due's rows with the same lights.
    _visit(driver, base + "/due?within=20", shots, "due")
    rows = driver.find_elements(By.CSS_SELECTOR, "#due tbody tr[data-id]")
    assert {r.get_attribute("data-id"): r.get_attribute("data-light") for r in rows} == due_lights


def test_english_pages_keep_their_language_through_links_and_filters(served, driver, tmp_path):
    """A Chinese browser opens the English view (?lang=en): navigation, the filter form and the light cards keep
    it; the lamps and statuses read the vocabulary's English words; the language switch leads back to Chinese."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    ledger, base = served
    shots = tmp_path / "screenshots"
    _visit(driver, base + "/?lang=en", shots, "overview-en", lang="en")
    assert "rectification overview" in driver.find_element(By.TAG_NAME, "h1").text
    _click_and_wait(driver, 'header nav a[href="/problems?lang=en"]')
    assert driver.execute_script("return document.documentElement.lang") == "en"
    assert {e.text for e in driver.find_elements(By.CSS_SELECTOR, "#problems .lamp:not(.lamp-none)")} == {"red", "yellow", "green"}
    Select(driver.find_element(By.NAME, "status")).select_by_visible_text("closed")
    _click_and_wait(driver, "#filters button[type=submit]")
    assert "lang=en" in driver.current_url and "status=closed" in driver.current_url
    assert [r.get_attribute("data-id") for r in driver.find_elements(By.CSS_SELECTOR, "#problems tbody tr[data-id]")] == [f"{CODE}-8"]
    _visit(driver, driver.current_url, shots, "problems-closed-en", lang="en")
    _click_and_wait(driver, f'#problems a[href^="/problems/{CODE}-8"]')
    assert "full record" in driver.find_element(By.TAG_NAME, "body").text
    _visit(driver, driver.current_url, shots, "problem-en", lang="en")
    _click_and_wait(driver, 'header .languages a[hreflang="zh-CN"]')
    assert driver.execute_script("return document.documentElement.lang") == "zh-CN"
    assert "完整记录" in driver.find_element(By.TAG_NAME, "body").text


def test_a_units_tables_fit_a_1280_pixel_window(served, driver, tmp_path):
    """A unit's page (/units/…) had a 14-column table, headings kept on one line, wider than a 1280-pixel window:
    the page scrolled sideways. Its headings wrap now, and a table wider still scrolls inside its own box."""
    from urllib.parse import quote

    _, base = served
    driver.set_window_size(1280, 900)
    for lang in ("en", "zh"):
        driver.get(f"{base}/units/{quote('县财政局党组')}?lang={lang}")
        overflow = driver.execute_script("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, (lang, overflow)
        shots = tmp_path / "shots"
        shots.mkdir(exist_ok=True)
        driver.save_screenshot(str(shots / f"unit-{lang}.png"))
