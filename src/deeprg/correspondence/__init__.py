"""Training as RG (Gong-Xia) for Ising and exponential-family data: one registry of data families with exact
samplers and exact RG maps (:mod:`.families`), estimators with standard errors, a calibrated readout, and the
network experiment with local, dense and exact-RG architectures.

See the module docstrings of :mod:`.data` (eqs. 1-2), :mod:`.rg_maps` (eqs. 3-6), :mod:`.readout` (R1) and
:mod:`.experiment` (T1) for every modelling choice.
"""

from deeprg.correspondence.data import GaussianChain, NearestNeighbourChain
from deeprg.correspondence.estimators import (Fit, fit_bernoulli, fit_chain_mle, fit_chain_pseudolikelihood,
                                              fit_gaussian, fit_gaussian_chain, fit_poisson)
from deeprg.correspondence.families import FAMILIES, REGISTRY, Family, one_parameter_family
from deeprg.correspondence.rg_maps import (MapFixedPoint, OneParameterRG, decimate_two_state, gaussian_block_average,
                                           majority_rule, projected_decimation)


def report_checks(out_dir=None, progress=None):
    """Checks for ``deeprg reproduce`` (gx-rg-exact, gx-positive-control, gx-<family>); verdicts come from
    measured numbers. Imports JAX lazily."""
    from deeprg.correspondence.checks import report_checks as run

    return run(out_dir, progress)


__all__ = ["FAMILIES", "Family", "Fit", "MapFixedPoint", "GaussianChain", "NearestNeighbourChain", "OneParameterRG",
           "REGISTRY", "decimate_two_state", "fit_bernoulli", "fit_chain_mle", "fit_chain_pseudolikelihood",
           "fit_gaussian", "fit_gaussian_chain", "fit_poisson", "gaussian_block_average", "majority_rule",
           "one_parameter_family", "projected_decimation", "report_checks"]
