"""The index and sweep pages (Jinja2 templates, one stylesheet) and the reports' figure alt text:
data is escaped, the stylesheet is inlined once per page, nothing is loaded from elsewhere."""
import html
from html.parser import HTMLParser

import nbformat
import pytest

from rotation import pages, reportfolder
from rotation.execute import NotebookResult, render_html

pytestmark = pytest.mark.unit  # also in tests/tiers.py MODULE_TIERS

HOSTILE = "<script>alert('x')</script> & \"more\""
HOSTILE_NAME = "<script>name</script>"

# a 1x1 PNG (base64), a figure as matplotlib's inline backend leaves it in a notebook
PNG_1x1 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


@pytest.fixture(autouse=True)
def no_git_or_store(monkeypatch):
    """Provenance from fixed values (no git subprocess, no data store), one of them hostile."""
    monkeypatch.setattr(pages, "git_commit", lambda: "abc1234<b>")
    monkeypatch.setattr(pages, "data_vintage", lambda: {"store_filled": "2025-01-01", "store_source": HOSTILE})


def figure(value, unit, label):
    return {"value": value, "unit": unit, "as_of": "2020-12-31", "label": label}


def results(year: int) -> dict[str, NotebookResult]:
    return {
        "01_ok": NotebookResult(stem="01_ok", status="ok", seconds=1.5, parameters={"as_of": f"{year}-12-31"},
                                figures={"answer": figure(42.0 + year, "count", HOSTILE),
                                         "peak": figure(f"{year}-03", "month", "peak month"),
                                         HOSTILE_NAME: figure("a label", "text", "")},
                                finished="2025-01-01T00:00:00+00:00"),
        "02_bad": NotebookResult(stem="02_bad", status="failed", seconds=0.5, parameters={},
                                 error="ValueError: <no data>", finished="2025-01-01T00:00:01+00:00"),
        "05_claims_check": NotebookResult(stem="05_claims_check", status="ok", seconds=1.0, parameters={},
                                          figures={"q1.verdict": figure("supported", "verdict", HOSTILE)}),
    }


def index_page() -> str:
    return pages.index_html(results(2020), 3.25, None)


def comparison_page() -> str:
    by_date = {"2020-12-31": results(2020), "2021-12-31": results(2021)}
    return pages.comparison_html(by_date, pages.comparison_table(by_date), 7.5)


class Images(HTMLParser):
    """The attributes of every <img> of a page."""

    def __init__(self):
        super().__init__()
        self.images = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))


def test_index_escapes_everything_from_data():
    page = index_page()
    assert "<script>" not in page
    assert html.escape(HOSTILE_NAME) in page
    assert page.count(html.escape(HOSTILE)) == 3                 # label, evidence, store source
    assert "<code>abc1234&lt;b&gt;</code>" in page
    assert "<td class='failed'>failed: ValueError: &lt;no data&gt;</td>" in page
    assert "<title>Great Rotation reports</title>" in page and reportfolder.INDEX_TITLES[0] in page


def test_comparison_escapes_everything_from_data():
    page = comparison_page()
    assert "<script>" not in page
    assert html.escape(HOSTILE_NAME) in page                     # a figure's name in the text-figures table
    assert "<code>abc1234&lt;b&gt;</code>" in page
    assert "<title>Sweep comparison</title>" in page and reportfolder.INDEX_TITLES[1] in page
    # both dates failed (02_bad) and say which notebook; each links its own folder's index
    assert page.count("<td class='failed'>failed: 02_bad</td>") == 2
    assert "href='2020-12-31/index.html'" in page and "href='2021-12-31/index.html'" in page
    # the pandas tables are HTML, not escaped text: 42 + 2020 and 42 + 2021 as numbers in cells
    assert "<td>2,062</td>" in page and "<td>2,063</td>" in page and "&lt;table" not in page


@pytest.mark.parametrize("render", [index_page, comparison_page])
def test_one_stylesheet_inlined_once_and_nothing_from_elsewhere(render):
    page = render()
    css = pages.STYLESHEET.read_text(encoding="utf-8").strip()
    assert page.count(css) == 1
    assert page.count("<style") == 1
    assert "<link" not in page.lower()
    assert "src=\"http" not in page and "src='http" not in page and "url(" not in page


def test_the_small_multiples_image_is_embedded_with_alt_text():
    parser = Images()
    parser.feed(comparison_page())
    assert len(parser.images) == 1
    (img,) = parser.images
    assert img["src"].startswith("data:image/png;base64,") and img["alt"]


def test_pieces_render_nothing_without_data():
    assert pages.thesis_lead_html({}) == ""
    assert pages.verdict_table_html({"answer": figure(1, "count", "")}) == ""
    table = pages.comparison_table({"2020-12-31": {"01_ok": results(2020)["01_ok"]}})
    assert pages.verdict_grid_html(table) == ""


def test_report_figures_get_their_title_as_alt_text(tmp_path):
    nb = nbformat.v4.new_notebook()
    titled = nbformat.v4.new_output("display_data", data={"image/png": PNG_1x1, "text/plain": "<Figure>"},
                                    metadata={"image/png": {"alt": "Spread <10y> & 'more'"}})
    untitled = nbformat.v4.new_output("display_data", data={"image/png": PNG_1x1, "text/plain": "<Figure>"})
    nb.cells = [nbformat.v4.new_code_cell("plot()", outputs=[titled, untitled])]
    target = tmp_path / "report.html"
    render_html(nb, target)
    parser = Images()
    parser.feed(target.read_text(encoding="utf-8"))
    assert [img.get("alt") for img in parser.images] == ["Spread <10y> & 'more'", "Figure (untitled)"]
    assert all(img["src"] == f"data:image/png;base64,{PNG_1x1}" for img in parser.images)
