"""Data sets for training: scikit-learn's bundled digits and a synthetic teacher-student task.

Targets are one-hot rows (classification by the squared, or L^p, mismatch of eq 14); inputs are floats.
"""

from __future__ import annotations

import dataclasses

import numpy as np

DATASETS = ("digits", "teacher")


@dataclasses.dataclass(frozen=True)
class Dataset:
    """Train/test split; validated at construction (2-d, same widths, finite)."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray

    def __post_init__(self):
        for part in ("x_train", "y_train", "x_test", "y_test"):
            value = np.asarray(getattr(self, part), dtype=np.float32)
            if value.ndim != 2 or value.shape[0] == 0:
                raise ValueError(f"data: {part} must be a non-empty 2-d array, got shape {value.shape}")
            if not np.all(np.isfinite(value)):
                raise ValueError(f"data: {part} contains NaN or infinity")
            object.__setattr__(self, part, value)
        if self.x_train.shape[0] != self.y_train.shape[0] or self.x_test.shape[0] != self.y_test.shape[0]:
            raise ValueError("data: inputs and targets have different numbers of rows")
        if self.x_train.shape[1] != self.x_test.shape[1] or self.y_train.shape[1] != self.y_test.shape[1]:
            raise ValueError("data: train and test parts have different widths")

    @property
    def widths(self) -> tuple[int, int]:
        """(input width, output width)."""
        return self.x_train.shape[1], self.y_train.shape[1]

    def summary(self) -> dict:
        return {"name": self.name, "train_rows": int(self.x_train.shape[0]), "test_rows": int(self.x_test.shape[0]),
                "input_width": self.widths[0], "output_width": self.widths[1]}


def _split(name, x, labels, classes, rng, test_fraction):
    order = rng.permutation(len(x))
    n_test = int(round(test_fraction * len(x)))
    onehot = np.eye(classes, dtype=np.float32)[labels]
    test, train = order[:n_test], order[n_test:]
    return Dataset(name, x[train], onehot[train], x[test], onehot[test])


def standardize(data: Dataset) -> Dataset:
    """Shift and scale every input column to mean 0, variance 1 over the training rows (constant columns -> 0).

    The test rows use the training statistics. Raw digits pixels share a mean image (mean 0.30 on a [0, 1]
    scale): two different digits start with a mean cosine similarity of 0.69 (0.001 after standardizing). A deep
    tanh net at the edge of chaos (:func:`deeprg.continuous.model.init_params`) carries that common mode to every
    layer, and one epoch of Adam (1e-2) drives it into the ordered phase, where every input gives the same
    saturated representation (9 hidden layers of 64: 22% test accuracy; after one epoch the variance of the last
    hidden layer over the inputs is below 1e-5 of its mean square, against 0.3 at initialisation).
    """
    mean = data.x_train.mean(axis=0)
    std = data.x_train.std(axis=0)
    scale = np.where(std > 0, std, 1.0).astype(np.float32)
    return Dataset(data.name, (data.x_train - mean) / scale, data.y_train, (data.x_test - mean) / scale, data.y_test)


def load_digits(seed: int = 0, test_fraction: float = 0.2) -> Dataset:
    """The 1797 8x8 digits, 10 classes, split at random with ``seed``, pixels :func:`standardize` d."""
    from sklearn.datasets import load_digits as sk_digits

    bunch = sk_digits()
    return standardize(_split("digits", bunch.data.astype(np.float32), bunch.target, 10,
                              np.random.default_rng(seed), test_fraction))


def teacher_dataset(input_width: int, classes: int, seed: int = 0, rows: int = 2500, hidden: int = 32,
                    test_fraction: float = 0.2) -> Dataset:
    """Gaussian inputs labelled by the argmax of a random one-hidden-layer tanh teacher."""
    if classes < 2:
        raise ValueError(f"widths: the teacher task needs an output width >= 2 (classes), got {classes}")
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((rows, input_width)).astype(np.float32)
    w1 = rng.standard_normal((input_width, hidden)) / np.sqrt(input_width)
    w2 = rng.standard_normal((hidden, classes)) / np.sqrt(hidden)
    labels = np.argmax(np.tanh(x @ w1) @ w2, axis=1)
    return _split("teacher", x, labels, classes, rng, test_fraction)


def load_dataset(name: str, widths, seed: int = 0) -> Dataset:
    """``digits`` (fixed widths 64 -> 10) or ``teacher`` (widths taken from ``widths``)."""
    if name == "digits":
        return load_digits(seed)
    if name == "teacher":
        return teacher_dataset(int(widths[0]), int(widths[-1]), seed)
    raise ValueError(f"dataset: {name!r} is not one of {', '.join(DATASETS)}")
