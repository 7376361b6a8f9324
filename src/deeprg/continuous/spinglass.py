r"""Appendix B: the DNA energy of a linearized-sigmoid MLP as an Edwards-Anderson Hamiltonian, and replica overlaps.

With :math:`\mathrm{act}(z) = 1/2 + z/4` and :math:`p = 2` the energy is quadratic in the dynamic neurons, so it is
exactly of the form (B1) :math:`H = \sum_{ij} J_{ij} h_i h_j + \sum_i K_i h_i + \text{const}` (sum over ordered
pairs), with :math:`J = \tfrac12\nabla_h^2 H` and :math:`K = \nabla_h H(0)` taken by autodiff
(:mod:`deeprg.continuous.gaussian`). Eq B2 states that the coefficient of the monomial
:math:`h_i^{(m+1)} h_j^{(m)}` is :math:`\lambda_m W^{(m)}_{ij}`, that fields are :math:`\lambda_m b_i^{(m)}`, and that
there are no other couplings; :func:`compare_with_b2` measures all three from the computed :math:`J, K`.

Quenched couplings: :math:`W, b` are drawn once from the Gaussians that the regularizers
:math:`c_W|W|^2 + c_b|b|^2` define at unit temperature (variance :math:`1/2c`). Replicas are independent Langevin
chains in :math:`h` at the same couplings, and the Edwards-Anderson overlap is

.. math::  q_{EA}(\beta) = \Big\langle \frac1N \sum_i h_i^{a} h_i^{b} \Big\rangle, \qquad a \ne b,

measured on disjoint pairs of chains (so the pairs are independent for the error bars). For a Gaussian conditional,
:math:`q_{EA} = |\mu|^2/N` exactly at every :math:`\beta` while the self-overlap is
:math:`q_{aa} = (|\mu|^2 + \mathrm{tr}(\beta A)^{-1})/N`: a convex quadratic energy has one state, no glass phase.
"""

from __future__ import annotations

import dataclasses

import jax
import jax.numpy as jnp
import numpy as np

from ..stats import estimate
from .dynamics import sample_chains
from .gaussian import QuadraticForm, quadratic_form
from .model import MLPSpec, energy


def quenched_couplings(key, spec: MLPSpec) -> tuple[dict, ...]:
    """``W, b`` drawn from the regularizers' Gaussians :math:`\\propto e^{-c_W W^2 - c_b b^2}`."""
    if spec.c_w <= 0 or spec.c_b <= 0:
        raise ValueError("c_w, c_b: quenched couplings need positive regularizers (they set the coupling variance)")
    keys = jax.random.split(key, 2 * (len(spec.widths) - 1))
    return tuple({"W": jax.random.normal(kw, (n_out, n_in)) / jnp.sqrt(2 * spec.c_w),
                  "b": jax.random.normal(kb, (n_out,)) / jnp.sqrt(2 * spec.c_b)}
                 for kw, kb, n_in, n_out in zip(keys[::2], keys[1::2], spec.widths[:-1], spec.widths[1:]))


def _blocks(spec: MLPSpec, rows: int):
    """Index ranges of h^(m) (m = 1..M) in the flattened vector, for one data row ``l`` each."""
    offsets = np.cumsum([0] + [rows * n for n in spec.widths[1:-1]])
    return [(offsets[m], spec.widths[m + 1]) for m in range(spec.n_hidden)]


def _block(matrix, start_a, n_a, start_b, n_b, rows, row):
    ia = start_a + row * n_a + np.arange(n_a)
    ib = start_b + row * n_b + np.arange(n_b)
    return matrix[np.ix_(ia, ib)]


def compare_with_b2(params, x, y, spec: MLPSpec, form: QuadraticForm) -> dict:
    """Fit computed couplings against eq B2 for every pair of adjacent dynamic layers and data row.

    Returns the least-squares ratio ``r`` of monomial coefficients :math:`\\partial^2 H/\\partial h^{(m+1)}_i
    \\partial h^{(m)}_j` to :math:`\\lambda_m W_{ij}` (B2 says 1), its relative residual, the size of intra-layer
    couplings (B2 says 0) relative to the inter-layer ones, and the slope of the fields in :math:`b` (B2: 1).
    """
    rows = x.shape[0]
    hessian = 2.0 * form.J
    blocks = _blocks(spec, rows)
    lam = spec.lambdas
    coeffs, predicted, intra, inter = [], [], [], []
    for m in range(1, spec.n_hidden):  # W^(m) couples h^(m+1) (block m) and h^(m) (block m-1)
        (sa, na), (sb, nb) = blocks[m], blocks[m - 1]
        for row in range(rows):
            block = _block(hessian, sa, na, sb, nb, rows, row)
            coeffs.append(block.ravel())
            predicted.append(lam[m] * np.asarray(params[m]["W"], float).ravel())
            inter.append(np.abs(block).max())
    for start, n in blocks:
        for row in range(rows):
            block = _block(hessian, start, n, start, n, rows, row)
            intra.append(np.abs(block - np.diag(np.diag(block))).max())
    coeffs, predicted = np.concatenate(coeffs), np.concatenate(predicted)
    ratio = float(coeffs @ predicted / (predicted @ predicted))
    residual = float(np.linalg.norm(coeffs - ratio * predicted) / np.linalg.norm(coeffs))
    # fields: d K(h^(m+1)_i) / d b^(m)_i by autodiff of K = grad_h H(0); B2 says lambda_m
    zero = jnp.zeros(form.K.shape)
    slopes = []
    for m in range(1, spec.n_hidden):
        start, n = blocks[m]

        def fields(bias, m=m):
            moved = tuple({**layer, "b": bias} if k == m else layer for k, layer in enumerate(params))
            return jax.grad(lambda flat: energy(moved, form.unravel(flat), x, y, spec))(zero)

        jac = np.asarray(jax.jacfwd(fields)(params[m]["b"]), float)
        for row in range(rows):
            slopes.append(np.diag(jac[start + row * n: start + (row + 1) * n]) / lam[m])
    slope = float(np.mean(np.concatenate(slopes)))
    return {"coupling_ratio": ratio, "coupling_residual": residual,
            "intra_over_inter": float(max(intra) / max(inter)), "field_slope": float(slope)}


@dataclasses.dataclass(frozen=True)
class OverlapResult:
    """Replica overlap against inverse temperature, with the Gaussian closed form."""

    betas: list
    q_ea: list
    q_ea_stderr: list
    q_ea_exact: list
    q_self: list
    q_self_exact: list
    acceptance: list

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def overlap_vs_beta(key, spec: MLPSpec, params, x, y, betas, *, chains: int = 8, n_samples: int = 400,
                    thin: int = 5, step: float = 0.5) -> OverlapResult:
    """q_EA between disjoint pairs of independent MALA chains in h, at fixed couplings, for each beta.

    The MALA step is ``step / (beta * largest eigenvalue of A)`` (A the Hessian of H in h); MALA has no
    discretization bias, so the Langevin overlaps can be compared with the closed form within error bars.
    """
    if chains < 2 or chains % 2:
        raise ValueError(f"chains: need an even number >= 2 of replicas, got {chains}")
    if any(not np.isfinite(b) or b <= 0 for b in betas):
        raise ValueError(f"betas: inverse temperatures must be finite and > 0, got {list(betas)}")
    form = quadratic_form(params, x, y, spec)
    hessian = 2.0 * form.J
    mean = form.mean()
    n = mean.size
    top = float(np.linalg.eigvalsh(hessian)[-1])

    def energy_fn(flat):
        return energy(params, form.unravel(flat), x, y, spec)

    out = {k: [] for k in ("q_ea", "q_ea_stderr", "q_ea_exact", "q_self", "q_self_exact", "acceptance")}
    for beta, k in zip(betas, jax.random.split(key, len(betas))):
        k_init, k_run = jax.random.split(k)
        cov = np.linalg.inv(beta * hessian)
        starts = jnp.asarray(mean) + jax.random.normal(k_init, (chains, n)) * jnp.sqrt(jnp.asarray(np.diag(cov)))
        samples, acceptance, _ = sample_chains(k_run, energy_fn, starts.astype(jnp.float32), beta=float(beta),
                                               step_size=step / (beta * top), n_samples=n_samples, thin=thin,
                                               burn_in=20 * thin, metropolis=True)
        samples = np.asarray(samples, float)
        overlaps = np.einsum("ctn,ctn->ct", samples[0::2], samples[1::2]) / n
        q = estimate(overlaps)
        out["q_ea"].append(float(q.mean))
        out["q_ea_stderr"].append(float(q.stderr))
        out["q_ea_exact"].append(float(mean @ mean / n))
        out["q_self"].append(float(np.mean(np.sum(samples ** 2, axis=2)) / n))
        out["q_self_exact"].append(float((mean @ mean + np.trace(cov)) / n))
        out["acceptance"].append(float(np.mean(acceptance)))
    return OverlapResult(betas=[float(b) for b in betas], **out)


def appendix_b_model(key, widths=(3, 4, 4, 4, 1), rows: int = 2, beta_v: float = 1.0, c_w: float = 1.0,
                     c_b: float = 1.0):
    """The Appendix B setting: linearized sigmoid, p = 2, quenched couplings; returns ``(spec, params, x, y)``."""
    spec = MLPSpec(tuple(widths), activation="linearized_sigmoid", beta_v=beta_v, c_w=c_w, c_b=c_b)
    k_params, k_x, k_y = jax.random.split(key, 3)
    params = quenched_couplings(k_params, spec)
    x = jax.random.uniform(k_x, (rows, spec.widths[0]))
    y = jax.random.uniform(k_y, (rows, spec.widths[-1]))
    return spec, params, x, y


def format_couplings(form: QuadraticForm, spec: MLPSpec, rows: int, row: int = 0, digits: int = 3) -> str:
    """The J_ij and K_i of one data row, labelled ``h(m)_i``, as text."""
    labels, index = [], []
    for m, (start, n) in enumerate(_blocks(spec, rows), start=1):
        for i in range(n):
            labels.append(f"h({m})_{i}")
            index.append(start + row * n + i)
    J = form.J[np.ix_(index, index)]
    K = form.K[index]
    width = max(map(len, labels)) + 1
    lines = ["J_ij (H = sum_ij J_ij h_i h_j + sum_i K_i h_i + const), data row %d:" % row,
             " " * width + " ".join(f"{lab:>{digits + 6}}" for lab in labels)]
    lines += [f"{lab:<{width}}" + " ".join(f"{v:>{digits + 6}.{digits}f}" for v in J[i]) for i, lab in enumerate(labels)]
    lines.append("K_i:")
    lines += [f"{lab:<{width}}{v:.{digits}f}" for lab, v in zip(labels, K)]
    return "\n".join(lines)
