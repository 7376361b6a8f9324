"""The report page: readable 'computed' text, a per-paper summary and contents, and, in a real headless Chromium
(skipped where none is installed), no horizontal overflow at 1400 px and every figure loaded."""

import shutil
import socket

import numpy as np
import pytest

from deeprg.report.check import Check, VERDICTS
from deeprg.report.html import readable, render


def _report(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(20, 4), dpi=100)  # 2000 px wide: must shrink to the column
    ax.plot(np.arange(10), np.exp(-np.arange(10)))
    figure = tmp_path / "wide.png"
    fig.savefig(figure)
    plt.close(fig)
    checks = [
        Check("eq1", "a claim", "printed value", f"x = {np.array([1.5, 2.5])!r}; y = {np.float64(3.25)!r}",
              "agrees", "detail", "dna", could_fail_if="x differs", figures=(str(figure),)).to_dict(),
        Check("eq2", "another claim", "0" * 400, "9" * 600, "disagrees", "d" * 900, "dna").to_dict(),
        Check("gx-ising", "a gx claim", "p", "c", "holds-by-construction", "identity", "gx").to_dict(),
    ]
    summary = {paper: {v: sum(c["verdict"] == v and c["source"] == paper for c in checks) for v in VERDICTS}
               for paper in ("dna", "gx")}
    summary["all"] = {v: sum(c["verdict"] == v for c in checks) for v in VERDICTS}
    return {"summary": summary, "checks": checks}


def test_computed_text_has_no_python_reprs():
    text = readable(f"G = {np.array([0.25, 0.125])!r}, xi = {np.float64(0.5)!r}")
    assert "array(" not in text and "np.float64" not in text
    assert text == "G = [0.25, 0.125], xi = 0.5"
    assert readable({"a": 0.1234567891, "b": {"c": 1}}) == "a: 0.123457\nb: {c: 1}"


def test_page_has_summary_contents_and_every_check(tmp_path):
    page = render(_report(tmp_path))
    assert "<h2>Summary</h2>" in page and "<h2>Contents</h2>" in page
    for anchor in ("check-eq1", "check-eq2", "check-gx-ising"):
        assert f'href="#{anchor}"' in page and f'id="{anchor}"' in page
    assert "Gong &amp; Xia" in page and "holds by construction" in page
    assert "array(" not in page
    assert "<details" in page and "<figure>" in page.split("<details")[1]  # figures shown outside the fold


def test_page_accepts_the_list_of_check_dicts_of_older_reports(tmp_path):
    old = [{"id": "fig7", "claim": "c", "paper": "p", "computed": {"max": 0.5}, "verdict": "agrees",
            "detail": "d", "figures": []}]
    page = render(old)
    assert 'id="check-fig7"' in page and "max: 0.5" in page


def _chromium():
    path = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if path is None:
        pytest.skip("no system Chromium installed")
    pytest.importorskip("playwright.sync_api")
    return path


def test_page_in_headless_chromium_fits_1400px_and_loads_figures(tmp_path):
    chromium = _chromium()
    from playwright.sync_api import sync_playwright

    path = tmp_path / "report.html"
    path.write_text(render(_report(tmp_path)))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.goto(path.as_uri())
            scroll, client = page.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            images = page.evaluate("Array.from(document.images).map(i => [i.complete, i.naturalWidth, "
                                   "i.getBoundingClientRect().width, i.getBoundingClientRect().height])")
            page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
        finally:
            browser.close()
    assert scroll <= client == 1400, f"page is {scroll} px wide in a 1400 px window"
    assert images, "the figure is missing from the page"
    for complete, natural, width, height in images:
        assert complete and natural == 2000  # decoded, full resolution
        assert 0 < width <= 1400 and height > 0  # shrunk into the column, not collapsed
    assert (tmp_path / "report.png").stat().st_size > 0
