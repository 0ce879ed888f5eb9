"""Facts for investors in a real browser: staff enter a fact with its own source, a policy and
the WeChat account's QR link through the edit form; the profile draws the QR code and the
printed handout carries it, and both decode (zxing-cpp) to the stored link."""

from __future__ import annotations

import io
import shutil

import pytest
from PIL import Image

from atlas.auth.users import UserStore
from atlas.config import Settings
from atlas.web.app import create_app
from tests.browser.conftest import watched_page
from tests.browser.test_editing import save_and_wait, shot
from tests.browser.test_print import print_to_pdf, qr_texts, render
from tests.conftest import SHIPPED_DATA

EDITOR, PASSWORD = "lin", "a-long-password"
PARK = "sanchuang-park"
WECHAT = "https://weixin.qq.com/r/Test-SanChuang_123"


@pytest.fixture(scope="module")
def facts_url(tmp_path_factory, serve) -> str:
    """The shipped atlas on a writable copy, with one editor."""
    root = tmp_path_factory.mktemp("facts")
    shutil.copytree(SHIPPED_DATA, root / "geo", ignore=shutil.ignore_patterns(".atlas"))
    UserStore(root / "users.json").add(EDITOR, "editor", PASSWORD)
    return serve(create_app(Settings(data_dir=root / "geo", tiles="none",
                                     users_file=root / "users.json", secret_key="test-secret")))


def test_staff_enter_facts_and_the_qr_codes_decode_to_the_link(browser, facts_url, artifacts):
    base = facts_url
    context, watched = watched_page(browser, base, width=1280, height=900)
    page = watched.page
    try:
        page.goto(f"{base}/login?next=/edit/{PARK}")
        page.fill("#login-name", EDITOR)
        page.fill("#login-password", PASSWORD)
        page.click(".login-form button[type=submit]")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        assert page.input_value("#f-facts_as_of") == ""  # no date offered for facts not given

        page.fill("#f-area_ha", "12.5")
        page.fill("#f-rent_min_yuan", "25")
        page.fill("#f-rent_max_yuan", "35")
        page.fill("#f-contact_wechat", "三创园")
        page.fill("#f-contact_wechat_url", WECHAT)
        page.fill("#f-facts_as_of", "2026-10-01")
        page.fill("#f-facts_source_zh", "三创园管委会（测试）")
        page.fill("#f-facts_source_en", "Sanchuang Park office (test)")
        page.click("#add-fact_sources")
        rent = page.locator("[data-field=fact_sources] .object-row").last
        rent.locator("input[type=checkbox][value=rent]").check()
        rent.locator("[data-key=as_of]").fill("2026-11-15")
        rent.locator("[data-key=source_zh]").fill("晋江市招商服务中心（测试）")
        rent.locator("[data-key=url]").fill("https://example.org/rent")
        page.click("#add-policies")
        policy = page.locator("[data-field=policies] .object-row").last
        policy.locator("[data-key=title_zh]").fill("晋江市科技创新若干措施（测试）")
        policy.locator("[data-key=issuer_zh]").fill("晋江市人民政府")
        policy.locator("[data-key=date]").fill("2025-03-01")
        page.click("#add-policies")  # a row left empty is not saved
        assert page.locator("[data-field=policies] .object-row .row-no").all_inner_texts() == ["1", "2"]
        shot(page, artifacts / "facts-edit.png", full_page=True)
        save_and_wait(page)

        stored = page.request.get(f"{base}/api/features/{PARK}").json()["properties"]
        assert stored["fact_sources"] == [{"facts": ["rent"], "as_of": "2026-11-15",
                                           "source_zh": "晋江市招商服务中心（测试）", "source_en": "",
                                           "url": "https://example.org/rent"}]
        assert stored["policies"] == [{"title_zh": "晋江市科技创新若干措施（测试）", "title_en": "",
                                       "issuer_zh": "晋江市人民政府", "issuer_en": "",
                                       "date": "2025-03-01", "url": None}]
        assert (stored["area_ha"], stored["contact_wechat_url"]) == (12.5, WECHAT)

        # the profile draws the account's QR code, which scans to the stored link
        page.goto(f"{base}/parks/{PARK}")
        page.wait_for_selector("body[data-ready=true]", state="attached")
        code = page.locator("#facts .wechat-qr svg")
        code.scroll_into_view_if_needed()
        image = Image.open(io.BytesIO(code.screenshot()))
        assert qr_texts(image.resize((image.width * 3, image.height * 3), Image.NEAREST)) == [WECHAT]
        assert page.locator('#facts dd[data-fact="rent"] .fact-source').inner_text() == "截至 2026-11-15 [2]"
        shot(page, artifacts / "facts-profile.png", full_page=True)

        # so does the printed handout of a set that lists the park, beside the view's own code
        pdf, pages = print_to_pdf(watched, "/print?layer=parks&q=三创园")
        render(pdf, len(pages)).save(artifacts / "facts-handout-last-page.png")
        found = [text for n in range(1, len(pages) + 1) for text in qr_texts(render(pdf, n))]
        assert WECHAT in found and any(t.startswith(base + "/?") for t in found), found
        assert watched.foreign == [] and watched.errors == [] and watched.dialogs == []
    finally:
        context.close()
