"""Playground: the TensorFlow Playground experience on nncourse's numpy Sequential.

Pick a data set, an architecture and the training settings, press Train and watch the decision
boundary and the loss curves change. Train runs in a background thread so the notebook stays
responsive; Pause stops it. The same training runs synchronously with ``step(n_batches)``, and
``reset()`` starts again from the same initial weights.
"""

from __future__ import annotations

import threading
import time

import ipywidgets as widgets
import numpy as np

from nncourse.models import Sequential
from nncourse.plots.boundary import plot_decision_boundary
from nncourse.plots.style import limits
from nncourse.plots.surfaces import make_optimizer
from nncourse.plots.training import plot_history
from nncourse.widgets import controls
from nncourse.widgets.base import Explorer
from nncourse.widgets.training import (
    DATASETS,
    Batches,
    build_classifier,
    parse_hidden,
    toy_data,
    train_batch,
)


class Playground(Explorer):
    """Train a small classifier on a 2-D toy problem, live.   Playground(model=my_model) too."""

    figsize = (9.0, 3.8)
    css_class = "nncourse-playground"
    redraw_interval = 0.3  # seconds between redraws while training in the background

    def __init__(
        self,
        model: Sequential | None = None,
        dataset: str = "moons",
        noise: float = 0.2,
        hidden: str = "8, 8",
        activation: str = "tanh",
        learning_rate: float = 0.03,
        optimizer: str = "Adam",
        batch_size: int = 16,
        l2: float = 0.0,
        dropout: float = 0.0,
        seed: int = 0,
    ) -> None:
        super().__init__()
        parse_hidden(hidden)  # a clear error now rather than a blank widget
        self.seed, self.user_model = seed, model
        made = controls.playground_controls(
            DATASETS, dataset=dataset, noise=noise, hidden=hidden, activation=activation,
            learning_rate=learning_rate, optimizer=optimizer, batch_size=batch_size, l2=l2,
            dropout=dropout,
        )  # fmt: skip
        for name, control in made.items():
            setattr(self, name, control)
        if model is not None:  # the learner's own architecture: its controls do not apply
            for control in (self.hidden, self.activation, self.dropout):
                control.disabled = True
        self.train_button.on_click(lambda _: self.train())
        self.pause_button.on_click(lambda _: self.pause())
        self.step_button.on_click(lambda _: self.step(10))
        self.reset_button.on_click(lambda _: self.reset())
        self.dataset.observe(self._new_data, names="value")
        self.noise.observe(self._new_data, names="value")
        self.hidden.observe(self._new_hidden, names="value")
        for control in (self.activation, self.dropout):
            control.observe(lambda _: self.reset(), names="value")
        self.optimizer.observe(lambda _: self._new_optimizer(), names="value")
        self.learning_rate.observe(self._set_learning_rate, names="value")
        self._lock, self._stop, self._thread = threading.RLock(), threading.Event(), None
        self._new_data()

    # -- training, usable without any widget ----------------------------------------------------
    def step(self, n_batches: int = 1, redraw: bool = True) -> float:
        """Train on n_batches mini-batches, then record the train and test loss; returns train."""
        # A diverging run ends in FloatingPointError from train_batch, not in overflow warnings.
        with self._lock, np.errstate(over="ignore", invalid="ignore"):
            for _ in range(n_batches):
                idx = self.batches.take(self.batch_size.value)
                train_batch(self.model, self.x_train[idx], self.y_train[idx], self.l2.value)
            self._record()
        if redraw:
            self.update()
        return self.history["loss"][-1]

    def reset(self, redraw: bool = True) -> None:
        """Fresh weights (the same ones for the same seed), optimizer, batches and history."""
        with self._lock:
            self.model = self._make_model()
            self._new_optimizer(redraw=False)
            self.batches = Batches(len(self.x_train), self.seed)
            self.history = {"loss": [], "val_loss": [], "accuracy": [], "val_accuracy": []}
            self.epochs: list[float] = []
            self._record()
        if redraw:
            self.update()

    def train(self) -> None:
        """Start training in a background thread, an epoch at a time, until pause()."""
        if self.running:
            return
        if self._thread is not None:  # a loop told to stop may still be finishing its epoch
            self._thread.join(timeout=10)
        self._stop.clear()
        self._thread = threading.Thread(target=self._train_loop, daemon=True)
        self._thread.start()

    def pause(self) -> None:
        """Stop background training after the current epoch."""
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=10)

    @property
    def running(self) -> bool:
        """True while background training goes on (False as soon as Pause is pressed)."""
        alive = self._thread is not None and self._thread.is_alive()
        return alive and not self._stop.is_set()

    # -- helpers ------------------------------------------------------------------------------
    def _train_loop(self) -> None:
        last, error = time.monotonic(), None
        while not self._stop.is_set():
            per_epoch = int(np.ceil(len(self.x_train) / self.batch_size.value))
            try:
                self.step(per_epoch, redraw=False)
            except FloatingPointError as err:
                error = err
                self._stop.set()
            if time.monotonic() - last > self.redraw_interval:
                self.update()
                last = time.monotonic()
        self.update()
        if error is not None:
            self.status.value += f" · <span style='color:#b00'>stopped: {error}</span>"

    def _make_model(self) -> Sequential:
        if self.user_model is None:
            hidden = parse_hidden(self.hidden.value)
            return build_classifier(hidden, self.activation.value, self.dropout.value, self.seed)
        if not hasattr(self, "_initial_weights"):
            self.user_model.build((None, 2))
            self._initial_weights = self.user_model.get_weights()
        self.user_model.set_weights(self._initial_weights)
        return self.user_model

    def _new_optimizer(self, redraw: bool = True) -> None:
        """A fresh optimizer of the chosen kind (its memory starts empty); the weights stay."""
        with self._lock:
            loss = self.model.loss
            if loss is None:
                outputs = self.model.predict(self.x_train[:1]).shape[-1]
                loss = "binary_crossentropy" if outputs == 1 else "sparse_categorical_crossentropy"
            opt = make_optimizer(self.optimizer.value, self.learning_rate.value)
            self.model.compile(opt, loss, metrics=["accuracy"])
        if redraw:
            self.update()

    def _new_hidden(self, change) -> None:
        """Rebuild for a valid layer list; put the old text back (and say why) otherwise."""
        if self._holding:  # this is the old text coming back
            return
        try:
            parse_hidden(change["new"])
        except ValueError as err:
            with self.hold(redraw=False):
                self.hidden.value = change["old"]
            self.status.value = f"<span style='color:#b00'>{err}</span>"
            return
        self.reset()

    def _set_learning_rate(self, change) -> None:
        self.model.optimizer.learning_rate = change["new"]

    def _new_data(self, change=None, redraw: bool = True) -> None:
        with self._lock:
            data = toy_data(self.dataset.value, self.noise.value, seed=self.seed)
            (self.x_train, self.y_train), (self.x_test, self.y_test) = data
            self.xlim, self.ylim = limits(np.vstack([self.x_train, self.x_test]))
            self.reset(redraw=False)
        if redraw:  # outside the lock: a redraw takes the drawing lock first, then this one
            self.update()

    def _record(self) -> None:
        """Append the loss and accuracy over all training and all test data (no dropout)."""
        train = self.model.evaluate(self.x_train, self.y_train)
        test = self.model.evaluate(self.x_test, self.y_test)
        for key, value in zip(("loss", "accuracy", "val_loss", "val_accuracy"), (*train, *test)):
            self.history[key].append(value)
        self.epochs.append(self.batches.epoch)

    # -- drawing ------------------------------------------------------------------------------
    def controls(self) -> list[widgets.Widget]:
        return controls.playground_layout(self)

    def layout(self, controls_list):
        return widgets.VBox([*controls_list, self.image])

    def draw(self, figure):
        ax_boundary, ax_loss = figure.subplots(1, 2)
        with self._lock:
            drawn = plot_decision_boundary(
                ax_boundary,
                self.model,
                self.x_train,
                self.y_train,
                self.xlim,
                self.ylim,
                resolution=80,
            )
            ax_boundary.scatter(
                *self.x_test.T,
                s=18,
                facecolors="none",
                edgecolors="k",
                linewidths=0.6,
                label="test",
            )
            plot_history(ax_loss, self.history, "loss", ("train", "test"), x=self.epochs)
            h, epoch = self.history, self.epochs[-1]
        ax_loss.set_xlabel("epoch")
        ax_boundary.set_title(f"epoch {epoch:.1f}: test accuracy {h['val_accuracy'][-1]:.0%}")
        self.status.value = (
            f"epoch {epoch:.2f} · train loss {h['loss'][-1]:.3f} · test loss "
            f"{h['val_loss'][-1]:.3f}" + (" · training…" if self.running else "")
        )
        return drawn
