r"""Specification of a discrete network in the Gibbs ensemble of training (Lee, Lee & Yi, eqs 8-16).

Conventions
-----------
A network of width :math:`N` and depth :math:`M` sees :math:`L` data rows :math:`x^{[l]}` (the fixed layer
:math:`h^{(0)}`) with targets :math:`y^{[l]}`. Weight layers :math:`m = 0..M` carry :math:`W^{(m)}` (N x N) and
:math:`b^{(m)}` (N); the dynamic neurons are :math:`h^{(1..M)}`, one copy per data row; the output is
:math:`s^{(M)}`. With :math:`s^{(m)} = \sigma(W^{(m)} h^{(m)} + b^{(m)})` applied row by row,

.. math::

    \beta H_\text{orig} &= \beta \sum_{i,l} |y_i^{[l]} - z_i^{[l]}|^p
        \quad\text{(eqs 8-9; } z \text{ the forward pass; sum over } W, b \text{ only)}\\
    \beta H_\text{new} &= \beta \sum_{i,l} |y_i^{[l]} - s_i^{(M)[l]}|^p
        + \beta_v \sum_{m<M}\sum_{i,l} |h_i^{(m+1)[l]} - s_i^{(m)[l]}|^p
        \quad\text{(eqs 13-14, footnote 7; sum over } W, b, h\text{)}.

The Gibbs weight of a configuration is :math:`\prod \pi(W)\pi(b)\,e^{-\beta H}` with optional prior weights
:math:`\pi` over the weight and bias values (uniform by default). :math:`\beta_v = \infty` turns every constraint
into a Kronecker delta and recovers the original cost exactly. No Gaussian normalization constants of eq 12
are included: :math:`Z` is the plain sum of Gibbs weights.

Activations map every pre-activation into the neuron value set: ``heaviside`` (eq 17: 1 if x >= 0 else 0),
``sign`` (1 if x >= 0 else -1, so that sign(0) = 1 stays in {-1, 1}), or any numpy-vectorized callable.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .validation import check_int

ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "heaviside": lambda a: np.where(a >= 0, 1.0, 0.0),
    "sign": lambda a: np.where(a >= 0, 1.0, -1.0),
}
HAMILTONIANS = ("dna", "original")


def _real(value, name: str) -> float:
    if isinstance(value, (complex, np.complexfloating)) and not isinstance(value, (float, np.floating)):
        raise TypeError(f"{name}: must be a real number, got complex {value!r}; complex couplings are allowed "
                        "only in the RG algebra (deeprg.rg), never in the exact engine or a sampler")
    try:
        out = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"{name}: must be a real number, got {value!r}") from None
    if math.isnan(out):
        raise ValueError(f"{name}: NaN is not allowed")
    return out


def _value_set(values, name: str) -> tuple[float, ...]:
    try:
        items = tuple(values)
    except TypeError:
        raise TypeError(f"{name}: must be a sequence of numbers, got {values!r}") from None
    out = tuple(_real(v, name) for v in items)
    if not out:
        raise ValueError(f"{name}: empty value set; give at least one value, e.g. (-1, 1)")
    if not all(math.isfinite(v) for v in out):
        raise ValueError(f"{name}: values must be finite, got {out}")
    if len(set(out)) != len(out):
        raise ValueError(f"{name}: values must be distinct, got {out}")
    return out


def _prior(prior, values: tuple[float, ...], name: str) -> tuple[float, ...] | None:
    if prior is None:
        return None
    out = tuple(_real(w, name) for w in prior)
    if len(out) != len(values):
        raise ValueError(f"{name}: needs one weight per value {values}, got {len(out)}")
    if not all(math.isfinite(w) and w > 0 for w in out):
        raise ValueError(f"{name}: weights must be finite and > 0, got {out}")
    return out


@dataclass(frozen=True)
class ValueSets:
    """Allowed values of weights, biases and neurons, with optional prior weights over W and b values."""

    weights: tuple[float, ...] = (-1.0, 1.0)
    biases: tuple[float, ...] = (-1.0, 1.0)
    neurons: tuple[float, ...] = (0.0, 1.0)
    weight_prior: tuple[float, ...] | None = None
    bias_prior: tuple[float, ...] | None = None

    def __post_init__(self):
        for name in ("weights", "biases", "neurons"):
            object.__setattr__(self, name, _value_set(getattr(self, name), name))
        object.__setattr__(self, "weight_prior", _prior(self.weight_prior, self.weights, "weight_prior"))
        object.__setattr__(self, "bias_prior", _prior(self.bias_prior, self.biases, "bias_prior"))

    def log_weight_prior(self) -> np.ndarray:
        return np.log(self.weight_prior) if self.weight_prior else np.zeros(len(self.weights))

    def log_bias_prior(self) -> np.ndarray:
        return np.log(self.bias_prior) if self.bias_prior else np.zeros(len(self.biases))


def _matrix(value, name: str, width: int | None) -> tuple[tuple[float, ...], ...]:
    arr = np.asarray(value, dtype=object)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"{name}: must be an L x N matrix (rows = data rows), got shape {np.shape(value)}")
    if width is not None and arr.shape[1] != width:
        raise ValueError(f"{name}: has {arr.shape[1]} columns but width is {width}; each row needs N = {width} values")
    return tuple(tuple(_real(v, name) for v in row) for row in arr)


@dataclass(frozen=True)
class NetworkSpec:
    """A discrete network and its Gibbs ensemble (validated at construction).

    Parameters
    ----------
    width : int
        N, neurons per layer (>= 1).
    depth : int
        M, number of dynamic-neuron layers h^(1..M); weight layers are m = 0..M (>= 1).
    x, y : L x N matrices
        Data rows (the fixed layer h^(0)) and targets. ``x`` defaults to a single row of ones, ``y`` to ones of
        the shape of ``x``. Entries must lie in the neuron value set.
    beta, beta_v : float
        Inverse temperatures of the cost and of the constraints (beta_v may be ``inf``).
    values : ValueSets
    activation : str or callable
        ``"heaviside"``, ``"sign"`` or a vectorized function mapping pre-activations into the neuron values.
    p : float
        Exponent of the L^p cost (footnote 7), >= 1.
    hamiltonian : {"dna", "original"}
        ``"original"`` is the cost of eqs 8-9 (sum over W, b only); it equals ``"dna"`` at beta_v = inf.
    """

    width: int = 1
    depth: int = 1
    x: tuple[tuple[float, ...], ...] | None = None
    y: tuple[tuple[float, ...], ...] | None = None
    beta: float = 1.0
    beta_v: float = 1.0
    values: ValueSets = field(default_factory=ValueSets)
    activation: str | Callable = "heaviside"
    p: float = 2.0
    hamiltonian: str = "dna"

    def __post_init__(self):
        for name in ("width", "depth"):
            object.__setattr__(self, name, check_int(name, getattr(self, name), 1))
        if not isinstance(self.values, ValueSets):
            raise TypeError(f"values: must be a ValueSets, got {type(self.values).__name__}")
        x = ((1.0,) * self.width,) if self.x is None else _matrix(self.x, "x", self.width)
        y = tuple((1.0,) * self.width for _ in x) if self.y is None else _matrix(self.y, "y", self.width)
        if len(x) != len(y):
            raise ValueError(f"y: has {len(y)} rows but x has {len(x)}; give one target row per data row")
        object.__setattr__(self, "x", x)
        object.__setattr__(self, "y", y)
        beta = _real(self.beta, "beta")
        if not (0 <= beta < math.inf):
            raise ValueError(f"beta: must be finite and >= 0, got {beta}")
        beta_v = _real(self.beta_v, "beta_v")
        if beta_v < 0:
            raise ValueError(f"beta_v: must be >= 0 (inf allowed), got {beta_v}")
        p = _real(self.p, "p")
        if not (1 <= p < math.inf):
            raise ValueError(f"p: the L^p exponent must be finite and >= 1, got {p}")
        object.__setattr__(self, "beta", beta)
        object.__setattr__(self, "beta_v", beta_v)
        object.__setattr__(self, "p", p)
        if self.hamiltonian not in HAMILTONIANS:
            raise ValueError(f"hamiltonian: must be one of {HAMILTONIANS}, got {self.hamiltonian!r}")
        if isinstance(self.activation, str):
            if self.activation not in ACTIVATIONS:
                raise ValueError(f"activation: unknown {self.activation!r}; allowed: {sorted(ACTIVATIONS)} "
                                 "or a callable mapping into the neuron values")
        elif not callable(self.activation):
            raise TypeError(f"activation: must be a name in {sorted(ACTIVATIONS)} or a callable")
        neurons = set(self.values.neurons)
        for name, rows in (("x", x), ("y", y)):
            bad = sorted({v for row in rows for v in row} - neurons)
            if bad:
                raise ValueError(f"{name}: values {bad} are outside the neuron value set {self.values.neurons}")
        self._check_activation_range()

    # -- derived quantities -------------------------------------------------------------------------------
    @property
    def rows(self) -> int:
        """L, the number of data rows."""
        return len(self.x)

    @property
    def x_array(self) -> np.ndarray:
        return np.array(self.x, dtype=float)

    @property
    def y_array(self) -> np.ndarray:
        return np.array(self.y, dtype=float)

    @property
    def effective_beta_v(self) -> float:
        """beta_v of the ensemble: infinite for the original cost."""
        return math.inf if self.hamiltonian == "original" else self.beta_v

    @property
    def activation_name(self) -> str:
        return self.activation if isinstance(self.activation, str) else getattr(self.activation, "__name__", "custom")

    def act(self, pre: np.ndarray) -> np.ndarray:
        fn = ACTIVATIONS[self.activation] if isinstance(self.activation, str) else self.activation
        return np.asarray(fn(pre), dtype=float)

    def replace(self, **changes) -> "NetworkSpec":
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict:
        return {
            "width": self.width, "depth": self.depth, "rows": self.rows,
            "x": [list(r) for r in self.x], "y": [list(r) for r in self.y],
            "beta": self.beta, "beta_v": self.beta_v, "p": self.p, "hamiltonian": self.hamiltonian,
            "activation": self.activation_name,
            "weights": list(self.values.weights), "biases": list(self.values.biases),
            "neurons": list(self.values.neurons),
            "weight_prior": self.values.weight_prior and list(self.values.weight_prior),
            "bias_prior": self.values.bias_prior and list(self.values.bias_prior),
        }

    @classmethod
    def from_dict(cls, data: dict) -> "NetworkSpec":
        """Inverse of :meth:`to_dict` for named activations (how a spec travels to sweep workers as JSON)."""
        values = ValueSets(data["weights"], data["biases"], data["neurons"], data.get("weight_prior"),
                           data.get("bias_prior"))
        return cls(data["width"], data["depth"], data["x"], data["y"], data["beta"], data["beta_v"], values,
                   data["activation"], data["p"], data["hamiltonian"])

    def preactivations(self) -> np.ndarray:
        """Every reachable pre-activation sum_j W_ij h_j + b_i, sorted (the activation's whole domain)."""
        v = self.values
        weighted_sums = {0.0}
        for _ in range(self.width):  # all values of sum_j W_ij h_j over one row of W
            weighted_sums = {s + w * h for s in weighted_sums for w in v.weights for h in v.neurons}
        return np.array(sorted({s + b for s in weighted_sums for b in v.biases}))

    def _check_activation_range(self) -> None:
        """Every reachable pre-activation must map into the neuron value set."""
        v = self.values
        pre = self.preactivations()
        try:
            out = self.act(pre)
        except Exception as err:  # a user function that fails is a bad input, not a crash
            raise ValueError(f"activation: failed on pre-activations {pre.tolist()}: {err}") from None
        if out.shape != pre.shape:
            raise ValueError("activation: must be elementwise (same output shape as input)")
        bad = sorted(set(out.tolist()) - set(v.neurons))
        if bad:
            raise ValueError(f"activation: {self.activation_name} produces {bad}, outside the neuron value set "
                             f"{v.neurons}; choose neurons that contain its range (heaviside: 0,1; sign: -1,1)")


def weight_configurations(spec: NetworkSpec) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """All (W, b) of one weight layer: arrays W (C, N, N), b (C, N) and the log prior weight (C,)."""
    v, n = spec.values, spec.width
    w_idx = np.array(list(itertools.product(range(len(v.weights)), repeat=n * n)), dtype=int).reshape(-1, n * n)
    b_idx = np.array(list(itertools.product(range(len(v.biases)), repeat=n)), dtype=int).reshape(-1, n)
    wi = np.repeat(w_idx, len(b_idx), axis=0)
    bi = np.tile(b_idx, (len(w_idx), 1))
    W = np.array(v.weights)[wi].reshape(-1, n, n)
    b = np.array(v.biases)[bi]
    log_prior = v.log_weight_prior()[wi].sum(axis=1) + v.log_bias_prior()[bi].sum(axis=1)
    return W, b, log_prior


def count_weight_configurations(spec: NetworkSpec) -> int:
    return len(spec.values.weights) ** (spec.width ** 2) * len(spec.values.biases) ** spec.width
