"""Continuous dynamic neurons for real MLPs (Lee, Lee & Yi, Appendix A, footnote 7, Appendix B): one JAX energy,
DNA training (eq A1 and alternating inference/learning), backprop baseline, Langevin sampling (eq 4)."""

from .data import Dataset, load_dataset
from .dynamics import joint_descent, mala_step, make_backprop_step, make_dna_step, sample_chains, ula_step
from .gaussian import quadratic_form
from .model import MLPSpec, energy, forward, init_params, loss
from .spinglass import compare_with_b2, overlap_vs_beta
from .training import TrainConfig, TrainResult, train

__all__ = ["MLPSpec", "energy", "forward", "init_params", "loss", "Dataset", "load_dataset", "joint_descent",
           "make_dna_step", "make_backprop_step", "ula_step", "mala_step", "sample_chains", "quadratic_form",
           "compare_with_b2", "overlap_vs_beta", "TrainConfig", "TrainResult", "train"]
