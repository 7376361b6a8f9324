"""Appendix B: EA couplings from autodiff against a SymPy expansion; overlaps against the Gaussian closed form."""

import jax
import jax.numpy as jnp
import numpy as np
import sympy as sp

from deeprg.continuous import compare_with_b2, overlap_vs_beta, quadratic_form
from deeprg.continuous.spinglass import appendix_b_model


def test_couplings_match_sympy_expansion():
    spec, params, x, y = appendix_b_model(jax.random.PRNGKey(0), widths=(2, 2, 2, 1), rows=1, beta_v=3.0)
    form = quadratic_form(params, x, y, spec)
    h1, h2 = sp.symbols("a0 a1"), sp.symbols("c0 c1")
    lin = lambda z: sp.Rational(1, 2) + z / 4
    num = lambda a: sp.Matrix(np.asarray(a, float).tolist())
    W = [num(layer["W"]) for layer in params]
    b = [num(np.asarray(layer["b"], float)[:, None]) for layer in params]
    xs, ys = num(np.asarray(x, float).T), num(np.asarray(y, float).T)
    inputs, targets = [xs, sp.Matrix(h1), sp.Matrix(h2)], [sp.Matrix(h1), sp.Matrix(h2), ys]
    lam = spec.lambdas
    H = sum(lam[m] * sum(e ** 2 for e in (targets[m] - (W[m] * inputs[m] + b[m]).applyfunc(lin))) for m in range(3))
    poly = sp.Poly(sp.expand(H), *h1, *h2)
    variables = [*h1, *h2]
    for i, u in enumerate(variables):
        assert abs(float(poly.coeff_monomial(u)) - form.K[i]) < 1e-4
        for j, v in enumerate(variables):
            coeff = float(poly.coeff_monomial(u * v))
            expected = form.J[i, i] if i == j else form.J[i, j] + form.J[j, i]
            assert abs(coeff - expected) < 1e-4, (u, v)


def test_b2_comparison_exact_factors():
    """Linearizing sigma = 1/2 + z/4 gives -lambda W/2 for adjacent-layer monomials and -lambda b/2 for fields."""
    spec, params, x, y = appendix_b_model(jax.random.PRNGKey(1), widths=(2, 3, 3, 3, 1))
    out = compare_with_b2(params, x, y, spec, quadratic_form(params, x, y, spec))
    assert abs(out["coupling_ratio"] + 0.5) < 1e-5 and out["coupling_residual"] < 1e-5
    assert abs(out["field_slope"] + 0.5) < 1e-5
    assert out["intra_over_inter"] > 0.01


def test_overlap_matches_gaussian_within_errors():
    spec, params, x, y = appendix_b_model(jax.random.PRNGKey(2), widths=(2, 3, 3, 1))
    res = overlap_vs_beta(jax.random.PRNGKey(3), spec, params, x, y, [0.5, 4.0], n_samples=200)
    z = np.abs(np.array(res.q_ea) - res.q_ea_exact) / np.array(res.q_ea_stderr)
    assert z.max() < 4.0
    assert 0.4 < min(res.acceptance)
