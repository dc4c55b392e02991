"""Sequential: a stack of layers trained with Keras's compile / fit / evaluate / predict.

Training is the loop every lesson builds up to: forward pass, loss, backward pass through the
layers in reverse, optimizer step — repeated over mini-batches and epochs.
"""

from __future__ import annotations

import time

import numpy as np

from nncourse import initializers, losses, optimizers
from nncourse import metrics as nnmetrics
from nncourse.callbacks import History, call_hook
from nncourse.layers.base import Layer, Parameter, as_float
from nncourse.layers.input import InputLayer
from nncourse.progress import ProgressBar, epoch_line


class Sequential:
    """Sequential(layers, seed=None): a model whose layers each feed the next."""

    def __init__(
        self,
        layers: list[Layer] | None = None,
        seed: initializers.Seed = None,
        name: str = "sequential",
    ) -> None:
        self.name = name
        self.layers: list[Layer] = []
        self._rng = initializers.as_generator(seed)
        self.optimizer = self.loss = None
        self.metrics: list[tuple[str, object]] = []
        self.stop_training = False
        for layer in layers or []:
            self.add(layer)

    # -- structure ----------------------------------------------------------------------------
    def add(self, layer: Layer) -> None:
        if not isinstance(layer, Layer):
            raise TypeError(
                f"Sequential.add expects an nncourse layer, got {type(layer).__name__}."
            )
        if layer.seed is None and not layer.built:
            layer.seed = self._rng  # the model's seed makes every layer's initialisation repeatable
        layer.name = _unique_name(layer.name, {other.name for other in self.layers})
        self.layers.append(layer)
        if isinstance(self.layers[0], InputLayer):  # the input shape is known: build as we go
            self.build(self.layers[0].input_shape)

    def build(self, input_shape) -> None:
        """Build every layer in turn, passing each one the previous layer's output shape."""
        shape = (None, *tuple(input_shape)[1:])
        for layer in self.layers:
            if not layer.built:
                layer.build(shape)
            shape = layer.compute_output_shape(shape)

    @property
    def built(self) -> bool:
        return bool(self.layers) and all(layer.built for layer in self.layers)

    def parameters(self) -> list[Parameter]:
        return [p for layer in self.layers for p in layer.parameters()]

    def get_weights(self) -> list[np.ndarray]:
        return [w for layer in self.layers for w in layer.get_weights()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        """Set all weights from one flat list, in the order of ``get_weights()`` (Keras's too)."""
        weights = list(weights)
        expected = sum(len(layer.parameters()) for layer in self.layers)
        if len(weights) != expected:
            raise ValueError(
                f"Model '{self.name}' has {expected} weight arrays, got {len(weights)}."
            )
        for layer in self.layers:
            n = len(layer.parameters())
            layer.set_weights(weights[:n])
            weights = weights[n:]

    def count_params(self) -> int:
        return sum(layer.count_params() for layer in self.layers)

    def regularization_loss(self) -> float:
        """The weight penalties of all layers, part of the reported loss as in Keras."""
        return sum(layer.regularization_loss() for layer in self.layers)

    # -- computation --------------------------------------------------------------------------
    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        for layer in self.layers:
            x = layer.forward(x, training=training)
        return x

    __call__ = forward

    def backward(self, dy: np.ndarray) -> np.ndarray:
        for layer in reversed(self.layers):
            dy = layer.backward(dy)
        return dy

    # -- training -----------------------------------------------------------------------------
    def compile(self, optimizer="rmsprop", loss=None, *, metrics=None) -> None:
        """Choose the optimizer, the loss and the metrics (objects or Keras's string names)."""
        if loss is None:
            raise ValueError("compile() needs a loss, e.g. loss='categorical_crossentropy'.")
        self.optimizer = optimizers.get(optimizer)
        self.loss = losses.get(loss)
        self.metrics = [(_metric_name(m), nnmetrics.get(m, self.loss)) for m in (metrics or [])]

    def train_on_batch(self, x: np.ndarray, y: np.ndarray) -> float:
        """One gradient step on one batch; returns the batch loss (before the step)."""
        self._check_compiled()
        return self._train_step(as_float(x), np.asarray(y))[0]

    def _train_step(self, x: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
        y_pred = self.forward(x, training=True)
        value = float(self.loss.forward(y, y_pred)) + self.regularization_loss()
        if not np.isfinite(value):
            lr = getattr(self.optimizer, "learning_rate", "?")
            raise FloatingPointError(
                f"the loss became {value}, so training stopped. The learning rate ({lr}) may be "
                "too large, or the data may contain NaN or infinite values."
            )
        self.backward(self.loss.backward())
        self.optimizer.step(self.parameters())
        return value, y_pred

    def fit(
        self,
        x,
        y,
        batch_size: int = 32,
        epochs: int = 1,
        verbose: int = 1,
        callbacks=None,
        validation_split: float = 0.0,
        validation_data=None,
        shuffle: bool = True,
    ) -> History:
        """Train for ``epochs`` passes over (x, y) in shuffled mini-batches; returns a History.

        The arguments are keras.Model.fit's, in its order. As in Keras, ``validation_split``
        holds out the last fraction of (x, y), taken before shuffling, and ``validation_data``
        takes precedence over it.
        """
        self._check_compiled()
        x, y = _check_xy(x, y)
        if validation_split and validation_data is None:
            x, y, validation_data = _split_off(x, y, validation_split)
        history = History()
        callbacks = [history, *(callbacks or [])]
        for cb in callbacks:
            if hasattr(cb, "set_model"):
                cb.set_model(self)
        self.stop_training = False
        call_hook(callbacks, "on_train_begin", {})
        n_batches = int(np.ceil(len(x) / batch_size))
        for epoch in range(epochs):
            start = time.perf_counter()
            call_hook(callbacks, "on_epoch_begin", epoch, {})
            order = self._rng.permutation(len(x)) if shuffle else np.arange(len(x))
            bar = ProgressBar(n_batches) if verbose == 1 else None
            if bar:
                print(f"Epoch {epoch + 1}/{epochs}")
            totals, seen = {}, 0
            for b in range(n_batches):
                idx = order[b * batch_size : (b + 1) * batch_size]
                try:
                    value, y_pred = self._train_step(x[idx], y[idx])
                except FloatingPointError as err:
                    raise FloatingPointError(f"Epoch {epoch + 1}, batch {b + 1}: {err}") from None
                batch_logs = {"loss": value, **self._metric_values(y[idx], y_pred)}
                for k, v in batch_logs.items():
                    totals[k] = totals.get(k, 0.0) + v * len(idx)
                seen += len(idx)
                logs = {k: v / seen for k, v in totals.items()}
                call_hook(callbacks, "on_train_batch_end", b, logs)
                if bar:
                    bar.update(b + 1, logs, final=b + 1 == n_batches)
            if validation_data is not None:
                values = self.evaluate(*validation_data, verbose=0)
                logs.update({f"val_{k}": v for k, v in zip(self._log_names(), values)})
            if verbose == 2:
                print(epoch_line(epoch + 1, epochs, time.perf_counter() - start, logs))
            call_hook(callbacks, "on_epoch_end", epoch, logs)
            if self.stop_training:
                break
        call_hook(callbacks, "on_train_end", logs if epochs else {})
        return history

    def predict(self, x, batch_size: int = 256, verbose: int = 0) -> np.ndarray:
        """The model's outputs for x, computed in batches (training=False: no dropout)."""
        x = as_float(x)
        outs = [self.forward(x[i : i + batch_size]) for i in range(0, len(x), batch_size)]
        return np.concatenate(outs) if outs else self.forward(x)

    def evaluate(self, x, y, batch_size: int = 256, verbose: int = 0) -> list[float]:
        """[loss, *metrics] over the whole of (x, y)."""
        self._check_compiled()
        x, y = _check_xy(x, y)
        totals = np.zeros(1 + len(self.metrics))
        for i in range(0, len(x), batch_size):
            xb, yb = x[i : i + batch_size], y[i : i + batch_size]
            y_pred = self.forward(xb)
            loss = float(self.loss.forward(yb, y_pred)) + self.regularization_loss()
            row = [loss, *self._metric_values(yb, y_pred).values()]
            totals += np.array(row) * len(xb)
        values = [float(v) for v in totals / len(x)]
        if verbose:
            print(" - ".join(f"{k}: {v:.4f}" for k, v in zip(self._log_names(), values)))
        return values

    # -- reporting ----------------------------------------------------------------------------
    def summary(self, print_fn=print) -> None:
        """Print a table of layers, output shapes and parameter counts, like Keras's."""
        from nncourse.summary import summary_table

        print_fn(summary_table(self))

    # -- helpers ------------------------------------------------------------------------------
    def _metric_values(self, y_true, y_pred) -> dict[str, float]:
        return {name: float(fn(y_true, y_pred)) for name, fn in self.metrics}

    def _log_names(self) -> list[str]:
        return ["loss", *(name for name, _ in self.metrics)]

    def _check_compiled(self) -> None:
        if self.loss is None or self.optimizer is None:
            raise RuntimeError(
                f"Model '{self.name}' must be compiled before training or evaluation."
            )


def _unique_name(name: str, taken: set[str]) -> str:
    """Keras's naming: the second 'dense' becomes 'dense_1', the third 'dense_2'."""
    candidate, i = name, 0
    while candidate in taken:
        i += 1
        candidate = f"{name}_{i}"
    return candidate


def _metric_name(m) -> str:
    return m if isinstance(m, str) else getattr(m, "__name__", type(m).__name__)


def _split_off(x, y, fraction: float) -> tuple:
    """(x, y) without their last ``fraction``, and that last part as validation data."""
    if not 0.0 < fraction < 1.0:
        raise ValueError(f"validation_split must be between 0 and 1, got {fraction}.")
    keep = int(np.ceil(len(x) * (1.0 - fraction)))  # rounded as Keras rounds it
    if keep == 0 or keep == len(x):
        raise ValueError(
            f"validation_split={fraction} of {len(x)} examples leaves "
            f"{keep} for training and {len(x) - keep} for validation; both need at least one."
        )
    return x[:keep], y[:keep], (x[keep:], y[keep:])


def _check_xy(x, y) -> tuple[np.ndarray, np.ndarray]:
    x, y = as_float(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(
            f"x and y must have the same number of examples, got {len(x)} and {len(y)}."
        )
    if len(x) == 0:
        raise ValueError("x and y are empty: there is nothing to train on.")
    return x, y
