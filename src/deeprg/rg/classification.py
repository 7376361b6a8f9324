r"""All fixed points of the decimation map on E, in closed form, for any multiplicity matrix K.

The normalized map is :math:`F(E) = E K^\top E / n(E K^\top E)` (:mod:`deeprg.rg.decimation`, p = 2). Write
:math:`M = K^\top` (S x S, :math:`K \ge 0`, every row of K summing to the total prior mass of one layer's (W, b)).

**General solution.** A fixed point up to scale is :math:`E M E = c E` with :math:`c \ne 0` (:math:`c = 0` makes
:math:`T = K E^\top` nilpotent and F undefined). Factor :math:`E = X Y^\top` with :math:`X, Y` of full column rank
:math:`r = \operatorname{rank} E`. Since X has a left inverse and :math:`Y^\top` a right inverse,
:math:`X (Y^\top M X) Y^\top = c X Y^\top \iff Y^\top M X = c I_r`. Hence, up to scale, the fixed points of rank r are
exactly

.. math:: E = X\, (Y^\top K^\top X)^{-1}\, Y^\top, \qquad X, Y \in \mathbb{C}^{S\times r},\
          \det(Y^\top K^\top X) \ne 0,

one for each pair (column space, row space) of dimension r with :math:`Y^\top K^\top X` invertible: a manifold of
projective dimension :math:`2 r (S - r)` for every :math:`1 \le r \le \operatorname{rank} K`. Equivalently
:math:`P = E K^\top / c` and :math:`Q = K^\top E / c` are idempotent (:math:`T = K E^\top = c\,Q^\top` is an
idempotent up to scale, :math:`T^2 \propto T`). Rank 1 gives :math:`T` of rank 1 (:math:`\xi = 0`); rank S (only
when K is invertible) gives the isolated point :math:`E = K^{-\top}` (:math:`T \propto I`, :math:`\xi = \infty`;
for the paper's toy the fictitious point of eq 30); intermediate ranks are the projector-like families.
Coordinate representatives take :math:`X, Y` as columns of the identity: rows ``a`` and columns ``t`` with
:math:`K[a, t]` invertible give :math:`E[a, t] = K[a, t]^{-\top}` and zeros elsewhere.

**Universal spectrum.** Scale so :math:`c = 1`. The unnormalized map :math:`G(E) = E M E` has
:math:`dG = P\,dE + dE\,Q`, whose eigenvalues are :math:`\lambda_i(P) + \lambda_j(Q) \in \{0, 1, 2\}` (P, Q
idempotent of rank r, commuting left/right multiplications, so diagonalizable), with multiplicities
:math:`r^2, 2r(S - r), (S - r)^2`. Normalizing removes the scale direction :math:`dE = E` (eigenvalue 2, since
:math:`G` is homogeneous of degree 2), so the linearized RG on the :math:`S^2 - 1` couplings has

.. math:: \lambda = 2 \ (\times\, r^2 - 1,\ y = 1), \qquad \lambda = 1 \ (\times\, 2r(S - r),\ y = 0,
          \text{ tangent to the family}), \qquad \lambda = 0 \ (\times\, (S - r)^2,\ y = -\infty),

independent of K, of the value sets, of the activation and of the prior. A fixed point is unstable (has a
relevant direction) **iff its rank is at least 2**; rank-1 points are stable (marginal only along their own
family). For the toy (S = 2): the rank-1 family is the plane :math:`e^A = 1` (eq 29: rank 1
:math:`\iff E_{00}E_{11} = E_{01}E_{10}`) with spectrum {1, 1} and the rank-2 point has {2, 2, 2} (eq 34).

**Which fixed points are physical.** Rule used throughout: *E is physical when some multiple of it is
elementwise real and* :math:`\ge 0` (:func:`deeprg.rg.fixed_points.is_physical`): then every coupling
:math:`-\ln E` is real, and a zero entry is the limit of a real coupling going to :math:`+\infty` (a hard
constraint, as at :math:`\beta_v = \infty`). We report separately whether E is *reached*: the limit of the flow
from the model's own bare factor :math:`E(\beta_v) = e^{-\beta_v|h - t|^p}` for some :math:`\beta_v \in [0, \infty]`.

*Theorem 1 (finite couplings give rank 1).* If :math:`E > 0` entrywise, :math:`T = K E^\top > 0` (no row of K
vanishes), and a strictly positive matrix with :math:`T^2 = cT` has rank 1 (Perron: its dominant eigenvalue is
simple, and the eigenvalues of an idempotent are 0 and 1). So **no model has an unstable fixed point at finite
real couplings**, and every flow from finite :math:`\beta_v` converges (:math:`T^{2^n}` normalized tends to the
Perron projector) to a stable rank-1 point.

*Theorem 2 (nonnegative fixed points of rank r).* A nonnegative fixed point of rank :math:`r \ge 2` exists iff
there are rows :math:`a_1..a_r` and columns :math:`t_1..t_r` of K with :math:`K[a_i, t_i] > 0` and
:math:`K[a_j, t_i] = 0` for :math:`j \ne i` (each row has a *private column*). Sufficiency:
:math:`E = \sum_i e_{a_i} e_{t_i}^\top / K[a_i, t_i]` satisfies :math:`E K^\top E = E`. Necessity: by Flor's
theorem a nonnegative idempotent :math:`T / c` of rank r has r disjoint basic classes :math:`J_i` with
:math:`T[J_i, J_k] = 0` (:math:`i \ne k`) and :math:`T[J_i, J_i] > 0`; for :math:`a_i \in J_i`,
:math:`T[a_j, a_i] = \sum_t K[a_j, t] E[a_i, t] = 0` forces :math:`E[a_i, \cdot] = 0` on the support of every
other :math:`K[a_j, \cdot]`, while :math:`T[a_i, a_i] > 0` needs some :math:`t_i` with
:math:`K[a_i, t_i] E[a_i, t_i] > 0`. The condition depends only on the zero pattern of K, so prior weights never
change the answer. For r = 2 it reads: two rows of K have incomparable supports.

*Reachability.* At :math:`\beta_v = \infty` (E = I, T = K) the flow is :math:`T_n \propto K^{2^n}`; with
:math:`K / \text{(row sum)}` stochastic, its limit (when it exists) is the projector onto the closed classes of
the chain :math:`h \to \sigma(W h + b)`, of rank :math:`\sum_c d_c` over closed classes of period
:math:`d_c` a power of 2 (no limit for other periods). So the deterministic network reaches an unstable
fixed point iff the state graph of one layer has at least two closed classes (counted with period).
"""

from __future__ import annotations

import itertools
import math
from typing import NamedTuple

import numpy as np

EIGENVALUES = (2.0, 1.0, 0.0)  # the only eigenvalues of the linearized map at any fixed point (p = 2)


def universal_spectrum(S: int, rank: int) -> dict[float, int]:
    """{eigenvalue: multiplicity} of the linearized normalized map at any rank-``rank`` fixed point (p = 2)."""
    if not 1 <= rank <= S:
        raise ValueError(f"rank: must be in 1..{S}, got {rank}")
    return {2.0: rank * rank - 1, 1.0: 2 * rank * (S - rank), 0.0: (S - rank) ** 2}


def family_dimension(S: int, rank: int) -> int:
    """Projective dimension 2 r (S - r) of the rank-r fixed-point manifold (pairs of r-dim subspaces)."""
    return 2 * rank * (S - rank)


def spectrum_counts(eigenvalues, tol: float = 1e-6) -> dict[float, int] | None:
    """Multiplicities of 2, 1, 0 among ``eigenvalues``; None if any eigenvalue is none of them."""
    lam = np.asarray(eigenvalues, dtype=complex)
    scale = max(1.0, float(np.abs(lam).max(initial=0.0)))
    counts = {v: int(np.sum(np.abs(lam - v) <= tol * scale)) for v in EIGENVALUES}
    return counts if sum(counts.values()) == len(lam) else None


def subspace_fixed_point(K: np.ndarray, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """E = X (Y^T K^T X)^-1 Y^T: the fixed point with column space span X and row space span Y (E K^T E = E)."""
    K, X, Y = np.asarray(K), np.atleast_2d(np.asarray(X)), np.atleast_2d(np.asarray(Y))
    if X.shape != Y.shape or X.shape[0] != len(K) or X.shape[1] > len(K):
        raise ValueError(f"X, Y: must both be S x r with r <= S = {len(K)}, got {X.shape} and {Y.shape}")
    core = Y.T @ K.T @ X
    if np.linalg.matrix_rank(core) < X.shape[1]:
        raise ValueError("X, Y: Y^T K^T X is singular, so no fixed point has these column and row spaces")
    return X @ np.linalg.solve(core, Y.T)


def coordinate_fixed_point(K: np.ndarray, rows, cols) -> np.ndarray:
    """The fixed point E with E[rows, cols] = K[rows, cols]^-T and zeros elsewhere (X, Y = identity columns)."""
    eye = np.eye(len(K))
    return subspace_fixed_point(K, eye[:, list(rows)], eye[:, list(cols)])


def independent_pivots(K: np.ndarray, tol: float = 1e-9) -> tuple[list[int], list[int]]:
    """Rows a and columns t (in pivot order) such that K[a[:r], t[:r]] is invertible for every r <= rank K."""
    from scipy.linalg import qr

    K = np.asarray(K, dtype=float)
    _, R, rows = qr(K.T, pivoting=True)  # pivoted columns of K^T = independent rows of K
    diag = np.abs(np.diag(R))
    rank = int((diag > tol * diag[0]).sum()) if diag.size and diag[0] > 0 else 0
    rows = [int(i) for i in rows[:rank]]
    # columns chosen greedily so that every leading block is invertible (row a[k] adds one column)
    cols: list[int] = []
    for k in range(rank):
        best, best_size = None, 0.0
        for t in range(len(K)):
            if t in cols:
                continue
            block = K[np.ix_(rows[:k + 1], cols + [t])]
            size = abs(np.linalg.det(block))
            if size > best_size * (1 + 1e-12):
                best, best_size = t, size
        cols.append(best)
    return rows, cols


class Witness(NamedTuple):
    """Rows with private columns (Theorem 2): E = sum_i e_{a_i} e_{t_i}^T / K[a_i, t_i] is a fixed point >= 0."""

    rows: tuple[int, ...]
    cols: tuple[int, ...]

    @property
    def rank(self) -> int:
        return len(self.rows)


def private_column_witness(K: np.ndarray) -> Witness:
    """A largest set of rows of K each having a column in its support that no other chosen row has.

    The valid sets are closed under taking subsets, so they are grown level by level (each set extended by
    larger row indices only); supports are bitmasks. The size of the result is the largest rank of a
    nonnegative fixed point (Theorem 2 of the module docstring).
    """
    K = np.asarray(K)
    support = [int(sum(1 << t for t in np.flatnonzero(row > 0))) for row in K]
    distinct = {}
    for i, mask in enumerate(support):  # identical supports can never both hold a private column
        distinct.setdefault(mask, i)
    candidates = sorted(i for mask, i in distinct.items() if mask)

    def private(chosen: tuple[int, ...]) -> list[int] | None:
        cols = []
        for i in chosen:
            others = 0
            for j in chosen:
                if j != i:
                    others |= support[j]
            own = support[i] & ~others
            if not own:
                return None
            cols.append((own & -own).bit_length() - 1)
        return cols

    level = [(i,) for i in candidates]
    best = Witness((), ())
    while level:
        best = Witness(level[0], tuple(private(level[0])))
        level = [chosen + (i,) for chosen in level for i in candidates
                 if i > chosen[-1] and private(chosen + (i,)) is not None]
    return best


def witness_fixed_point(K: np.ndarray, witness: Witness, rank: int | None = None) -> np.ndarray:
    """The nonnegative fixed point of Theorem 2 built from the first ``rank`` pairs of ``witness``."""
    rank = witness.rank if rank is None else rank
    E = np.zeros(np.shape(K))
    for a, t in zip(witness.rows[:rank], witness.cols[:rank]):
        E[a, t] = 1.0 / K[a, t]
    return E


class ClosedClass(NamedTuple):
    states: tuple[int, ...]
    period: int


def closed_classes(K: np.ndarray) -> list[ClosedClass]:
    """Closed communicating classes of the one-layer state graph h -> t (edge where K[h, t] > 0), with periods."""
    A = np.asarray(K) > 0
    S = len(A)
    reach = A | np.eye(S, dtype=bool)
    for k in range(S):  # transitive closure (Warshall)
        reach |= reach[:, [k]] & reach[[k], :]
    out, seen = [], set()
    for i in range(S):
        if i in seen:
            continue
        cls = [j for j in range(S) if reach[i, j] and reach[j, i]]
        seen.update(cls)
        if all(j in cls for j in np.flatnonzero(reach[i])):
            out.append(ClosedClass(tuple(cls), _period(A, cls)))
    return out


def _period(A: np.ndarray, cls: list[int]) -> int:
    """gcd of (level(u) + 1 - level(v)) over edges u -> v inside the class (BFS levels from its first state)."""
    level = {cls[0]: 0}
    queue = [cls[0]]
    for u in queue:
        for v in cls:
            if A[u, v] and v not in level:
                level[v] = level[u] + 1
                queue.append(v)
    g = 0
    for u, v in itertools.product(cls, cls):
        if A[u, v]:
            g = math.gcd(g, level[u] + 1 - level[v])
    return abs(g)


def predicted_limit_rank(classes: list[ClosedClass]) -> int | None:
    """Rank of lim K^(2^n) (normalized): sum of periods when all are powers of 2, else None (no limit)."""
    if any(c.period & (c.period - 1) for c in classes):
        return None
    return sum(c.period for c in classes)


def exact_matrix(K: np.ndarray):
    """K as an exact SymPy matrix (prior-weighted counts; each entry reconstructed as a nearby fraction)."""
    from fractions import Fraction

    import sympy as sp

    def exact(k: float):
        f = Fraction(float(k)).limit_denominator(10**9)
        if abs(float(f) - k) > 1e-12 * max(1.0, abs(k)):
            raise ValueError(f"K: entry {k!r} is not a ratio of small integers; use a rational prior")
        return sp.Rational(f.numerator, f.denominator)

    return sp.Matrix([[exact(k) for k in row] for row in np.asarray(K)])


def exact_coordinate_fixed_point(K, rows, cols):
    """Exact (SymPy) coordinate fixed point and whether E K^T E - E vanishes identically (checked exactly).

    ``K`` may be a float array or an exact SymPy matrix (from :func:`exact_matrix`).
    """
    import sympy as sp

    Kx = K if isinstance(K, sp.MatrixBase) else exact_matrix(K)
    S = Kx.shape[0]
    block = Kx.extract(list(rows), list(cols)).T.inv()
    E = sp.zeros(S, S)
    for i, a in enumerate(rows):
        for j, t in enumerate(cols):
            E[a, t] = block[i, j]
    return E, (E * Kx.T * E - E).is_zero_matrix
