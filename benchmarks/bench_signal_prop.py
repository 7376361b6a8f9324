"""Finite-width signal propagation: the Gram-matrix sampler (O(N) per layer) vs explicit random matrices (O(N^2)).

Both draw two inputs through the same distribution of random tanh networks (width 1024, depth 10, 16 networks,
DNA noise beta_v = 4); the ratio is the speed-up per network. Run: .venv/bin/python benchmarks/bench_signal_prop.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from _timing import best_time, record  # noqa: E402

from deeprg.continuous.signal_prop import noise_variance, sample_networks  # noqa: E402

WIDTH, DEPTH, SAMPLES, SW2, SB2, BETA_V = 1024, 10, 16, 2.0, 0.05, 4.0


def explicit(rng):
    """Baseline: dense W (float32, as cheap as NumPy gets) applied to both inputs, layer by layer."""
    x = np.sqrt(0.4) * np.stack([np.ones(WIDTH), 0.5 * np.ones(WIDTH) + np.sqrt(0.75) * np.resize([1.0, -1.0], WIDTH)])
    noise = math.sqrt(noise_variance(BETA_V))
    out = []
    for _ in range(SAMPLES):
        h = x
        for _ in range(DEPTH):
            w = rng.standard_normal((WIDTH, WIDTH), dtype=np.float32) * np.float32(math.sqrt(SW2 / WIDTH))
            h = np.tanh(h @ w.T + rng.standard_normal(WIDTH) * math.sqrt(SB2)) + noise * rng.standard_normal(h.shape)
        out.append(h @ h.T / WIDTH)
    return out


def main():
    rng = np.random.default_rng(0)
    t_gram = best_time(lambda: sample_networks(rng, "tanh", SW2, SB2, BETA_V, WIDTH, DEPTH, SAMPLES, 0.4, 0.5),
                       repeat=5)
    t_explicit = best_time(lambda: explicit(rng), repeat=2)
    record("signal_prop", {"width": WIDTH, "depth": DEPTH, "networks": SAMPLES,
                           "gram_seconds": t_gram, "explicit_seconds": t_explicit,
                           "speedup_gram_over_explicit": t_explicit / t_gram})


if __name__ == "__main__":
    main()
