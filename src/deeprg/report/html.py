"""A self-contained HTML page of the reproduction report (figures embedded as base64 PNG)."""

from __future__ import annotations

import base64
import html
from pathlib import Path

COLOURS = {"agrees": "#d7f5d7", "holds-by-construction": "#e4ecf7", "disagrees": "#ffd6d6",
           "not-checkable": "#eeeeee"}


def _figure(path: str) -> str:
    try:
        data = base64.b64encode(Path(path).read_bytes()).decode()
    except OSError:
        return f"<p><em>missing figure {html.escape(str(path))}</em></p>"
    return f'<img alt="{html.escape(Path(path).name)}" src="data:image/png;base64,{data}" style="max-width:640px">'


def render(report: dict, title: str = "deeprg reproduction report") -> str:
    """The page of a report.json dict (``summary`` per paper and ``checks``)."""
    checks = report["checks"]
    rows = []
    for c in checks:
        figures = "".join(_figure(p) for p in c.get("figures", []))
        seeds = f"<br>seeds: {c['seeds']}" if c.get("seeds") else ""
        rows.append(
            f'<tr style="background:{COLOURS[c["verdict"]]}"><td><b>{html.escape(str(c["id"]))}</b></td>'
            f'<td>{html.escape(str(c["claim"]))}</td><td><code>{html.escape(str(c["paper"]))}</code></td>'
            f'<td><code>{html.escape(str(c["computed"]))}</code></td><td><b>{c["verdict"]}</b></td>'
            f'<td>could fail if: {html.escape(c.get("could_fail_if") or "(identity)")}<br>tolerance: '
            f'{html.escape(c.get("tolerance_source", ""))}{seeds}</td>'
            f'<td><details{" open" if c["verdict"] == "disagrees" else ""}><summary>detail</summary>'
            f'<pre style="white-space:pre-wrap">{html.escape(str(c["detail"]))}</pre>{figures}</details></td></tr>')
    summary = "".join(f"<li>{html.escape(paper)}: " + ", ".join(f"{n} {v}" for v, n in counts.items()) + "</li>"
                      for paper, counts in report["summary"].items())
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em}} td,th{{border:1px solid #999;padding:4px;vertical-align:top}}
table{{border-collapse:collapse}} code{{white-space:pre-wrap}}</style></head><body>
<h1>{html.escape(title)}</h1><p>{len(checks)} checks. Every verdict is decided by comparing the printed claim with
a computation (enumeration, transfer matrices, computer algebra, Monte Carlo with error bars); "holds by
construction" marks identities that could not have failed.</p><ul>{summary}</ul>
<table><tr><th>id</th><th>claim</th><th>paper</th><th>computed</th><th>verdict</th><th>could fail if /
tolerance</th><th>detail</th></tr>
{''.join(rows)}</table></body></html>
"""
