"""RG over depth by decimation (seed 003, Secs IV-V): the map E -> E K^T E for any discrete model, couplings,
fixed points, linearization and exponents, flows, scaling, renormalized constraints and the paper's checks."""

from .claims import report_checks
from .couplings import exp_couplings, from_log, log_couplings, matrix, toy_bulk_couplings
from .decimation import (Decimation, decimate, decimate_by_summation, model_matrices, normalized_map,
                         renormalized, transfer)
from .fixed_points import FixedPoint, FixedPointSearch, find_fixed_points
from .flows import CouplingFlow, MatrixFlow, coupling_flow, matrix_flow
from .linearize import Linearization, linearize, map_jacobian
from .renormalized import ConstraintRule, constraint_rule
from .scaling import algebraic_correlation, exact_bulk, xi

__all__ = ["ConstraintRule", "CouplingFlow", "Decimation", "FixedPoint", "FixedPointSearch", "Linearization",
           "MatrixFlow", "algebraic_correlation", "constraint_rule", "coupling_flow", "decimate",
           "decimate_by_summation", "exact_bulk", "exp_couplings", "find_fixed_points", "from_log", "linearize",
           "log_couplings", "map_jacobian", "matrix", "matrix_flow", "model_matrices", "normalized_map",
           "renormalized", "report_checks", "toy_bulk_couplings", "transfer", "xi"]
