r"""The local heat bath of :mod:`deeprg.sampling.local` in JAX: the same single-site conditionals (Lee, Lee & Yi,
eqs 13-14), one chain written as a ``lax.fori_loop`` over sites and ``vmap``-ped over chains, for accelerators.

A sweep visits every :math:`W^{(m)}_{ij}`, then every :math:`b^{(m)}_i`, then every :math:`h^{(m)}_{li}` in
order, each drawn from its exact conditional (the formulas of :mod:`deeprg.sampling.local`) with the cached
pre-activations updated after each draw. Every move is a heat bath, so the sweep leaves the DNA distribution
invariant; the visiting order and the random streams (``jax.random.fold_in`` of the chain key with the sweep
and the site number) differ from the Numba kernel, so the two agree in distribution, not draw by draw.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from . import local


class JaxTables(NamedTuple):
    weights: object
    biases: object
    neurons: object
    log_weight_prior: object
    log_bias_prior: object
    D: object
    cuts: object
    outs: object
    beta: float
    beta_v: float


class JaxState(NamedTuple):
    h: object  # (chains, M+2, L, N) int32
    W: object  # (chains, M+1, N, N) int32
    b: object  # (chains, M+1, N) int32
    pre: object  # (chains, M+1, L, N) float
    keys: object  # (chains, 2) uint32 JAX keys
    sweep: int


def prepare(spec) -> JaxTables:
    import jax.numpy as jnp

    t = local.prepare(spec)
    return JaxTables(*(jnp.asarray(a) for a in (t.weights, t.biases, t.neurons, t.log_weight_prior,
                                                 t.log_bias_prior, t.D, t.cuts, t.outs)), t.beta, t.beta_v)


def init(spec, chains: int, seed: int) -> JaxState:
    """Chains at prior (W, b) with the noisy forward pass (:func:`deeprg.sampling.local.init`), JAX keys from seed."""
    import jax
    import jax.numpy as jnp

    t = local.prepare(spec)
    s = local.init(t, spec.depth, chains, np.random.default_rng(seed))
    keys = jax.random.split(jax.random.PRNGKey(seed), chains)
    return JaxState(jnp.asarray(s.h, jnp.int32), jnp.asarray(s.W, jnp.int32), jnp.asarray(s.b, jnp.int32),
                    jnp.asarray(s.pre), keys, 0)


def _sweep_fn(tables: JaxTables, M: int, L: int, N: int):
    import jax
    import jax.numpy as jnp

    wv, bv, hv, lwp, lbp, D, cuts, outs = tables[:8]
    beta, beta_v = tables.beta, tables.beta_v

    def act(a):
        return outs[jnp.sum(a[..., None] >= cuts, axis=-1)]

    def kappa(m):
        return jnp.where(m < M, beta_v, beta)

    def weight_site(n, carry):
        h, W, b, pre, key = carry
        m, rest = n // (N * N), n % (N * N)
        i, j = rest // N, rest % N
        old = W[m, i, j]
        a = pre[m, :, i][None, :] + (wv - wv[old])[:, None] * hv[h[m, :, j]][None, :]  # (nW, L)
        e = -lwp + kappa(m) * D[h[m + 1, :, i][None, :], act(a)].sum(axis=1)
        new = jax.random.categorical(jax.random.fold_in(key, n), -e)
        pre = pre.at[m, :, i].add((wv[new] - wv[old]) * hv[h[m, :, j]])
        return h, W.at[m, i, j].set(new), b, pre, key

    def bias_site(n, carry):
        h, W, b, pre, key = carry
        m, i = n // N, n % N
        old = b[m, i]
        a = pre[m, :, i][None, :] + (bv - bv[old])[:, None]
        e = -lbp + kappa(m) * D[h[m + 1, :, i][None, :], act(a)].sum(axis=1)
        new = jax.random.categorical(jax.random.fold_in(key, (M + 1) * N * N + n), -e)
        pre = pre.at[m, :, i].add(bv[new] - bv[old])
        return h, W, b.at[m, i].set(new), pre, key

    def neuron_site(n, carry):
        h, W, b, pre, key = carry
        m = 1 + n // (L * N)
        l, i = (n % (L * N)) // N, n % N
        old = h[m, l, i]
        dv = hv - hv[old]  # (K,)
        a = pre[m, l, :][None, :] + wv[W[m, :, i]][None, :] * dv[:, None]  # (K, N)
        e = beta_v * D[jnp.arange(len(hv)), act(pre[m - 1, l, i])] + kappa(m) * D[h[m + 1, l, :][None, :],
                                                                                  act(a)].sum(axis=1)
        new = jax.random.categorical(jax.random.fold_in(key, (M + 1) * (N * N + N) + n), -e)
        pre = pre.at[m, l, :].add(wv[W[m, :, i]] * (hv[new] - hv[old]))
        return h.at[m, l, i].set(new), W, b, pre, key

    def sweep(h, W, b, pre, key):
        carry = (h, W, b, pre, key)
        if len(wv) > 1:
            carry = jax.lax.fori_loop(0, (M + 1) * N * N, weight_site, carry)
        if len(bv) > 1:
            carry = jax.lax.fori_loop(0, (M + 1) * N, bias_site, carry)
        carry = jax.lax.fori_loop(0, M * L * N, neuron_site, carry)
        return carry[:4]

    return sweep


def step(tables: JaxTables, state: JaxState, sweeps: int = 1) -> JaxState:
    """``sweeps`` sweeps of every chain (vmap over chains); returns a new state."""
    import jax

    chains, width, L, N = state.h.shape
    run = _compiled(tables, width - 2, L, N)
    h, W, b, pre = state.h, state.W, state.b, state.pre
    for k in range(sweeps):
        keys = jax.vmap(lambda key: jax.random.fold_in(key, state.sweep + k))(state.keys)
        h, W, b, pre = run(h, W, b, pre, keys)
    return state._replace(h=h, W=W, b=b, pre=pre, sweep=state.sweep + sweeps)


_CACHE: dict = {}


def _compiled(tables: JaxTables, M: int, L: int, N: int):
    import jax

    key = (id(tables), M, L, N)
    if key not in _CACHE:  # the tables are kept with the function, so their id cannot be reused
        _CACHE[key] = (tables, jax.jit(jax.vmap(_sweep_fn(tables, M, L, N))))
    return _CACHE[key][1]


def neuron_values(tables: JaxTables, state: JaxState) -> np.ndarray:
    """(chains, M, L N) values of the dynamic neurons."""
    h = np.asarray(state.h)[:, 1:-1]
    return np.asarray(tables.neurons)[h.reshape(h.shape[0], h.shape[1], -1)]
