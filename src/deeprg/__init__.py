"""deeprg: statistical physics of deep neural networks (re-exports only)."""

__version__ = "0.1.0"
