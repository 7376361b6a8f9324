r"""The family of discrete networks whose RG fixed points the catalog lists (Lee, Lee & Yi, Sec IV, footnote 12).

Width :math:`N \in \{1, 2\}`, data rows :math:`L \in \{1, 2\}`, weights :math:`\{-1, 1\}` or :math:`\{-1, 0, 1\}`,
biases :math:`\{-1, 1\}`, :math:`\{-1, 0, 1\}` or none (the single value 0), neurons and activation
:math:`\{0, 1\}` with the Heaviside or :math:`\{-1, 1\}` with the sign function (the only pairs whose activation
stays in its neuron set), and a uniform or a tilted prior over the weight values (weight value number k gets prior
weight k + 1). The paper's toy (assumptions i-iii) is :func:`toy_model`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

from ..model import NetworkSpec, ValueSets
from ..validation import check_choice

WIDTHS = (1, 2)
ROWS = (1, 2)
WEIGHT_SETS = ((-1.0, 1.0), (-1.0, 0.0, 1.0))
BIAS_SETS = ((-1.0, 1.0), (-1.0, 0.0, 1.0), (0.0,))  # (0,) is "no bias"
NEURON_ACTIVATIONS = (((0.0, 1.0), "heaviside"), ((-1.0, 1.0), "sign"))  # activation image inside the neuron set
PRIORS = ("uniform", "tilted")


@dataclass(frozen=True)
class CatalogModel:
    """One model of the family; :meth:`spec` raises ValueError (with the reason) for a combination outside it."""

    width: int = 1
    rows: int = 1
    weights: tuple[float, ...] = (-1.0, 1.0)
    biases: tuple[float, ...] = (-1.0, 1.0)
    neurons: tuple[float, ...] = (0.0, 1.0)
    activation: str = "heaviside"
    prior: str = "uniform"

    def __post_init__(self):
        check_choice("prior", self.prior, PRIORS)

    @property
    def weight_prior(self) -> tuple[float, ...] | None:
        return None if self.prior == "uniform" else tuple(float(k + 1) for k in range(len(self.weights)))

    @property
    def name(self) -> str:
        def fmt(values):
            return ",".join(f"{v:g}" for v in values)

        biases = "none" if self.biases == (0.0,) else fmt(self.biases)
        return (f"N{self.width}-L{self.rows}-W[{fmt(self.weights)}]-b[{biases}]-h[{fmt(self.neurons)}]"
                f"-{self.activation}-{self.prior}")

    @property
    def slug(self) -> str:
        """The name with only letters, digits, '-', '_' and '.' (a file name)."""
        return self.name.replace("[", "").replace("]", "").replace(",", "_")

    @property
    def states(self) -> int:
        """S = |neurons|^(N L), the number of layer states."""
        return len(self.neurons) ** (self.width * self.rows)

    def spec(self) -> NetworkSpec:
        ones = np.ones((self.rows, self.width))
        values = ValueSets(weights=self.weights, biases=self.biases, neurons=self.neurons,
                           weight_prior=self.weight_prior)
        return NetworkSpec(width=self.width, depth=2, x=ones, y=ones, values=values, activation=self.activation)

    def to_dict(self) -> dict:
        return {"name": self.name, "width": self.width, "rows": self.rows, "weights": list(self.weights),
                "biases": list(self.biases), "neurons": list(self.neurons), "activation": self.activation,
                "prior": self.prior, "weight_prior": self.weight_prior}


def model_family(priors: tuple[str, ...] = PRIORS) -> list[CatalogModel]:
    """Every model of the family with a prior in ``priors`` (only valid combinations are enumerated)."""
    for prior in priors:
        check_choice("priors", prior, PRIORS)
    return [CatalogModel(n, l, w, b, h, act, prior)
            for n, l, w, b, (h, act), prior in itertools.product(WIDTHS, ROWS, WEIGHT_SETS, BIAS_SETS,
                                                                 NEURON_ACTIVATIONS, priors)]


def toy_model() -> CatalogModel:
    """The paper's toy (assumptions i-iii)."""
    return CatalogModel()
