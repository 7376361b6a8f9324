"""Bad input: a ValueError/TypeError naming the field and the allowed values."""

import math

import pytest

from deeprg.model import NetworkSpec, ValueSets


@pytest.mark.parametrize("kwargs,error,match", [
    (dict(x=[[2.0]]), ValueError, r"x: values \[2.0\] are outside the neuron value set"),
    (dict(y=[[0.5]]), ValueError, r"y: values \[0.5\] are outside the neuron value set"),
    (dict(width=2, x=[[1.0]]), ValueError, "x: has 1 columns but width is 2"),
    (dict(x=[[1.0], [0.0]], y=[[1.0]]), ValueError, "y: has 1 rows but x has 2"),
    (dict(beta=-0.1), ValueError, "beta: must be finite and >= 0"),
    (dict(beta_v=-1.0), ValueError, "beta_v: must be >= 0"),
    (dict(beta=math.nan), ValueError, "beta: NaN"),
    (dict(beta_v=math.nan), ValueError, "beta_v: NaN"),
    (dict(x=[[math.nan]]), ValueError, "x: NaN"),
    (dict(depth=0), ValueError, "depth: must be an integer >= 1"),
    (dict(width=0), ValueError, "width: must be an integer >= 1"),
    (dict(depth=2.5), TypeError, "depth: must be an integer"),
    (dict(activation="relu"), ValueError, r"activation: unknown 'relu'; allowed: \['heaviside', 'sign'\]"),
    (dict(activation="sign"), ValueError, r"activation: sign produces \[-1.0\], outside the neuron value set"),
    (dict(hamiltonian="exact"), ValueError, r"hamiltonian: must be one of \('dna', 'original'\)"),
    (dict(p=0.5), ValueError, "p: the L\\^p exponent must be finite and >= 1"),
    (dict(beta=1 + 2j), TypeError, "beta: must be a real number, got complex"),
    (dict(beta_v=0.5j), TypeError, "complex couplings are allowed only in the RG algebra"),
])
def test_spec_rejects(kwargs, error, match):
    with pytest.raises(error, match=match):
        NetworkSpec(**kwargs)


@pytest.mark.parametrize("kwargs,match", [
    (dict(neurons=()), "neurons: empty value set"),
    (dict(weights=()), "weights: empty value set"),
    (dict(biases=(1.0, 1.0)), "biases: values must be distinct"),
    (dict(weights=(-1.0, math.inf)), "weights: values must be finite"),
    (dict(weight_prior=(1.0,)), "weight_prior: needs one weight per value"),
    (dict(bias_prior=(1.0, -1.0)), "bias_prior: weights must be finite and > 0"),
])
def test_value_sets_reject(kwargs, match):
    with pytest.raises(ValueError, match=match):
        ValueSets(**kwargs)


def test_custom_activation_must_map_into_neurons():
    with pytest.raises(ValueError, match=r"activation: .* produces"):
        NetworkSpec(activation=lambda a: a)
    spec = NetworkSpec(activation=lambda a: (a > 0).astype(float))  # a legitimate custom rule
    assert spec.act(spec.x_array).tolist() == [[1.0]]
