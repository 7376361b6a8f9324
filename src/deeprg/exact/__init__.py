"""Exact statistical mechanics of discrete networks: brute-force enumeration and transfer matrices."""

from .enumerate import count_terms, enumerate_spec
from .result import ExactResult
from .transfer import (Bulk, FiniteChain, TransferMatrices, build, bulk, log_partition, neuron_states,
                       solve, state_index)

__all__ = ["Bulk", "ExactResult", "FiniteChain", "TransferMatrices", "build", "bulk", "count_terms",
           "enumerate_spec", "log_partition", "neuron_states", "solve", "state_index"]
