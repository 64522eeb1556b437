"""The website in a real headless Chromium (Debian's /usr/bin/chromium, driven by
Playwright): every page loads without console errors, every image loads, internal links
resolve, navigation works, and a screenshot of each page is kept under _build/screenshots."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest

from helpers.build import toc_pages
from helpers.paths import PROJECT_ROOT

from .conftest import page_titles

pytestmark = pytest.mark.built

CHROMIUM = "/usr/bin/chromium"
# Flags for a machine without network access (see the environment notes).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SCREENSHOTS = PROJECT_ROOT / "_build" / "screenshots"


@pytest.fixture(scope="module")
def server(site):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *args: None
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install the Debian packages chromium and chromium-driver "
                    "(make system-deps)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def open_page(browser, url: str):
    """Load a page, recording console errors, uncaught exceptions and failed requests."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: problems.append(f"console: {message.text}") if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(f"exception: {error}"))
    page.on("requestfailed", lambda request: problems.append(f"failed request: {request.url}"))
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response.status if response else 'no response'}"
    return page, problems


@pytest.mark.parametrize("stem", toc_pages())
def test_page_loads_cleanly_with_images_links_and_banner(browser, server, site, stem):
    url = urljoin(server, f"chapters/{stem}.html")
    page, problems = open_page(browser, url)
    try:
        assert not problems, f"{stem}: {problems}"
        broken = page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                               ".map(i => i.getAttribute('src'))")
        assert not broken, f"{stem}: images that did not load: {broken}"
        assert page_titles()[stem] in page.title()
        assert "Data as of" in page.inner_text(".bd-header-announcement, .announcement, body")
        hrefs = page.evaluate("Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
        for href in hrefs:
            parsed = urlparse(href)
            if not href.startswith(server):
                continue
            target = site / parsed.path.lstrip("/")
            if parsed.path.endswith("/"):
                target = target / "index.html"
            assert target.exists(), f"{stem}: internal link to a missing file: {href}"
            if parsed.fragment and target.suffix == ".html" and f"{parsed.path}" == urlparse(url).path:
                assert page.locator(f"[id='{parsed.fragment}']").count() > 0, f"{stem}: missing anchor #{parsed.fragment}"
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{stem}.png"), full_page=True)
    finally:
        page.close()


def test_next_links_walk_the_book_in_order(browser, server):
    pages = toc_pages()
    page, problems = open_page(browser, urljoin(server, f"chapters/{pages[0]}.html"))
    try:
        for expected in pages[1:]:
            page.click("a.right-next")
            page.wait_for_load_state("load")
            assert page.url.endswith(f"chapters/{expected}.html"), f"next led to {page.url}, expected {expected}"
        assert not problems, problems
    finally:
        page.close()


def test_the_claims_ledger_sorts_on_click(browser, server):
    page, problems = open_page(browser, urljoin(server, "chapters/claims_ledger.html"))
    try:
        first_ids = lambda: page.evaluate(  # noqa: E731
            "Array.from(document.querySelectorAll('table.sortable tbody tr')).map(r => r.cells[0].innerText.trim())")
        before = first_ids()
        header = page.locator("table.sortable thead th").nth(6)  # the verdict column
        header.click()
        after = first_ids()
        assert sorted(before) == sorted(after) and before != after
        assert header.get_attribute("aria-sort") == "ascending"
        assert not problems, problems
    finally:
        page.close()


def test_the_site_is_ready_for_static_hosting(site):
    assert (site / ".nojekyll").exists() and (site / "index.html").exists()
    downloads = list((site / "_sources" / "chapters").glob("*.ipynb"))
    assert len(downloads) >= len(toc_pages()), "every page should offer its notebook for download"
