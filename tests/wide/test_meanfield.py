"""Mean-field maps: quadrature against known limits, and against large-N exact block chains."""

import math

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import norm

from deeprg.exact import bulk_observables
from deeprg.model import NetworkSpec, ValueSets
from deeprg.wide.experiment import layer_spec
from deeprg.wide.meanfield import (mean_field, orthant, orthant_slope, overlap_map, overlap_slope,
                                   solve_mean_field)

SIGN = dict(values=ValueSets(biases=(0.0,), neurons=(-1.0, 1.0)), activation="sign")


def sign_template(beta_v):
    return NetworkSpec(width=1, x=[[1.0], [1.0]], y=[[1.0], [1.0]], beta_v=beta_v, **SIGN)


@pytest.mark.parametrize("rho", [-0.999, -0.6, 0.0, 0.3, 0.9, 0.99999])
def test_orthant_matches_adaptive_quadrature_and_sheppard(rho):
    """Gauss-Legendre orthant vs scipy.quad of the defining integral, and the arc-sine (Sheppard) limit."""
    c = rho / math.sqrt(1 - rho * rho)
    ref = integrate.quad(lambda x: norm.pdf(x) * norm.cdf(c * x), 0, np.inf, epsabs=1e-15, limit=200)[0]
    assert orthant(rho) == pytest.approx(ref, abs=1e-11)
    assert orthant(rho) == pytest.approx(0.25 + math.asin(rho) / (2 * math.pi), abs=1e-13)
    if abs(rho) > 0.99:
        return  # the slope varies on the scale of 1 - rho there: a difference quotient cannot check it
    h = 1e-6
    numeric = (orthant(min(rho + h, 1)) - orthant(rho - h)) / (min(rho + h, 1) - rho + h)
    assert orthant_slope(rho) == pytest.approx(numeric, rel=1e-5)


def test_sign_overlap_map_is_the_noisy_arcsine_kernel():
    for beta_v in (0.3, 1.0, 3.0):
        mf = mean_field(sign_template(beta_v))
        for q in (-0.8, -0.1, 0.4, 0.95):
            kernel = (1 - 2 * mf.epsilon) ** 2 * 2 / math.pi * math.asin(q)
            assert overlap_map(mf, q) == pytest.approx(kernel, abs=1e-13)
        assert overlap_slope(mf, 0.0) == pytest.approx((1 - 2 * mf.epsilon) ** 2 * 2 / math.pi, rel=1e-12)


def test_fixed_points_and_xi_of_sign_units():
    finite = solve_mean_field(sign_template(1.0))
    assert [p.stable for p in finite.overlap_fixed_points] == [True]
    assert finite.overlap_fixed_points[0].value == pytest.approx(0, abs=1e-12)
    assert finite.magnetization_xi == 0
    limit = solve_mean_field(sign_template(math.inf))
    assert [p.value for p in limit.overlap_fixed_points] == pytest.approx([-1, 0, 1], abs=1e-12)
    assert limit.overlap_xi == pytest.approx(-1 / math.log(2 / math.pi), rel=1e-10)  # slope 2/pi at q = 0
    assert not limit.overlap_fixed_points[-1].stable and math.isinf(limit.overlap_fixed_points[-1].slope)


def test_mean_field_needs_zero_mean_weights_and_binary_neurons():
    with pytest.raises(ValueError, match="weight_prior: the mean-field limit needs zero-mean weights"):
        mean_field(NetworkSpec(values=ValueSets(weight_prior=(1, 2))))
    with pytest.raises(ValueError, match="neurons: the mean-field maps are derived for binary neurons"):
        mean_field(NetworkSpec(values=ValueSets(neurons=(-1, 0, 1), biases=(0,)), activation="sign", x=[[1]],
                               y=[[1]]))


@pytest.mark.parametrize("template,widths", [
    (sign_template(1.0), (256, 512)),
    (NetworkSpec(width=1, x=[[1.0], [1.0]], y=[[1.0], [1.0]], beta_v=1.0), (8, 16)),
])
def test_large_width_exact_chain_approaches_the_map(template, widths):
    """Exact overlap mean and xi at growing N move towards q* and xi_MF (a 1/N-type approach)."""
    mf = solve_mean_field(template)
    q_star = [p.value for p in mf.overlap_fixed_points if p.stable][0]
    gaps = []
    for n in widths:
        b = bulk_observables(layer_spec(template, n), 2)
        gaps.append((abs(b["overlap"].mean - q_star), abs(b["overlap"].xi - mf.overlap_xi)))
    assert gaps[1][0] < gaps[0][0] and gaps[1][1] < gaps[0][1]
    assert gaps[1][1] < 0.1 * mf.overlap_xi
