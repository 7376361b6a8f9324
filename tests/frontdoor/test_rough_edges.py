"""The rough edges a new user hit, each reproduced and now checked: signals and checkpoints, --out, sizes,
defaults, cov_h, help text, terminal summaries and figure axes."""

import importlib
import json
import os
import signal

import numpy as np
import pytest

from deeprg.cli import main
from deeprg.exact import FiniteChain, enumerate_spec, solve
from deeprg.model import NetworkSpec


@pytest.fixture(autouse=True)
def quiet(monkeypatch):
    monkeypatch.setenv("DEEPRG_PROGRESS", "0")


def run(args):
    with pytest.raises(SystemExit) as done:
        main([str(a) for a in args])
    return done.value.code


def one_line_error(capsys) -> str:
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "Traceback" not in err, err
    return err


MC = ["mc", "--depth", "200", "--sweeps", "30", "--burn-in", "5", "--chains", "2", "--rmax", "3"]


# -- --out ----------------------------------------------------------------------------------------------
EVERY_COMMAND = [["exact"], ["rg", "flow"], ["rg", "fixed-points"], ["rg", "scaling"], ["rg", "catalog"], ["mc"],
                 ["train"], ["train-sweep"], ["gx", "rg", "--family", "ising", "--param", "1"],
                 ["gx", "experiment", "--family", "ising", "--param", "1"], ["reproduce"], ["wide"]]


@pytest.mark.parametrize("command", EVERY_COMMAND, ids=lambda c: " ".join(c[:2]))
def test_out_naming_a_file_is_refused_before_any_work(tmp_path, capsys, command):
    target = tmp_path / "a-file"
    target.write_text("keep me")
    assert run([*command, "--out", target]) == 2
    assert "is a file" in one_line_error(capsys) and target.read_text() == "keep me"
    assert run([*command, "--out", target / "below"]) == 2
    assert f"{target} is a file" in one_line_error(capsys)


def test_out_in_an_unwritable_place_is_refused_and_leaves_nothing(tmp_path, capsys):
    assert run(["exact", "--out", "/proc/deeprg-cannot-exist/out"]) == 2  # /proc refuses new folders, even to root
    assert "cannot write into" in one_line_error(capsys)
    fresh = tmp_path / "new" / "deeper"
    assert run(["exact", "--depth", "0", "--out", fresh]) == 2  # bad input after a good --out: nothing created
    assert not (tmp_path / "new").exists()


# -- checkpoints ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("content,needle", [(b"", "is empty"), (b"not an npz at all", "is not a deeprg checkpoint"),
                                            (b"PK\x03\x04 truncated zip", "is not a deeprg checkpoint")])
def test_empty_or_corrupt_checkpoint_is_one_line_naming_the_file(tmp_path, capsys, content, needle):
    path = tmp_path / "run.ckpt"
    path.write_bytes(content)
    assert run([*MC, "--checkpoint", path, "--out", tmp_path / "o"]) == 2
    err = one_line_error(capsys)
    assert str(path) in err and needle in err and "pickle" not in err


def test_sigterm_writes_the_checkpoint_says_how_to_resume_and_resume_is_exact(tmp_path, capsys, monkeypatch):
    mc_run = importlib.import_module("deeprg.sampling.run")  # the module, not the function it exports

    args = [*MC, "--sweeps", "400", "--checkpoint", tmp_path / "run.ckpt"]
    assert run([*args[:-2], "--out", tmp_path / "whole"]) == 0  # the uninterrupted run, no checkpoint
    capsys.readouterr()
    real_run = mc_run.run

    def terminated_after_two_blocks(config, checkpoint=None, on_block=None, **kwargs):
        def on(block):
            if block == 2:
                os.kill(os.getpid(), signal.SIGTERM)  # what `timeout`, SLURM and Kubernetes send

        return real_run(config, checkpoint, on_block=on, **kwargs)

    monkeypatch.setattr(mc_run, "run", terminated_after_two_blocks)
    assert run([*args, "--out", tmp_path / "cut"]) == 128 + signal.SIGTERM
    err = capsys.readouterr().err
    assert "SIGTERM" in err and f"checkpoint written to {tmp_path / 'run.ckpt'}" in err and "resume" in err
    assert (tmp_path / "run.ckpt").exists() and not (tmp_path / "cut").exists()
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL  # the handler is removed again

    monkeypatch.setattr(mc_run, "run", real_run)
    assert run([*args, "--out", tmp_path / "resumed"]) == 0
    assert "resuming from checkpoint" in capsys.readouterr().err
    whole = json.loads((tmp_path / "whole" / "result.json").read_text())
    resumed = json.loads((tmp_path / "resumed" / "result.json").read_text())
    for key in ("G", "G_err", "mean", "tau_int", "mean_h"):
        assert whole[key] == resumed[key], key

    assert run([*args, "--out", tmp_path / "again"]) == 0  # a finished checkpoint is reported, not silent
    assert "holds a finished run" in capsys.readouterr().err


def test_ctrl_c_without_checkpoint_says_nothing_was_saved(tmp_path, capsys, monkeypatch):
    mc_run = importlib.import_module("deeprg.sampling.run")  # the module, not the function it exports

    def interrupted(config, checkpoint=None, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(mc_run, "run", interrupted)
    assert run([*MC, "--out", tmp_path]) == 130
    assert "--checkpoint" in one_line_error(capsys)


# -- sizes and defaults ---------------------------------------------------------------------------------
@pytest.mark.parametrize("command", [["exact"], MC])
def test_huge_depth_is_refused_before_allocating(tmp_path, capsys, command):
    assert run([*command, "--depth", "100000000000", "--out", tmp_path / "o"]) == 2
    err = one_line_error(capsys)
    assert err.startswith("deeprg: error: ") and "depth: 100000000000 needs about" in err and "TB" in err


def test_y_defaults_to_ones_of_the_shape_of_x(tmp_path):
    assert run(["exact", "--width", "2", "--x", "1,0;0,1", "--depth", "2", "--out", tmp_path]) == 0
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["spec"]["y"] == [[1.0, 1.0], [1.0, 1.0]]
    oracle = enumerate_spec(NetworkSpec(width=2, depth=2, x=[[1, 0], [0, 1]], y=[[1, 1], [1, 1]]))
    assert result["log_z"] == pytest.approx(oracle.log_z, rel=1e-12)


def test_cov_h_flag_note_and_layer_pairs(tmp_path, capsys):
    assert run(["exact", "--depth", "70", "--cov-pairs", "1,2;70,3", "--out", tmp_path / "auto"]) == 0
    assert "note: cov_h omitted: M L N = 70 > 64" in capsys.readouterr().out
    auto = json.loads((tmp_path / "auto" / "result.json").read_text())
    assert auto["cov_h"] is None and "--cov-h" in auto["cov_h_note"]
    assert run(["exact", "--depth", "70", "--cov-h", "--out", tmp_path / "full"]) == 0
    full = np.array(json.loads((tmp_path / "full" / "result.json").read_text())["cov_h"])
    assert full.shape == (70, 70)
    for pair in auto["cov_pairs"]:  # the pair blocks (one matrix power) equal the full matrix's blocks
        np.testing.assert_allclose(pair["cov"], [[full[pair["m"] - 1, pair["n"] - 1]]], atol=1e-15)
    assert run(["exact", "--depth", "3", "--no-cov-h", "--out", tmp_path / "off"]) == 0
    off = json.loads((tmp_path / "off" / "result.json").read_text())
    assert off["cov_h"] is None and "--no-cov-h" in off["cov_h_note"]


def test_pair_covariance_against_enumeration():
    spec = NetworkSpec(width=1, depth=4, beta=0.7, beta_v=1.3)
    oracle = enumerate_spec(spec).cov_h
    chain = FiniteChain.solve(spec)
    for m, n in ((1, 4), (4, 1), (2, 2), (2, 3)):
        np.testing.assert_allclose(chain.pair_covariance(m, n), oracle[m - 1:m, n - 1:n], atol=1e-12)


def test_solve_refuses_a_full_covariance_that_cannot_fit():
    with pytest.raises(ValueError, match="depth: .* full"):
        solve(NetworkSpec(depth=2_000_000), covariance=True)


# -- help text ------------------------------------------------------------------------------------------
def test_help_keeps_bracketed_words_and_names_the_right_files(capsys):
    assert run(["rg", "catalog", "--help"]) == 0
    assert "deeprg[cluster]" in capsys.readouterr().out
    assert run(["reproduce", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert "report.json" in text and "report.html" in text and "result.json" not in text


def test_p_is_unambiguous_in_help(capsys):
    assert run(["rg", "flow", "--help"]) == 0
    rg_help = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert "--factor" in rg_help and "RG rescaling factor b" in rg_help and "Not the cost exponent" in rg_help
    assert run(["exact", "--help"]) == 0
    exact_help = " ".join(capsys.readouterr().out.replace("│", " ").split())
    assert "Cost exponent p" in exact_help and "not an RG factor" in exact_help


# -- terminal summaries ---------------------------------------------------------------------------------
def test_beta_v_sweep_prints_every_beta_v(tmp_path, capsys):
    assert run([*MC, "--sweeps", "10", "--sweep-beta-v", "2,8", "--out", tmp_path]) == 0
    lines = capsys.readouterr().out.splitlines()
    table = [line.split() for line in lines if line.strip() and line.split()[0] in ("1", "2", "8")]
    assert [row[0] for row in table] == ["1", "2", "8"]  # --beta-v 1 and both sweep values
    result = json.loads((tmp_path / "result.json").read_text())
    for row, point in zip(table, result["points"]):
        assert float(row[2]) == pytest.approx(point["exact"]["max_abs_diff"], rel=1e-3)


def test_train_sweep_summary_lists_the_numbers():
    from deeprg.cli.train import _sweep_summary

    result = {"rows": [{"depth": d, "dna": {"test_accuracy": 0.9, "time_per_epoch": 0.1},
                        "backprop": {"test_accuracy": 0.8, "time_per_epoch": 0.05}} for d in (2, 3)]}
    lines = _sweep_summary("depth", result)
    assert len(lines) == 3 and lines[1].split() == ["2", "0.9000", "0.8000", "0.1000", "0.0500"]
    limit = _sweep_summary("limit", {"lambda": [1.0, 10.0], "distance": [0.5, 0.05], "log_log_slope": -1.0})
    assert limit[-1].endswith("-1.000") and len(limit) == 4


@pytest.mark.slow
def test_train_sweep_prints_a_summary(tmp_path, capsys):
    assert run(["train-sweep", "--kind", "symmetry", "--depth", "3", "--epochs", "1", "--out", tmp_path]) == 0
    out = capsys.readouterr().out
    assert "test accuracy" in out and "done" not in out


# -- figures --------------------------------------------------------------------------------------------
def test_bulk_correlation_axis_is_log_of_abs_g_without_a_kink():
    from matplotlib.ticker import MaxNLocator

    from deeprg import plots

    r = np.arange(21)
    G = 0.25 * np.exp(-r / 0.6)  # a pure exponential must be a straight line
    fig = plots.correlation({"bulk G(r)": G})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log"  # symlog's linear band near zero drew a fake kink
    x, y = ax.lines[0].get_data()
    slopes = np.diff(np.log(y)) / np.diff(x)
    assert np.allclose(slopes, -1 / 0.6)
    assert isinstance(ax.xaxis.get_major_locator(), MaxNLocator)
    assert all(float(t).is_integer() for t in ax.get_xticks())


def test_deep_layer_plot_draws_few_points_and_integer_ticks_when_shallow():
    from deeprg import plots

    deep = plots.layer_means(np.full((1_000_000, 1, 1), 0.5))
    assert len(deep.axes[0].lines[0].get_xdata()) <= plots.PLOTTED_LAYERS
    shallow = plots.layer_means(np.full((5, 1, 1), 0.5))
    assert all(float(t).is_integer() for t in shallow.axes[0].get_xticks())


def test_gx_takes_the_rg_factor_as_factor_like_rg(tmp_path):
    args = ["gx", "rg", "--family", "ising", "--param", "1", "--steps", "2", "--factor", "3"]
    assert run([*args, "--out", tmp_path]) == 0
    assert json.loads((tmp_path / "result.json").read_text())["b"] == 3
