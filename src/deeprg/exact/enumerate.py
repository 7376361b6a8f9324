r"""Brute-force enumeration: the oracle every other method in deeprg is tested against.

Three sums, each straight from the definitions in :mod:`deeprg.hamiltonian`:

- ``original``: every (W, b) of all M+1 layers; neurons from the forward pass; weight
  :math:`\pi(W,b)e^{-\beta H_\text{orig}}` (eqs 6-9).
- ``dna`` (``factorize=False``): every (W, b, h) jointly; weight :math:`\pi(W,b)e^{-\beta H_\text{new}}`
  (eqs 13-15).
- ``dna`` (``factorize=True``, the default): every h explicitly; the (W, b) of each layer summed by direct
  evaluation of that layer's energy term. This is the distributive law, not a transfer matrix: in eq 14,
  :math:`W^{(m)}, b^{(m)}` enter only the m-th term, so :math:`\sum_{W,b}\prod_m f_m = \prod_m \sum_{W^{(m)},b^{(m)}} f_m`.
  The two DNA sums are tested against each other.

Each refuses, naming the count and the alternative, when it would visit more than ``max_terms`` terms.
"""

from __future__ import annotations


import numpy as np
from scipy.special import logsumexp

from .. import hamiltonian as ham
from ..model import NetworkSpec, count_weight_configurations, weight_configurations
from .result import ExactResult

DEFAULT_MAX_TERMS = 10**7
_CHUNK = 1 << 15


class _WeightedMoments:
    """Streaming log Z, mean and covariance of features under unnormalized log weights."""

    def __init__(self, dim: int):
        self.shift = -np.inf
        self.z = 0.0
        self.s1 = np.zeros(dim)
        self.s2 = np.zeros((dim, dim))

    def add(self, log_w: np.ndarray, features: np.ndarray) -> None:
        top = np.max(log_w)
        if top == -np.inf:
            return
        if top > self.shift:
            scale = np.exp(self.shift - top)
            self.z, self.s1, self.s2, self.shift = self.z * scale, self.s1 * scale, self.s2 * scale, top
        w = np.exp(log_w - self.shift)
        self.z += w.sum()
        self.s1 += w @ features
        self.s2 += (features * w[:, None]).T @ features

    def result(self, depth: int, rows: int, width: int) -> ExactResult:
        if self.z == 0:
            raise ValueError("the ensemble has zero total weight (every configuration is forbidden)")
        mean = self.s1 / self.z
        cov = self.s2 / self.z - np.outer(mean, mean)
        return ExactResult(float(self.shift + np.log(self.z)), mean.reshape(depth, rows, width), cov, "enumerate")


def _digit_chunks(radices: list[int], progress=None):
    """All tuples of digits (mixed radix, last digit fastest), in chunks of shape (C, len(radices));
    ``progress(fraction)`` after each chunk, the fractions summing to 1."""
    radices = np.asarray(radices, dtype=np.int64)
    total = int(np.prod(radices, dtype=object))
    strides = np.ones(len(radices), dtype=np.int64)
    for k in range(len(radices) - 2, -1, -1):
        strides[k] = strides[k + 1] * radices[k + 1]
    for start in range(0, total, _CHUNK):
        flat = np.arange(start, min(start + _CHUNK, total), dtype=np.int64)
        yield (flat[:, None] // strides) % radices
        if progress is not None:
            progress(len(flat) / total)


def count_terms(spec: NetworkSpec, factorize: bool = True) -> int:
    """Number of energy terms the enumeration of ``spec`` evaluates."""
    n_wb = count_weight_configurations(spec)
    layers = spec.depth + 1
    if spec.hamiltonian == "original":
        return n_wb ** layers
    n_h = len(spec.values.neurons) ** (spec.depth * spec.rows * spec.width)
    return n_h * n_wb * layers if factorize else n_h * n_wb ** layers


def _check_size(spec: NetworkSpec, factorize: bool, max_terms: int) -> None:
    n = count_terms(spec, factorize)
    if n > max_terms:
        raise ValueError(f"method: enumeration would visit {n:.3g} terms (> max_terms = {max_terms:.3g}); "
                         "use method 'transfer', which is exact at any depth, or raise max_terms")


def _weights_and_biases(spec: NetworkSpec, digits: np.ndarray):
    """Split digit rows into W (C, M+1, N, N), b (C, M+1, N) and their log prior."""
    layers, n = spec.depth + 1, spec.width
    n_w = layers * n * n
    wi, bi = digits[:, :n_w], digits[:, n_w:n_w + layers * n]
    W = np.array(spec.values.weights)[wi].reshape(-1, layers, n, n)
    b = np.array(spec.values.biases)[bi].reshape(-1, layers, n)
    return W, b, ham.log_prior(spec, wi, bi), digits[:, n_w + layers * n:]


def enumerate_spec(spec: NetworkSpec, *, factorize: bool = True, max_terms: int = DEFAULT_MAX_TERMS,
                   progress=None) -> ExactResult:
    """log Z, <h> and the connected covariance of all dynamic neurons, by brute force.

    ``progress(fraction)`` is called as the enumeration advances (fractions summing to 1; the CLI passes a
    progress bar's ``advance``)."""
    _check_size(spec, factorize, max_terms)
    M, L, N = spec.depth, spec.rows, spec.width
    moments = _WeightedMoments(M * L * N)
    wb_radices = [len(spec.values.weights)] * ((M + 1) * N * N) + [len(spec.values.biases)] * ((M + 1) * N)
    h_radices = [len(spec.values.neurons)] * (M * L * N)
    neurons = np.array(spec.values.neurons)

    if spec.hamiltonian == "original":
        for digits in _digit_chunks(wb_radices, progress):
            W, b, log_p, _ = _weights_and_biases(spec, digits)
            h = ham.forward_pass(spec, W, b)[:, :-1]
            moments.add(log_p - ham.original_energy(spec, W, b), h.reshape(len(h), -1))
    elif not factorize:
        for digits in _digit_chunks(wb_radices + h_radices, progress):
            W, b, log_p, hi = _weights_and_biases(spec, digits)
            h = neurons[hi].reshape(-1, M, L, N)
            moments.add(log_p - ham.dna_energy(spec, W, b, h), h.reshape(len(h), -1))
    else:
        Wc, bc, log_pc = weight_configurations(spec)
        for hi in _digit_chunks(h_radices, progress):
            h = neurons[hi].reshape(-1, M, L, N)
            moments.add(_factorized_log_weight(spec, h, Wc, bc, log_pc), h.reshape(len(h), -1))
    return moments.result(M, L, N)


def _factorized_log_weight(spec, h, Wc, bc, log_pc) -> np.ndarray:
    """log of prod_m sum_{W^(m), b^(m)} pi e^{-(layer m energy)} for each h configuration."""
    x = np.broadcast_to(spec.x_array, (len(h), 1) + spec.x_array.shape)
    inputs = np.concatenate([x, h], axis=1)
    total = np.zeros(len(h))
    for m in range(spec.depth + 1):
        s = spec.act(ham.preactivation(Wc[:, None], bc[:, None], inputs[None, :, m]))  # (n_wb, C, L, N)
        if m < spec.depth:
            energy = ham.constraint_energy(ham.mismatch(h[None, :, m], s, spec.p), spec.effective_beta_v)
        else:
            energy = spec.beta * ham.mismatch(spec.y_array, s, spec.p)
        total += logsumexp(log_pc[:, None] - energy, axis=0)
    return total
