"""deeprg: statistical physics of deep neural networks.

The curated public API, loaded lazily: ``import deeprg`` imports nothing heavy (not even NumPy); each name is
imported from its home module on first access, so ``deeprg.solve`` costs the exact engine and nothing else.

======================  =======================================================================
``NetworkSpec``         a discrete network in the Gibbs ensemble of training (Lee, Lee & Yi, eqs 8-16)
``ValueSets``           the weight, bias and neuron value sets of a ``NetworkSpec``
``solve``               exact log Z, <h> per layer and covariance (transfer matrices)
``enumerate_spec``      the same by brute-force enumeration (the oracle at tiny sizes)
``bulk``                bulk free energy, correlation length and G(r) of ``build(spec)``
``build``               the transfer matrices of a ``NetworkSpec``
``decimate``            one RG step over depth, E -> E K^T E (Lee, Lee & Yi, eq 27)
``matrix_flow``         iterated decimation of the matrix E
``coupling_flow``       the flow of the couplings of the exponential parametrization
``find_fixed_points``   fixed points of the decimation map
``linearize``           the linearized map at a fixed point and its exponents
``MCConfig``, ``run_mc``  Monte Carlo of the DNA or of the plain network, resumable (Fig 7)
``MLPSpec``, ``TrainConfig``, ``train``, ``load_dataset``  DNA and backprop training of real MLPs (JAX)
``estimate``            mean and error bar of correlated samples (the one error-bar routine)
======================  =======================================================================
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

# public name -> (module, attribute in that module)
_API = {
    "NetworkSpec": ("deeprg.model", "NetworkSpec"),
    "ValueSets": ("deeprg.model", "ValueSets"),
    "solve": ("deeprg.exact", "solve"),
    "enumerate_spec": ("deeprg.exact", "enumerate_spec"),
    "build": ("deeprg.exact", "build"),
    "bulk": ("deeprg.exact", "bulk"),
    "decimate": ("deeprg.rg.decimation", "decimate"),
    "matrix_flow": ("deeprg.rg.flows", "matrix_flow"),
    "coupling_flow": ("deeprg.rg.flows", "coupling_flow"),
    "find_fixed_points": ("deeprg.rg.fixed_points", "find_fixed_points"),
    "linearize": ("deeprg.rg.linearize", "linearize"),
    "MCConfig": ("deeprg.sampling.run", "MCConfig"),
    "run_mc": ("deeprg.sampling.run", "run"),
    "MLPSpec": ("deeprg.continuous.model", "MLPSpec"),
    "TrainConfig": ("deeprg.continuous.training", "TrainConfig"),
    "train": ("deeprg.continuous.training", "train"),
    "load_dataset": ("deeprg.continuous.data", "load_dataset"),
    "estimate": ("deeprg.stats", "estimate"),
    "Estimate": ("deeprg.stats", "Estimate"),
}
_SUBPACKAGES = ("exact", "rg", "sampling", "continuous", "correspondence", "stats", "results", "report", "sweep")

__all__ = ["__version__", *_API, *_SUBPACKAGES]


def __getattr__(name: str):
    if name in _API:
        module, attribute = _API[name]
        value = getattr(importlib.import_module(module), attribute)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"deeprg.{name}")
    else:
        raise AttributeError(f"module 'deeprg' has no attribute {name!r}")
    globals()[name] = value  # later accesses skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
