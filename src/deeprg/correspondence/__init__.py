"""Training as RG (Gong-Xia) for Ising and exponential-family data: data families with exact samplers,
exact RG maps with fixed points, estimators with standard errors, and the network experiment.

See the module docstrings of :mod:`.data` (eqs. 1-2), :mod:`.rg_maps` (eqs. 3-6), :mod:`.estimators` and
:mod:`.experiment` (eq. 7) for every modelling choice.
"""

from deeprg.correspondence.data import FAMILIES, GaussianChain, NearestNeighbourChain, one_parameter_family
from deeprg.correspondence.estimators import (Fit, fit_bernoulli, fit_chain_mle, fit_chain_pseudolikelihood,
                                              fit_gaussian, fit_gaussian_chain, fit_poisson)
from deeprg.correspondence.rg_maps import (MapFixedPoint, OneParameterRG, decimate_two_state, gaussian_block_average,
                                           majority_rule, projected_decimation)


def report_checks(out_dir=None):
    """Checks for ``deeprg reproduce`` (ids gx-rg-exact, gx-ising, gx-gaussian, gx-bernoulli, gx-poisson,
    gx-digits, gx-iterates); verdicts come from measured numbers. Imports JAX lazily."""
    from deeprg.correspondence.checks import report_checks as run

    return run(out_dir)


__all__ = ["FAMILIES", "Fit", "MapFixedPoint", "GaussianChain", "NearestNeighbourChain", "OneParameterRG",
           "decimate_two_state", "fit_bernoulli", "fit_chain_mle", "fit_chain_pseudolikelihood", "fit_gaussian",
           "fit_gaussian_chain", "fit_poisson", "gaussian_block_average", "majority_rule", "one_parameter_family",
           "projected_decimation", "report_checks"]
