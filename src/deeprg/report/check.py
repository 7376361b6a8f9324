"""One record for every claim the report checks, and the one rule that turns evidence into a verdict.

A verdict carries exactly the weight of its evidence:

- ``agrees``: the computation matches the printed claim, and the check *could have failed*
  (``could_fail_if`` says how);
- ``holds-by-construction``: the claim is an identity or a consequence of a definition, so computing it
  only confirms the code; it is shown and counted apart from ``agrees``;
- ``disagrees``: the computation contradicts the printed claim (both values are shown);
- ``not-checkable``: the evidence cannot decide (for example a trained network and an untrained control
  that cannot be told apart, or a provider that crashed).
"""

from __future__ import annotations

import dataclasses
from typing import Sequence

VERDICTS = ("agrees", "holds-by-construction", "disagrees", "not-checkable")
PAPERS = {"dna": "Lee, Lee & Yi, Dynamic neuron approach (arXiv:2410.00396)",
          "gx": "Gong & Xia, Training as RG (arXiv:2606.00157)"}


@dataclasses.dataclass(frozen=True)
class Evidence:
    """A statistical comparison: the trained (or tested) quantity, its control, and the prediction."""

    trained: tuple[float, float]  # (mean, stderr)
    control: tuple[float, float]  # (mean, stderr)
    target: float

    def to_dict(self) -> dict:
        return {"trained": list(self.trained), "control": list(self.control), "target": self.target}


@dataclasses.dataclass(frozen=True)
class Check:
    """One checked claim.

    ``paper`` is the printed statement, ``computed`` what deeprg computes (always text), ``source`` the key
    of :data:`PAPERS`, ``could_fail_if`` one line naming the outcome that would have made the check fail
    (empty for identities), ``tolerance_source`` where the tolerance comes from (the paper's own words, an
    error bar, or exact arithmetic), ``seeds`` the random seeds behind a statistical check.
    """

    id: str
    claim: str
    paper: str
    computed: str
    verdict: str
    detail: str
    source: str
    could_fail_if: str = ""
    tolerance_source: str = ""
    figures: tuple[str, ...] = ()
    seeds: tuple[int, ...] = ()
    evidence: Evidence | None = None

    def __post_init__(self):
        if self.verdict not in VERDICTS:
            raise ValueError(f"check {self.id}: verdict must be one of {VERDICTS}, got {self.verdict!r}")
        if self.source not in PAPERS:
            raise ValueError(f"check {self.id}: source must be one of {tuple(PAPERS)}, got {self.source!r}")
        if not isinstance(self.computed, str):
            raise TypeError(f"check {self.id}: computed must be text, got {type(self.computed).__name__}")
        if self.verdict == "agrees" and not self.could_fail_if:
            raise ValueError(f"check {self.id}: an 'agrees' verdict needs could_fail_if")

    def to_dict(self) -> dict:
        out = dataclasses.asdict(self)
        out["figures"] = list(self.figures)
        out["seeds"] = list(self.seeds)
        out["evidence"] = None if self.evidence is None else self.evidence.to_dict()
        return out


def verdict(holds: bool | None, *, by_construction: bool = False) -> str:
    """The verdict of a comparison: ``None`` means the evidence cannot decide."""
    if holds is None:
        return "not-checkable"
    if not holds:
        return "disagrees"
    return "holds-by-construction" if by_construction else "agrees"


def family_wise_z(z_scores: Sequence[float], alpha: float = 0.01) -> float:
    """Bonferroni threshold on |z| for ``len(z_scores)`` two-sided comparisons at family-wise level ``alpha``."""
    from scipy.stats import norm

    if not z_scores:
        raise ValueError("z_scores must be non-empty")
    return float(norm.isf(alpha / (2 * len(z_scores))))


def counts(checks: Sequence[Check], source: str | None = None) -> dict[str, int]:
    """Number of checks per verdict (of one paper when ``source`` is given)."""
    chosen = [c for c in checks if source is None or c.source == source]
    return {v: sum(c.verdict == v for c in chosen) for v in VERDICTS}

