"""Monte Carlo of the DNA and of the plain network (Lee, Lee & Yi, Fig 7).

Samplers (pure ``prepare``/``init``/``step`` functions, many chains at once), one record each in
:mod:`.registry`: :mod:`.gibbs` (DNA heat bath over joint tables), :mod:`.multispin` (the same heat bath for the
Fig 7 toy, 64 chains per machine word), :mod:`.local` (DNA single-site heat bath for any width and rows),
:mod:`.tempering` (replica exchange in beta_v around it), :mod:`.original` (DNN Metropolis), :mod:`.ffbs` and
:mod:`.ancestral` (exact draws); :mod:`.local_jax` is the JAX local heat bath.
:func:`run` drives a resumable run; :mod:`.fig7` compares the two systems; :mod:`.checks` is the report check
and :mod:`.plots` the figures.

Names are imported on first use (PEP 562), so reading :mod:`.registry` (e.g. for the CLI's ``--method``
choices) does not load Numba; :mod:`.run` is light and imported at once, so that ``sampling.run`` is the function.
"""

import importlib

from .run import MCConfig, MCResult, run

_NAMES = {
    "compare": ".fig7", "resemblance": ".fig7", "sweep_beta_v": ".fig7",
    "Correlation": ".observables", "correlation": ".observables", "covariance": ".observables",
    "Estimate": "..stats", "estimate": "..stats",
    "ChainState": ".tables", "LayerTables": ".tables", "layer_tables": ".tables",
}
_MODULES = ("ancestral", "checks", "ffbs", "fig7", "gibbs", "local", "local_jax", "multispin", "observables",
            "original", "plots", "registry", "tables", "tempering")

__all__ = ["ChainState", "compare", "Correlation", "Estimate", "LayerTables", "MCConfig", "MCResult", "ancestral",
           "correlation", "covariance", "estimate", "ffbs", "gibbs", "layer_tables", "local", "multispin",
           "original", "registry", "resemblance", "run", "sweep_beta_v", "tempering"]


def __getattr__(name):
    if name in _MODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _NAMES:
        return getattr(importlib.import_module(_NAMES[name], __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
