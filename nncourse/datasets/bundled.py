"""Small real data sets that ship inside scikit-learn, so they load offline.

scikit-learn is imported inside each function: importing nncourse.datasets stays cheap.
"""

from __future__ import annotations

import numpy as np

from nncourse.datasets.utils import Split, standardize, train_test_split
from nncourse.initializers import Seed, as_generator


def load_digits(
    test_size: float = 0.25, seed: Seed = 0, flatten: bool = False, normalize: bool = True
) -> Split:
    """1,797 handwritten digits, 8x8 pixels.   x (N, 8, 8, 1) or (N, 64) float64, y (N,) in 0..9.

    Pixels are ink levels 0..16; normalize=True divides by 16 so they lie in [0, 1].
    """
    from sklearn.datasets import load_digits as sklearn_digits

    bunch = sklearn_digits()
    x = bunch.images.astype(np.float64)
    if normalize:
        x = x / 16.0
    x = x.reshape(len(x), 64) if flatten else x[..., None]  # channels last, as Keras expects
    return train_test_split(x, bunch.target.astype(np.int64), test_size, as_generator(seed))


def _tabular(bunch, test_size: float, seed: Seed, scale: bool) -> Split:
    """Split a scikit-learn table and, if asked, standardize it with the training statistics."""
    x, y = bunch.data.astype(np.float64), bunch.target.astype(np.int64)
    (x_train, y_train), (x_test, y_test) = train_test_split(x, y, test_size, as_generator(seed))
    if scale:
        x_train, x_test = standardize(x_train, x_test)
    return (x_train, y_train), (x_test, y_test)


def load_breast_cancer(test_size: float = 0.25, seed: Seed = 0, standardize: bool = True) -> Split:
    """569 tumours, 30 measurements each; y = 1 benign, 0 malignant.   x (N, 30), y (N,)."""
    from sklearn.datasets import load_breast_cancer as sklearn_cancer

    return _tabular(sklearn_cancer(), test_size, seed, standardize)


def load_iris(test_size: float = 0.25, seed: Seed = 0, standardize: bool = True) -> Split:
    """150 iris flowers, 4 measurements each, 3 species.   x (N, 4), y (N,) in 0..2."""
    from sklearn.datasets import load_iris as sklearn_iris

    return _tabular(sklearn_iris(), test_size, seed, standardize)
