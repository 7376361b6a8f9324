"""`deeprg mc`: outputs, the beta_v sweep, bad input (exit 2, nothing written) and the fig7 report check."""

import json

import numpy as np
import pytest

from deeprg.cli import main
from deeprg.sampling.checks import CHECK_RMAX, fig7_check, within_error_bars


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("DEEPRG_PROGRESS", "0")


def test_single_run_writes_result(tmp_path):
    main_args = ["mc", "--system", "dnn", "--depth", "400", "--sweeps", "30", "--burn-in", "5", "--chains", "2",
                 "--rmax", "5", "--out", str(tmp_path)]
    with pytest.raises(SystemExit) as done:
        main(main_args)
    assert done.value.code == 0
    result = json.loads((tmp_path / "result.json").read_text())
    for key in ("G", "G_err", "G_exact", "mean_h", "tau_int", "ess", "r_hat", "spec"):
        assert key in result
    assert len(result["G"]) == len(result["G_err"]) == len(result["G_exact"]) == 6
    assert result["method"] == "metropolis" and (tmp_path / "G.png").exists()


def test_beta_v_sweep_writes_json_and_figures(tmp_path):
    with pytest.raises(SystemExit) as done:
        main(["mc", "--depth", "300", "--sweeps", "20", "--burn-in", "5", "--chains", "2", "--rmax", "4",
              "--sweep-beta-v", "2,8", "--out", str(tmp_path)])
    assert done.value.code == 0
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["beta_v"] == [1.0, 2.0, 8.0]
    assert {"max_abs_diff", "xi_dna", "xi_dnn", "close"} <= set(result["fig7"]["exact"])
    assert (tmp_path / "fig7.png").exists() and (tmp_path / "sweep_beta_v.png").exists()


@pytest.mark.parametrize("args,message", [
    (["--beta", "1+2j"], "--beta"),
    (["--beta-v", "inf"], "--beta-v: the DNA Gibbs sampler needs a finite beta_v; beta_v = inf is the plain network: use system 'dnn'"),
    (["--chains", "0"], "chains"),
    (["--sweeps", "-4"], "sweeps"),
    (["--system", "dnn", "--method", "gibbs"], "method"),
])
def test_bad_input_exits_2_without_output(tmp_path, capsys, args, message):
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as done:
        main(["mc", "--depth", "100", *args, "--out", str(out)])
    assert done.value.code == 2
    assert message in capsys.readouterr().err
    assert not out.exists()


def test_report_check_fig7_covers_every_plotted_r_and_its_seeds(tmp_path):
    check = fig7_check(tmp_path, seeds=(0, 1))
    assert check.id == "fig7" and check.seeds == (0, 1) and check.verdict in ("agrees", "disagrees")
    assert f"over {2 * (CHECK_RMAX + 1)} points" in check.computed  # 2 systems x r = 0..rmax
    assert "seed 0:" in check.detail and "seed 1:" in check.detail  # per-seed maxima beside the pooled verdict
    assert check.could_fail_if and check.tolerance_source and (tmp_path / "fig7.png").exists()


def test_fig7_rule_flips_with_the_evidence():
    """The family-wise rule: a z beyond the Bonferroni threshold anywhere fails the check, nothing else does."""
    z = np.zeros(66)
    holds, threshold = within_error_bars(z)
    assert holds and threshold == pytest.approx(3.8, abs=0.1)  # n = 66 at level 0.01
    z[40] = threshold * 1.01
    assert not within_error_bars(z)[0]
    z[40] = -threshold * 0.99
    assert within_error_bars(z)[0]
