"""The site finder as an investment-promotion officer uses it: fill the form in Chromium, copy
the link, reopen it elsewhere (same ranking), print it (one A4 page whose QR code is the link)."""

from __future__ import annotations

import pytest

from atlas.config import Settings
from atlas.web.app import create_app
from tests.browser.conftest import watched_page
from tests.browser.test_print import pdf_pages, qr_texts, render
from tests.test_site_finder import FITS, TOO_SMALL, write_finder_data


@pytest.fixture(scope="module")
def finder_url(tmp_path_factory, serve) -> str:
    folder = write_finder_data(tmp_path_factory.mktemp("finder-browser") / "geo")
    return serve(create_app(Settings(data_dir=folder, tiles="none")))


def ranking(page) -> list[str]:
    return page.eval_on_selector_all("li.candidate", "els => els.map(e => e.dataset.id)")


def test_find_share_reopen_and_print(browser, finder_url, artifacts):
    context, watched = watched_page(browser, finder_url, 1366, 850)
    try:
        page = watched.page
        page.goto(finder_url + "/site-finder")
        page.select_option("#f-industry", "integrated_circuits")
        page.select_option("#f-space", "office")
        page.fill("#f-size", "1000")
        page.fill("#f-budget", "50")
        page.check('input[name=near][value=university]')
        with page.expect_navigation():
            page.click("#find")
        found = ranking(page)
        assert found[0] == FITS and TOO_SMALL in found
        assert "不符合" == page.inner_text(f'li.candidate[data-id="{TOO_SMALL}"] .verdict')
        page.screenshot(path=artifacts / "site-finder.png", full_page=True)
        link = page.input_value("#share-url")
        assert link.startswith(finder_url + "/site-finder?") and "size_m2=1000" in link

        other = context.new_page()  # the link, opened by whoever it was sent to
        other.goto(link)
        assert ranking(other) == found
        assert other.input_value("#f-size") == "1000"

        other.emulate_media(media="print")
        pdf = other.pdf(format="A4", print_background=True)
        pages = pdf_pages(pdf)
        assert 1 <= len(pages) <= 3 and all(p.strip() for p in pages)
        assert "智慧选址" in pages[0]
        codes = [c for n in range(1, len(pages) + 1) for c in qr_texts(render(pdf, n))]
        assert codes == [link]
        assert watched.foreign == [] and watched.errors == []
    finally:
        context.close()


def test_phone_layout(browser, finder_url, artifacts):
    context = browser.new_context(viewport={"width": 375, "height": 812}, has_touch=True,
                                  is_mobile=True, device_scale_factor=2)
    try:
        page = context.new_page()
        page.goto(finder_url + "/site-finder?industry=integrated_circuits&space=office&size_m2=1000"
                               "&budget_yuan=50&lang=en")
        assert ranking(page)[0] == FITS
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.screenshot(path=artifacts / "phone-site-finder.png", full_page=True)
    finally:
        context.close()
