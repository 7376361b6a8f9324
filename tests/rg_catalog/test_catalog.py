"""The catalog over models: family, verification of every listed point, the answer, priors, the sweep."""

import itertools
import math

import numpy as np
import pytest

from deeprg import sweep
from deeprg.model import NetworkSpec, ValueSets
from deeprg.rg import catalog as cat
from deeprg.rg import classification as theory
from deeprg.rg import family
from deeprg.rg.fixed_points import residual
from deeprg.rg.tables import csv_rows, model_rows

REACHED = family.CatalogModel(1, 2, (-1.0, 1.0), (0.0,), (-1.0, 1.0), "sign")
INCOMPARABLE = family.CatalogModel(1, 2, (-1.0, 1.0), (-1.0, 1.0), (0.0, 1.0), "heaviside")


def _valid(neurons, activation) -> bool:
    try:
        NetworkSpec(x=[[neurons[0]]], y=[[neurons[0]]], values=ValueSets(neurons=neurons), activation=activation)
    except ValueError:
        return False
    return True


def test_the_family_enumerates_exactly_the_valid_combinations():
    """Oracle: NetworkSpec's own validation over every (neuron set, activation) pair."""
    neuron_sets, activations = ((0.0, 1.0), (-1.0, 1.0)), ("heaviside", "sign")
    valid = {(h, a) for h, a in itertools.product(neuron_sets, activations) if _valid(h, a)}
    assert valid == set(family.NEURON_ACTIVATIONS)
    models = family.model_family()
    assert len(models) == 2 * 2 * 2 * 3 * len(valid) * 2
    for m in models:
        m.spec()  # every enumerated model is valid
    with pytest.raises(ValueError, match="outside the neuron value set"):
        family.CatalogModel(1, 1, neurons=(-1.0, 1.0), activation="heaviside").spec()
    assert family.CatalogModel(2, 2, weights=(-1.0, 0.0, 1.0), prior="tilted").weight_prior == (1.0, 2.0, 3.0)
    with pytest.raises(ValueError, match="prior"):
        family.CatalogModel(prior="peaked")


def test_toy_entry_reproduces_the_paper_and_verifies_every_point():
    entry = cat.analyze(family.toy_model(), newton_starts=16)
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


def test_subset_through_the_sweep_runner_and_the_answer():
    models = [family.toy_model(), REACHED, INCOMPARABLE]
    entries = cat.run_catalog(models, newton_starts=6)
    summary = cat.answer(entries)
    assert summary["inconsistent_with_theory"] == [] and summary["finite_coupling_unstable"] == []
    assert summary["max_residual"] < 1e-10
    assert set(summary["physical_unstable"]) == {REACHED.name, INCOMPARABLE.name}
    assert summary["reached_unstable"] == [REACHED.name]
    reached = entries[1]
    at_inf = [p for p in reached["fixed_points"] if math.inf in p["reached_from_beta_v"]]
    assert [p["rank"] for p in at_inf] == [2] and at_inf[0]["physical"] and at_inf[0]["unstable"]
    assert at_inf[0]["xi"] == math.inf and at_inf[0]["nu_near"] == pytest.approx(1.0, abs=0.03)
    assert reached["beta_v_scaling"]["nu"] == pytest.approx(1.0, abs=1e-3)  # xi ~ exp(-g beta_v)^(-1/y), y = 1
    assert abs(entries[0]["beta_v_scaling"]["nu"]) < 0.1  # the toy: beta_v = inf flows to rank 1, xi saturates
    assert {"E", "eigenvalues", "exponents", "rank", "physical", "stable"} <= set(at_inf[0])
    header, rows = csv_rows(entries)
    assert len(rows) == sum(len(e["fixed_points"]) for e in entries) and len(rows[0]) == len(header)
    header, rows = model_rows(entries)
    assert [r[0] for r in rows] == [m.name for m in models] and len(rows[0]) == len(header)


def test_workers_and_address_go_to_the_sweep_runner(monkeypatch):
    seen = {}

    def fake(fn, points, **kwargs):
        seen.update(kwargs, points=points)
        return []

    monkeypatch.setattr(cat, "run_sweep", fake)
    cat.run_catalog([family.toy_model(), REACHED], 3, workers=4, address="auto")
    assert seen["workers"] == 4 and seen["address"] == "auto"
    assert [p.seed for p in seen["points"]] == [0, 1] and seen["points"][1].params["newton_starts"] == 3
    assert all(isinstance(p, sweep.Point) for p in seen["points"])


def test_physical_instability_does_not_depend_on_the_prior():
    """Theorem 2 depends on the zero pattern of K only, which priors (all > 0) do not change."""
    for model in (REACHED, INCOMPARABLE, family.toy_model()):
        tilted = family.CatalogModel(**{**model.__dict__, "prior": "tilted"})
        a, b = cat.analyze(model, newton_starts=0), cat.analyze(tilted, newton_starts=0)
        assert not np.allclose(a.K / a.K.sum(), b.K / b.K.sum())  # the prior does change K
        assert a.physical_unstable == b.physical_unstable and a.witness.rank == b.witness.rank
        assert b.consistent


@pytest.mark.slow
def test_every_model_of_the_family_is_consistent_with_the_theory():
    models = family.model_family()
    entries = cat.run_catalog(models)
    summary = cat.answer(entries)
    assert summary["inconsistent_with_theory"] == [] and summary["finite_coupling_unstable"] == []
    assert summary["max_residual"] < 1e-10
    for m, e in zip(models, entries):
        assert e["physical_unstable"] == (e["max_nonnegative_rank"] >= 2)
        classes = theory.closed_classes(np.array(e["K"]))
        assert e["reached_unstable"] == ((theory.predicted_limit_rank(classes) or 0) >= 2)
