"""The reproduction report: checks of every claim of the seeds, as JSON and a self-contained HTML page."""

from .checks import PROVIDERS, VERDICTS, run_checks
from .html import render

__all__ = ["PROVIDERS", "VERDICTS", "render", "run_checks"]
