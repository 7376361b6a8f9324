"""The catalog over models: family, skipping, verification of every listed point, the answer, priors, Ray."""

import importlib.util
import math

import numpy as np
import pytest

from deeprg.rg import catalog as cat
from deeprg.rg import catalog_theory as theory
from deeprg.rg.fixed_points import residual

REACHED = cat.CatalogModel(1, 2, (-1.0, 1.0), (0.0,), (-1.0, 1.0), "sign")
INCOMPARABLE = cat.CatalogModel(1, 2, (-1.0, 1.0), (-1.0, 1.0), (0.0, 1.0), "heaviside")


def test_family_and_invalid_models_are_skipped_with_the_reason():
    family = cat.model_family()
    assert len(family) == 2 * 2 * 2 * 3 * 4 * 2
    entry = cat.analyze(cat.CatalogModel(1, 1, neurons=(-1.0, 1.0), activation="heaviside"))
    assert entry.skipped and "outside the neuron value set" in entry.skipped
    entry = cat.analyze(cat.CatalogModel(1, 1, neurons=(0.0, 1.0), activation="sign"))
    assert entry.skipped and "activation" in entry.skipped
    assert cat.CatalogModel(2, 2, weights=(-1.0, 0.0, 1.0), prior="tilted").weight_prior == (1.0, 2.0, 3.0)
    with pytest.raises(ValueError, match="prior"):
        cat.CatalogModel(prior="peaked")


def test_toy_entry_reproduces_the_paper_and_verifies_every_point():
    entry = cat.analyze(cat.toy_model(), newton_starts=16)
    assert entry.consistent and not entry.physical_unstable
    for p in entry.points:
        assert residual(p.point.E, entry.K) < 1e-10 and p.spectrum_matches
    rank2 = [p for p in entry.points if p.point.rank == 2]
    assert len(rank2) == 1
    assert np.allclose(rank2[0].point.exp_couplings, [3, -2 / 3, -1 / 3])  # eq 30
    assert np.allclose(rank2[0].point.linearization.eigenvalues, [2, 2, 2])  # eq 34
    plane = [p.point.exp_couplings for p in entry.points if p.point.rank == 1 and p.point.exp_couplings is not None]
    assert len(plane) >= 3 and np.allclose([z[0] for z in plane], 1.0)  # eq 29: e^A = 1, e^B, e^C vary
    assert len({round(z[1].real, 6) for z in plane}) >= 3
    symbolic = {tuple(s["exp_couplings"].values()) for s in entry.symbolic}
    assert ("1", "b", "c") in symbolic and ("3", "-2/3", "-1/3") in symbolic
    assert rank2[0].nu_near == pytest.approx(1.0, abs=0.03)  # xi ~ eps^-1 = eps^(-1/y), y = 1


def test_subset_in_a_process_pool_and_the_answer():
    models = [cat.toy_model(), REACHED, INCOMPARABLE]
    entries = cat.run_catalog(models, workers=2, newton_starts=6)
    summary = cat.answer(entries)
    assert summary["inconsistent_with_theory"] == [] and summary["finite_coupling_unstable"] == []
    assert summary["max_residual"] < 1e-10
    assert set(summary["physical_unstable"]) == {REACHED.name, INCOMPARABLE.name}
    assert summary["reached_unstable"] == [REACHED.name]
    reached = entries[1]
    at_inf = [p for p in reached.points if math.inf in p.reached_from]
    assert [p.point.rank for p in at_inf] == [2] and at_inf[0].point.physical and at_inf[0].unstable
    assert at_inf[0].xi == math.inf and at_inf[0].nu_near == pytest.approx(1.0, abs=0.03)
    assert reached.beta_v_scaling["nu"] == pytest.approx(1.0, abs=1e-3)  # xi ~ exp(-g beta_v)^(-1/y), y = 1
    assert abs(entries[0].beta_v_scaling["nu"]) < 0.1  # the toy: beta_v = inf flows to rank 1, xi saturates
    d = at_inf[0].to_dict()
    assert {"E", "eigenvalues", "exponents", "rank", "physical", "stable"} <= set(d)
    header, rows = cat.csv_rows(entries)
    assert len(rows) == sum(len(e.points) for e in entries) and len(rows[0]) == len(header)


def test_physical_instability_does_not_depend_on_the_prior():
    """Theorem 2 depends on the zero pattern of K only, which priors (all > 0) do not change."""
    for model in (REACHED, INCOMPARABLE, cat.toy_model()):
        tilted = cat.CatalogModel(**{**model.__dict__, "prior": "tilted"})
        a, b = cat.analyze(model, newton_starts=0), cat.analyze(tilted, newton_starts=0)
        assert not np.allclose(a.K / a.K.sum(), b.K / b.K.sum())  # the prior does change K
        assert a.physical_unstable == b.physical_unstable and a.witness.rank == b.witness.rank
        assert b.consistent


@pytest.mark.skipif(importlib.util.find_spec("ray") is not None, reason="ray is installed")
def test_ray_missing_is_a_clear_error():
    with pytest.raises(ValueError, match=r"pip install 'deeprg\[cluster\]'"):
        cat.run_catalog([cat.toy_model()], address="auto")


@pytest.mark.slow
def test_every_model_of_the_family_is_consistent_with_the_theory():
    entries = cat.run_catalog(cat.model_family(), workers=2)
    summary = cat.answer(entries)
    assert summary["inconsistent_with_theory"] == [] and summary["finite_coupling_unstable"] == []
    assert summary["max_residual"] < 1e-10
    for e in entries:
        if not e.skipped:
            assert e.physical_unstable == (e.witness.rank >= 2)
            assert e.reached_unstable == ((theory.predicted_limit_rank(list(e.closed_classes)) or 0) >= 2)
