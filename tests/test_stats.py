"""The one statistics routine, against processes whose autocorrelation time is known exactly."""

import numpy as np
import pytest

from deeprg.stats import estimate


def ar1(rng, phi, chains, n):
    """x_t = phi x_{t-1} + noise, started in equilibrium: tau_int = (1 + phi) / (1 - phi)."""
    x = np.empty((chains, n))
    x[:, 0] = rng.normal(size=chains) / np.sqrt(1 - phi**2)
    noise = rng.normal(size=(chains, n))
    for t in range(1, n):
        x[:, t] = phi * x[:, t - 1] + noise[:, t]
    return x


@pytest.mark.parametrize("phi", [0.0, 0.5, 0.9])
def test_tau_int_of_ar1(phi):
    x = ar1(np.random.default_rng(1), phi, chains=8, n=20000)
    est = estimate(x)
    exact_tau = (1 + phi) / (1 - phi)
    assert est.tau_int == pytest.approx(exact_tau, rel=0.1)
    assert est.ess == pytest.approx(x.size / est.tau_int)
    assert est.r_hat == pytest.approx(1.0, abs=0.01)


def test_error_bars_are_calibrated():
    """Over many independent replicas, |mean| / stderr behaves like |N(0, 1)|."""
    rng = np.random.default_rng(2)
    z = np.array([(lambda e: e.mean / e.stderr)(estimate(ar1(rng, 0.7, chains=4, n=2000))) for _ in range(200)])
    assert np.mean(np.abs(z) < 1.96) == pytest.approx(0.95, abs=0.05)
    assert np.std(z) == pytest.approx(1.0, abs=0.15)


def test_r_hat_flags_disagreeing_chains():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 1000)) + np.array([0, 0, 0, 3.0])[:, None]
    assert estimate(x).r_hat > 1.2


def test_shapes_constants_and_errors():
    x = np.zeros((2, 50, 3, 2))
    est = estimate(x)
    assert est.mean.shape == (3, 2) and np.all(est.stderr == 0) and np.all(est.r_hat == 1)
    assert estimate(np.arange(10.0), chains=False).mean == pytest.approx(4.5)
    with pytest.raises(ValueError, match="samples"):
        estimate(np.ones((3, 1)))
    with pytest.raises(ValueError, match="NaN"):
        estimate(np.array([[1.0, np.nan, 2.0]]))


def test_independent_samples_use_tau_one():
    """Independent draws: the standard error is exactly std / sqrt(n), whatever Sokal's window would say."""
    x = np.random.default_rng(7).standard_normal((12, 3))
    est = estimate(x, chains=False, independent=True)
    np.testing.assert_allclose(est.stderr, x.std(axis=0, ddof=1) / np.sqrt(12))
    np.testing.assert_allclose(est.tau_int, 1.0)


def test_unmixed_chains_take_the_error_of_their_means():
    """Chains stuck near different values (each one well sampled locally) are the real independent samples: the
    error bar is at least the standard error of the chain means, not the tiny within-chain one."""
    rng = np.random.default_rng(4)
    offsets = rng.normal(size=6)
    x = offsets[:, None] + 0.01 * rng.normal(size=(6, 2000))
    est = estimate(x)
    means = x.mean(axis=1)
    assert est.r_hat > 1.1
    assert est.stderr == pytest.approx(means.std(ddof=1) / np.sqrt(6))
    assert est.ess == pytest.approx(x.size / est.tau_int) and est.tau_int > 100
