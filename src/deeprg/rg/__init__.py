"""RG over depth by decimation (seed 003, Secs IV-V): the map E -> E K^T E for any discrete model, couplings,
fixed points, linearization and exponents, flows, scaling, renormalized constraints and the paper's checks."""

from .catalog import CatalogModel, analyze, answer, model_family, run_catalog, toy_model
from .claims import report_checks
from .couplings import exp_couplings, from_log, log_couplings, matrix, toy_bulk_couplings
from .decimation import (Decimation, decimate, decimate_by_summation, model_matrices, normalized_map,
                         renormalized, transfer)
from .fixed_points import FixedPoint, FixedPointSearch, find_fixed_points
from .flows import CouplingFlow, MatrixFlow, coupling_flow, matrix_flow
from .linearize import Linearization, linearize, map_jacobian
from .renormalized import ConstraintRule, constraint_rule
from .renormalized_network import renormalize, two_layer_multiplicity, verify
from .scaling import algebraic_correlation, exact_bulk, xi

__all__ = ["CatalogModel", "ConstraintRule", "CouplingFlow", "Decimation", "FixedPoint", "FixedPointSearch", "Linearization",
           "MatrixFlow", "algebraic_correlation", "analyze", "answer", "constraint_rule", "coupling_flow", "decimate",
           "decimate_by_summation", "exact_bulk", "exp_couplings", "find_fixed_points", "from_log", "linearize",
           "log_couplings", "map_jacobian", "matrix", "matrix_flow", "model_family", "model_matrices",
           "normalized_map", "renormalize", "renormalized", "report_checks", "run_catalog", "toy_model",
           "two_layer_multiplicity", "verify", "toy_bulk_couplings", "transfer", "xi"]
