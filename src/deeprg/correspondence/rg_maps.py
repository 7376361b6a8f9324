r"""Exact RG maps with scale factor b, their fixed points, stability and flows.

Decimation of a nearest-neighbour chain (1)
-------------------------------------------
Keeping sites :math:`0, b, 2b, \dots` and summing out the rest replaces the symmetric transfer matrix
:math:`M_{xy} = e^{\phi(x)/2 + Jxy + \phi(y)/2}` of the bulk by :math:`M^b`: the kept variables form a
nearest-neighbour chain whose bond weight is :math:`(M^b)_{xy}` (exact for a periodic chain of
:math:`n = bm` sites; an open chain also gets boundary fields, see below).

*Two-point support* (Ising, Bernoulli chain). Any positive symmetric 2x2 matrix is
:math:`\log (M^b)_{xy} = c + J' xy + \theta'(x+y)/2` for exactly one :math:`(c, J', \theta')`: three
entries, three unknowns, a linear solve. So the family is closed and the decimation map is exact. For the
Ising chain at zero field it reduces to

.. math::  \tanh K' = (\tanh K)^b,                                                                 \tag{3}

and in general :math:`K' = \tfrac14\log\frac{M^b_{++}M^b_{--}}{(M^b_{+-})^2}`,
:math:`h' = \tfrac12 \log\frac{M^b_{++}}{M^b_{--}}`. For an open chain of :math:`n = bm+1` sites the kept
chain has bulk :math:`(K', h')` but end sites carry the field :math:`h/2 + h'/2` instead of :math:`h'`
(the original end sites only had half of their field split into the bond weights); at zero field the
decimated open chain is exactly the open chain with :math:`K'`. :math:`K = 0` is a line of fixed points
(:math:`h' = h`); at :math:`h=0`, in :math:`t = \tanh K`, :math:`t' = t^b`: fixed points :math:`t^*=0`
(stable, :math:`dt'/dt = 0` for :math:`b\ge2`) and :math:`t^* = 1` (:math:`K=\infty`, unstable,
:math:`dt'/dt = b`), plus :math:`t^*=-1` for odd :math:`b`.

*Larger support* (Poisson chain). Summing out a site gives the bond weight
:math:`\sum_z e^{\theta z + Jz(x+y)}/z! = \exp(e^{\theta + J(x+y)})`, which is not of the form
:math:`e^{J'xy}`: the family is not closed. The map is then defined by projection: :math:`(\theta', J')` is the
member of the family whose bulk moments :math:`E[x_i]`, :math:`E[x_ix_{i+1}]` equal those of the decimated
chain, i.e. the minimizer of the per-site Kullback-Leibler divergence, which is the large-sample limit of
the maximum-likelihood fit of the family to decimated data. Bulk moments come from the Perron vector
:math:`v` of :math:`M` (eigenvalue :math:`\Lambda`): :math:`P(x_i=x) = v_x^2`,
:math:`P(x_i=x, x_{i+b}=y) = v_x (M^b)_{xy} v_y/\Lambda^b`. The fit minimizes the convex function
:math:`\log\Lambda(\theta,J) - \theta m_1 - J m_2`, whose gradient is the model's bulk moments minus the
targets (Hellmann-Feynman). This map is computed numerically on the truncated support of the data module.
For even :math:`b` the decimated auto-Poisson chain is positively correlated (sites two apart are), which no
member with :math:`J \le 0` can represent: the projection then lands on the boundary :math:`J' = 0`, the
i.i.d. Poisson chain, which is where the projected flow ends for every b (:math:`J=0` is fixed).

One-parameter maps of ``deeprg gx rg``
--------------------------------------
* ``ising`` (parameter :math:`K`, zero field): (3), coordinate :math:`t=\tanh K`.
* ``gaussian`` (AR(1) correlation :math:`\rho`): decimation keeps every b-th site; the kept covariance is
  :math:`\sigma^2\rho^{b|i-j|}`, again AR(1):

  .. math::  \rho' = \rho^b.                                                                        \tag{4}

  Block averaging with rescaling to unit variance (:func:`gaussian_block_average`) gives a Gaussian chain that
  is no longer Markov (ARMA(1,1)); projected onto AR(1) by its lag-one correlation,
  :math:`\rho' = \sum_{i\in B_0, j\in B_1}\rho^{|i-j|} / \sum_{i,j\in B_0}\rho^{|i-j|}`
  (:math:`\rho(1+\rho)/2` for :math:`b=2`), with fixed points 0 (slope 1/2 at b=2) and 1 (slope 3/2).
* ``bernoulli`` (i.i.d. :math:`p`): block-spin majority rule; a tied block (even b) takes a fair coin,

  .. math::  p' = \sum_{k > b/2}\binom bk p^k(1-p)^{b-k} + \tfrac12 \binom{b}{b/2} p^{b/2}(1-p)^{b/2}
             [b\ \mathrm{even}].                                                                    \tag{5}

  The block sum is Binomial(b, p), not Bernoulli, so closure needs a rule; majority is the standard one.
  For odd b, fixed points 0, 1 (stable) and 1/2 (unstable). For b = 2, (5) is the identity: every p is fixed.
* ``poisson`` (i.i.d. :math:`\lambda`): block sum, closed in the family,

  .. math::  \lambda' = b\lambda,                                                                   \tag{6}

  coordinate :math:`u = \lambda/(1+\lambda)`: fixed points :math:`\lambda^*=0` (unstable, slope b) and
  :math:`\lambda^* = \infty` (stable, slope 1/b in :math:`u`).

Fixed points are found numerically for every map (roots of :math:`g(c) - c` in the compact coordinate
:math:`c` on a grid, refined by Brent's method) with the slope :math:`g'(c^*)` by central differences:
:math:`|g'|<1` stable, :math:`>1` unstable, :math:`=1` marginal.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq, minimize

from deeprg.correspondence.data import NearestNeighbourChain, log_matrix_power
from deeprg.correspondence.families import Coordinate, check_factor, get, majority_rule  # noqa: F401 (re-exported)


# -- decimation of nearest-neighbour chains ------------------------------------------------------------------
def decimate_two_state(chain: NearestNeighbourChain, b: int = 2) -> NearestNeighbourChain:
    """Exact decimation of a two-point-support chain: (field', coupling') read off from log M^b."""
    check_factor(b)
    if len(chain.support) != 2:
        raise ValueError("chain: exact decimation needs a two-point support; use projected_decimation")
    v0, v1 = chain.values
    log_mb = log_matrix_power(chain.log_transfer_matrix(), b)
    # log M^b_xy = c + J' x y + theta' (x + y) / 2 for (x, y) = (v0, v0), (v0, v1), (v1, v1)
    design = np.array([[1.0, v0 * v0, v0], [1.0, v0 * v1, (v0 + v1) / 2], [1.0, v1 * v1, v1]])
    _, coupling, field = np.linalg.solve(design, [log_mb[0, 0], log_mb[0, 1], log_mb[1, 1]])
    if chain.periodic and (chain.n % b or chain.n // b < 3):
        raise ValueError(f"chain: a periodic chain needs n divisible by b={b} with n/b >= 3, got n={chain.n}")
    kept = chain.n // b if chain.periodic else (chain.n - 1) // b + 1
    return NearestNeighbourChain(chain.support, chain.log_base, float(field), float(coupling),
                                 max(kept, 2), chain.periodic)


def bulk_moments(chain: NearestNeighbourChain, b: int = 1) -> tuple[float, float]:
    """Infinite-chain E[x_i] and E[x_i x_{i+b}] from the Perron vector of the transfer matrix."""
    log_m = chain.log_transfer_matrix()
    shift = log_m.max()
    eig, vec = np.linalg.eigh(np.exp(log_m - shift))
    v = np.abs(vec[:, -1])
    x = chain.values
    log_mb = log_matrix_power(log_m, b) - b * (shift + math.log(eig[-1]))
    pair = v[:, None] * np.exp(log_mb) * v[None, :]
    return float(np.sum(v ** 2 * x)), float(x @ pair @ x)


def project_to_family(chain: NearestNeighbourChain, m1: float, m2: float) -> NearestNeighbourChain:
    """The member (theta, J) of ``chain``'s family (same support and base) with bulk moments (m1, m2)."""
    poisson_like = len(chain.support) > 2
    support, base = np.asarray(chain.support), np.asarray(chain.log_base)

    def objective(params):
        trial = NearestNeighbourChain(tuple(support), tuple(base), params[0], params[1], chain.n, chain.periodic)
        log_m = trial.log_transfer_matrix()
        shift = log_m.max()
        eig = np.linalg.eigvalsh(np.exp(log_m - shift))
        e1, e2 = bulk_moments(trial)
        return shift + math.log(eig[-1]) - params[0] * m1 - params[1] * m2, np.array([e1 - m1, e2 - m2])

    bounds = [(-30.0, 30.0), (-30.0, 0.0 if poisson_like else 30.0)]
    start = np.clip([chain.field, chain.coupling], [b[0] for b in bounds], [b[1] for b in bounds])
    fit = minimize(objective, start, jac=True, method="L-BFGS-B", bounds=bounds,
                   options={"ftol": 1e-15, "gtol": 1e-12, "maxiter": 500})
    return NearestNeighbourChain(chain.support, chain.log_base, float(fit.x[0]), float(fit.x[1]),
                                 chain.n, chain.periodic)


def projected_decimation(chain: NearestNeighbourChain, b: int = 2) -> NearestNeighbourChain:
    """Decimation followed by the moment-matching (KL) projection onto the family; exact where closed."""
    check_factor(b)
    m1, m2 = bulk_moments(chain, b)
    return project_to_family(chain, m1, m2)


# -- the one-parameter maps ----------------------------------------------------------------------------------
def gaussian_block_average(rho: float, b: int = 2) -> float:
    """Lag-one correlation of the rescaled block averages of an AR(1) chain (the projection onto AR(1))."""
    check_factor(b)
    i = np.arange(2 * b)
    cov = float(rho) ** np.abs(i[:, None] - i[None, :])
    return float(cov[:b, b:].sum() / cov[:b, :b].sum())


class MapFixedPoint(NamedTuple):
    value: float           # in the family's parameter (inf allowed)
    coordinate: float      # in the compact coordinate
    slope: float           # dg/dc at the fixed point, in the compact coordinate
    stability: str         # "stable", "unstable" or "marginal"

    def to_dict(self):
        return self._asdict()


@dataclass(frozen=True)
class OneParameterRG:
    """The RG map of one ``deeprg gx`` family with scale factor b, in its compact coordinate."""

    family: str
    b: int = 2

    def __post_init__(self):
        get(self.family)
        check_factor(self.b)

    @property
    def coordinate(self) -> Coordinate:
        return get(self.family).coordinate

    def step_coordinate(self, c: float) -> float:
        return get(self.family).step(c, self.b)

    def step(self, param: float) -> float:
        coord = self.coordinate
        return coord.from_c(self.step_coordinate(coord.to_c(param)))

    def flow(self, param: float, steps: int) -> list[float]:
        """Parameter values at steps 0..steps (step 0 is ``param``)."""
        param = get(self.family).validate(param)
        if int(steps) != steps or steps < 0:
            raise ValueError(f"steps: must be an integer >= 0, got {steps}")
        out = [param]
        for _ in range(int(steps)):
            out.append(self.step(out[-1]))
        return out

    def fixed_points(self, grid: int = 2001, tol: float = 1e-9) -> list[MapFixedPoint]:
        coord = self.coordinate
        g = self.step_coordinate
        c = np.linspace(coord.lo, coord.hi, grid)
        d = np.array([g(x) - x for x in c])
        if np.all(np.abs(d) < tol):  # a line of fixed points
            return [MapFixedPoint(math.nan, math.nan, 1.0, "marginal")]
        roots = [x for x, dx in zip(c, d) if abs(dx) < tol]
        for k in np.nonzero(np.sign(d[:-1]) * np.sign(d[1:]) < 0)[0]:
            roots.append(brentq(lambda x: g(x) - x, c[k], c[k + 1], xtol=1e-14))
        points = []
        for r in sorted(set(round(float(r), 12) for r in roots)):
            h = 1e-5
            if coord.lo < r - 2 * h and r + 2 * h < coord.hi:
                slope = (g(r + h) - g(r - h)) / (2 * h)
            else:  # second-order one-sided difference, pointing into the domain
                s = 1.0 if r - 2 * h <= coord.lo else -1.0
                slope = (-3 * g(r) + 4 * g(r + s * h) - g(r + 2 * s * h)) / (2 * s * h)
            kind = "marginal" if abs(abs(slope) - 1) < 1e-6 else ("stable" if abs(slope) < 1 else "unstable")
            points.append(MapFixedPoint(coord.from_c(r), r, float(slope), kind))
        return points

    def limit(self, param: float, max_steps: int = 10_000) -> float:
        """The fixed point the flow from ``param`` converges to (inf allowed), by iterating the map."""
        c = self.coordinate.to_c(get(self.family).validate(param))
        g = self.step_coordinate
        for _ in range(max_steps):
            nxt = g(c)
            if abs(nxt - c) < 1e-13:
                break
            c = nxt
        isolated = [p for p in self.fixed_points() if math.isfinite(p.coordinate)]
        if not isolated:  # a line of fixed points: every value is its own limit
            return self.coordinate.from_c(c)
        return min(isolated, key=lambda p: abs(p.coordinate - c)).value
