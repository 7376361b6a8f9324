"""Monte Carlo of the DNA and of the plain network (Lee, Lee & Yi, Fig 7).

Samplers (pure ``prepare``/``init``/``step`` functions on a :class:`ChainState`, many chains at once):
:mod:`.gibbs` (DNA heat bath), :mod:`.original` (DNN Metropolis), :mod:`.ffbs` (exact draws).
:func:`run` drives a resumable run; :mod:`.fig7` compares the two systems; :mod:`.checks` is the report check
and :mod:`.plots` the figures.
"""

from . import ffbs, gibbs, original
from .fig7 import compare, resemblance, sweep_beta_v
from .observables import Correlation, correlation, covariance
from .run import MCConfig, MCResult, run
from ..stats import Estimate, estimate
from .tables import ChainState, LayerTables, layer_tables

__all__ = ["ChainState", "compare", "Correlation", "Estimate", "LayerTables", "MCConfig", "MCResult", "correlation",
           "covariance", "estimate", "ffbs", "gibbs", "layer_tables", "original",
           "resemblance", "run", "sweep_beta_v"]
