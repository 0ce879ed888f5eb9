"""Paper: the handout (/print) and profiles printed to PDF by Chromium, as an investor gets them.

Each page is printed the way a browser prints it (print media, after the map says it is
ready, ``page.pdf`` on A4), then read back: pypdf for the number of pages, poppler's
``pdftotext`` for their text and ``pdftoppm`` to render a page, and zxing-cpp to decode its QR
code, which must reopen exactly the view on paper.  The map on paper is compared with the
page laid out for paper, also when printed straight from a small screen (Ctrl+P).
Screenshots of the print views and rendered PDF pages go to tests/artifacts/print-*.
"""

from __future__ import annotations

import io
import math
import re
import shutil
import subprocess
import unicodedata
from urllib.parse import urlencode

import numpy as np
import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from tests.browser.conftest import EVIL, Watched, watched_page

PHONE = {"width": 375, "height": 812}
MARGIN_MM, CONTENT_MM = 12, 186  # static/print.css: @page A4 with 12 mm margins
PX_PER_MM = 96 / 25.4
PAPER_VIEWPORT = {"width": round(CONTENT_MM * PX_PER_MM), "height": 1000}

# One filter whose list fits one sheet (the test checks it still selects about ten).
ONE_PAGE = [("layer", "parks"), ("layer", "platforms"), ("layer", "incubators"), ("town", "lingyuan")]
PROFILES = {"platform": "/platforms/clfi-jinjiang", "park": "/parks/ic-industrial-park",
            "zone": "/zones/kechuang-new-zone"}


# ------------------------------------------------------------------ helpers
def squash(text: str) -> str:
    """Text for comparing with what a PDF says: NFKC and no whitespace (extraction breaks
    lines and puts spaces around Latin text in CJK)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


CJK = r"\u2e80-\u9fff\uf900-\ufaff\uff00-\uffef"


def listed(name: str, text: str) -> bool:
    """Whether ``name`` is in a PDF page's ``text``: each run of CJK and of other script on its
    own, as extraction may order a line's Latin (another font, another baseline) elsewhere."""
    return all(piece in squash(text) for piece in re.findall(f"[{CJK}]+|[^{CJK}]+", squash(name)))


def poppler(tool: str) -> str:
    found = shutil.which(tool)
    assert found, f"{tool} missing: install poppler-utils (make system-deps)"
    return found


def print_to_pdf(watched: Watched, path: str) -> tuple[bytes, list[str]]:
    """Open ``path``, lay it out as on paper (print media on a viewport as wide as the paper's
    content), wait until the map is drawn, print A4 with backgrounds; returns the PDF and each
    page's text.

    pypdf counts the pages; the text comes from poppler's pdftotext, because pypdf reads some
    CJK glyphs of the embedded Noto CJK subsets as radicals (食 as ⻝ U+2EDD, 大 as ⼤ U+2F24),
    which no Unicode normalisation undoes."""
    page = watched.open(path)
    page.set_viewport_size(PAPER_VIEWPORT)
    page.emulate_media(media="print")
    if path.startswith("/print"):  # the handout lays its map out again at the printed size
        page.wait_for_selector("body[data-layout=print]", state="attached")
    page.evaluate("document.fonts.ready.then(() => true)")
    page.wait_for_timeout(500)  # Leaflet redraws a canvas on the next frame, moveend 200 ms late
    pdf = page.pdf(format="A4", print_background=True)
    return pdf, pdf_pages(pdf)


def pdf_pages(pdf: bytes) -> list[str]:
    count = len(PdfReader(io.BytesIO(pdf)).pages)
    text = subprocess.run([poppler("pdftotext"), "-enc", "UTF-8", "-", "-"], input=pdf,
                          capture_output=True, check=True).stdout.decode("utf-8")
    pages = text.split("\f")[:count]
    assert len(pages) == count
    return pages


def render(pdf: bytes, page_no: int = 1, dpi: int = 200) -> Image.Image:
    """One page of ``pdf`` as an image, rendered by poppler's pdftoppm."""
    png = subprocess.run([poppler("pdftoppm"), "-r", str(dpi), "-f", str(page_no), "-l", str(page_no), "-png",
                          "-singlefile", "-"], input=pdf, capture_output=True, check=True).stdout
    return Image.open(io.BytesIO(png))


def cell_colours(image: Image.Image, cell: int = 8) -> np.ndarray:
    """The mean colour of each ``cell``-pixel square of an image (blurs away how two renderers
    draw an edge, keeps what is drawn where)."""
    pixels = np.asarray(image.convert("RGB")).astype(float)
    h, w = pixels.shape[0] // cell * cell, pixels.shape[1] // cell * cell
    return pixels[:h, :w].reshape(h // cell, cell, w // cell, cell, 3).mean(axis=(1, 3))


def map_as_laid_out(page, selector: str) -> tuple[dict, Image.Image]:
    """The inside of a map on a page laid out as on paper (away from the scale bar and the
    attribution), and a screenshot of it: what the paper should show."""
    box = page.locator(selector).bounding_box()
    inner = {"x": round(box["x"] + box["width"] * .1), "y": round(box["y"] + box["height"] * .05),
             "width": round(box["width"] * .8), "height": round(box["height"] * .7)}
    return inner, Image.open(io.BytesIO(page.screenshot(clip=inner)))


def map_on_paper(pdf: bytes, inner: dict) -> Image.Image:
    """The same part of page 1 of the PDF, rendered at 96 dpi (one CSS pixel, one pixel)."""
    offset = round(MARGIN_MM * PX_PER_MM)
    left, top = inner["x"] + offset, inner["y"] + offset
    return render(pdf, 1, 96).crop((left, top, left + inner["width"], top + inner["height"]))


def assert_same_map(expected: Image.Image, printed: Image.Image, what: str, artifact) -> None:
    """The printed map shows what the page laid out for paper shows (not a blank or shifted
    frame): the same squares of it have something drawn."""
    side_by_side = Image.new("RGB", (expected.width * 2 + 10, expected.height), "white")
    side_by_side.paste(expected, (0, 0))
    side_by_side.paste(printed, (expected.width + 10, 0))
    side_by_side.save(artifact)
    want, got = cell_colours(expected), cell_colours(printed)
    assert np.ptp(want) > 30, f"{what}: nothing drawn on the map"
    differ = (np.abs(want - got).max(axis=2) > 40).mean()
    assert differ < 0.05, (f"{what}: the map on paper differs from the map laid out for paper in "
                           f"{differ:.0%} of it (see {artifact.name}: expected left, printed right)")


def qr_texts(image: Image.Image) -> list[str]:
    return [code.text for code in zxingcpp.read_barcodes(image)
            if code.format == zxingcpp.BarcodeFormat.QRCode]


def entities(client, params) -> list[dict]:
    return client.get("/api/entities?" + urlencode(params)).json()["features"]


def assert_clean(watched: Watched) -> None:
    assert watched.foreign == [], f"requests left the server: {watched.foreign}"
    assert watched.errors == [], f"console errors: {watched.errors}"
    assert watched.dialogs == [], f"a script ran: {watched.dialogs}"


@pytest.fixture
def printer(browser, base_url):
    """A watched desktop page, closed (and checked clean) after the test."""
    context, watched = watched_page(browser, base_url)
    yield watched
    context.close()
    assert_clean(watched)


# ------------------------------------------------------------------ the handout
def test_filtered_handout_is_one_numbered_page_with_its_qr_code(printer, client, base_url, artifacts):
    found = entities(client, ONE_PAGE)
    assert 8 <= len(found) <= 13, "ONE_PAGE should select about ten entries; pick another filter"
    path = "/print?" + urlencode(ONE_PAGE)
    pdf, pages = print_to_pdf(printer, path)
    page = printer.page
    page.screenshot(path=artifacts / "print-handout-print-media.png", full_page=True)
    (artifacts / "print-handout.pdf").write_bytes(pdf)

    assert len(pages) == 1, f"{len(found)} entries should fit one A4 page, got {len(pages)}"
    inner, expected = map_as_laid_out(page, ".handout-map")
    assert_same_map(expected, map_on_paper(pdf, inner), path, artifacts / "print-handout-map-check.png")
    text = squash(pages[0])
    for f in found:
        assert listed(f["properties"]["name_zh"], text), f["properties"]["name_zh"]
    assert squash("镇街：灵源街道") in text  # the filters in words
    assert squash("晋江科创地图") in text and "JinjiangInnovationAtlas" in text

    # The table numbers the list in the list's order; the map numbers the same entries.
    rows = page.eval_on_selector_all("#handout-table tbody tr",
                                     "rs => rs.map(r => [r.dataset.id, r.querySelector('.num').textContent])")
    assert rows == [[f["id"], str(i)] for i, f in enumerate(found, start=1)]
    on_map = page.eval_on_selector_all(".num-marker .num", "ns => ns.map(n => n.textContent)")
    located = [str(i) for i, f in enumerate(found, start=1) if f["properties"]["precision"] != "placeholder"]
    assert sorted(on_map, key=int) == located
    marks = page.eval_on_selector_all("#handout-table tbody tr .precision", "cs => cs.map(c => c.textContent.trim()[0])")
    for mark, f in zip(marks, found):
        want = {"approximate": "≈", "placeholder": "⚠"}.get(f["properties"]["precision"])
        if want:
            assert mark == want, f["id"]

    # The QR code on paper opens the same list in the live atlas, and its URL is printed.
    live = f"{base_url}/?{urlencode(ONE_PAGE)}"
    image = render(pdf)
    image.save(artifacts / "print-handout-page-1.png")
    assert qr_texts(image) == [live]
    assert squash(live) in text
    assert page.inner_text("#live-url") == live


def test_full_handout_runs_onto_a_few_pages_none_blank(printer, client, base_url, artifacts):
    found = entities(client, [])
    pdf, pages = print_to_pdf(printer, "/print")
    render(pdf, 1, dpi=110).save(artifacts / "print-handout-all-page-1.png")
    most = 1 + math.ceil(len(found) / 20)  # a map on the first page, then 25-odd rows a page
    assert 2 <= len(pages) <= most, f"{len(found)} entries on {len(pages)} pages"
    squashed = [squash(p) for p in pages]
    for number, page_text in enumerate(squashed, start=1):
        assert len(page_text) > 100, f"page {number} is (nearly) blank"
        assert squash("序号名称") in page_text, f"page {number} does not repeat the table header"
    # Every entity is listed, and no row is split across pages: a row's Chinese name and its
    # English name (the line below it) are on the same page.
    for f in found:
        zh, en = f["properties"]["name_zh"], f["properties"].get("name_en") or ""
        on = [i for i, text in enumerate(squashed) if listed(zh, text)]
        assert on, f"{zh} is not listed"
        assert any(listed(en, squashed[i]) for i in on), f"the row of {zh} is split"
    text = "".join(squashed)
    assert squash("全部创新载体（未筛选）") in text
    assert qr_texts(render(pdf)) == [f"{base_url}/"]


def test_english_handout(printer, client, base_url, artifacts):
    params = [("industry", "integrated_circuits"), ("zone", "kechuang-new-zone")]
    found = entities(client, params)
    assert found
    pdf, pages = print_to_pdf(printer, "/print?" + urlencode(params + [("lang", "en")]))
    printer.page.screenshot(path=artifacts / "print-handout-en-print-media.png", full_page=True)
    assert len(pages) == 1
    text = squash(pages[0])
    assert "Innovationcarriers" in text
    assert squash("Industry: Integrated circuits; Zone: Jinjiang S&T Innovation New Zone") in text
    for f in found:
        assert listed(f["properties"]["name_en"], text), f["properties"]["name_en"]
    assert qr_texts(render(pdf)) == [f"{base_url}/?{urlencode(params)}&lang=en"]


def test_handout_screen_view_desktop_and_phone(browser, base_url, artifacts):
    path = "/print?" + urlencode([("industry", "integrated_circuits")])
    context, watched = watched_page(browser, base_url)
    try:
        page = watched.open(path)
        assert page.is_visible("#print-button")
        assert page.inner_text("#print-button") == "打印 / Print"
        # The language switch keeps the filters.
        assert page.get_attribute("#lang-switch", "href") == "/print?industry=integrated_circuits&lang=en"
        assert page.get_attribute("#back-to-view", "href") == "/?industry=integrated_circuits&lang=zh"
        page.screenshot(path=artifacts / "print-screen-desktop.png", full_page=True)
        assert_clean(watched)
    finally:
        context.close()

    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    watched = Watched(context.new_page(), base_url)
    try:
        page = watched.open(path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the page scrolls sideways on a phone ({width}px)"
        small = page.evaluate("""() => {
          const out = [];
          const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
          while (walker.nextNode()) {
            const node = walker.currentNode, parent = node.parentElement;
            if (!node.textContent.trim() || !parent) continue;
            if (parent.closest('script, style, [hidden], [aria-hidden=true], .leaflet-container, .atlas-header')) continue;
            const r = parent.getBoundingClientRect();
            if (!r.width || !r.height) continue;
            const size = parseFloat(getComputedStyle(parent).fontSize);
            if (size < 12) out.push([node.textContent.trim().slice(0, 30), size]);
          }
          return out;
        }""")
        assert small == [], f"text under 12px on a phone: {small}"
        for target in ("#print-button", "#back-to-view", "#live-url"):
            box = page.locator(target).bounding_box()
            assert box["height"] >= 44, f"{target} is {box['height']}px tall"
        page.screenshot(path=artifacts / "print-screen-phone.png", full_page=True)
        assert_clean(watched)
    finally:
        context.close()


def test_handout_refuses_bad_parameters(client):
    for query in ("foo=1", "lang=fr", "zone=nowhere", "town=atlantis", "industry=steel",
                  "q=a&q=b", "lang=en&lang=zh", "layer=towns", "q=" + "x" * 101):
        answer = client.get("/print?" + query)
        assert answer.status_code == 400, query
        page = client.get("/print?" + query, headers={"Accept": "text/html"})
        assert page.status_code == 400 and "text/html" in page.headers["content-type"], query


def test_empty_handout_says_so(printer, client):
    pdf, pages = print_to_pdf(printer, "/print?q=" + "zzzzqqqq")
    assert len(pages) == 1
    assert squash("没有符合这些筛选条件的载体") in squash(pages[0])


def test_ctrl_p_on_the_atlas_page_points_to_the_handout(printer, base_url, artifacts):
    """The atlas page on paper: map and list, no form, and where the handout is."""
    pdf, pages = print_to_pdf(printer, "/?industry=integrated_circuits")
    page = printer.page
    page.screenshot(path=artifacts / "print-atlas-print-media.png", full_page=True)
    assert not page.is_visible("#filters") and not page.is_visible("#q")
    assert page.is_visible("#print-link")
    assert len(pages) == 1
    assert squash("/print?industry=integrated_circuits&lang=zh") in squash(pages[0])


# ------------------------------------------------------------------ profiles
@pytest.mark.parametrize("kind", list(PROFILES))
def test_profile_prints_on_one_page_with_its_qr_code(kind, printer, app, base_url, artifacts):
    path = PROFILES[kind]
    entity_id = path.rsplit("/", 1)[1]
    pdf, pages = print_to_pdf(printer, path)
    page = printer.page
    page.screenshot(path=artifacts / f"print-profile-{kind}-print-media.png", full_page=True)
    render(pdf, 1, dpi=110).save(artifacts / f"print-profile-{kind}.png")
    if kind != "platform":
        assert int(page.inner_text("#member-count")) > 0, f"{path} should have members"
    assert len(pages) == 1, f"{path} printed on {len(pages)} pages"
    name = app.state.live.current().entity(entity_id).props["name_zh"]
    assert listed(name, pages[0]), name
    printed_url = page.inner_text(".print-footer .print-url").strip()
    assert printed_url.startswith(base_url + path)
    assert qr_texts(render(pdf)) == [printed_url]
    assert squash(printed_url) in squash(pages[0])
    inner, expected = map_as_laid_out(page, ".profile-map .folium-map")
    assert_same_map(expected, map_on_paper(pdf, inner), path, artifacts / f"print-profile-{kind}-map-check.png")


# ------------------------------------------------------------------ Ctrl+P
@pytest.mark.parametrize("path", ["/print?" + urlencode(ONE_PAGE), *PROFILES.values()])
def test_ctrl_p_from_the_screen_prints_the_map_fitted_to_paper(path, browser, base_url, artifacts):
    """Printing straight from a small screen (no print media beforehand): the browser runs the
    page's "beforeprint" handler, then lays the page out for paper and runs no more script, so
    the map must be fitted to its printed size in that handler."""
    selector = ".handout-map" if path.startswith("/print") else ".profile-map .folium-map"
    context, watched = watched_page(browser, base_url)
    try:
        print_to_pdf(watched, path)
        inner, expected = map_as_laid_out(watched.page, selector)
    finally:
        context.close()
    context, watched = watched_page(browser, base_url, width=600, height=900)
    try:
        page = watched.open(path)
        page.wait_for_timeout(500)
        printed = map_on_paper(page.pdf(format="A4", print_background=True), inner)
        assert_clean(watched)
    finally:
        context.close()
    name = path.split("?")[0].strip("/").replace("/", "-")
    assert_same_map(expected, printed, f"{path} printed with Ctrl+P",
                    artifacts / f"print-ctrl-p-{name}-map-check.png")


# ------------------------------------------------------------------ hostile data


HOSTILE = {"zh": "/print?layer=platforms", "en": "/print?layer=platforms&lang=en",
           "query": "/print?q=%3Cimg%20src%3Dx%20onerror%3Dalert(4)%3E"}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_text_prints_as_text(browser, evil_url, artifacts, case):
    path = HOSTILE[case]
    context, watched = watched_page(browser, evil_url)
    try:
        pdf, pages = print_to_pdf(watched, path)
        page = watched.page
        assert watched.dialogs == [], f"a script ran: {watched.dialogs}"
        assert page.locator("img[src='x'], svg[onload], b:text('bold')").count() == 0
        body = page.inner_text("body")
        if "q=" in path:
            assert "<img src=x onerror=alert(4)>" in page.inner_text("#handout-filters")
            assert listed("<img src=x onerror=alert(4)>", pages[0])
        else:
            main = 0 if "lang=en" not in path else 1
            for names in EVIL.values():
                assert names[main] in body
                assert listed(names[main], "".join(pages)), names[main]
        page.screenshot(path=artifacts / f"print-xss-{case}.png", full_page=True)
        assert watched.foreign == [] and watched.errors == []
    finally:
        context.close()
