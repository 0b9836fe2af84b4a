"""A real browser from the first page through the matrix to a cell, an organization and its partners.

The server is the session's `la2050-search serve` over the conftest's archive-shaped index
(proposals linked to organizations), the browser the session's Chromium; the page is
test_browser.py's (no console errors allowed). JavaScript is on here; the
same flow without it is the test-client tests' (every step is a plain link).
"""

from __future__ import annotations

from playwright.sync_api import Page, expect

from test_browser import ARTIFACTS, page, result_count  # noqa: F401


def test_first_page_to_matrix_to_cell_to_organization_to_partners(page: Page, archive_url: str):  # noqa: F811
    page.goto(archive_url + "/")
    expect(page.locator("#archive-size")).to_contain_text("organizations")
    expect(page.locator("ol.results")).to_have_count(0)  # the archive, not its newest documents

    with page.expect_navigation():
        page.get_by_role("link", name="Region × metric").click()
    expect(page.locator("h1")).to_have_text("Region × Metric")
    table = page.locator("table#matrix")
    expect(table).to_be_visible()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "matrix.png"), full_page=True)

    # The busiest row's busiest cell with a metric (2013's proposals, under "Not stated",
    # have no partners: partners share a metric): its number is the total of the search it opens.
    cell = table.locator("tbody tr").first.locator("td a:not([href*='Not+stated'])").first
    count = int(cell.inner_text())
    assert count > 0
    with page.expect_navigation():
        cell.click()
    expect(page.locator("#result-count strong")).to_have_text(f"{count:,}")
    assert result_count(page) == count
    expect(page.locator("ul.chips li.chip")).to_have_count(2)  # the cell's region and metric

    # On to the organization of the first result that has one, then its partners.
    organization = page.locator("ol.results li.result-proposal .org a").first
    name = organization.inner_text()
    with page.expect_navigation():
        organization.click()
    expect(page.locator("main.document h1")).to_have_text(name)
    partners = page.locator("#partners")
    expect(partners.locator("h2")).to_have_text("Who else works on this")
    first = partners.locator("a.partner-name").first
    expect(first).to_be_visible()
    partner_name = first.inner_text()
    assert partner_name != name
    page.screenshot(path=str(ARTIFACTS / "partners.png"), full_page=True)

    # A partner's proposal count opens the search listing exactly those proposals.
    proposals = partners.locator("a.partner-proposals").first
    shown = int(proposals.inner_text().split()[0])
    with page.expect_navigation():
        proposals.click()
    expect(page.locator("#result-count strong")).to_have_text(f"{shown:,}")
    expect(page.locator("ul.chips")).to_contain_text(f"Organization: {partner_name}")
    page.go_back(wait_until="commit")  # from the back-forward cache: no load event
    expect(page.locator("#partners a.partner-name").first).to_have_text(partner_name)

    with page.expect_navigation():
        partners.locator("a.partner-name").first.click()
    expect(page.locator("main.document h1")).to_have_text(partner_name)
    expect(page.locator("#partners a.partner-name").first).to_be_visible()
