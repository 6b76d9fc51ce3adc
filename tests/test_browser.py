"""The rendered reports in a real browser (Debian's headless Chromium driven by Playwright):
every figure decodes, no console errors, no request leaves the machine, and the verdict table
and figures are visible in screenshots kept under tests/artifacts/screenshots/."""
import os
import shutil
from pathlib import Path

import pytest

from rotation import runner

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        pytest.fail("Debian's chromium is not installed: `make test` (or .ci/run) installs it with apt-get", pytrace=False)
    pytest.skip("chromium not installed (make test installs it)", allow_module_level=True)


@pytest.fixture(scope="module")
def reports(tmp_path_factory, store):
    """The whole collection run once, from an environment that sets a non-interactive
    MPLBACKEND (as batch schedulers often do): the runner must still put every figure in."""
    out = tmp_path_factory.mktemp("reports")
    inherited = os.environ.get("MPLBACKEND")
    os.environ["MPLBACKEND"] = "Agg"
    try:
        results = runner.run(runner.plan_run(out=out), progress=lambda m: None)
    finally:
        if inherited is None:
            os.environ.pop("MPLBACKEND", None)
        else:
            os.environ["MPLBACKEND"] = inherited
    assert all(r.status == "ok" for r in results.values()), {s: r.error for s, r in results.items()}
    return out


def test_every_report_has_its_figures_despite_an_inherited_agg_backend(reports):
    """Every notebook draws at least one figure; with MPLBACKEND=Agg reaching the kernels,
    plt.show() would draw nothing and each report would have none."""
    import nbformat

    for executed in sorted(reports.glob("[0-9][0-9]_*.ipynb")):
        nb = nbformat.read(executed, as_version=4)
        pngs = sum("image/png" in o.get("data", {}) for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))
        html = executed.with_suffix(".html").read_text(encoding="utf-8")
        assert pngs >= 1, f"{executed.name}: no figure"
        assert html.count("data:image/png;base64,") >= pngs, f"{executed.name}: figures missing from the HTML"
        assert "Figure (untitled)" not in html, f"{executed.name}: a figure without its title as alt text"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def open_page(browser, url):
    """Load `url` with every request outside file:/data: blocked and recorded."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors, outside = [], []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def guard(route):
        if route.request.url.startswith(("file:", "data:", "about:")):
            route.continue_()
        else:
            outside.append(route.request.url)
            route.abort()

    page.route("**/*", guard)
    page.goto(url, wait_until="load")
    return page, errors, outside


def page_names():
    return ["index"] + sorted(p.stem for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("name", page_names())
def test_report_reads_offline(reports, browser, name):
    page, errors, outside = open_page(browser, (reports / f"{name}.html").as_uri())
    widths = page.evaluate("Array.from(document.images).map(i => i.complete ? i.naturalWidth : 0)")
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    assert outside == [], f"{name}: requests leave the machine: {outside}"
    assert errors == [], f"{name}: console errors: {errors}"
    assert all(w > 0 for w in widths), f"{name}: undecodable images: {widths}"
    if name != "index":
        assert len(widths) >= 1, f"{name}: no figure rendered"
        first = page.locator("img").first
        first.scroll_into_view_if_needed()
        assert first.is_visible() and first.bounding_box()["width"] > 200
    page.close()


def test_index_leads_with_verdicts(reports, browser):
    page, errors, _ = open_page(browser, (reports / "index.html").as_uri())
    table = page.locator("table.verdicts")
    assert table.is_visible()
    box = table.bounding_box()
    reports_heading = page.locator("h2", has_text="Reports").bounding_box()
    assert box["y"] < reports_heading["y"], "the verdict table must come before the report list"
    lead = page.locator("p.thesis")  # the thesis verdict (notebook 06) leads, then the claims table
    assert lead.is_visible() and lead.bounding_box()["y"] < box["y"]
    assert lead.locator("a").get_attribute("href") == "06_thesis_verdict.html"
    assert (reports / "06_thesis_verdict.html").exists()
    rows = table.locator("tr").count() - 1
    assert rows >= 25
    SHOTS.mkdir(parents=True, exist_ok=True)
    table.screenshot(path=str(SHOTS / "index_verdicts.png"))
    assert (SHOTS / "index_verdicts.png").stat().st_size > 5000
    page.close()
