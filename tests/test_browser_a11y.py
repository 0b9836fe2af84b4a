"""Every page type checked by axe-core in a real browser, and what axe cannot see: the
focus ring's contrast, focus kept across a filter's reload, the type-ahead by keyboard,
the facet finder folding abbreviations.

axe-core runs inside Debian's Chromium (the `axe-playwright-python` package bundles it)
with the WCAG 2.0, 2.1 and 2.2 A and AA rules (2.2 AA adds the 24 px target size); any
violation fails the test, with axe's own description of each. Pages are checked at a
desktop width and at 320 px, where nothing may scroll sideways either. The servers and
browser are the session's (conftest.py); console errors fail a test, as in test_browser.py.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from test_browser import STEP_TIMEOUT, page  # noqa: F401

AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]},
    "resultTypes": ["violations"],
}
NARROW = 320  # CSS pixels: WCAG 1.4.10's reflow width
# One URL of every page type over the archive-shaped index (organizations, outcomes).
ARCHIVE_PAGES = {
    "landing": "/",
    "results": "/?q=food",
    "results, filtered and grouped": "/?q=food&region=South+LA&group=organization",
    "results, browsing": "/?q=&sort=relevance",
    "no results": "/?q=qqzzxxvvq",
    "proposal": "/doc/proposal/2020/changing-the-story-connecting-los-angeles-communities-through-volunteering",
    "organization": "/doc/organization/826la",
    "organization of several files": "/doc/organization/harmony-project",
    "matrix": "/matrix?q=food&region=sfv",
    "matrix, year shares": "/matrix?rows=year&cols=goal&share=year",
    "map": "/map",
    "map, second page of its list": "/map?list_page=2",
    "map by where proposals work": "/map?q=food&by=work",
    "not found": "/doc/nowhere",
    "bad request": "/?q=food&page=zero",
    "API documentation": "/docs",
}
SAMPLE_PAGES = {"article": "/?q=kind:article", "hostile proposal": "/?q=gardens&per_page=50"}


@pytest.fixture(params=[1280, NARROW], ids=["desktop", "phone"])
def sized_page(request, browser):
    context = browser.new_context(viewport={"width": request.param, "height": 900})
    opened = context.new_page()
    opened.set_default_timeout(STEP_TIMEOUT)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))


    def console(message) -> None:  # an error page's own 4xx status is logged too: not an error here
        if message.type == "error" and message.location.get("url") != opened.url:
            errors.append(message.text)

    opened.on("console", console)
    yield opened, request.param
    context.close()
    assert errors == []


def assert_accessible(page: Page, width: int) -> None:
    """No axe violation, one h1, a title, and no sideways scroll at a phone's width."""
    results = Axe().run(page, options=AXE_OPTIONS)
    assert results.violations_count == 0, f"{page.url}:\n{results.generate_report()}"
    assert page.locator("h1").count() == 1, page.url
    assert page.title().strip()
    if width <= NARROW:
        assert page.evaluate("document.documentElement.scrollWidth") <= width, page.url


@pytest.mark.parametrize("path", ARCHIVE_PAGES.values(), ids=ARCHIVE_PAGES.keys())
def test_every_page_type_passes_axe(sized_page, archive_url: str, path: str):
    page, width = sized_page
    response = page.goto(archive_url + path)
    assert response is not None and response.status in (200, 400, 404)
    assert_accessible(page, width)


@pytest.mark.parametrize("path", SAMPLE_PAGES.values(), ids=SAMPLE_PAGES.keys())
def test_articles_and_hostile_documents_pass_axe(sized_page, server_url: str, path: str):
    page, width = sized_page
    page.goto(server_url + path)
    with page.expect_navigation():
        page.locator("ol.results li.result h2 a").first.click()
    assert_accessible(page, width)


def _luminance(rgb: tuple[int, ...]) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(first: str, second: str) -> float:
    a, b = (_luminance(tuple(int(n) for n in re.findall(r"\d+", color))) for color in (first, second))
    return (max(a, b) + 0.05) / (min(a, b) + 0.05)


def test_the_focus_ring_stands_out_three_to_one(page: Page, archive_url: str):  # noqa: F811
    page.goto(archive_url + "/?q=food")
    for selector in ("ol.results li.result h2 a", "#facet-form input[type=checkbox]", "#sort", "nav.pagination a"):
        target = page.locator(selector).first
        target.focus()
        ring = target.evaluate(
            "e => { const s = getComputedStyle(e); return [s.outlineStyle, parseFloat(s.outlineWidth), s.outlineColor]; }"
        )
        style, width, color = ring
        assert style != "none" and width >= 2, (selector, ring)
        assert _contrast(color, "rgb(255, 255, 255)") >= 3, (selector, color)


def test_a_filter_ticked_with_the_keyboard_keeps_the_focus(page: Page, archive_url: str):  # noqa: F811
    page.goto(archive_url + "/?q=food")
    box = page.locator("#facet-region input[type=checkbox][value='South LA']")
    box.focus()
    with page.expect_navigation():
        page.keyboard.press("Space")
    assert "region=South+LA" in page.url
    focused = page.evaluate("[document.activeElement.name, document.activeElement.value, document.activeElement.checked]")
    assert focused == ["region", "South LA", True]
    with page.expect_navigation():
        page.keyboard.press("Space")  # and off again, still from the keyboard
    assert "region=" not in page.url
    assert page.evaluate("[document.activeElement.name, document.activeElement.value]") == ["region", "South LA"]


def test_type_ahead_picks_an_organization_by_keyboard(page: Page, archive_url: str):  # noqa: F811
    page.goto(archive_url + "/")
    box = page.locator("#q")
    expect(box).to_have_attribute("role", "combobox")
    expect(box).to_have_attribute("aria-expanded", "false")
    box.press_sequentially("heal the b", delay=30)  # part of "Heal the Bay"
    listbox = page.locator("#q-suggestions[role=listbox]")
    expect(listbox).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("status").filter(has_text="suggestion")).to_have_count(1)
    options = listbox.locator("[role=option]")
    expect(options.first).to_contain_text("Heal the Bay")
    # What a screen reader is given: an expanded combobox and a labelled list of options.
    expect(page.locator("form#search-form")).to_match_aria_snapshot(
        """
        - combobox [expanded]
        - listbox "Suggestions":
          - option /Heal the Bay Organization · \\d+/
        """
    )
    results = Axe().run(page, options=AXE_OPTIONS)  # the open list is accessible too
    assert results.violations_count == 0, results.generate_report()
    page.keyboard.press("ArrowDown")
    expect(options.first).to_have_attribute("aria-selected", "true")
    expect(box).to_have_attribute("aria-activedescendant", options.first.get_attribute("id"))
    page.keyboard.press("Escape")  # closes the list, keeps the text
    expect(box).to_have_attribute("aria-expanded", "false")
    expect(box).to_have_value("heal the b")
    page.keyboard.press("ArrowDown")  # opens it again
    page.keyboard.press("ArrowDown")  # and chooses the first
    expect(options.first).to_have_attribute("aria-selected", "true")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == "/doc/organization/heal-the-bay", page.url
    expect(page.locator("main.document h1")).to_have_text("Heal the Bay")


def test_enter_without_a_chosen_suggestion_searches_the_words(page: Page, archive_url: str):  # noqa: F811
    page.goto(archive_url + "/")
    page.locator("#q").press_sequentially("heal", delay=30)
    expect(page.locator("#q-suggestions")).to_be_visible()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).query == "q=heal"


def test_the_facet_finder_folds_like_the_query(page: Page, archive_url: str):  # noqa: F811
    page.goto(archive_url + "/?q=")
    finder = page.locator("#filter-region")
    for typed in ("sfv", "Pacoima", "fernando"):
        finder.fill(typed)
        visible = page.locator("#facet-region li:visible")
        expect(visible).to_have_count(1)
        expect(visible.first).to_contain_text("San Fernando Valley")
    finder.fill("zzzz")
    expect(page.locator("#facet-region .no-match")).to_be_visible()
