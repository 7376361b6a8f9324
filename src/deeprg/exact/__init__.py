"""Exact statistical mechanics of discrete networks: brute-force enumeration and transfer matrices."""

from .enumerate import count_terms, enumerate_spec
from .observables import bulk_observables
from .result import ExactResult
from .symmetric import build_blocks, bulk_blocks, count_blocks, solve_symmetric
from .transfer import (Bulk, FiniteChain, TransferMatrices, build, bulk, log_partition, neuron_states,
                       solve, state_index)

__all__ = ["Bulk", "ExactResult", "FiniteChain", "TransferMatrices", "build", "build_blocks", "bulk",
           "bulk_blocks", "bulk_observables", "count_blocks", "count_terms", "enumerate_spec", "log_partition",
           "neuron_states", "solve", "solve_symmetric", "state_index"]
