"""Small discrete models used across the RG tests (every kind the exact engine handles)."""

from deeprg.model import NetworkSpec, ValueSets

TOY = NetworkSpec()
MODELS = {
    "toy": TOY,
    "sign": NetworkSpec(values=ValueSets(neurons=(-1, 1)), activation="sign"),
    "ternary-weights-prior": NetworkSpec(values=ValueSets(weights=(-1, 0, 1), weight_prior=(1, 2, 1))),
    "N2-no-bias": NetworkSpec(width=2, values=ValueSets(biases=(0,))),
    "L2": NetworkSpec(x=[[1], [0]], y=[[1], [0]]),
    "p1-custom": NetworkSpec(p=1.0, beta_v=0.7, values=ValueSets(neurons=(0, 1, 2), weights=(1, 2), biases=(-1, 0)),
                             activation=lambda a: (a >= 0).astype(float) + (a >= 2)),
}
