"""Steps every browser journey takes: signing in, checking a phone-width page fits, and
waiting for a page's charts."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.factories import DEFAULT_PASSWORD

PHONE = {"width": 390, "height": 844}


def sign_in(page: Page, email: str, password: str = DEFAULT_PASSWORD) -> None:
    """Sign in through the form and wait until the page shows a signed-in header and has
    loaded: its markup can be there while its stylesheets are not, and a layout measured then
    is wrong (a CI run found the 1280 px header's links stacked down the page)."""
    page.goto("/sign-in")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_attached()
    page.wait_for_load_state("load")


def no_sideways_scroll(page: Page) -> None:
    """The page is no wider than the viewport (nothing to scroll sideways to).

    Measured once the page has loaded: a page whose text is already there can still be waiting
    for its stylesheets, and without them the programme page is 435 px wide (a CI failure).
    """
    width = _measure(page, "document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{page.url} is {width} px wide"  # type: ignore[index]


def header_middles(page: Page) -> list[float]:
    """Where the header's name, links and account menu sit, as the height of each one's
    middle: all within a few pixels when the header is one row."""
    header = page.locator(".header-inner > .brand, .nav-list a, .account-menu > *")
    return list(
        header.evaluate_all(
            "els => els.map(e => { const b = e.getBoundingClientRect(); "
            "return b.top + b.height / 2; })"
        )
    )


def page_height(page: Page) -> int:
    """The page's full height once it has loaded (see `no_sideways_scroll`)."""
    return _measure(page, "document.documentElement.scrollHeight")


def _measure(page: Page, expression: str) -> int:
    page.wait_for_load_state("load")
    return int(page.evaluate(expression))


def charts_drawn(page: Page, count: int) -> None:
    """The page has `count` charts and each image has decoded (a CSP block would leave one
    broken). They load lazily, some time after they near the viewport, not with the page:
    checked straight after the page's load, the staff journey failed once in CI."""
    charts = page.locator("figure.chart img")
    expect(charts).to_have_count(count)
    for index in range(count):
        chart = charts.nth(index)
        chart.scroll_into_view_if_needed()
        chart.element_handle().wait_for_element_state("stable")
        page.wait_for_function(
            "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
        )
