r"""The network side: do trained feature layers carry the RG iterates of the data's parameter?

Claim under test (seed, Gong-Xia): after optimal training, the characteristic parameter of a fully connected
network's feature-layer output equals the RG fixed point of the input data's parameter. It is tested as two
measured statements per feature layer :math:`\ell = 1..L`: the estimate equals the RG iterate
:math:`R^\ell(P)` (:mod:`deeprg.correspondence.rg_maps`), and the deepest layer sits at the fixed point the
flow from :math:`P` converges to.

Network (a modelling choice; the summary gives none)
----------------------------------------------------
Layer :math:`\ell` maps the :math:`m = n/b^{\ell-1}` discretized outputs :math:`z` of the previous layer
(the data for :math:`\ell=1`) to :math:`m/b` features :math:`f = a(W\tilde z + c)`, fully connected, where
:math:`\tilde z` is :math:`z` centred and scaled per site with training-set statistics. Activation
:math:`a` and discretization :math:`D` make every layer's output the same kind of variable as the data, as
an RG step does:

===========  ==========  ======================  ======================================
family       variables   activation a            discretization D
===========  ==========  ======================  ======================================
ising        spins ±1    tanh                    sign (0 -> +1)
gaussian     reals       identity                standardize each feature (train stats)
bernoulli    bits 0/1    sigmoid                 1[f > 1/2]
poisson      counts      softplus                round to the nearest integer
digits       spins ±1    tanh                    sign (pixels > 7 -> +1, as a 64-site chain)
===========  ==========  ======================  ======================================

Each layer is trained on its own (greedy, layer by layer, as in stacked autoencoders) with Adam on the full
training batch, with a linear decoder :math:`\eta = Vf + d` and one of two objectives:

* ``reconstruction``: :math:`\overline{\lVert \tilde z - \eta\rVert^2}`, reconstruct the layer input
  through the feature layer;
* ``likelihood``: :math:`-\overline{\log p_{\mathrm{fam}}(z\mid\eta)}`, the maximum likelihood of the layer
  input under the family with natural parameters :math:`\eta` given by the features (spins:
  :math:`p(s) = e^{\eta s}/2\cosh\eta`; bits: logistic; counts: Poisson with :math:`\log`-rate :math:`\eta`;
  reals: Gaussian with mean :math:`\eta` and a learned variance per site).

Fully connected layers have no spatial order, so the features of each layer are ordered by the centroid
:math:`\sum_i |W_{ji}|\,i / \sum_i |W_{ji}|` of their receptive field on the (already ordered) layer input;
nearest-neighbour parameters are measured along that order.

Measurement
-----------
On held-out samples, after discretization: ising/digits, the exact MLE :math:`(\hat h, \hat K)` of the open
Ising chain on the layer's features (reported :math:`\hat K`); gaussian, the AR(1) :math:`\hat\rho`;
bernoulli, :math:`\hat p`; poisson, :math:`\hat\lambda`; all with sandwich standard errors
(:mod:`deeprg.correspondence.estimators`). Comparisons are made in the compact coordinate :math:`c` of
:class:`~deeprg.correspondence.rg_maps.OneParameterRG` (:math:`\tanh K`, :math:`\rho`, :math:`p`,
:math:`\lambda/(1+\lambda)`): a layer *matches* a prediction :math:`c_{\mathrm{pred}}` when

.. math::  |\hat c - c_{\mathrm{pred}}| \le 3\,\mathrm{se}(\hat c) + \delta,                          \tag{7}

with the modelling tolerance :math:`\delta` (default 0.05). The digits probe starts the exact two-parameter
decimation flow :math:`(K, h)` from the MLE of the binarized images. Controls: the untrained network
(the same initial weights, never updated) measured the same way, and the information each layer retains:
:math:`R^2` of the best linear readout of the standardized input from the discretized features (fit on the
training set, scored on held-out samples).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import NamedTuple

import numpy as np

from deeprg.correspondence.data import FAMILIES, NearestNeighbourChain, one_parameter_family, validate_parameter
from deeprg.correspondence.estimators import fit_chain_mle, fit_gaussian_chain, sandwich_stderr
from deeprg.correspondence.rg_maps import OneParameterRG, decimate_two_state

OBJECTIVES = ("reconstruction", "likelihood")
EXPERIMENT_FAMILIES = FAMILIES + ("digits",)
MAX_DEPTH = 6
_KIND = {"ising": "spin", "digits": "spin", "gaussian": "real", "bernoulli": "bit", "poisson": "count"}


@dataclass(frozen=True)
class ExperimentConfig:
    """One run; ``param`` is None only for ``digits`` (its parameter is measured from the images)."""

    family: str
    param: float | None
    depth: int
    objective: str = "reconstruction"
    seed: int = 0
    n: int = 64
    b: int = 2
    samples: int = 2000
    steps: int = 300
    learning_rate: float = 0.01
    tolerance: float = 0.05

    def __post_init__(self):
        if self.family not in EXPERIMENT_FAMILIES:
            raise ValueError(f"family: must be one of {', '.join(EXPERIMENT_FAMILIES)}, got {self.family!r}")
        if self.objective not in OBJECTIVES:
            raise ValueError(f"objective: must be one of {', '.join(OBJECTIVES)}, got {self.objective!r}")
        if int(self.b) != self.b or self.b < 2:
            raise ValueError(f"b: the scale factor must be an integer >= 2, got {self.b}")
        if self.family == "digits":
            if self.param is not None:
                raise ValueError("param: not used by family 'digits' (its coupling is measured from the images)")
            if self.n != 64:
                raise ValueError(f"n: the digits images have 64 pixels, got {self.n}")
        elif self.param is None:
            raise ValueError(f"param: required for family {self.family!r}")
        else:
            validate_parameter(self.family, self.param)
            if self.family == "ising" and not math.isfinite(self.param):
                raise ValueError(f"param: the ising coupling K must be finite to sample data, got {self.param}")
        if int(self.n) != self.n or self.n < self.b:
            raise ValueError(f"n: need an integer number of inputs >= b, got {self.n}")
        max_depth = int(math.floor(math.log(self.n) / math.log(self.b) + 1e-9))
        if int(self.depth) != self.depth or not 1 <= self.depth <= min(MAX_DEPTH, max_depth):
            raise ValueError(f"depth: must be an integer in 1..{min(MAX_DEPTH, max_depth)} "
                             f"(at most {MAX_DEPTH} and at most log_b(n) = log_{self.b}({self.n}) = "
                             f"{math.log(self.n) / math.log(self.b):.3g}), got {self.depth}")
        if self.n % self.b ** self.depth:
            raise ValueError(f"n: must be divisible by b^depth = {self.b ** self.depth}, got {self.n}")
        if int(self.seed) != self.seed or self.seed < 0:
            raise ValueError(f"seed: must be an integer >= 0, got {self.seed}")
        for name, low in (("samples", 64), ("steps", 1)):
            if int(getattr(self, name)) != getattr(self, name) or getattr(self, name) < low:
                raise ValueError(f"{name}: must be an integer >= {low}, got {getattr(self, name)}")
        if not (self.learning_rate > 0 and self.tolerance >= 0):
            raise ValueError("learning_rate/tolerance: need learning_rate > 0 and tolerance >= 0")

    @property
    def kind(self) -> str:
        return _KIND[self.family]

    @property
    def rg_family(self) -> str:
        return "ising" if self.family == "digits" else self.family


class Measurement(NamedTuple):
    """A layer's characteristic parameter, its error, and both in the compact coordinate."""

    estimate: float | None
    stderr: float | None
    coordinate: float | None
    coordinate_stderr: float | None
    detail: dict

    def to_dict(self):
        return self._asdict()


_NOT_DEFINED = Measurement(None, None, None, None, {"note": "a nearest-neighbour parameter needs >= 2 features"})


def _to_coordinate(family: str, value: float, stderr: float) -> tuple[float, float]:
    """Value and (delta-method) error in the compact coordinate of ``family`` (python floats: no warnings)."""
    value, stderr = float(value), float(stderr)
    if family == "ising":
        if math.isinf(value):  # degenerate features (MLE at infinity): t = +-1 exactly
            return math.copysign(1.0, value), 0.0
        t = math.tanh(value)
        return t, (1 - t * t) * stderr
    if family == "poisson":
        return value / (1 + value), stderr / (1 + value) ** 2
    return value, stderr


def measure(family: str, z: np.ndarray) -> Measurement:
    """The characteristic parameter of discretized features ``z`` (samples, features) of ``family``'s kind."""
    rg_family = "ising" if family == "digits" else family
    m = z.shape[1]
    if rg_family in ("ising", "gaussian") and m < 2:
        return _NOT_DEFINED
    if rg_family == "ising":
        fit = fit_chain_mle(z, NearestNeighbourChain.ising(0.0, 0.0, m), robust=True)
        value, se = fit.value["coupling"], fit.stderr["coupling"]
        detail = {"field": fit.value["field"], "field_stderr": fit.stderr["field"]}
    elif rg_family == "gaussian":
        if np.any(z.std(axis=0) == 0):
            return Measurement(None, None, None, None, {"note": "a feature is constant: correlation undefined"})
        fit = fit_gaussian_chain(z, robust=True)
        value, se, detail = fit.value["rho"], fit.stderr["rho"], {}
    else:  # i.i.d. families: the mean; per-sample means carry any dependence between features
        per_sample = z.mean(axis=1)
        value, se = float(per_sample.mean()), float(sandwich_stderr(per_sample[:, None])[0])
        detail = {}
    c, c_se = _to_coordinate(rg_family, value, se)
    return Measurement(float(value), float(se), c, c_se, detail)


# -- network -----------------------------------------------------------------------------------------------------
def _layer_loss(params, z_std, z_raw, kind: str, objective: str):
    import jax
    import jax.numpy as jnp

    pre = z_std @ params["W"].T + params["c"]
    f = {"spin": jnp.tanh, "real": lambda u: u, "bit": jax.nn.sigmoid, "count": jax.nn.softplus}[kind](pre)
    eta = f @ params["V"].T + params["d"]
    if objective == "reconstruction":
        return jnp.mean((z_std - eta) ** 2)
    if kind == "spin":
        nll = jnp.logaddexp(eta, -eta) - eta * z_raw
    elif kind == "bit":
        nll = jax.nn.softplus(eta) - eta * z_raw
    elif kind == "count":
        nll = jnp.exp(eta) - eta * z_raw
    else:
        log_sd = params["log_sd"]
        nll = 0.5 * ((z_std - eta) * jnp.exp(-log_sd)) ** 2 + log_sd
    return jnp.mean(nll)


def _train_layer(key, z_std, z_raw, width: int, config: ExperimentConfig):
    """Initial and trained parameters of one layer (encoder W, c; decoder V, d) and the loss history."""
    import jax
    import jax.numpy as jnp
    import optax

    k_w, k_v = jax.random.split(key)
    m = z_std.shape[1]
    init = {"W": jax.random.normal(k_w, (width, m)) / math.sqrt(m), "c": jnp.zeros(width),
            "V": jax.random.normal(k_v, (m, width)) / math.sqrt(width), "d": jnp.zeros(m),
            "log_sd": jnp.zeros(m)}
    optimizer = optax.adam(config.learning_rate)
    loss = jax.value_and_grad(_layer_loss)
    z_std, z_raw = jnp.asarray(z_std, jnp.float32), jnp.asarray(z_raw, jnp.float32)

    @jax.jit
    def run(params):
        def step(carry, _):
            params, state = carry
            value, grad = loss(params, z_std, z_raw, config.kind, config.objective)
            updates, state = optimizer.update(grad, state, params)
            return (optax.apply_updates(params, updates), state), value

        (params, _), history = jax.lax.scan(step, (params, optimizer.init(params)), None, length=config.steps)
        return params, history

    trained, history = run(init)
    to_np = lambda p: {k: np.asarray(v, dtype=float) for k, v in p.items()}  # noqa: E731
    return to_np(init), to_np(trained), np.asarray(history, dtype=float)


class _Standardizer(NamedTuple):
    mean: np.ndarray
    sd: np.ndarray

    @classmethod
    def fit(cls, z):
        sd = z.std(axis=0)
        return cls(z.mean(axis=0), np.where(sd > 0, sd, 1.0))

    def __call__(self, z):
        return (z - self.mean) / self.sd


def _features(params, scaler: _Standardizer, z, kind):
    pre = scaler(z) @ params["W"].T + params["c"]
    return {"spin": np.tanh, "real": lambda u: u, "bit": lambda u: 1 / (1 + np.exp(-np.clip(u, -50, 50))),
            "count": lambda u: np.logaddexp(0.0, u)}[kind](pre)


def _discretize(f, kind, scaler: _Standardizer | None):
    if kind == "spin":
        return np.where(f >= 0, 1.0, -1.0)
    if kind == "bit":
        return (f > 0.5).astype(float)
    if kind == "count":
        return np.rint(f)
    return scaler(f)


def _order(params) -> np.ndarray:
    """Features sorted by the centroid of |W| over the (ordered) input sites."""
    w = np.abs(params["W"])
    return np.argsort(w @ np.arange(w.shape[1]) / w.sum(axis=1), kind="stable")


def _readout_r2(train_feat, train_x, test_feat, test_x) -> float:
    """R^2 of the least-squares linear readout of the standardized input from the features."""
    scaler = _Standardizer.fit(train_x)
    design = lambda f: np.hstack([f, np.ones((len(f), 1))])  # noqa: E731
    coef, *_ = np.linalg.lstsq(design(train_feat), scaler(train_x), rcond=None)
    resid = scaler(test_x) - design(test_feat) @ coef
    total = np.sum(scaler(test_x) ** 2, axis=0)
    keep = total > 0
    return float(1 - np.sum(resid[:, keep] ** 2) / np.sum(total[keep]))


def _data(config: ExperimentConfig, rng: np.random.Generator):
    if config.family == "digits":
        from sklearn.datasets import load_digits

        images = load_digits().data
        spins = np.where(images > 7, 1.0, -1.0)[rng.permutation(len(images))]
        half = len(spins) * 6 // 10
        return spins[:half], spins[half:]
    sample = one_parameter_family(config.family, config.param, config.n)
    return sample(rng, config.samples), sample(rng, config.samples)


def _rg_predictions(config: ExperimentConfig, input_measurement: Measurement):
    """RG iterates for layers 0..depth (parameter and coordinate) and the fixed point of the flow."""
    rg = OneParameterRG(config.rg_family, config.b)
    coord = rg.coordinate
    if config.family != "digits":
        flow = rg.flow(config.param, config.depth)
        fixed = rg.limit(config.param)
    else:  # exact (K, h) decimation from the measured couplings of the images
        chain = NearestNeighbourChain.ising(input_measurement.estimate, input_measurement.detail["field"], 2)
        flow = [chain.coupling]
        for _ in range(config.depth):
            chain = decimate_two_state(NearestNeighbourChain.ising(chain.coupling, chain.field, 1 + config.b),
                                       config.b)
            flow.append(chain.coupling)
        fixed = 0.0  # K = 0 is the attracting line of fixed points of the (K, h) map
    return flow, [coord.to_c(v) for v in flow], fixed, coord.to_c(fixed)


def _matches(measured: Measurement, target_c: float, tolerance: float) -> bool | None:
    if measured.coordinate is None or not math.isfinite(measured.coordinate_stderr):
        return None
    return bool(abs(measured.coordinate - target_c) <= 3 * measured.coordinate_stderr + tolerance)


@dataclass(frozen=True)
class ExperimentResult:
    config: ExperimentConfig
    coordinate: str
    input: Measurement
    rg_flow: list
    fixed_point: float
    layers: list
    summary: dict

    def to_dict(self):
        return {"config": asdict(self.config), "coordinate": self.coordinate, "input": self.input.to_dict(),
                "rg_flow": self.rg_flow, "fixed_point": self.fixed_point, "layers": self.layers,
                "summary": self.summary}


def run_experiment(config: ExperimentConfig, advance=lambda n=1: None) -> ExperimentResult:
    """Train the layers, measure trained and untrained features, compare with the RG flow (eq. 7)."""
    import jax

    rng = np.random.default_rng(config.seed)
    train, test = _data(config, rng)
    kind = config.kind
    input_measurement = measure(config.family, test)
    flow, flow_c, fixed, fixed_c = _rg_predictions(config, input_measurement)
    key = jax.random.PRNGKey(config.seed)
    streams = {"trained": (train, test), "untrained": (train, test)}
    layers = []
    for level in range(1, config.depth + 1):
        key, sub = jax.random.split(key)
        width = config.n // config.b ** level
        entry = {"layer": level, "features": width, "rg_prediction": flow[level],
                 "rg_prediction_coordinate": flow_c[level], "fixed_point": fixed}
        z_train_trained = streams["trained"][0]
        scaler = _Standardizer.fit(z_train_trained)
        init, trained, history = _train_layer(sub, scaler(z_train_trained), z_train_trained, width, config)
        for name, params in (("trained", trained), ("untrained", init)):
            z_train, z_test = streams[name]
            scaler = _Standardizer.fit(z_train)
            order = _order(params)
            f_train = _features(params, scaler, z_train, kind)[:, order]
            f_test = _features(params, scaler, z_test, kind)[:, order]
            out_scaler = _Standardizer.fit(f_train) if kind == "real" else None
            d_train, d_test = (_discretize(f, kind, out_scaler) for f in (f_train, f_test))
            measured = measure(config.family, d_test)
            record = measured.to_dict()
            record.update({"matches_rg": _matches(measured, flow_c[level], config.tolerance),
                           "matches_fixed_point": _matches(measured, fixed_c, config.tolerance),
                           "information_r2": _readout_r2(d_train, train, d_test, test)})
            if name == "trained":
                record.update({"loss_initial": float(history[0]), "loss_final": float(history[-1])})
                entry.update(record)
            else:
                entry["untrained"] = record
            streams[name] = (d_train, d_test)
        layers.append(entry)
        advance(1)
    summary = _summarize(layers)
    return ExperimentResult(config, OneParameterRG(config.rg_family, config.b).coordinate.name, input_measurement,
                            flow, fixed, layers, summary)


def _summarize(layers: list) -> dict:
    """Verdicts from the per-layer matches (eq. 7); layers without a defined parameter are skipped."""
    def verdict(records, key):
        values = [r[key] for r in records if r[key] is not None]
        return None if not values else all(values)

    trained = layers
    untrained = [layer["untrained"] for layer in layers]
    defined = [r for r in layers if r["coordinate"] is not None]
    deviation = [abs(r["coordinate"] - r["rg_prediction_coordinate"]) for r in defined]
    return {"trained_follows_rg": verdict(trained, "matches_rg"),
            "untrained_follows_rg": verdict(untrained, "matches_rg"),
            "trained_deepest_at_fixed_point": defined[-1]["matches_fixed_point"] if defined else None,
            "untrained_deepest_at_fixed_point": next((r["matches_fixed_point"] for r in reversed(untrained)
                                                       if r["coordinate"] is not None), None),
            "max_deviation_from_rg": max(deviation) if deviation else None}
