r"""Closed forms of the toy's RG by computer algebra, derived from the definitions (Lee, Lee & Yi, eqs 21-30, 33-34).

Nothing here is typed in from the paper (the printed formulas live in :mod:`deeprg.rg.paper_claims`):

- :math:`K` by enumerating :math:`W, b` of the model (eq 17 activation, value sets of assumption iii).
- :math:`Z_m(h, \sigma)` from eq 21: the sum over :math:`W^{(m)}, b^{(m)}, h^{(m)}` of the two constraint factors that
  contain :math:`h^{(m)}`, :math:`e^{-\beta_v (h^{(m)} - \sigma)^2} e^{-\beta_v (h - \sigma(W^{(m)} h^{(m)} + b^{(m)}))^2}`
  with :math:`h = h^{(m+1)}`, :math:`\sigma = \sigma^{(m-1)}`, :math:`u = e^{\beta_v}` (eq 23). (Eq 21 prints
  :math:`H_{m+1} + H_m`; only :math:`H_{m-1} + H_m` contain :math:`h^{(m)}` and the :math:`\sigma` of eq 23.)
- :math:`-\beta H'_m = \ln Z_m` (eq 24) and its multilinear form in :math:`h, \sigma \in \{0, 1\}` (eq 25):
  :math:`f(h, \sigma) = A h\sigma + B h + C\sigma + D` with :math:`D = f_{00}`, :math:`B = f_{10} - f_{00}`,
  :math:`C = f_{01} - f_{00}`, :math:`A = f_{11} - f_{10} - f_{01} + f_{00}`.
- The recursion (eq 27) from :math:`E' = E K^\top E` with :math:`E = [[1, c], [b, abc]]` (eq 26 with
  :math:`a, b, c = e^A, e^B, e^C`), its fixed points (eq 28) solved exactly, and the Jacobian (eq 33).
"""

from __future__ import annotations

import functools
import itertools

import numpy as np
import sympy as sp

from ..model import NetworkSpec

u = sp.Symbol("u", positive=True)  # e^{beta_v}
h, sigma = sp.symbols("h sigma")  # h^(m+1), sigma^(m-1)
a, b, c = sp.symbols("a b c")  # e^A, e^B, e^C (complex allowed)
CONFIGURATIONS = tuple(itertools.product((0, 1), repeat=2))  # (h, sigma)


def toy_spec() -> NetworkSpec:
    """The paper's toy: N = L = 1, W, b in {-1, 1}, h in {0, 1}, Heaviside (assumptions i-iii)."""
    return NetworkSpec()


def _value_index(spec: NetworkSpec, value: float) -> int:
    return spec.values.neurons.index(value)


@functools.lru_cache(maxsize=8)
def multiplicity(spec: NetworkSpec | None = None) -> sp.Matrix:
    """K[h, t] = prior-weighted number of (W, b) with act(W h + b) = t, by enumeration (N = L = 1)."""
    spec = toy_spec() if spec is None else spec
    if spec.width != 1 or spec.rows != 1:
        raise ValueError("spec: the symbolic toy needs width = 1 and one data row")
    n = len(spec.values.neurons)
    K = sp.zeros(n, n)
    for w, bias, weight in _weighted_parameters(spec):
        for i, value in enumerate(spec.values.neurons):
            t = float(spec.act(np.array(w * value + bias)))
            K[i, _value_index(spec, t)] += weight
    return K


def _weighted_parameters(spec: NetworkSpec):
    """(W, b, prior weight) of one N = 1 layer, the weight as an exact rational (1 without priors)."""
    v = spec.values
    w_prior = v.weight_prior or (1,) * len(v.weights)
    b_prior = v.bias_prior or (1,) * len(v.biases)
    for (w, pw), (bias, pb) in itertools.product(zip(v.weights, w_prior), zip(v.biases, b_prior)):
        yield w, bias, sp.nsimplify(pw) * sp.nsimplify(pb)


def z_m(spec: NetworkSpec | None = None) -> sp.Expr:
    r"""Eq 21 summed explicitly: :math:`Z_m(h, \sigma)` as an expression in h, sigma, u (binary neurons 0, 1)."""
    spec = toy_spec() if spec is None else spec
    total = sp.Integer(0)
    for w, bias, weight in _weighted_parameters(spec):
        for hm in spec.values.neurons:
            t = float(spec.act(np.array(w * hm + bias)))
            hm_, t_ = sp.nsimplify(hm), sp.nsimplify(t)
            total += weight * u ** (-(hm_ - sigma) ** 2) * u ** (-(h - t_) ** 2)
    return total


def table(expr: sp.Expr) -> dict:
    """{(h, sigma): simplified value} over the four binary configurations."""
    return {(hv, sv): sp.simplify(expr.subs({h: hv, sigma: sv})) for hv, sv in CONFIGURATIONS}


def multilinear(values: dict) -> dict:
    """Coefficients of f(h, sigma) = A h sigma + B h + C sigma + D from its four values."""
    f00, f01, f10, f11 = (values[k] for k in ((0, 0), (0, 1), (1, 0), (1, 1)))
    return {"A": f11 - f10 - f01 + f00, "B": f10 - f00, "C": f01 - f00, "D": f00}


def renormalized_hamiltonian(spec: NetworkSpec | None = None) -> dict:
    r"""Eqs 24-25 derived: the values of :math:`-\beta H'_m = \ln Z_m` and its coefficients A, B, C, D."""
    values = {k: sp.log(v) for k, v in table(z_m(spec)).items()}
    coefficients = {k: sp.simplify(sp.expand_log(sp.logcombine(v, force=True), force=True))
                    for k, v in multilinear(values).items()}
    return {"values": values, "coefficients": coefficients}


def coupling_matrix() -> sp.Matrix:
    """E[h, t] = exp(A h t + B h + C t) = [[1, c], [b, a b c]] (eq 26, D = 0)."""
    return sp.Matrix([[1, c], [b, a * b * c]])


@functools.lru_cache(maxsize=8)
def recursion(spec: NetworkSpec | None = None) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(a', b', c') = exp-couplings of E K^T E, as factored rational functions of (a, b, c)."""
    E = coupling_matrix()
    Ep = (E * multiplicity(spec).T * E).applyfunc(sp.expand)
    return (sp.factor(Ep[1, 1] * Ep[0, 0] / (Ep[1, 0] * Ep[0, 1])), sp.factor(Ep[1, 0] / Ep[0, 0]),
            sp.factor(Ep[0, 1] / Ep[0, 0]))


def log_recursion(spec: NetworkSpec | None = None) -> tuple[sp.Expr, sp.Expr, sp.Expr]:
    """(A', B', C') in terms of the symbols A, B, C, via a = e^A etc."""
    A, B, C = sp.symbols("A B C")
    subs = {a: sp.exp(A), b: sp.exp(B), c: sp.exp(C)}
    return tuple(sp.log(sp.factor(r).subs(subs)) for r in recursion(spec))


@functools.lru_cache(maxsize=8)
def fixed_points(spec: NetworkSpec | None = None) -> list[dict]:
    """All solutions of (a', b', c') = (a, b, c) (eq 28) with a, b, c non-zero and the map defined there.

    Solved exactly: the numerators of a' - a, b' - b, c' - c, divided by the factors a, b, c (zero weights are
    infinite couplings), are polynomials. Each solution is a dict (a family when a symbol is left free).
    """
    equations = []
    for new, old in zip(recursion(spec), (a, b, c)):
        numerator, _ = sp.fraction(sp.together(new - old))
        numerator = sp.factor(numerator)
        keep = [f for f in sp.Mul.make_args(numerator) if not (f.is_Symbol or (f.is_Pow and f.base.is_Symbol))
                and not f.is_number]
        equations.append(sp.Mul(*keep))
    solutions = sp.solve(equations, [a, b, c], dict=True)
    out = []
    for sol in solutions:
        point = [sol.get(s, s) for s in (a, b, c)]
        if any(p == 0 for p in point):
            continue
        images = [sp.simplify(r.subs({a: point[0], b: point[1], c: point[2]})) for r in recursion(spec)]
        if any(im.has(sp.zoo, sp.nan, sp.oo) for im in images):
            continue
        if all(sp.simplify(im - p) == 0 for im, p in zip(images, point)):
            out.append(dict(zip(("a", "b", "c"), point)))
    return out


def jacobian(spec: NetworkSpec | None = None) -> sp.Matrix:
    """d(a', b', c') / d(a, b, c) (eq 33)."""
    return sp.Matrix(recursion(spec)).jacobian([a, b, c])


def jacobian_at(point: dict, spec: NetworkSpec | None = None) -> sp.Matrix:
    J = jacobian(spec)
    return sp.simplify(J.subs({a: point["a"], b: point["b"], c: point["c"]}))


def eigenvalues_at(point: dict, spec: NetworkSpec | None = None) -> dict:
    """{eigenvalue: multiplicity} of the Jacobian at a fixed point (possibly a family with free b, c)."""
    return {sp.simplify(k): v for k, v in jacobian_at(point, spec).eigenvals().items()}
