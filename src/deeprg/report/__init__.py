"""The reproduction report: checks of every claim of both papers, as JSON and a self-contained HTML page."""

from .check import PAPERS, VERDICTS, Check, Evidence, counts, family_wise_z, verdict
from .checks import PROVIDERS, Provider, Report, run_checks
from .html import render

__all__ = ["PAPERS", "PROVIDERS", "VERDICTS", "Check", "Evidence", "Provider", "Report", "counts", "family_wise_z", "render",
           "run_checks", "verdict"]
