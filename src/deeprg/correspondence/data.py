r"""Data families of the Gong-Xia correspondence and their exact samplers.

Only a news summary of the paper exists, so every family below is a modelling choice, stated here.

Nearest-neighbour exponential-family chains (discrete support)
--------------------------------------------------------------
A chain of :math:`n` sites with values :math:`x_i` in a support :math:`\mathcal X` and base measure
:math:`\nu` has the law

.. math::  P(x) = \frac1{Z_n} \prod_i \nu(x_i)\,
           \exp\Big(\theta \sum_i x_i + J \sum_{\langle i,i+1\rangle} x_i x_{i+1}\Big),        \tag{1}

an exponential family with natural parameters :math:`(\theta, J)` and sufficient statistics
:math:`S_1 = \sum_i x_i` and :math:`S_2 = \sum_{\langle i,i+1\rangle} x_i x_{i+1}` (bonds :math:`i=0..n-2`
for open chains, plus :math:`(n-1,0)` for periodic ones). Three instances:

* **Ising chain**: :math:`\mathcal X = \{-1,+1\}`, :math:`\nu = 1`, field :math:`h=\theta`, coupling
  :math:`K=J`.
* **Bernoulli chain**: :math:`\mathcal X=\{0,1\}`, :math:`\nu=1`. It is the Ising chain in 0/1 variables,
  :math:`x = (1+s)/2`: in the bulk :math:`K = J/4`, :math:`h = \theta/2 + J/2`. :math:`J=0` is i.i.d.
  Bernoulli with :math:`p = e^\theta/(1+e^\theta)`.
* **Poisson chain** (Besag's auto-Poisson): :math:`\mathcal X=\mathbb N`, :math:`\nu(x) = 1/x!`. The sum
  :math:`\sum_{x,y} e^{\theta(x+y) + Jxy}/(x!\,y!)` diverges for :math:`J>0`, so the family is restricted to
  :math:`J \le 0`; :math:`J=0` is i.i.d. Poisson with rate :math:`\lambda = e^\theta`. Each site's conditional
  law is Poisson with rate :math:`e^{\theta + J(x_{i-1}+x_{i+1})} \le e^\theta`, so every marginal is
  stochastically below Poisson(:math:`e^\theta`); the support is cut at the smallest :math:`M` with
  :math:`P(\mathrm{Poisson}(e^\theta) > M) < 10^{-16}`, and the law on the cut support differs from (1)
  by at most :math:`n\cdot 10^{-16}` in total variation.

Exact sampling
--------------
With site potentials :math:`\phi(x) = \log\nu(x) + \theta x` and bond potential :math:`\psi(x,y) = Jxy`,
the open chain is sampled by forward filtering, backward sampling: the forward messages
:math:`\alpha_0 = \phi`, :math:`\alpha_{i}(y) = \phi(y) + \log\sum_x e^{\alpha_{i-1}(x) + \psi(x,y)}` give
:math:`\log Z_n = \log\sum_x e^{\alpha_{n-1}(x)}`, :math:`x_{n-1} \sim e^{\alpha_{n-1}}` and
:math:`x_i \mid x_{i+1} \sim e^{\alpha_i(x) + \psi(x, x_{i+1})}`. A periodic chain first draws :math:`x_0`
from its exact marginal :math:`P(x_0=a) = (M^n)_{aa}/\mathrm{Tr}\,M^n` with the symmetric transfer matrix
:math:`M_{xy} = e^{\phi(x)/2 + \psi(x,y) + \phi(y)/2}`; given :math:`x_0=a` the rest is an open chain whose end
sites carry the extra potentials :math:`\psi(a,\cdot)`, sampled as above. Both are exact (no Markov chain).

Gaussian chain
--------------
The stationary Gaussian Markov chain (AR(1)) with mean :math:`\mu`, variance :math:`\sigma^2` and
nearest-neighbour correlation :math:`\rho`, :math:`|\rho|<1`:
:math:`x_0 \sim N(\mu,\sigma^2)`, :math:`x_{i+1} = \mu + \rho(x_i-\mu) + \sigma\sqrt{1-\rho^2}\,\varepsilon_i`,
so :math:`\mathrm{Cov}(x_i,x_j) = \sigma^2\rho^{|i-j|}`. Its precision matrix is tridiagonal,

.. math::  Q = \frac{1}{\sigma^2(1-\rho^2)}\begin{pmatrix}1 & -\rho \\ -\rho & 1+\rho^2 & -\rho \\
           & \ddots & \ddots & \ddots \\ && -\rho & 1\end{pmatrix},                               \tag{2}

so it is the exponential family with sufficient statistics :math:`\sum_i x_i`, :math:`\sum_i x_i^2` (end
sites weighted differently) and :math:`\sum_i x_i x_{i+1}`. :math:`\rho = 0` is i.i.d. :math:`N(\mu,\sigma^2)`.

One-parameter families used by ``deeprg gx``
--------------------------------------------
``ising`` (zero-field open chain, parameter :math:`K`), ``gaussian`` (AR(1) with :math:`\mu=0`,
:math:`\sigma=1`, parameter :math:`\rho`), ``bernoulli`` (i.i.d., parameter :math:`p`) and ``poisson``
(i.i.d., parameter :math:`\lambda`); see :func:`deeprg.correspondence.families.one_parameter_family`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.special import gammaln, logsumexp

POISSON_TAIL = 1e-16


def _categorical(logits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One draw per row of ``logits`` (rows: samples, columns: support indices), by inverse CDF."""
    p = np.exp(logits - logits.max(axis=1, keepdims=True))
    cdf = np.cumsum(p, axis=1)
    u = rng.random(len(logits)) * cdf[:, -1]
    return np.minimum((cdf < u[:, None]).sum(axis=1), logits.shape[1] - 1)


def poisson_cutoff(rate: float, tail: float = POISSON_TAIL) -> int:
    """Smallest M with P(Poisson(rate) > M) < tail."""
    from scipy.stats import poisson

    m = int(poisson.isf(tail, rate)) if rate > 0 else 0
    while poisson.sf(m, rate) >= tail:
        m += 1
    return max(m, 1)


def _log_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return logsumexp(a[:, :, None] + b[None, :, :], axis=1)


def log_matrix_power(log_m: np.ndarray, power: int) -> np.ndarray:
    """log(M^power) from log M, by repeated squaring in log space (power >= 1)."""
    result, base = None, log_m
    while power:
        if power & 1:
            result = base if result is None else _log_matmul(result, base)
        power >>= 1
        if power:
            base = _log_matmul(base, base)
    return result


@dataclass(frozen=True)
class NearestNeighbourChain:
    """The chain (1): support values, log base measure, field theta, coupling J, n sites, open or periodic."""

    support: tuple[float, ...]
    log_base: tuple[float, ...]
    field: float
    coupling: float
    n: int
    periodic: bool = False

    def __post_init__(self):
        if len(self.support) < 2 or len(self.support) != len(self.log_base):
            raise ValueError("support: need at least two values and one log base weight per value")
        if not (math.isfinite(self.field) and math.isfinite(self.coupling)):
            raise ValueError(f"field/coupling: must be finite, got {self.field}, {self.coupling}")
        if int(self.n) != self.n or self.n < (3 if self.periodic else 2):
            raise ValueError(f"n: need an integer >= {3 if self.periodic else 2} sites, got {self.n}")

    # -- constructors -------------------------------------------------------------------------------------
    @classmethod
    def ising(cls, coupling: float, field: float = 0.0, n: int = 64, periodic: bool = False):
        return cls((-1.0, 1.0), (0.0, 0.0), float(field), float(coupling), int(n), periodic)

    @classmethod
    def bernoulli(cls, field: float, coupling: float = 0.0, n: int = 64, periodic: bool = False):
        return cls((0.0, 1.0), (0.0, 0.0), float(field), float(coupling), int(n), periodic)

    @classmethod
    def poisson(cls, field: float, coupling: float = 0.0, n: int = 64, periodic: bool = False,
                tail: float = POISSON_TAIL):
        if coupling > 0:
            raise ValueError(f"coupling: the Poisson chain is normalizable only for J <= 0, got {coupling}")
        values = np.arange(poisson_cutoff(math.exp(field), tail) + 1, dtype=float)
        return cls(tuple(values), tuple(-gammaln(values + 1)), float(field), float(coupling), int(n), periodic)

    # -- potentials -----------------------------------------------------------------------------------------
    @property
    def values(self) -> np.ndarray:
        return np.asarray(self.support, dtype=float)

    def site_potential(self) -> np.ndarray:
        return np.asarray(self.log_base) + self.field * self.values

    def bond_potential(self) -> np.ndarray:
        return self.coupling * np.outer(self.values, self.values)

    def log_transfer_matrix(self) -> np.ndarray:
        """log M_xy = phi(x)/2 + psi(x,y) + phi(y)/2 (M symmetric)."""
        phi = self.site_potential()
        return phi[:, None] / 2 + self.bond_potential() + phi[None, :] / 2

    # -- exact quantities -------------------------------------------------------------------------------------
    def _forward(self, site: np.ndarray) -> np.ndarray:
        """Forward log-messages alpha_i for site potentials ``site`` shaped (sites, support)."""
        psi = self.bond_potential()
        alpha = np.empty_like(site)
        alpha[0] = site[0]
        for i in range(1, len(site)):
            alpha[i] = site[i] + logsumexp(alpha[i - 1][:, None] + psi, axis=0)
        return alpha

    def log_partition(self) -> float:
        """log Z_n of (1), exactly (transfer matrix)."""
        if not self.periodic:  # Z = w^T M^(n-1) w with w = exp(phi / 2), M^(n-1) by squaring in log space
            half = self.site_potential() / 2
            return float(logsumexp(half[:, None] + log_matrix_power(self.log_transfer_matrix(), self.n - 1)
                                   + half[None, :]))
        log_m = self.log_transfer_matrix()
        shift = log_m.max()
        eig = np.linalg.eigvalsh(np.exp(log_m - shift))
        top = np.abs(eig).max()
        return float(self.n * (shift + math.log(top)) + math.log(np.sum((eig / top) ** self.n)))

    def statistics(self, x: np.ndarray) -> np.ndarray:
        """Sufficient statistics (S_1, S_2) and the log base measure of samples shaped (num, n): (num, 3)."""
        x = np.asarray(x, dtype=float)
        bonds = x[:, :-1] * x[:, 1:]
        s2 = bonds.sum(axis=1) + (x[:, -1] * x[:, 0] if self.periodic else 0.0)
        idx = np.searchsorted(self.values, x)
        log_base = np.asarray(self.log_base)[np.clip(idx, 0, len(self.support) - 1)].sum(axis=1)
        return np.stack([x.sum(axis=1), s2, log_base], axis=1)

    def log_prob(self, x: np.ndarray) -> np.ndarray:
        stats = self.statistics(x)
        return self.field * stats[:, 0] + self.coupling * stats[:, 1] + stats[:, 2] - self.log_partition()

    def sample(self, rng: np.random.Generator, num: int) -> np.ndarray:
        """``num`` exact independent draws, shaped (num, n)."""
        k = len(self.support)
        phi = self.site_potential()
        psi = self.bond_potential()
        if not self.periodic:
            alpha = np.broadcast_to(self._forward(np.tile(phi, (self.n, 1))), (num, self.n, k))
            first = None
        else:
            log_m = self.log_transfer_matrix()
            shift = log_m.max()
            eig, vec = np.linalg.eigh(np.exp(log_m - shift))
            weight = np.sum(vec ** 2 * (eig / np.abs(eig).max()) ** self.n, axis=1)
            first = _categorical(np.log(np.maximum(weight, 1e-300))[None].repeat(num, 0), rng)
            per_start = []
            for a in range(k):  # rest of the ring given x_0 = a: an open chain with two end potentials
                site = np.tile(phi, (self.n, 1))
                site[0] = -np.inf
                site[0, a] = 0.0
                site[-1] += psi[:, a]  # the wrap bond (n-1, 0)
                per_start.append(self._forward(site))
            alpha = np.stack(per_start)[first]
        out = np.empty((num, self.n), dtype=int)
        out[:, -1] = _categorical(alpha[:, -1], rng)
        for i in range(self.n - 2, -1, -1):
            out[:, i] = _categorical(alpha[:, i] + psi[:, out[:, i + 1]].T, rng)
        if first is not None:
            out[:, 0] = first
        return self.values[out]


@dataclass(frozen=True)
class GaussianChain:
    """Stationary AR(1) chain (2) with correlation rho, mean and variance; open, n sites."""

    rho: float
    n: int
    mean: float = 0.0
    variance: float = 1.0

    def __post_init__(self):
        if not (math.isfinite(self.rho) and abs(self.rho) < 1):
            raise ValueError(f"rho: the correlation must satisfy |rho| < 1, got {self.rho}")
        if not (math.isfinite(self.variance) and self.variance > 0) or not math.isfinite(self.mean):
            raise ValueError(f"variance: must be finite and > 0 (mean finite), got {self.variance}")
        if int(self.n) != self.n or self.n < 2:
            raise ValueError(f"n: need an integer >= 2 sites, got {self.n}")

    def covariance(self) -> np.ndarray:
        i = np.arange(self.n)
        return self.variance * self.rho ** np.abs(i[:, None] - i[None, :])

    def precision(self) -> np.ndarray:
        """The tridiagonal precision (2)."""
        diag = np.full(self.n, 1 + self.rho ** 2)
        diag[[0, -1]] = 1.0
        q = np.diag(diag) - self.rho * (np.eye(self.n, k=1) + np.eye(self.n, k=-1))
        return q / (self.variance * (1 - self.rho ** 2))

    def sample(self, rng: np.random.Generator, num: int) -> np.ndarray:
        sd = math.sqrt(self.variance)
        noise = rng.standard_normal((num, self.n))
        x = np.empty((num, self.n))
        x[:, 0] = noise[:, 0]
        innovation = math.sqrt(1 - self.rho ** 2)
        for i in range(1, self.n):
            x[:, i] = self.rho * x[:, i - 1] + innovation * noise[:, i]
        return self.mean + sd * x


def __getattr__(name):  # the family-level names live in the registry, deeprg.correspondence.families
    if name in ("FAMILIES", "validate_parameter", "one_parameter_family"):
        from deeprg.correspondence import families

        return getattr(families, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
