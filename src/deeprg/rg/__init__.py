"""RG over depth by decimation (Lee, Lee & Yi, Secs IV-V): the map E -> E K^T E for any discrete model, couplings,
fixed points (closed-form classification and Newton), linearization and exponents, flows, scaling, renormalized
constraints and networks, and the catalog over a family of models. The report checks are :mod:`deeprg.rg.checks`.
"""

from ..exact.transfer import correlation_length
from .catalog import analyze, answer, run_catalog
from .constraints import ConstraintRule, constraint_rule
from .couplings import exp_couplings, from_log, log_couplings, matrix, toy_bulk_couplings
from .decimation import (Decimation, decimate, decimate_by_summation, model_matrices, normalized_map,
                         renormalized_factor, transfer)
from .family import CatalogModel, model_family, toy_model
from .fixed_points import FixedPoint, FixedPointSearch, find_fixed_points
from .flows import CouplingFlow, MatrixFlow, coupling_flow, matrix_flow
from .linearize import Linearization, linearize, map_jacobian
from .renormalized_network import renormalize, two_layer_multiplicity, verify
from .scaling import algebraic_correlation, exact_bulk

__all__ = ["CatalogModel", "ConstraintRule", "CouplingFlow", "Decimation", "FixedPoint", "FixedPointSearch",
           "Linearization", "MatrixFlow", "algebraic_correlation", "analyze", "answer", "constraint_rule",
           "correlation_length", "coupling_flow", "decimate", "decimate_by_summation", "exact_bulk",
           "exp_couplings", "find_fixed_points", "from_log", "linearize", "log_couplings", "map_jacobian", "matrix",
           "matrix_flow", "model_family", "model_matrices", "normalized_map", "renormalize", "renormalized_factor",
           "run_catalog", "toy_bulk_couplings", "toy_model", "transfer", "two_layer_multiplicity", "verify"]
