r"""The network side of Gong & Xia: do trained feature layers carry the RG iterates of the data's parameter?

Claim under test (Gong & Xia, "Training as RG", news summary): after optimal training, the characteristic
parameter of a network's feature-layer output equals the RG fixed point of the input data's parameter. A flow
of :math:`L` steps does not reach its fixed point, so the falsifiable form is per feature layer
:math:`k = 1..L`: the parameter equals the :math:`k`-th RG iterate :math:`R^k(P)`
(:mod:`deeprg.correspondence.rg_maps`); the comparison with the fixed point is reported too.

Architectures
-------------
Layer :math:`k` maps the :math:`m` outputs :math:`z` of layer :math:`k-1` (the data for :math:`k=1`) to
:math:`m/b` features :math:`f = a(W\tilde z + c)`, :math:`\tilde z` standardized per site with training-set
statistics, activation :math:`a` by variable kind (spin ``tanh``, real identity, bit sigmoid, count softplus).

* ``local``: :math:`W` is block-diagonal: feature :math:`j` reads only sites :math:`jb..jb+b-1` (a locally
  connected layer of stride :math:`b`), so the receptive fields fix the spatial order of the features;
* ``dense``: :math:`W` is full; features have no spatial order and are ordered by the centroid
  :math:`\sum_i |W_{ji}|\, i/\sum_i |W_{ji}|` of their receptive field;
* ``rg`` (positive control): each layer is the family's exact coarse-graining rule written as a local layer
  with fixed weights on the raw input (decimation: :math:`W_{j,jb}=1`; block sum: :math:`W_{j,jb+i}=1`;
  majority: the same with :math:`c=-b/2` and a step activation). Its features must match the iterates at
  every layer; if they do not, the measurement is broken.

Training (``local``, ``dense``): greedy, layer by layer (as in stacked autoencoders), full-batch Adam, with a
decoder :math:`\eta = Vf + d` (local: each feature decodes only its own block) and one of two objectives:
``reconstruction`` :math:`\overline{\lVert\tilde z-\eta\rVert^2}`, or ``likelihood``
:math:`-\overline{\log p_{\mathrm{fam}}(z\mid\eta)}` (spins :math:`e^{\eta s}/2\cosh\eta`, bits logistic,
counts Poisson with log-rate :math:`\eta`, reals Gaussian with a learned standard deviation per site,
floored at 0.05 because a feature that copies a site exactly would make the likelihood unbounded). Training runs in
chunks of :data:`CHUNK` steps and stops on a plateau, when a chunk lowers the loss by less than the fraction
``plateau`` (default 0.2%) of its total decrease since the start (a scale-free rule: likelihoods can be negative,
and keep creeping down as weights saturate), or after ``steps``; the final loss and whether the plateau was
reached are reported.

Each layer's output is then oriented and discretized into the family's kind of variable (spins: sign; bits:
the neuron's threshold; reals: standardized; counts: kept as they are) and measured
(:mod:`deeprg.correspondence.readout`). Controls: the same architecture with its initial random weights,
never trained (``untrained``; for ``rg`` it is the random local network, the negative control), and the
information each layer keeps: :math:`R^2` of the best linear readout of the standardized input data from the
layer's features (fit on training samples, scored on held-out ones).

Seeds and tests
---------------
``seeds`` independent runs (new data, new weights) give per layer the mean :math:`\bar c` of the measured
coordinate and its standard error :math:`s = \max(\mathrm{sd}/\sqrt S,\ \sqrt{\overline{\mathrm{se}^2}/S})`
(the spread of the seeds, floored by the pooled held-out error of one seed so that a few seeds that happen to
agree cannot shrink it). Layer :math:`k` *matches* a prediction :math:`c^*` when

.. math::  |\bar c - c^*| \le z_{\alpha/(2L)}\, s,                                                       \tag{T1}

a two-sided z-test at family-wise level :math:`\alpha` (default 0.01) over the :math:`L` layers
(Bonferroni). Trained and untrained are *distinguishable* when
:math:`|\bar c_{tr} - \bar c_{un}| > z_{\alpha/(2L)}\sqrt{s_{tr}^2+s_{un}^2}` (two-sided Welch-type z-test),
and trained is *significantly closer* to :math:`c^*` when
:math:`|\bar c_{un}-c^*| - |\bar c_{tr}-c^*| > z_{\alpha/L}\sqrt{s_{tr}^2+s_{un}^2}` (one-sided).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.stats import norm

from deeprg.correspondence.data import NearestNeighbourChain
from deeprg.correspondence.families import EXPERIMENT_FAMILIES, REGISTRY, check_factor, get
from deeprg.correspondence.readout import measure
from deeprg.correspondence.rg_maps import OneParameterRG, decimate_two_state
from deeprg.stats import estimate
from deeprg.sweep import Point, run_sweep

OBJECTIVES = ("reconstruction", "likelihood")
ARCHS = ("local", "dense", "rg")
MAX_DEPTH = 6
CHUNK = 100
LOG_SD_FLOOR = math.log(0.05)  # a site copied exactly would make the Gaussian likelihood unbounded
_ACTIVATION = {"spin": "tanh", "real": "identity", "bit": "sigmoid", "count": "softplus"}


def _integer(name: str, value, low: int) -> int:
    if isinstance(value, bool) or int(value) != value or value < low:
        raise ValueError(f"{name}: must be an integer >= {low}, got {value}")
    return int(value)


@dataclass(frozen=True)
class ExperimentConfig:
    """One experiment: ``seeds`` independent runs with seeds ``seed .. seed + seeds - 1``.

    ``b`` (the scale factor) defaults to the family's report factor (3 for bernoulli, whose majority map is the
    identity at b = 2); ``n`` (input sites) to the smallest multiple of b^depth that is >= 64. ``steps`` caps the
    Adam steps per layer; training stops earlier on a plateau (a chunk's gain below ``plateau`` times the total
    gain so far).
    ``param`` is None only for ``digits`` (its parameter is measured from the images).
    """

    family: str
    param: float | None
    depth: int
    objective: str = "reconstruction"
    arch: str = "local"
    seeds: int = 5
    seed: int = 0
    n: int | None = None
    b: int | None = None
    samples: int = 2000
    steps: int = 3000
    learning_rate: float = 0.01
    plateau: float = 2e-3
    alpha: float = 0.01

    def __post_init__(self):
        record = get(self.family, EXPERIMENT_FAMILIES)
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective: must be one of {', '.join(OBJECTIVES)}, got {self.objective!r}")
        if self.arch not in ARCHS:
            raise ValueError(f"arch: must be one of {', '.join(ARCHS)}, got {self.arch!r}")
        b = check_factor(record.report_factor if self.b is None else self.b)
        if record.odd_factor and b % 2 == 0:
            raise ValueError(f"factor: {self.family} needs an odd scale factor b (the majority of an even block can "
                             f"tie, and at b = 2 the majority map is the identity), got {b}")
        depth = _integer("depth", self.depth, 1)
        n = b ** depth * math.ceil(64 / b ** depth) if self.n is None else _integer("n", self.n, b)
        if record.sample is None:
            if self.param is not None:
                raise ValueError(f"param: not used by family {self.family} (its parameter is measured from the data)")
            if n != 64:
                raise ValueError(f"n: the {self.family} data have 64 sites, got {n}")
        elif self.param is None:
            raise ValueError(f"param: required for family {self.family}")
        else:
            value = record.validate(self.param)
            if self.family == "ising" and not math.isfinite(value):
                raise ValueError(f"param: the ising coupling K must be finite to sample data, got {value}")
        max_depth = int(math.floor(math.log(n) / math.log(b) + 1e-9))
        if not depth <= min(MAX_DEPTH, max_depth):
            raise ValueError(f"depth: must be an integer in 1..{min(MAX_DEPTH, max_depth)} (at most {MAX_DEPTH} and "
                             f"at most log_b(n) = log_{b}({n}) = {math.log(n) / math.log(b):.3g}), got {depth}")
        if n % b ** depth:
            raise ValueError(f"n: must be divisible by b^depth = {b ** depth}, got {n}")
        _integer("seed", self.seed, 0)
        _integer("seeds", self.seeds, 1)
        _integer("samples", self.samples, 64)
        _integer("steps", self.steps, 1)
        if not (self.learning_rate > 0 and self.plateau >= 0 and 0 < self.alpha < 1):
            raise ValueError("learning_rate/plateau/alpha: need learning_rate > 0, plateau >= 0 and 0 < alpha < 1, "
                             f"got {self.learning_rate}, {self.plateau}, {self.alpha}")
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "n", n)

    @property
    def kind(self) -> str:
        return REGISTRY[self.family].kind

    @property
    def rg_family(self) -> str:
        """The family whose RG map predicts the layers (digits: the Ising chain)."""
        return "ising" if REGISTRY[self.family].sample is None else self.family


# -- networks (JAX) ---------------------------------------------------------------------------------------------
def _activation(kind: str, pre, xp):
    if kind == "spin":
        return xp.tanh(pre)
    if kind == "bit":
        return 1 / (1 + xp.exp(-xp.clip(pre, -50, 50)))
    if kind == "count":
        return xp.logaddexp(0.0, pre)
    return pre


def _layer_loss(params, mask, z_std, z_raw, kind: str, objective: str):
    """The layer's objective; ``mask`` is the connectivity (block-diagonal for local layers, ones for dense).

    Local layers are full matrices times the mask: one matmul is faster at these sizes than per-block sums
    (``benchmarks/bench_gx_training.py``)."""
    import jax
    import jax.numpy as jnp

    f = _activation(kind, z_std @ (params["W"] * mask).T + params["c"], jnp)
    eta = f @ (params["V"] * mask) + params["d"]
    if objective == "reconstruction":
        return jnp.mean((z_std - eta) ** 2)
    if kind == "spin":
        nll = jnp.logaddexp(eta, -eta) - eta * z_raw
    elif kind == "bit":
        nll = jax.nn.softplus(eta) - eta * z_raw
    elif kind == "count":
        nll = jnp.exp(eta) - eta * z_raw
    else:
        log_sd = jnp.maximum(params["log_sd"], LOG_SD_FLOOR)
        nll = 0.5 * ((z_std - eta) * jnp.exp(-log_sd)) ** 2 + log_sd
    return jnp.mean(nll)


def _adam_chunk_impl(params, state, mask, z_std, z_raw, kind, objective, learning_rate):
    import jax
    import optax

    optimizer = optax.adam(learning_rate)
    loss = jax.value_and_grad(_layer_loss)

    def step(carry, _):
        params, state = carry
        value, grad = loss(params, mask, z_std, z_raw, kind, objective)
        updates, state = optimizer.update(grad, state, params)
        return (optax.apply_updates(params, updates), state), value

    (params, state), history = jax.lax.scan(step, (params, state), None, length=CHUNK)
    return params, state, history


_ADAM_CHUNK = None


def _adam_chunk(*args, **static):
    """``CHUNK`` Adam steps, compiled once per shape, kind, objective and learning rate (module-level cache)."""
    global _ADAM_CHUNK
    if _ADAM_CHUNK is None:
        import jax

        _ADAM_CHUNK = jax.jit(_adam_chunk_impl, static_argnames=("kind", "objective", "learning_rate"))
    return _ADAM_CHUNK(*args, **static)


def _block_mask(m_in: int, b: int, arch: str = "local") -> np.ndarray:
    """(m_in/b, m_in) connectivity: block-diagonal for a local layer of stride b, full for dense."""
    if arch == "dense":
        return np.ones((m_in // b, m_in))
    return np.kron(np.eye(m_in // b), np.ones((1, b)))


def _init(key, mask: np.ndarray) -> dict:
    """Random encoder and decoder weights N(0, 1/fan_in) on the connectivity ``mask``."""
    import jax

    width, m_in = mask.shape
    k_w, k_v = jax.random.split(key)
    fan_enc, fan_dec = mask.sum(axis=1, keepdims=True), mask.sum(axis=0, keepdims=True)
    return {"W": np.asarray(jax.random.normal(k_w, mask.shape), float) * mask / np.sqrt(fan_enc),
            "c": np.zeros(width),
            "V": np.asarray(jax.random.normal(k_v, mask.shape), float) * mask / np.sqrt(fan_dec),
            "d": np.zeros(m_in), "log_sd": np.zeros(m_in)}


def _train(init: dict, mask, z_std, z_raw, config: ExperimentConfig) -> tuple[dict, dict]:
    """Adam in chunks until the loss plateaus or ``config.steps``; returns the weights and the loss record."""
    import jax.numpy as jnp
    import optax

    params = {k: jnp.asarray(v, jnp.float32) for k, v in init.items()}
    state = optax.adam(config.learning_rate).init(params)
    args = (jnp.asarray(mask, jnp.float32), jnp.asarray(z_std, jnp.float32), jnp.asarray(z_raw, jnp.float32))
    static = dict(kind=config.kind, objective=config.objective, learning_rate=config.learning_rate)
    losses, converged, steps = [], False, 0
    while steps < config.steps:
        params, state, history = _adam_chunk(params, state, *args, **static)
        steps += CHUNK
        history = np.asarray(history, dtype=float)
        losses.append(history)
        if len(losses) > 1:
            before, now = losses[-2][-1], history[-1]
            if before - now < config.plateau * (losses[0][0] - now):
                converged = True
                break
    history = np.concatenate(losses)
    return ({k: np.asarray(v, dtype=float) for k, v in params.items()},
            {"loss_initial": float(history[0]), "loss_final": float(history[-1]), "train_steps": steps,
             "converged": converged})


# -- one seed ---------------------------------------------------------------------------------------------------
class _Standardizer:
    def __init__(self, z):
        sd = z.std(axis=0)
        self.mean, self.sd = z.mean(axis=0), np.where(sd > 0, sd, 1.0)

    def __call__(self, z):
        return (z - self.mean) / self.sd


def _rule_layer(rule: str, m_in: int, b: int) -> tuple[np.ndarray, float]:
    """Weights and bias of the exact coarse-graining rule as a local layer on the raw input."""
    if rule == "decimate":
        w = np.zeros((m_in // b, m_in))
        w[np.arange(m_in // b), np.arange(0, m_in, b)] = 1.0
        return w, 0.0
    return _block_mask(m_in, b), (-b / 2 if rule == "majority" else 0.0)


def _layer_output(weights, bias, z, kind: str, exact_rule: str | None):
    """Pre-activation through the activation: the rule's step/identity for ``rg``, the kind's otherwise."""
    pre = z @ weights.T + bias
    if exact_rule == "majority":
        return (pre > 0).astype(float)
    if exact_rule is not None:
        return pre
    return _activation(kind, pre, np)


def _discretize(f_train, f_test, kind: str):
    if kind == "spin":
        return (np.where(f >= 0, 1.0, -1.0) for f in (f_train, f_test))
    if kind == "bit":
        return ((f > 0.5).astype(float) for f in (f_train, f_test))
    if kind == "real":
        scaler = _Standardizer(f_train)
        return scaler(f_train), scaler(f_test)
    return f_train, f_test


def _oriented(f_train, f_test, ref_train, kind: str):
    """Gauge fixing (:func:`deeprg.correspondence.readout`): flip features anti-correlated with their field."""
    cov = np.mean((f_train - f_train.mean(axis=0)) * (ref_train - ref_train.mean(axis=0)), axis=0)
    flip = cov < 0
    if kind == "count":
        return f_train, f_test
    if kind == "bit":
        return tuple(np.where(flip, 1.0 - f, f) for f in (f_train, f_test))
    return tuple(np.where(flip, -f, f) for f in (f_train, f_test))


def _readout_r2(train_feat, train_x, test_feat, test_x) -> float:
    """R^2 of the least-squares linear readout of the standardized input from the features."""
    scaler = _Standardizer(train_x)
    design = lambda f: np.hstack([f, np.ones((len(f), 1))])  # noqa: E731
    x = design(train_feat)  # normal equations (a 1e-9 ridge keeps constant features harmless)
    coef = np.linalg.solve(x.T @ x + 1e-9 * len(x) * np.eye(x.shape[1]), x.T @ scaler(train_x))
    resid = scaler(test_x) - design(test_feat) @ coef
    total = np.sum(scaler(test_x) ** 2, axis=0)
    keep = total > 0
    return float(1 - np.sum(resid[:, keep] ** 2) / np.sum(total[keep]))


def _data(config: ExperimentConfig, rng: np.random.Generator):
    record = REGISTRY[config.family]
    if record.sample is None:  # digits: binarized images, a random 60/40 split per seed
        from sklearn.datasets import load_digits

        spins = np.where(load_digits().data > 7, 1.0, -1.0)
        spins = spins[rng.permutation(len(spins))]
        half = len(spins) * 6 // 10
        return spins[:half], spins[half:]
    sample = record.sample(config.param, config.n)
    return sample(rng, config.samples), sample(rng, config.samples)


def rg_iterates(config: ExperimentConfig, input_measurement) -> tuple[list[float], float]:
    """RG iterates R^k(P), k = 0..depth, in the family's parameter, and the limit of the flow.

    For a family without a sampler (digits) the flow is the exact (K, h) decimation of the Ising chain fitted
    to the images (the measured input), whose attracting fixed line is K = 0.
    """
    rg = OneParameterRG(config.rg_family, config.b)
    if REGISTRY[config.family].sample is not None:
        return rg.flow(config.param, config.depth), rg.limit(config.param)
    coupling, field = input_measurement.estimate, input_measurement.detail["field"]
    flow = [coupling]
    for _ in range(config.depth):
        chain = decimate_two_state(NearestNeighbourChain.ising(coupling, field, 1 + config.b), config.b)
        coupling, field = chain.coupling, chain.field
        flow.append(coupling)
    return flow, 0.0


def strict_json(x):
    """``x`` with every non-finite float (in nested dicts, lists and tuples) replaced by None (JSON null)."""
    if isinstance(x, dict):
        return {k: strict_json(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [strict_json(v) for v in x]
    if isinstance(x, float) and not math.isfinite(x):
        return None
    return x


def run_seed(params: dict, seed: int) -> dict:
    """One independent run (sweep point): data, networks and measurements for every layer, JSON-able.

    ``params`` are the fields of :class:`ExperimentConfig`; ``seed`` seeds the data and the weights.
    Infinite values (a coupling K = inf of degenerate features, lambda = inf) are written as null.
    """
    import jax

    config = ExperimentConfig(**{**params, "seeds": 1, "seed": seed})
    record = REGISTRY[config.family]
    rng = np.random.default_rng(seed)
    train, test = _data(config, rng)
    measured_input = measure(config.family, test)
    flow, limit = rg_iterates(config, measured_input)
    coord = OneParameterRG(config.rg_family, config.b).coordinate
    key = jax.random.PRNGKey(seed)
    streams = {"trained": (train, test), "untrained": (train, test)}
    layers = []
    for level in range(1, config.depth + 1):
        key, sub = jax.random.split(key)
        m_in = streams["trained"][0].shape[1]
        mask = _block_mask(m_in, config.b, "dense" if config.arch == "dense" else "local")
        init = _init(sub, mask)
        entry = {"layer": level, "features": m_in // config.b, "rg_iterate": coord.to_c(flow[level]),
                 "rg_iterate_param": flow[level], "fixed_point": coord.to_c(limit)}
        nets = {"untrained": (init["W"], init["c"], None)}
        if config.arch == "rg":
            weights, bias = _rule_layer(record.rule, m_in, config.b)
            nets["trained"] = (weights, bias, record.rule)
            entry["loss"] = None
        else:
            z_train = streams["trained"][0]
            trained, entry["loss"] = _train(init, mask, _Standardizer(z_train)(z_train), z_train, config)
            nets["trained"] = (trained["W"] * mask, trained["c"], None)
        for name in ("trained", "untrained"):
            z_train, z_test = streams[name]
            weights, bias, rule = nets[name]
            if rule is None:  # a network reads standardized inputs
                scaler = _Standardizer(z_train)
                f_train, f_test = (_layer_output(weights, bias, scaler(z), config.kind, None)
                                   for z in (z_train, z_test))
            else:
                f_train, f_test = (_layer_output(weights, bias, z, config.kind, rule) for z in (z_train, z_test))
            if config.arch == "dense" and rule is None:
                w = np.abs(weights)
                order = np.argsort(w @ np.arange(m_in) / w.sum(axis=1), kind="stable")
                f_train, f_test, weights = f_train[:, order], f_test[:, order], weights[order]
            f_train, f_test = _oriented(f_train, f_test, z_train @ np.abs(weights).T, config.kind)
            d_train, d_test = _discretize(f_train, f_test, config.kind)
            entry[name] = strict_json(measure(config.family, d_test).to_dict())
            entry.setdefault("information", {})[name] = _readout_r2(d_train, train, d_test, test)
            streams[name] = (d_train, d_test)
        layers.append(strict_json(entry))
    return {"seed": seed, "input": strict_json(measured_input.to_dict()), "rg_flow": [strict_json(v) for v in flow],
            "limit": strict_json(limit), "layers": layers}


# -- over seeds -------------------------------------------------------------------------------------------------
def seed_average(values, stderrs) -> dict:
    """Mean over independent seeds and its standard error, floored by the pooled per-seed error (module doc)."""
    pairs = [(v, s) for v, s in zip(values, stderrs) if v is not None and s is not None]
    if not pairs:
        return {"mean": None, "stderr": None, "seeds": 0}
    v = np.array([p[0] for p in pairs], dtype=float)
    s = np.array([p[1] for p in pairs], dtype=float)
    spread = float(estimate(v, chains=False, independent=True).stderr) if len(v) > 1 else 0.0
    return {"mean": float(v.mean()), "stderr": float(max(spread, math.sqrt(np.mean(s ** 2) / len(v)))),
            "seeds": len(v)}


def matches(stat: dict, target: float | None, z: float) -> bool | None:
    """(T1): |mean - target| <= z * stderr; None when undefined."""
    if stat["mean"] is None or target is None:
        return None
    return bool(abs(stat["mean"] - target) <= z * stat["stderr"])


def compare(trained: dict, control: dict, target: float | None, tests: int, alpha: float) -> dict:
    """The three tests of the module docstring at family-wise level ``alpha`` over ``tests`` layers."""
    two_sided, one_sided = norm.isf(alpha / (2 * tests)), norm.isf(alpha / tests)
    out = {"matches": matches(trained, target, two_sided), "distinguishable": None, "closer": None}
    if trained["mean"] is None or control["mean"] is None:
        return out
    joint = math.hypot(trained["stderr"], control["stderr"])
    out["distinguishable"] = bool(abs(trained["mean"] - control["mean"]) > two_sided * joint)
    if target is not None:
        gain = abs(control["mean"] - target) - abs(trained["mean"] - target)
        out["closer"] = bool(gain > one_sided * joint)
    return out


def aggregate(config: ExperimentConfig, runs: list[dict]) -> dict:
    """Per-layer {mean, stderr} over seeds and the tests (T1) of the module docstring."""
    z = norm.isf(config.alpha / (2 * config.depth))
    layers = []
    for k in range(config.depth):
        rows = [run["layers"][k] for run in runs]
        stat = {name: seed_average([r[name]["coordinate"] for r in rows], [r[name]["coordinate_stderr"] for r in rows])
                for name in ("trained", "untrained")}
        iterate = seed_average([r["rg_iterate"] for r in rows], [0.0] * len(rows))
        fixed = seed_average([r["fixed_point"] for r in rows], [0.0] * len(rows))
        test = compare(stat["trained"], stat["untrained"], iterate["mean"], config.depth, config.alpha)
        entry = {"layer": k + 1, "features": rows[0]["features"], "rg_iterate": iterate, "fixed_point": fixed,
                 "trained": stat["trained"], "untrained": stat["untrained"],
                 "matches_iterate": test["matches"], "matches_fixed_point": matches(stat["trained"], fixed["mean"], z),
                 "untrained_matches_iterate": matches(stat["untrained"], iterate["mean"], z),
                 "untrained_matches_fixed_point": matches(stat["untrained"], fixed["mean"], z),
                 "distinguishable_from_untrained": test["distinguishable"],
                 "closer_than_untrained": test["closer"],
                 "information": {name: seed_average([r["information"][name] for r in rows], [0.0] * len(rows))
                                 for name in ("trained", "untrained")}}
        if rows[0]["loss"] is not None:
            entry["loss_final"] = seed_average([r["loss"]["loss_final"] for r in rows], [0.0] * len(rows))
            entry["train_steps"] = [r["loss"]["train_steps"] for r in rows]
            entry["converged"] = all(r["loss"]["converged"] for r in rows)
        layers.append(entry)
    return {"layers": layers, "critical_z": z}


@dataclass(frozen=True)
class ExperimentResult:
    config: ExperimentConfig
    coordinate: str
    layers: list
    runs: list
    summary: dict

    def to_dict(self):
        return {"config": asdict(self.config), "coordinate": self.coordinate, "layers": self.layers,
                "summary": self.summary, "runs": self.runs}


def _summarize(layers: list) -> dict:
    def every(key):
        values = [layer[key] for layer in layers if layer[key] is not None]
        return None if not values else all(values)

    return {"trained_matches_iterates": every("matches_iterate"),
            "untrained_matches_iterates": every("untrained_matches_iterate"),
            "trained_deepest_at_fixed_point": layers[-1]["matches_fixed_point"],
            "untrained_deepest_at_fixed_point": layers[-1]["untrained_matches_fixed_point"],
            "distinguishable_layers": [layer["layer"] for layer in layers if layer["distinguishable_from_untrained"]],
            "closer_layers": [layer["layer"] for layer in layers if layer["closer_than_untrained"]]}


def run_experiment(config: ExperimentConfig, progress=None, out_dir=None, address: str | None = None,
                   workers: int | None = None) -> ExperimentResult:
    """Run ``config.seeds`` independent seeds through :func:`deeprg.sweep.run_sweep` and aggregate them.

    ``out_dir``: per-seed results are written to ``out_dir/points`` and reused by a rerun.
    """
    params = dataclasses.asdict(config)
    params.pop("seeds"), params.pop("seed")
    tag = hashlib.sha1(json.dumps(params, sort_keys=True).encode()).hexdigest()[:10]  # a rerun reuses only its own
    points = [Point(f"seed-{s}-{tag}", params, s) for s in range(config.seed, config.seed + config.seeds)]
    runs = run_sweep(run_seed, points, out_dir=out_dir, address=address, workers=workers, progress=progress)
    agg = aggregate(config, runs)
    return ExperimentResult(config, OneParameterRG(config.rg_family, config.b).coordinate.name, agg["layers"], runs,
                            {**_summarize(agg["layers"]), "critical_z": agg["critical_z"]})


def summary_lines(result: ExperimentResult) -> list[str]:
    """A few lines of numbers for the terminal."""
    c = result.config
    out = [f"{c.family} ({c.arch}, {c.objective}, b={c.b}, {c.seeds} seeds), {result.coordinate}; "
           f"match: |mean - target| <= {result.summary['critical_z']:.2f} se"]

    def fmt(stat):
        return "n/a" if stat["mean"] is None else f"{stat['mean']:+.3f}±{stat['stderr']:.3f}"

    for layer in result.layers:
        out.append(f"  layer {layer['layer']}: trained {fmt(layer['trained'])}, untrained {fmt(layer['untrained'])}, "
                   f"RG iterate {layer['rg_iterate']['mean']:+.3f}, fixed point {layer['fixed_point']['mean']:+.3f}; "
                   f"matches iterate {layer['matches_iterate']}, "
                   f"closer than untrained {layer['closer_than_untrained']}")
    return out


__all__ = ["ARCHS", "OBJECTIVES", "ExperimentConfig", "ExperimentResult", "aggregate", "compare", "matches",
           "rg_iterates", "run_experiment", "run_seed", "seed_average", "strict_json", "summary_lines"]
