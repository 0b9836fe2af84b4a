"""A real browser against the real server: type, submit, tick a facet, remove it, open a result.

The server runs as `python -m la2050_search serve` (gunicorn) on a free port, as a user
would start it (tests/servers.py). Chromium is Debian's /usr/bin/chromium: Playwright's own browser download
does not work here. The test skips only where chromium is missing outside CI; in CI
(`CI` set) a missing browser is a failure. The browser and the servers are the session's
(conftest.py): every browser test only reads the indexes, each in a context of its own.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import CHROMIUM, IN_CI

REPO = Path(__file__).resolve().parents[1]
ARTIFACTS = REPO / "test-artifacts"
STEP_TIMEOUT = 10_000  # milliseconds Playwright waits for one step

if not IN_CI and not CHROMIUM.exists():
    pytest.skip(f"{CHROMIUM} is missing (CI unset, so not required)", allow_module_level=True)
if not IN_CI:
    pytest.importorskip("playwright.sync_api")

from playwright.sync_api import Page, expect  # noqa: E402


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT)
    page_errors: list[str] = []
    page.on("pageerror", lambda error: page_errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and page_errors.append(message.text))
    yield page
    context.close()
    assert page_errors == []  # the favicon is served too: no 404 in the console


def result_count(page: Page) -> int:
    text = page.locator("#result-count strong").inner_text()
    return int(text.replace(",", ""))


def test_search_filter_and_open_a_result(page: Page, server_url: str):
    page.goto(server_url + "/?q=")  # everything; the bare first page shows the archive instead
    expect(page.locator("#result-count")).to_contain_text("results")
    everything = result_count(page)

    # Type a query and submit it with Enter, as a reader would.
    page.locator("#q").fill("gardens")
    with page.expect_navigation():
        page.locator("#q").press("Enter")
    expect(page.locator("#result-count")).to_contain_text("gardens")
    with_query = result_count(page)
    assert 0 < with_query < everything
    expect(page.locator("ul.chips")).to_have_count(0)

    # Ticking a region checkbox submits the facet form by itself (app.js).
    region = page.locator("#facet-region ul.facet-values").first.locator("li").filter(has_text="South LA")
    region_count = int(region.locator(".count").inner_text())
    assert 0 < region_count < with_query
    with page.expect_navigation():
        region.locator("input[type=checkbox]").check()
    assert re.search(r"[?&]region=South\+LA(&|$)", page.url), page.url
    expect(page.locator("#result-count strong")).to_have_text(str(region_count))
    expect(page.locator("#facet-region input[value='South LA']")).to_be_checked()
    chip = page.locator("ul.chips li.chip")
    expect(chip).to_have_count(1)
    expect(chip).to_contain_text("Region: South LA")
    marks = page.locator("ol.results p.snippet mark")
    expect(marks.first).to_be_visible()
    assert all(word.lower().startswith("garden") for word in marks.all_inner_texts())
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "results.png"), full_page=True)

    # Removing the chip brings the count back.
    with page.expect_navigation():
        chip.locator("a").click()
    expect(page.locator("#result-count strong")).to_have_text(f"{with_query:,}")
    expect(page.locator("ul.chips")).to_have_count(0)
    expect(page.locator("#q")).to_have_value("gardens")

    # Open the first result and see its document page.
    first = page.locator("ol.results li.result h2 a").first
    title = first.inner_text()
    with page.expect_navigation():
        first.click()
    assert "/doc/" in page.url
    expect(page.locator("main.document h1")).to_have_text(title)
    expect(page.locator("main.document section h2").first).to_be_visible()
    expect(page.locator("dl.facts")).to_contain_text("proposal")


def test_sort_select_submits_itself(page: Page, server_url: str):
    page.goto(server_url + "/?q=food")
    with page.expect_navigation():
        page.locator("#sort").select_option("title")
    assert "sort=title" in page.url
    titles = page.locator("ol.results li.result h2 a").all_inner_texts()
    assert titles == sorted(titles, key=str.casefold)


def test_hostile_document_runs_no_script(page: Page, server_url: str):
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(server_url + "/?q=gardens&per_page=50")
    hostile = page.locator("ol.results li.result h2 a", has_text="<script>")
    expect(hostile).to_have_count(1)
    with page.expect_navigation():
        hostile.click()
    expect(page.locator("main.document h1")).to_contain_text("<script>alert('title')</script>")
    assert dialogs == []


def facet_box(page: Page, facet: str, value: str):
    return page.locator(f"#facet-{facet} input[type=checkbox][value='{value}']")


def test_back_and_forward_show_the_filters_of_the_url(page: Page, server_url: str):
    """Chromium restores form controls as they were left; they must match the URL instead."""
    page.goto(server_url + "/?q=food")
    with page.expect_navigation():
        facet_box(page, "region", "South LA").check()
    with page.expect_navigation():
        facet_box(page, "region", "East LA").check()
    assert "region=East+LA" in page.url
    with page.expect_navigation():
        facet_box(page, "region", "South LA").uncheck()
    assert "South+LA" not in page.url
    page.go_back(wait_until="commit")  # a page from the back-forward cache fires no load
    expect(page.locator("#result-count")).to_contain_text("food")
    assert "region=South+LA" in page.url and "region=East+LA" in page.url
    expect(facet_box(page, "region", "South LA")).to_be_checked()
    expect(facet_box(page, "region", "East LA")).to_be_checked()
    page.go_back(wait_until="commit")  # a page from the back-forward cache fires no load
    assert "East+LA" not in page.url
    expect(facet_box(page, "region", "East LA")).not_to_be_checked()
    page.go_forward(wait_until="commit")
    expect(facet_box(page, "region", "East LA")).to_be_checked()


def test_a_filter_ticked_after_typing_searches_for_what_was_typed(page: Page, server_url: str):
    page.goto(server_url + "/?q=food")
    page.locator("#q").fill("gardens")
    page.locator("#sort").focus()
    page.keyboard.press("ArrowDown")  # newest, chosen with the keyboard: not yet applied
    with page.expect_navigation():
        facet_box(page, "region", "South LA").check()
    assert "q=gardens" in page.url and "region=South+LA" in page.url and "sort=newest" in page.url
    expect(page.locator("#q")).to_have_value("gardens")


def test_a_facet_value_list_comes_back_whole(page: Page, server_url: str):
    """Back to a page whose "Find a metric" box had text: the box is empty and so is no list."""
    page.goto(server_url + "/?q=food")
    page.locator("#filter-metric").fill("zzzz")
    expect(page.locator("#facet-metric .no-match")).to_be_visible()
    with page.expect_navigation():
        page.locator("ol.results li.result h2 a").first.click()
    page.go_back(wait_until="commit")  # a page from the back-forward cache fires no load
    expect(page.locator("#filter-metric")).to_have_value("")
    expect(page.locator("#facet-metric .no-match")).to_be_hidden()
    expect(page.locator("#facet-metric ul.facet-values").first.locator("li:visible")).not_to_have_count(0)


def test_the_keyboard_reaches_the_filters_without_crossing_every_result(page: Page, server_url: str):
    page.goto(server_url + "/?q=food")
    page.locator("form.search button[type=submit]").focus()
    page.keyboard.press("Tab")
    skip = page.locator("main .to-filters a")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.closest('#facet-form') !== null")
    assert focused


def record_navigations(page: Page) -> None:
    """Note every navigation the page starts from now on. The Navigation API's `navigate` event
    fires as a link, a form (`submit()` too) or a script starts one, within the event that
    started it: a test reads the list after a key press instead of waiting to see whether the
    URL changes."""
    page.evaluate("() => { window.started = []; navigation.addEventListener('navigate', (e) => window.started.push(e.destination.url)); }")


def test_keyboard_steps_through_sort_options_without_leaving_the_page(page: Page, server_url: str):
    page.goto(server_url + "/?q=food")
    sort = page.locator("#sort")
    chosen = sort.input_value()
    record_navigations(page)
    sort.focus()
    page.keyboard.press("ArrowDown")
    expect(sort).not_to_have_value(chosen)  # the key changed the select (its `change` has run)
    assert page.evaluate("window.started") == []
    assert "sort=" not in page.url
    with page.expect_navigation():
        page.locator("form.search button[type=submit]").click()
    assert "sort=newest" in page.url


@pytest.mark.parametrize("path", ["/?q=http", "/?q=gardens&region=South+LA", "/?q=watershedmanagementplanningcollaborative+gardens"])
def test_a_phone_never_scrolls_sideways_and_can_reach_the_filters(browser, server_url: str, path: str):
    context = browser.new_context(viewport={"width": 375, "height": 800})
    page = context.new_page()
    page.set_default_timeout(STEP_TIMEOUT)
    try:
        page.goto(server_url + path)
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.locator("main .to-filters a").click()  # a jump within the page
        expect(page.locator("#facet-form")).to_be_in_viewport()
        with page.expect_navigation():
            page.locator("ol.results li.result h2 a").first.click()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        # A document whose "Original" link is one long URL.
        page.goto(server_url + "/doc/proposal/2016/get-lit-with-red-hen-press-bringing-fresh-voices-to-the-la-literary-scene")
        expect(page.locator("main.document h1")).to_be_visible()
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
    finally:
        context.close()


def test_finding_a_facet_value_filters_the_list_and_never_submits(page: Page, server_url: str):
    page.goto(server_url + "/?q=food")
    box = page.locator("#filter-metric")
    box.fill("obes")
    expect(page.locator("#facet-metric li:visible")).not_to_have_count(0)
    assert all("obes" in text.lower() for text in page.locator("#facet-metric li:visible").all_inner_texts())
    box.fill("zzzz")
    expect(page.locator("#facet-metric .no-match")).to_have_text("No value matches “zzzz”.")
    url = page.url
    record_navigations(page)
    box.press("Enter")  # its keydown and, unless prevented, the form's submission run within the press
    assert page.evaluate("window.started") == []
    assert page.url == url
    expect(box).to_have_value("zzzz")


def test_from_a_proposal_to_its_organization_and_on_to_another_of_its_proposals(page: Page, archive_url: str):
    page.goto(archive_url + "/?q=826LA&kind=proposal")
    first = page.locator("ol.results li.result-proposal h2 a").first
    first_title = first.inner_text()
    with page.expect_navigation():
        first.click()
    expect(page.locator("main.document h1")).to_have_text(first_title)

    # The proposal names its organization, linked to the organization's own page.
    with page.expect_navigation():
        page.locator("a.organization-link").click()
    assert urlsplit(page.url).path == "/doc/organization/826la", page.url
    expect(page.locator("main.document h1")).to_have_text("826LA")
    # ...and keeps the way back to the results it was found from.
    expect(page.locator("a.back")).to_have_attribute("href", "/?q=826LA&kind=proposal")
    rows = page.locator("table.org-proposals tbody tr")
    assert rows.count() >= 2
    expect(page.locator("section.worked-on")).to_contain_text("Metrics")

    # On to another of its proposals, which links back to the same organization.
    other = rows.locator("a").filter(has_not_text=first_title).first
    other_title = other.inner_text()
    with page.expect_navigation():
        other.click()
    expect(page.locator("main.document h1")).to_have_text(other_title)
    assert other_title != first_title
    assert urlsplit(page.locator("a.organization-link").get_attribute("href")).path == "/doc/organization/826la"
    expect(page.locator("section.organization-proposals")).to_contain_text(first_title)
    expect(page.locator("a.back")).to_have_attribute("href", "/?q=826LA&kind=proposal")


def test_from_a_2013_winner_to_its_organization_and_its_other_proposals_with_outcome_years(page: Page, archive_url: str):
    """Issue 22: outcomes are events, shown with their years from the card to the organization."""
    page.goto(archive_url + "/?outcome=winner&year=2013&kind=proposal&q=826LA")
    card = page.locator("ol.results li.result-proposal").first
    expect(card.locator(".outcome")).to_have_text(["Winner 2013"])
    with page.expect_navigation():
        card.locator("h2 a").click()
    winner_title = page.locator("main.document h1").inner_text()
    expect(page.locator("dl.facts")).to_contain_text("Winner 2013")

    with page.expect_navigation():
        page.locator("a.organization-link").click()
    assert urlsplit(page.url).path == "/doc/organization/826la", page.url
    expect(page.locator("dl.facts")).to_contain_text("Winner 2013")
    winning_row = page.locator("table.org-proposals tbody tr").filter(has_text=winner_title)
    expect(winning_row.locator(".outcome")).to_contain_text(["Winner 2013"])

    # Another of its proposals carries the organization's record with the year.
    other = page.locator("table.org-proposals tbody tr a").filter(has_not_text=winner_title).first
    with page.expect_navigation():
        other.click()
    facts = page.locator("dl.facts")
    expect(facts.locator("dt", has_text="Organization's outcomes")).to_be_visible()
    expect(facts).to_contain_text("Winner 2013")
