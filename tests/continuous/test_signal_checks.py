"""The signal-propagation report checks: typed records whose verdicts come from the computed numbers."""

import pytest

from deeprg.continuous import signal_checks
from deeprg.report.check import Check


@pytest.mark.slow
def test_signal_checks_are_typed_and_decided(tmp_path):
    noisy, edge_inf, edge_finite = signal_checks.report_checks(tmp_path)
    assert all(isinstance(c, Check) and c.source == "dna" for c in (noisy, edge_inf, edge_finite))
    assert noisy.verdict == "agrees" and noisy.could_fail_if
    assert edge_inf.verdict == "agrees" and (tmp_path / "edge_rounding.png").exists()
    # at finite beta_v the convexity bound keeps xi_c finite: the paper's critical point is absent
    assert edge_finite.verdict == "disagrees" and (tmp_path / "xi_c_vs_beta_v.png").exists()
