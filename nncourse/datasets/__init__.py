"""Data sets for the course, returned like keras.datasets: (x_train, y_train), (x_test, y_test).

Offline: load_digits, load_iris, load_breast_cancer (bundled with scikit-learn) and the
synthetic moons, spirals, XOR, circles and sine-wave windows. Online once, then cached:
load_mnist and load_fashion_mnist.
"""

from nncourse.datasets.bundled import load_breast_cancer, load_digits, load_iris
from nncourse.datasets.download import ChecksumError, DatasetUnavailableError, data_home, fetch
from nncourse.datasets.mnist import load_fashion_mnist, load_mnist, read_idx
from nncourse.datasets.sequences import load_sine_forecast, make_sine_sequences
from nncourse.datasets.synthetic import (
    load_circles,
    load_moons,
    load_spirals,
    load_xor,
    make_circles,
    make_moons,
    make_spirals,
    make_xor,
)
from nncourse.datasets.utils import to_categorical, train_test_split

__all__ = [
    "ChecksumError",
    "DatasetUnavailableError",
    "data_home",
    "fetch",
    "load_breast_cancer",
    "load_circles",
    "load_digits",
    "load_fashion_mnist",
    "load_iris",
    "load_mnist",
    "load_moons",
    "load_sine_forecast",
    "load_spirals",
    "load_xor",
    "make_circles",
    "make_moons",
    "make_sine_sequences",
    "make_spirals",
    "make_xor",
    "read_idx",
    "to_categorical",
    "train_test_split",
]
