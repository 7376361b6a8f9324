"""The one family registry: every record is self-consistent and the rest of gx reads it."""

import math

import numpy as np
import pytest

from deeprg.correspondence.families import EXPERIMENT_FAMILIES, FAMILIES, REGISTRY, get, majority_rule
from deeprg.correspondence.rg_maps import OneParameterRG


@pytest.mark.parametrize("name", FAMILIES)
def test_record_coordinate_and_map(name):
    record = REGISTRY[name]
    coord = record.coordinate
    for c in np.linspace(coord.lo + 0.05, coord.hi - 0.05, 7):
        assert coord.to_c(coord.from_c(c)) == pytest.approx(c, abs=1e-12)
        assert coord.lo <= record.step(c, record.report_factor) <= coord.hi
    assert record.validate(record.report_param) == record.report_param
    x = record.sample(record.report_param, 6)(np.random.default_rng(0), 5)
    assert x.shape == (5, 6)


def test_report_factors_give_non_identity_maps():
    for name in FAMILIES:
        record = REGISTRY[name]
        c = record.coordinate.to_c(record.report_param)
        assert abs(record.step(c, record.report_factor) - c) > 0.05, name
    assert majority_rule(0.3, 2) == pytest.approx(0.3)  # why bernoulli needs b = 3: b = 2 is the identity


def test_unknown_family_names_the_parameter_and_the_choices():
    with pytest.raises(ValueError, match="family: must be one of ising, gaussian"):
        get("potts")
    with pytest.raises(ValueError, match="digits"):
        OneParameterRG("digits", 2)  # digits has no exact map of its own
    assert set(EXPERIMENT_FAMILIES) == set(FAMILIES) | {"digits"}


def test_cli_choices_come_from_the_registry():
    from deeprg.cli.gx import _family_help

    text = _family_help(EXPERIMENT_FAMILIES)
    assert all(name in text for name in REGISTRY)
    assert REGISTRY["ising"].validate(math.inf) == math.inf  # K = inf is a legal RG starting point
