"""nncourse: neural networks from a single neuron to LSTMs, in numpy, side by side with Keras.

Importing the package is cheap: submodules (``nncourse.layers``, ``nncourse.models``, …) load
on first use, and nothing here imports TensorFlow or matplotlib.
"""

from __future__ import annotations

import importlib

__version__ = "0.1.0"

_SUBMODULES = {
    "activations",
    "autodiff",
    "callbacks",
    "clipping",
    "datasets",
    "gradcheck",
    "initializers",
    "layers",
    "losses",
    "metrics",
    "models",
    "neuron",
    "optimizers",
    "plots",
    "regularizers",
    "widgets",
}


def __getattr__(name: str):
    if name in _SUBMODULES:
        return importlib.import_module(f"nncourse.{name}")
    raise AttributeError(f"module 'nncourse' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_SUBMODULES])
