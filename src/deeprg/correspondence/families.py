r"""The one registry of ``deeprg gx`` families: one record per family, read by every other module.

A record says everything the Gong-Xia experiment needs to know about a family (Gong & Xia, "Training as
RG"; the modelling choices are stated in :mod:`deeprg.correspondence.data` and :mod:`.rg_maps`):

* its data (``sample(param, n)`` returns a sampler ``(rng, num) -> (num, n)`` array; ``None`` for a fixed data set),
  the kind of variable (``spin`` ±1, ``real``, ``bit`` 0/1, ``count`` in N) and the domain of its parameter;
* its one-parameter RG map with scale factor :math:`b`, written in a compact coordinate :math:`c` in which
  the map is smooth and the fixed points are finite (:math:`\tanh K`, :math:`\rho`, :math:`p`,
  :math:`u=\lambda/(1+\lambda)`);
* the coarse-graining rule that the ``rg`` architecture implements exactly (``decimate``: keep the first site of
  each block; ``majority``: majority of a block of odd size; ``block-sum``: sum of a block);
* the parameter and scale factor used by ``deeprg reproduce``.

Adding a family means adding one record to :data:`REGISTRY` (and a readout for a new variable kind in
:mod:`deeprg.correspondence.readout`).

The maps in the coordinate:

.. math::  t' = t^b \ (\text{ising, gaussian decimation}),\qquad
           p' = \sum_{k>b/2}\binom bk p^k(1-p)^{b-k} + \tfrac12\binom{b}{b/2}p^{b/2}(1-p)^{b/2}[b\ \text{even}],
           \qquad u' = \frac{bu}{1-u+bu}.
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np
from scipy.special import comb

from deeprg.correspondence.data import GaussianChain, NearestNeighbourChain


class Coordinate(NamedTuple):
    """A compact coordinate c = to_c(param) in [lo, hi] in which a one-parameter map is smooth."""

    name: str
    lo: float
    hi: float
    to_c: Callable[[float], float]
    from_c: Callable[[float], float]


def check_factor(b) -> int:
    """The RG scale factor: an integer >= 2."""
    if isinstance(b, bool) or int(b) != b or b < 2:
        raise ValueError(f"factor: the scale factor b must be an integer >= 2, got {b}")
    return int(b)


def majority_rule(p: float, b: int = 2) -> float:
    """Probability that the majority (fair coin on ties) of b i.i.d. Bernoulli(p) sites is 1."""
    b = check_factor(b)
    k = np.arange(b + 1)
    pk = comb(b, k) * p ** k * (1 - p) ** (b - k)
    return float(pk[2 * k > b].sum() + 0.5 * pk[2 * k == b].sum())


def _power_map(c: float, b: int) -> float:
    return math.copysign(abs(c) ** b, c) if b % 2 else abs(c) ** b


def _block_sum_map(u: float, b: int) -> float:
    return b * u / (1 - u + b * u)


def _domain(test: Callable[[float], bool], text: str) -> Callable[[float, str], float]:
    def validate(value, name: str = "param") -> float:
        value = float(value)
        if math.isnan(value):
            raise ValueError(f"{name}: NaN is not allowed")
        if not test(value):
            raise ValueError(f"{name}: {text}, got {value}")
        return value

    return validate


def _ising_data(param: float, n: int):
    if not math.isfinite(param):
        raise ValueError(f"param: sampling needs a finite Ising coupling K, got {param}")
    return NearestNeighbourChain.ising(param, 0.0, n).sample


def _gaussian_data(param: float, n: int):
    return GaussianChain(param, n).sample


def _bernoulli_data(param: float, n: int):
    return lambda rng, num: (rng.random((num, n)) < param).astype(float)


def _poisson_data(param: float, n: int):
    return lambda rng, num: rng.poisson(param, (num, n)).astype(float)


_TANH = Coordinate("t = tanh K", -1.0, 1.0, math.tanh,
                   lambda t: math.copysign(math.inf, t) if abs(t) >= 1 else math.atanh(t))


class Family(NamedTuple):
    """One ``deeprg gx`` family (see the module docstring)."""

    name: str
    help: str
    kind: str                                      # spin, real, bit or count
    validate: Callable[..., float]                 # (value, name="param") -> float, or ValueError
    coordinate: Coordinate
    step: Callable[[float, int], float]            # the RG map in the coordinate, (c, b) -> c'
    map_text: str
    rule: str                                      # what the rg architecture does: decimate, majority, block-sum
    sample: Callable | None                        # (param, n) -> sampler; None: a fixed data set (digits)
    report_param: float | None
    report_factor: int
    odd_factor: bool = False                       # the experiment needs odd b (majority has no ties)


REGISTRY: dict[str, Family] = {f.name: f for f in (
    Family("ising", "zero-field open Ising chain, parameter K", "spin",
           _domain(lambda v: True, "any real K"), _TANH, _power_map,
           "decimation: tanh K' = (tanh K)^b (zero field)", "decimate", _ising_data, 1.0, 2),
    Family("gaussian", "AR(1) chain with mean 0, variance 1, parameter rho", "real",
           _domain(lambda v: abs(v) < 1, "the gaussian correlation rho must satisfy -1 < rho < 1"),
           Coordinate("rho", -1.0, 1.0, float, float), _power_map,
           "decimation of the AR(1) chain: rho' = rho^b", "decimate", _gaussian_data, 0.8, 2),
    Family("bernoulli", "i.i.d. 0/1 sites, parameter p", "bit",
           _domain(lambda v: 0 <= v <= 1, "the bernoulli probability p must lie in [0, 1]"),
           Coordinate("p", 0.0, 1.0, float, float), lambda c, b: majority_rule(c, b),
           "majority rule on blocks of b i.i.d. sites, fair coin on ties (the identity at b = 2)", "majority",
           _bernoulli_data, 0.3, 3, odd_factor=True),
    Family("poisson", "i.i.d. counts, parameter lambda", "count",
           _domain(lambda v: 0 <= v < math.inf, "the poisson rate lambda must be finite and >= 0"),
           Coordinate("u = lambda / (1 + lambda)", 0.0, 1.0,
                      lambda lam: 1.0 if math.isinf(lam) else lam / (1 + lam),
                      lambda u: math.inf if u >= 1 else u / (1 - u)),
           _block_sum_map, "block sum of b i.i.d. sites: lambda' = b lambda", "block-sum", _poisson_data, 2.0, 2),
    Family("digits", "sklearn 8x8 digits binarized (pixel > 7 -> +1) and read as a 64-site Ising chain",
           "spin", _domain(lambda v: True, "any real K"), _TANH, _power_map,
           "exact (K, h) decimation of the Ising chain fitted to the images", "decimate", None, None, 2),
)}

FAMILIES = tuple(name for name, f in REGISTRY.items() if f.sample is not None)  # families with exact samplers
EXPERIMENT_FAMILIES = tuple(REGISTRY)


def get(name: str, choices: tuple[str, ...] = FAMILIES) -> Family:
    """The record of family ``name`` among ``choices``; ValueError naming the allowed values otherwise."""
    if name not in choices:
        raise ValueError(f"family: must be one of {', '.join(choices)}, got {name!r}")
    return REGISTRY[name]


def validate_parameter(family: str, value: float, name: str = "param") -> float:
    """Check ``value`` lies in the domain of ``family``'s characteristic parameter; return it as float."""
    return get(family).validate(value, name)


def one_parameter_family(family: str, param: float, n: int):
    """The data of ``deeprg gx``: a sampler ``(rng, num) -> (num, n)`` array for each family.

    ``ising``: zero-field open Ising chain with coupling K = param (finite); ``gaussian``: AR(1) with
    rho = param, mean 0, variance 1; ``bernoulli``: i.i.d. 0/1 with p = param; ``poisson``: i.i.d. counts
    with rate param (NumPy's exact Poisson generator).
    """
    record = get(family)
    return record.sample(record.validate(param), n)
