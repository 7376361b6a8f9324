r"""Dynamics of the DNA energy: gradient descent (eq A1), alternating inference/learning, backprop, Langevin (eq 4).

All gradients are ``jax.grad`` of :func:`deeprg.continuous.model.energy` or ``model.loss``, or (in the top-down
sweep) of the two mismatch terms of the energy that contain one layer's neurons.

**Joint descent (eq A1).** :math:`\Delta\theta = -\eta\,\partial H_{new}/\partial\theta` for
:math:`\theta = (W, b, h)` simultaneously, with one step size :math:`\eta` (stable for
:math:`\eta < 1/\lambda_{max}` at :math:`p = 2`, since :math:`\partial^2 H/\partial h^2 \ge 2\lambda`).

**Alternating inference and learning** (predictive-coding style; what makes DNA training practical).
Per batch: (i) start the dynamic neurons at the forward pass, where every hidden constraint vanishes;
(ii) relax :math:`h` by gradient descent on :math:`H_{new}` at fixed :math:`(W, b)`, either by top-down sweeps
(the default, below) or by :math:`T` Jacobi gradient steps
:math:`h^{(m)} \leftarrow h^{(m)} - a_m\,\partial H/\partial h^{(m)}` with
:math:`a_m = \min(\gamma / (2\lambda_{m-1}),\; c / (\lambda_{m-1} + \lambda_m s_m^2\|W^{(m)}\|_2^2))`: a step of
:math:`\gamma` in units of the curvature :math:`2\lambda_{m-1}` of :math:`h^{(m)}`'s own constraint, capped at a
fraction :math:`c` of the gradient-descent stability limit of its full curvature, which adds the next layer's
:math:`2\lambda_m J_m^\top J_m` with :math:`\|J_m\| = \|\mathrm{diag}(\sigma')W^{(m)}\| \le s_m\|W^{(m)}\|_2`
(:math:`s_m` the activation's maximum slope, the spectral norm by power iteration). Without the cap the step
overshoots once :math:`\lambda_m\|J_m\|^2` grows past :math:`\lambda_{m-1}`: rarely for the sigmoid
(:math:`s = 1/4`), but for tanh it flipped the sign of the output error as the weights grew, and training collapsed
after one epoch (90% -> 9% on digits); (iii) update
:math:`(W, b)` with an optax optimizer on :math:`H_{new}/B` at the relaxed :math:`h` (:math:`B` rows per batch).
At the fixed point of (ii), :math:`\lambda_{m-1} e^{(m-1)} = \lambda_m J_m^\top e^{(m)}` with
:math:`e^{(m)} = h^{(m+1)} - \sigma^{(m)}`: the constraint errors obey the backprop recursion, so as
:math:`\beta_v\to\infty` the weight gradient of (iii) tends to the backprop gradient. Starting from the forward pass,
the output error reaches layer :math:`m` after :math:`M - m + 1` Jacobi steps, so :math:`T = M` is the least that
trains every layer; that is the Jacobi default, with :math:`\gamma = 1/2`. It costs :math:`M` evaluations of
:math:`\partial H/\partial h` per batch, so DNA's cost per epoch grows like :math:`M` times backprop's.

**Top-down sweep** (Gauss-Seidel; the default relaxation). The layers are updated one after the other from the
output down, :math:`m = M, M-1, \dots, 1`, each by one gradient step on :math:`H_{new}` with respect to
:math:`h^{(m)}` at the current values of the others (block-coordinate descent on the same energy). Only two terms
contain :math:`h^{(m)}`, so

.. math::  g = \partial_{h^{(m)}}\big[\lambda_{m-1}|h^{(m)} - \sigma^{(m-1)}|^p\big]
               + W^{(m)\top}\,\partial_{z^{(m)}}\big[\lambda_m |h^{(m+1)} - \sigma(z^{(m)})|^p\big],
           \qquad h^{(m)} \leftarrow h^{(m)} - \gamma\,a\,g,
           \qquad a = \frac{|g|^2}{2\lambda_{m-1}|g|^2 + 2\lambda_m |J_m g|^2}

per row, with :math:`J_m = \mathrm{diag}(\sigma'(z^{(m)}))W^{(m)}`: :math:`a` is the exact line search (Cauchy
step) on the Gauss-Newton model of :math:`H_{new}` in :math:`h^{(m)}` at :math:`p = 2` (the same step is used for
other :math:`p`), so a step never overshoots however large :math:`\|J_m\|` grows, and no power iteration is
needed. Because :math:`h^{(m+1)}` is updated before :math:`h^{(m)}`, the output error reaches every layer in one
sweep, as in backprop's backward pass; from the forward pass the pre-activations :math:`z^{(m)}` are already known
and a sweep costs two matrix products per layer (:math:`W^\top` for :math:`g`, :math:`W` for :math:`J_m g`).
Repeated sweeps converge to the same fixed point as the Jacobi steps (a stationary point of :math:`H_{new}` in
:math:`h`), where the backprop recursion above holds. One sweep per batch is the default: on digits (tanh,
width 64, 6 and 10 weight layers, 10 epochs, seeds 0-2) DNA's mean test accuracy is within 0.6 points of
backprop's at about 1.6 times its time per epoch (``benchmarks/bench_train.py``), where M Jacobi steps cost 4.5-7
times.

**Langevin (eq 4).** Overdamped Langevin :math:`d\theta = -\beta\,\nabla H\,dt + \sqrt{2}\,dB_t` (eq 4 with the
noise strength fixed by the temperature :math:`1/\beta`) has the stationary density :math:`e^{-\beta H}`. We use the
Euler-Maruyama (unadjusted Langevin, ULA) discretization with a constant diagonal preconditioner, i.e. a step size
:math:`\epsilon_k` per coordinate,

.. math::  \theta_k \leftarrow \theta_k - \epsilon_k\,\beta\,\partial_k H + \sqrt{2\epsilon_k}\,\xi_k,
           \qquad \xi_k \sim N(0, 1),

whose stationary density is :math:`e^{-\beta H}` up to :math:`O(\epsilon)`. :func:`mala_step` adds the
Metropolis-Hastings test of that proposal (MALA), which removes the :math:`O(\epsilon)` bias exactly.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, NamedTuple

import jax
import jax.numpy as jnp
import optax

from .model import MAX_SLOPES, MLPSpec, _mismatch, _regularizer, energy, loss


# ---------------------------------------------------------------------------------------------- deterministic

@partial(jax.jit, static_argnames=("spec", "steps"))
def joint_descent(params, hidden, x, y, spec: MLPSpec, eta: float, steps: int):
    """``steps`` of eq A1 on ``(params, hidden)`` jointly; returns ``(params, hidden, energies)``."""
    grad_fn = jax.value_and_grad(energy, argnums=(0, 1))

    def step(state, _):
        value, grads = grad_fn(*state, x, y, spec)
        return jax.tree_util.tree_map(lambda s, g: s - eta * g, state, grads), value

    (params, hidden), energies = jax.lax.scan(step, (params, hidden), None, length=steps)
    return params, hidden, energies


# Fraction of the gradient-descent limit 2 / curvature. Half leaves room for the power-iteration estimate of ||W||_2
# (low by ~10% after 8 steps); on digits it kept sigmoid within 1 point of backprop (seeds 0-2) and stopped the tanh
# collapse (DNA - backprop = -3.6, -1.4, +0.8 points against -87 before).
STABILITY_FRACTION = 0.5


def spectral_norm(W, iterations: int = 8):
    """Largest singular value of ``W`` by power iteration on W^T W (deterministic start; cheap inside jit)."""
    v = jnp.ones(W.shape[1]) / jnp.sqrt(W.shape[1])
    for _ in range(iterations):
        v = W.T @ (W @ v)
        v = v / (jnp.linalg.norm(v) + 1e-30)
    return jnp.linalg.norm(W @ v)


def relax_hidden(params, hidden, x, y, spec: MLPSpec, steps: int, rate: float = 0.5):
    """``steps`` Jacobi gradient steps on the dynamic neurons at fixed ``params`` (module docstring, step ii)."""
    grad_h = jax.grad(energy, argnums=1)
    lams = spec.lambdas
    scales = tuple(jnp.minimum(rate / (2.0 * lams[m]), STABILITY_FRACTION / (
        lams[m] + lams[m + 1] * (MAX_SLOPES[spec.act_name(m + 1)] * spectral_norm(params[m + 1]["W"])) ** 2))
        for m in range(len(hidden)))
    def step(_, hidden):
        grads = grad_h(params, hidden, x, y, spec)
        return tuple(h - a * g for h, a, g in zip(hidden, scales, grads))

    return jax.lax.fori_loop(0, steps, step, tuple(hidden))


def forward_preactivations(params, x, spec: MLPSpec):
    """The forward pass as ``(hidden, z)``: ``hidden = (h^(1), ..., h^(M))`` and the M + 1 pre-activations
    :math:`z^{(m)} = h^{(m)} W^{(m)\\top} + b^{(m)}` (with :math:`h^{(0)} = x`)."""
    z, hidden, h = [], [], x
    for m, layer in enumerate(params):
        z.append(h @ layer["W"].T + layer["b"])
        if m < len(params) - 1:
            h = spec.act(m)(z[-1])
            hidden.append(h)
    return tuple(hidden), tuple(z)


def _preactivations(params, x, hidden):
    return tuple(h @ layer["W"].T + layer["b"] for layer, h in zip(params, (x, *hidden)))


def _row_dot(a, b):
    return jnp.sum(a * b, axis=-1, keepdims=True)


def _sweep(params, hidden, z, x, y, spec: MLPSpec, rate):
    """One top-down sweep: h^(M), h^(M-1), ..., h^(1), each one gradient step on H_new at the current others.

    Returns the new ``(hidden, z)``: a step :math:`h^{(m)} \\to h^{(m)} - s\\,g` moves
    :math:`z^{(m)} \\to z^{(m)} - s\\,g W^{(m)\\top}`, the product already formed for the step size.
    """
    lams, p = spec.lambdas, spec.p
    hidden, z = list(hidden), list(z)
    for m in range(spec.n_hidden, 0, -1):
        above = y if m == spec.n_hidden else hidden[m]
        act_up, act_own = spec.act(m), spec.act(m - 1)
        # the two terms of H_new that contain h^(m); z^(m) = h^(m) W^T + b carries the upper one back to h^(m)
        delta = jax.grad(lambda zm: lams[m] * _mismatch(above, act_up(zm), p))(z[m])
        own = jax.grad(lambda h: lams[m - 1] * _mismatch(h, act_own(z[m - 1]), p))(hidden[m - 1])
        g = own + delta @ params[m]["W"]
        g_z = g @ params[m]["W"].T
        jg = jax.jvp(act_up, (z[m],), (g_z,))[1]
        gg = _row_dot(g, g)
        curvature = 2.0 * (lams[m - 1] * gg + lams[m] * _row_dot(jg, jg))
        step = rate * gg / jnp.where(curvature > 0, curvature, 1.0)
        hidden[m - 1] = hidden[m - 1] - step * g
        z[m] = z[m] - step * g_z
    return tuple(hidden), tuple(z)


def _sweeps(params, hidden, z, x, y, spec: MLPSpec, sweeps: int, rate):
    state = (tuple(hidden), tuple(z))
    if sweeps > 0:
        state = _sweep(params, *state, x, y, spec, rate)
    if sweeps > 1:
        state = jax.lax.fori_loop(1, sweeps, lambda _, s: _sweep(params, *s, x, y, spec, rate), state)
    return state


def sweep_hidden(params, hidden, x, y, spec: MLPSpec, sweeps: int = 1, rate: float = 1.0):
    """``sweeps`` top-down Gauss-Seidel sweeps of the dynamic neurons at fixed ``params`` (module docstring)."""
    return _sweeps(params, hidden, _preactivations(params, x, hidden), x, y, spec, sweeps, rate)[0]


RELAXATIONS = ("sweep", "jacobi")
DEFAULT_RATES = {"sweep": 1.0, "jacobi": 0.5}


def _relax(params, x, y, spec: MLPSpec, relaxation: str, steps: int | None, rate: float | None):
    """``(hidden, z)`` relaxed from the forward pass; the sweep keeps the pre-activations up to date as it goes."""
    if relaxation not in RELAXATIONS:
        raise ValueError(f"relaxation: {relaxation!r} is not one of {', '.join(RELAXATIONS)}")
    rate = DEFAULT_RATES[relaxation] if rate is None else rate
    hidden, z = forward_preactivations(params, x, spec)
    if relaxation == "sweep":
        return _sweeps(params, hidden, z, x, y, spec, 1 if steps is None else steps, rate)
    hidden = relax_hidden(params, hidden, x, y, spec, spec.n_hidden if steps is None else steps, rate)
    return hidden, _preactivations(params, x, hidden)


def relax(params, x, y, spec: MLPSpec, relaxation: str = "sweep", steps: int | None = None,
          rate: float | None = None):
    """The dynamic neurons of one batch, relaxed from the forward pass (module docstring, step ii).

    ``relaxation="sweep"``: ``steps`` top-down sweeps (default 1); ``"jacobi"``: ``steps`` Jacobi steps of
    :func:`relax_hidden` (default M). ``rate`` defaults to :data:`DEFAULT_RATES`.
    """
    return _relax(params, x, y, spec, relaxation, steps, rate)[0]


def energy_and_param_grad(params, hidden, z, x, y, spec: MLPSpec):
    """:func:`model.energy` and its gradient in ``params`` at ``hidden``, given the pre-activations ``z`` of hidden.

    Term by term: ``jax.grad`` of each mismatch in its pre-activation :math:`z^{(m)}`, then
    :math:`\\partial/\\partial W^{(m)} = \\delta^{(m)\\top} h^{(m)}`, :math:`\\partial/\\partial b^{(m)} = \\sum_l
    \\delta^{(m)}`, plus the regularizers: equal to ``jax.value_and_grad(energy)`` without recomputing ``z``.
    """
    inputs, targets = (x, *hidden), (*hidden, y)
    total, grads = 0.0, []
    for m, (lam, h, t, zm) in enumerate(zip(spec.lambdas, inputs, targets, z)):
        act = spec.act(m)
        value, delta = jax.value_and_grad(lambda zz: lam * _mismatch(t, act(zz), spec.p))(zm)
        total = total + value
        grads.append({"W": delta.T @ h, "b": jnp.sum(delta, axis=0)})
    if spec.c_w or spec.c_b:
        value, reg_grads = jax.value_and_grad(_regularizer)(params, spec)
        total = total + value
        grads = [jax.tree_util.tree_map(jnp.add, a, b) for a, b in zip(grads, reg_grads)]
    return total, tuple(grads)


class TrainState(NamedTuple):
    params: tuple
    opt_state: optax.OptState


def train_init(params, optimizer: optax.GradientTransformation) -> TrainState:
    return TrainState(params, optimizer.init(params))


def _apply(optimizer, state: TrainState, grads, rows):
    grads = jax.tree_util.tree_map(lambda g: g / rows, grads)
    updates, opt_state = optimizer.update(grads, state.opt_state, state.params)
    return TrainState(optax.apply_updates(state.params, updates), opt_state)


def make_backprop_step(spec: MLPSpec, optimizer: optax.GradientTransformation) -> Callable:
    """Jitted ``step(state, x, y) -> (state, loss)``: one optimizer step on :func:`model.loss` / rows."""

    @jax.jit
    def step(state: TrainState, x, y):
        value, grads = jax.value_and_grad(loss)(state.params, x, y, spec)
        return _apply(optimizer, state, grads, x.shape[0]), value

    return step


def make_dna_step(spec: MLPSpec, optimizer: optax.GradientTransformation, inference_steps: int | None = None,
                  inference_rate: float | None = None, relaxation: str = "sweep") -> Callable:
    """Jitted ``step(state, x, y) -> (state, energy)`` of alternating inference and learning (module docstring).

    The dynamic neurons are relaxed by :func:`relax` (default: one top-down sweep at the full Cauchy step).
    """
    if inference_steps is not None and int(inference_steps) < 0:
        raise ValueError(f"inference_steps: must be >= 0, got {inference_steps!r}")
    if relaxation not in RELAXATIONS:
        raise ValueError(f"relaxation: {relaxation!r} is not one of {', '.join(RELAXATIONS)}")

    @jax.jit
    def step(state: TrainState, x, y):
        hidden, z = _relax(state.params, x, y, spec, relaxation, inference_steps, inference_rate)
        value, grads = energy_and_param_grad(state.params, hidden, z, x, y, spec)
        return _apply(optimizer, state, grads, x.shape[0]), value

    return step


# -------------------------------------------------------------------------------------------------- Langevin

class LangevinState(NamedTuple):
    """A point of the chain with its energy and gradient (reused by the next step)."""

    position: object
    energy: jax.Array
    grad: object


def langevin_init(energy_fn: Callable, position) -> LangevinState:
    value, grad = jax.value_and_grad(energy_fn)(position)
    return LangevinState(position, value, grad)


def _tree_noise(key, tree):
    leaves, treedef = jax.tree_util.tree_flatten(tree)
    keys = jax.random.split(key, len(leaves))
    return jax.tree_util.tree_unflatten(treedef, [jax.random.normal(k, l.shape, l.dtype) for k, l in zip(keys, leaves)])


def _propose(key, state: LangevinState, beta, step_size):
    noise = _tree_noise(key, state.position)
    return jax.tree_util.tree_map(lambda x, g, e, z: x - e * beta * g + jnp.sqrt(2.0 * e) * z,
                                  state.position, state.grad, step_size, noise)


def ula_step(key, state: LangevinState, energy_fn: Callable, beta, step_size) -> LangevinState:
    """One Euler-Maruyama step (module docstring); ``step_size`` is a pytree like the position."""
    return langevin_init(energy_fn, _propose(key, state, beta, step_size))


def _log_q(to, frm: LangevinState, beta, step_size):
    """log density (up to a constant) of proposing ``to`` from ``frm``."""
    terms = jax.tree_util.tree_map(lambda t, x, g, e: jnp.sum((t - x + e * beta * g) ** 2 / (4.0 * e)),
                                   to, frm.position, frm.grad, step_size)
    return -sum(jax.tree_util.tree_leaves(terms))


def mala_step(key, state: LangevinState, energy_fn: Callable, beta, step_size):
    """One Metropolis-adjusted Langevin step; returns ``(state, accepted)``."""
    key_move, key_accept = jax.random.split(key)
    proposal = langevin_init(energy_fn, _propose(key_move, state, beta, step_size))
    log_ratio = (-beta * (proposal.energy - state.energy)
                 + _log_q(state.position, proposal, beta, step_size) - _log_q(proposal.position, state, beta, step_size))
    accepted = jnp.log(jax.random.uniform(key_accept)) < log_ratio
    new = jax.tree_util.tree_map(lambda a, b: jnp.where(accepted, a, b), proposal, state)
    return new, accepted


def sample_chains(key, energy_fn: Callable, positions, *, beta: float, step_size, n_samples: int, thin: int = 1,
                  burn_in: int = 0, observe: Callable | None = None, metropolis: bool = False):
    """Run independent Langevin chains (``vmap`` over the leading axis of ``positions``).

    Returns ``(samples, acceptance, final_positions)``: ``samples`` is ``observe(position)`` every ``thin`` steps
    after ``burn_in`` steps, shaped ``(chains, n_samples, *obs)``, ready for
    :func:`deeprg.stats.estimate`; ``acceptance`` is the MALA acceptance rate per chain (1 for ULA).
    ``step_size`` is a float or a pytree like one chain's position (a constant diagonal preconditioner).
    ``beta`` and ``step_size`` are traced, so repeated calls with the same ``energy_fn`` compile once.
    """
    one = jax.tree_util.tree_map(lambda leaf: leaf[0], positions)
    if not isinstance(step_size, (dict, tuple, list)):
        step_size = jax.tree_util.tree_map(lambda leaf: jnp.full(leaf.shape, step_size, leaf.dtype), one)
    n_chains = jax.tree_util.tree_leaves(positions)[0].shape[0]
    return _run_chains(jax.random.split(key, n_chains), positions, jnp.asarray(beta, jnp.float32), step_size,
                       energy_fn=energy_fn, n_samples=n_samples, thin=thin, burn_in=burn_in,
                       observe=observe or _identity, metropolis=metropolis)


def _identity(position):
    return position


@partial(jax.jit, static_argnames=("energy_fn", "n_samples", "thin", "burn_in", "observe", "metropolis"))
def _run_chains(keys, positions, beta, step_size, *, energy_fn, n_samples, thin, burn_in, observe, metropolis):
    def move(key, state):
        if metropolis:
            return mala_step(key, state, energy_fn, beta, step_size)
        return ula_step(key, state, energy_fn, beta, step_size), jnp.bool_(True)

    def advance(state, key, steps):
        def body(carry, k):
            state, accepted = carry
            state, ok = move(k, state)
            return (state, accepted + ok), None
        return jax.lax.scan(body, (state, 0), jax.random.split(key, steps))[0]

    def chain(key, position):
        key_burn, key_run = jax.random.split(key)
        state = langevin_init(energy_fn, position)
        if burn_in:
            state, _ = advance(state, key_burn, burn_in)

        def record(state, k):
            state, accepted = advance(state, k, thin)
            return state, (observe(state.position), accepted)

        state, (samples, accepted) = jax.lax.scan(record, state, jax.random.split(key_run, n_samples))
        return samples, jnp.sum(accepted) / (n_samples * thin), state.position

    return jax.vmap(chain)(keys, positions)


def preconditioner(spec: MLPSpec, params, hidden, x, eps: float, beta: float | None = None):
    """Constant per-block ULA step sizes ``eps / c`` with ``c`` an upper bound of the block's curvature of beta*H.

    For ``p = 2``: :math:`\\partial^2 (\\beta H)/\\partial W^{(m)2} \\preceq 2\\beta\\lambda_m \\sum_l |h^{(m)[l]}|^2`
    (activation slopes <= 1), :math:`\\partial^2/\\partial b^{(m)2} \\preceq 2\\beta\\lambda_m L`, and
    :math:`\\partial^2/\\partial h^{(m)2} \\preceq 2\\beta(\\lambda_{m-1} + \\lambda_m \\|W^{(m)}\\|_2^2)`, evaluated
    once at the given point. Any constant preconditioner leaves :math:`e^{-\\beta H}` stationary.
    """
    beta = spec.beta if beta is None else beta
    lam = spec.lambdas
    inputs = (x, *hidden)
    rows = x.shape[0]
    param_steps = tuple(
        {"W": jnp.full(layer["W"].shape, eps / (2 * beta * lam[m] * (1.0 + jnp.sum(inputs[m] ** 2)))),
         "b": jnp.full(layer["b"].shape, eps / (2 * beta * lam[m] * rows))}
        for m, layer in enumerate(params))
    hidden_steps = tuple(
        jnp.full(h.shape, eps / (2 * beta * (lam[m] + lam[m + 1] * jnp.linalg.norm(params[m + 1]["W"], 2) ** 2)))
        for m, h in enumerate(hidden))
    return param_steps, hidden_steps
