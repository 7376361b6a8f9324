r"""Renormalized constraints (Lee, Lee & Yi, eqs 31-32).

A constraint factor :math:`E[h, \sigma] = e^{-\beta H_m(h, \sigma)}` defines :math:`H_m` up to a constant; fixing
the constant so that :math:`\min H_m = 0`, the pairs with :math:`H_m = 0` are the constraint it encodes (eq 31:
for the bare factor, :math:`h^{(m+1)} = \sigma^{(m)}`, i.e. the network rule eq 1). After decimation the same
reading of :math:`H'_m = -\ln E'/\beta + \text{const}` gives the new constraint between :math:`h^{(m+1)}` and
:math:`\sigma^{(m-1)}` (eq 32). Two readings are reported: the global minima (the pairs with :math:`H'_m = 0`) and,
for each :math:`\sigma`, the set of :math:`h` minimizing :math:`H'_m(\cdot, \sigma)` (the rule
:math:`\sigma \mapsto h` it implies; deterministic when every set has one element).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .scaling import check_boltzmann


class ConstraintRule(NamedTuple):
    """What a (renormalized) constraint factor E[h, sigma] imposes."""

    energies: np.ndarray  # H[h, sigma] - min H, in units of 1/beta (inf where E = 0)
    minimal_pairs: tuple[tuple[int, int], ...]  # (h index, sigma index) with H = 0
    rule: tuple[tuple[int, ...], ...]  # for each sigma index: the h indices minimizing H(., sigma)

    @property
    def deterministic(self) -> bool:
        return all(len(hs) == 1 for hs in self.rule)

    def to_dict(self) -> dict:
        return {"energies": self.energies, "minimal_pairs": [list(p) for p in self.minimal_pairs],
                "rule": [list(hs) for hs in self.rule], "deterministic": self.deterministic}


def constraint_rule(E: np.ndarray, tol: float = 1e-9) -> ConstraintRule:
    """Minimal pairs and the implied rule of the factor E (Boltzmann weights only)."""
    check_boltzmann(E)
    E = np.real(np.asarray(E, dtype=complex))
    if np.all(E == 0):
        raise ValueError("E: all weights vanish; there is no constraint to read")
    with np.errstate(divide="ignore"):
        energies = -np.log(E / E.max())
    minimal = tuple((int(i), int(j)) for i, j in zip(*np.nonzero(energies <= tol)))
    column_min = energies.min(axis=0)
    rule = tuple(tuple(int(i) for i in np.nonzero(energies[:, j] <= column_min[j] + tol)[0])
                 for j in range(E.shape[1]))
    return ConstraintRule(energies, minimal, rule)
