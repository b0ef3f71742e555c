"""The dashboard in a real browser (Debian Chromium via Selenium): every page loads, search,
time-range brush, live feed, and a post holding <script> stays text. Screenshots of every page go
to test-artifacts/web/ (git-ignored) for people to look at."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from report.campaign import build
from report.fakes import FAKES
from web.browser import chrome, require_browser, screenshot
from web.server import serving

pytestmark = pytest.mark.slow
WAIT = 30  # seconds an expected change may take to show (a ceiling, never a speed assertion)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    require_browser()
    from tagscope.analytics.registry import NotAvailable
    from tagscope.web import queries

    # Real analytics; a stand-in (documented shape) for search when its extra is not installed.
    real_search = queries.search_function
    try:
        real_search()
    except NotAvailable:
        queries.search_function = lambda: FAKES["search"]
    work = tmp_path_factory.mktemp("site")
    store = build(work / "store", work)
    driver = chrome(work / "profile")
    driver.set_page_load_timeout(60)
    try:
        with serving(store) as base:
            yield {"base": base, "driver": driver, "store": store, "work": work}
    finally:
        driver.quit()
        queries.search_function = real_search


def wait(driver, condition):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, WAIT).until(condition)


def no_script_ran(driver) -> bool:
    return driver.execute_script("return typeof window.__xss === 'undefined'")


def page_errors(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


@pytest.mark.parametrize(
    ("name", "path", "heading"),
    [
        ("overview", "/", "What this archive holds"),
        ("trend", "/trend?tag=yesallwomen&compare=notallmen", "#yesallwomen over time"),
        ("notables", "/notables?tag=yesallwomen", "Notable accounts for #yesallwomen"),
        ("cotags", "/cotags?tag=yesallwomen", "Co-hashtags for #yesallwomen"),
        ("links", "/links?tag=yesallwomen", "Links for #yesallwomen"),
        ("variants", "/variants?tag=yesallwomen", "Variants for #yesallwomen"),
        ("audience", "/audience?tag=yesallwomen", "Audience for #yesallwomen"),
        ("origin", "/origin?tag=yesallwomen", "Origin for #yesallwomen"),
        ("velocity", "/velocity?tag=yesallwomen", "Velocity for #yesallwomen"),
        ("docs", "/docs", "tagscope dashboard API"),
        ("error", "/trend?tag=two+words", "Please check the request"),
    ],
)
def test_page_loads(site, name, path, heading):
    d = site["driver"]
    d.get(site["base"] + path)
    from selenium.webdriver.common.by import By

    assert d.find_element(By.TAG_NAME, "h1").text == heading
    screenshot(d, name)
    errors = [e for e in page_errors(d) if "400 (Bad Request)" not in e]
    assert errors == []


def test_search_highlights_and_never_runs_post_scripts(site):
    from selenium.webdriver.common.by import By

    d = site["driver"]
    d.get(site["base"] + "/search")
    box = d.find_element(By.ID, "q")
    box.send_keys("window OR woman")
    box.submit()
    wait(d, lambda drv: drv.find_elements(By.CSS_SELECTOR, "#hits .hit"))
    hits = d.find_elements(By.CSS_SELECTOR, "#hits .hit .text")
    assert any("<script>" in h.text for h in hits)  # shown as text
    assert d.find_elements(By.CSS_SELECTOR, "#hits mark")
    assert d.find_elements(By.CSS_SELECTOR, "#hits script") == []
    assert "posts match" in d.find_element(By.ID, "total").text
    assert no_script_ran(d)
    screenshot(d, "search")


def test_post_view_shows_script_as_text(site):
    from selenium.webdriver.common.by import By

    d = site["driver"]
    d.get(site["base"] + "/post?id=1003&platform=twitter")
    text = d.find_element(By.ID, "post-text").text
    assert text.startswith("<script>window.__xss = 1</script>")
    assert no_script_ran(d)
    screenshot(d, "post")


def test_brush_changes_the_time_range(site):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By

    d = site["driver"]
    d.set_window_size(1280, 1000)
    d.get(site["base"] + "/trend?tag=yesallwomen&every=hour")
    svg = d.find_element(By.CSS_SELECTOR, "#brush-area svg")
    width = svg.size["width"]
    ActionChains(d).move_to_element_with_offset(svg, int(width * 0.1), 0).click_and_hold() \
        .move_by_offset(int(width * 0.35), 0).release().perform()
    wait(d, lambda drv: "since=" in drv.current_url and "until=" in drv.current_url)
    wait(d, lambda drv: drv.find_element(By.ID, "since").get_attribute("value"))
    since = d.find_element(By.ID, "since").get_attribute("value")
    until = d.find_element(By.ID, "until").get_attribute("value")
    assert "2014-05-2" in since and since < until
    assert d.find_elements(By.CSS_SELECTOR, "#brush-area svg")
    screenshot(d, "trend-zoomed")


def test_range_form_changes_the_count(site):
    from selenium.webdriver.common.by import By

    d = site["driver"]
    d.get(site["base"] + "/trend?tag=yesallwomen")
    total = d.find_element(By.ID, "count").text
    d.find_element(By.ID, "since").send_keys("2014-05-26")
    d.find_element(By.ID, "trend-form").submit()
    wait(d, lambda drv: "since=2014-05-26" in drv.current_url)
    assert d.find_element(By.ID, "count").text != total


def test_live_feed_updates_after_ingest(site):
    from selenium.webdriver.common.by import By

    from tagscope.store import Store
    from tweetfactory import tweet, write_jsonl

    d = site["driver"]
    d.get(site["base"] + "/feed?tag=yesallwomen")
    before = len(d.find_elements(By.CSS_SELECTOR, "#feed .hit"))
    src = write_jsonl(site["work"] / "late.jsonl", [
        tweet("9001", "just in <b>bold?</b> #YesAllWomen <script>window.__xss=3</script>", user="late",
              created="Tue May 27 08:00:00 +0000 2014", tags=["YesAllWomen"]),
    ])
    with Store(site["store"]) as st:
        st.ingest([str(src)])
    wait(d, lambda drv: len(drv.find_elements(By.CSS_SELECTOR, "#feed .hit")) > before)
    newest = d.find_element(By.CSS_SELECTOR, "#feed .hit .text").text
    assert newest.startswith("just in <b>bold?</b>")
    assert no_script_ran(d)
    assert "1 new post since you opened this page" in d.find_element(By.ID, "feed-status").text
    screenshot(d, "feed")



def test_report_opens_from_disk_without_any_request(site):
    """The single-file report loads nothing at all: no script, style sheet, font or image."""
    from selenium.webdriver.common.by import By

    from tagscope.report import build_report
    from tagscope.store import Store

    d = site["driver"]
    out = site["work"] / "report.html"
    with Store(site["store"]) as st:
        out.write_text(build_report(st, "yesallwomen", compare=["notallmen"]).html)
    d.get(out.as_uri())
    assert d.find_element(By.TAG_NAME, "h1").text == "#yesallwomen"
    assert d.execute_script("return performance.getEntriesByType('resource').length") == 0
    assert len(d.find_elements(By.CSS_SELECTOR, "svg.chart")) >= 3
    screenshot(d, "report")


def test_report_pdf(site, tmp_path):
    from typer.testing import CliRunner

    from tagscope.cli import app

    out = tmp_path / "r.html"
    res = CliRunner().invoke(app, ["report", "yesallwomen", "--pdf", "-o", str(out), "--store", str(site["store"])])
    assert res.exit_code == 0, res.output
    pdf = out.with_suffix(".pdf").read_bytes()
    assert pdf.startswith(b"%PDF-") and len(pdf) > 10_000
