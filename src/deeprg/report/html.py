"""A self-contained HTML page of the reproduction report (figures embedded as base64 PNG).

The page reads the data of ``report.json``: ``{"summary": {paper: {verdict: count}}, "checks": [...]}`` with each
check as :meth:`deeprg.report.check.Check.to_dict` (a plain list of check dicts is accepted too). It has a
per-paper summary, a table of contents, and one section per check whose figures are shown, not folded away.
Its layout fits a 1400 px window: text wraps, long numbers break, images shrink to the column.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

from .check import PAPERS, VERDICTS

COLOURS = {"agrees": "#d7f5d7", "holds-by-construction": "#e4ecf7", "disagrees": "#ffd6d6",
           "not-checkable": "#eeeeee"}
LABELS = {"agrees": "agrees", "holds-by-construction": "holds by construction", "disagrees": "disagrees",
          "not-checkable": "not checkable"}

STYLE = """
* { box-sizing: border-box; }
body { font-family: system-ui, sans-serif; margin: 0 auto; padding: 1.5em; max-width: 1200px; line-height: 1.4; }
h1 { margin-top: 0; }
table { border-collapse: collapse; }
td, th { border: 1px solid #999; padding: 4px 8px; text-align: left; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
pre, code { white-space: pre-wrap; overflow-wrap: anywhere; word-break: break-word; font-size: 0.92em; }
nav ol { columns: 2; column-gap: 2em; }
nav li { break-inside: avoid; }
section.check { border: 1px solid #bbb; border-left: 8px solid var(--colour); border-radius: 4px;
                margin: 1.2em 0; padding: 0.6em 1em; overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 0.5em; border-radius: 3px; background: var(--colour);
         border: 1px solid #888; font-weight: bold; font-size: 0.85em; }
dl { display: grid; grid-template-columns: 10em minmax(0, 1fr); gap: 0.3em 1em; margin: 0.5em 0; }
dt { font-weight: bold; }
dd { margin: 0; min-width: 0; white-space: pre-wrap; }
dd pre { margin: 0; }
.figures { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; max-width: 100%; }
figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.85em; color: #444; }
"""


def _esc(value) -> str:
    return html.escape(str(value))


_ARRAY = re.compile(r"array\((\[[^()]*?\])(?:,\s*dtype=[\w.]+)?\)", re.S)
_NUMPY_SCALAR = re.compile(r"np\.(?:float|int|complex|bool_?)\w*\(([^()]*)\)")


def readable(value, nested: bool = False) -> str:
    """Text of a computed value without Python/numpy reprs: ``array([1., 2.])`` -> ``[1., 2.]``.

    A dict becomes one ``key: value`` line per entry (``{key: value, ...}`` inside another value).
    """
    if isinstance(value, str):
        text = _NUMPY_SCALAR.sub(r"\1", value)
        return _ARRAY.sub(lambda m: re.sub(r"\s+,", ",", " ".join(m.group(1).split())), text)
    if isinstance(value, dict):
        if nested:
            return "{" + ", ".join(f"{k}: {readable(v, True)}" for k, v in value.items()) + "}"
        return "\n".join(f"{k}: {readable(v, True)}" for k, v in value.items())
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(readable(v, True) for v in value) + "]"
    return str(value)


def _figure(path: str, base: Path | None) -> str:
    candidates = [Path(path)] + ([base / path] if base is not None and not Path(path).is_absolute() else [])
    for candidate in candidates:
        try:
            data = base64.b64encode(candidate.read_bytes()).decode()
        except OSError:
            continue
        name = _esc(Path(path).name)
        return (f'<figure><img alt="{name}" src="data:image/png;base64,{data}">'
                f"<figcaption>{name}</figcaption></figure>")
    return f"<p><em>missing figure {_esc(path)}</em></p>"


def _source(check: dict) -> str:
    """The paper of a check; older check dicts without ``source`` are told apart by their id."""
    return check.get("source") or ("gx" if str(check.get("id", "")).startswith("gx") else "dna")


def _anchor(check: dict) -> str:
    return "check-" + re.sub(r"[^A-Za-z0-9_-]", "-", str(check["id"]))


def _summary(checks: list[dict]) -> dict:
    verdicts = [v for v in VERDICTS] + sorted({c["verdict"] for c in checks} - set(VERDICTS))
    out = {paper: {v: sum(c["verdict"] == v for c in checks if _source(c) == paper) for v in verdicts}
           for paper in PAPERS}
    out["all"] = {v: sum(c["verdict"] == v for c in checks) for v in verdicts}
    return out


def _section(check: dict, base: Path | None) -> str:
    colour = COLOURS.get(check["verdict"], "#ffffff")
    # (label, text, monospace): the claim, what the paper says and what we computed come first
    rows = [("claim", check.get("claim", ""), False), ("paper says", check.get("paper", ""), False),
            ("computed", readable(check.get("computed", "")), True)]
    if check.get("evidence"):
        rows.append(("evidence", readable(check["evidence"]), True))
    if check.get("could_fail_if"):
        rows.append(("could fail if", check["could_fail_if"], False))
    elif check["verdict"] == "holds-by-construction":
        rows.append(("could fail if", "(an identity: it could not fail)", False))
    if check.get("tolerance_source"):
        rows.append(("tolerance", check["tolerance_source"], False))
    if check.get("seeds"):
        rows.append(("seeds", ", ".join(str(s) for s in check["seeds"]), False))
    fields = "".join(f"<dt>{_esc(k)}</dt><dd><pre>{_esc(v)}</pre></dd>" if mono else
                     f"<dt>{_esc(k)}</dt><dd>{_esc(v)}</dd>" for k, v, mono in rows)
    detail = (f'<details{" open" if check["verdict"] == "disagrees" else ""}><summary>derivation and detail'
              f'</summary><pre>{_esc(readable(check.get("detail", "")))}</pre></details>')
    figures = "".join(_figure(p, base) for p in check.get("figures", []))
    return (f'<section class="check" id="{_anchor(check)}" style="--colour:{colour}">'
            f'<h3>{_esc(check["id"])} <span class="badge">{_esc(LABELS.get(check["verdict"], check["verdict"]))}'
            f"</span></h3><dl>{fields}</dl>{detail}"
            + (f'<div class="figures">{figures}</div>' if figures else "") + "</section>")


def render(report, title: str = "deeprg reproduction report", base: str | Path | None = None) -> str:
    """The page of a report.json dict (``summary`` per paper and ``checks``), or of a list of check dicts.

    ``base`` is the folder relative figure paths are read from (besides the working directory).
    """
    checks = list(report["checks"] if isinstance(report, dict) else report)
    summary = report.get("summary") if isinstance(report, dict) and report.get("summary") else _summary(checks)
    base = None if base is None else Path(base)
    verdicts = list(dict.fromkeys(v for counts in summary.values() for v in counts))
    head = "".join(f"<th>{_esc(LABELS.get(v, v))}</th>" for v in verdicts)
    body = "".join(
        f"<tr><td>{_esc(PAPERS.get(paper, 'all checks'))}</td>"
        + "".join(f'<td class="n" style="background:{COLOURS.get(v, "#fff")}">{counts.get(v, 0)}</td>'
                  for v in verdicts) + "</tr>"
        for paper, counts in summary.items())
    toc = []
    sections = []
    for paper in (*PAPERS, *sorted({_source(c) for c in checks} - set(PAPERS))):
        chosen = [c for c in checks if _source(c) == paper]
        if not chosen:
            continue
        items = "".join(f'<li><a href="#{_anchor(c)}">{_esc(c["id"])}</a> <span class="badge" '
                        f'style="--colour:{COLOURS.get(c["verdict"], "#fff")}">'
                        f'{_esc(LABELS.get(c["verdict"], c["verdict"]))}</span></li>' for c in chosen)
        toc.append(f'<h3><a href="#paper-{paper}">{_esc(PAPERS.get(paper, paper))}</a></h3><ol>{items}</ol>')
        sections.append(f'<h2 id="paper-{paper}">{_esc(PAPERS.get(paper, paper))}</h2>'
                        + "".join(_section(c, base) for c in chosen))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>{_esc(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{_esc(title)}</h1>
<p>{len(checks)} checks. Every verdict is decided by comparing the printed claim with a computation (enumeration,
transfer matrices, computer algebra, Monte Carlo with error bars); "holds by construction" marks identities that
could not have failed, and is counted apart from "agrees".</p>
<h2>Summary</h2><table><tr><th>paper</th>{head}</tr>{body}</table>
<nav><h2>Contents</h2>{''.join(toc)}</nav>
{''.join(sections)}
</body></html>
"""
