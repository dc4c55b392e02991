"""The Playground's controls, made and arranged here so the Playground class stays short."""

from __future__ import annotations

import ipywidgets as widgets

ACTIVATIONS = ("tanh", "relu", "sigmoid", "leaky_relu", "linear")
OPTIMIZERS = ("SGD", "Momentum", "RMSprop", "Adam")
L2_CHOICES = (0.0, 1e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)


def playground_controls(
    datasets, dataset, noise, hidden, activation, learning_rate, optimizer, batch_size, l2, dropout
) -> dict[str, widgets.Widget]:
    """Every control of the Playground, by the attribute name it gets."""
    wide = {"style": {"description_width": "90px"}}
    return {
        "dataset": widgets.Dropdown(
            options=list(datasets), value=dataset, description="data", **wide
        ),
        "noise": widgets.FloatSlider(
            value=noise,
            min=0,
            max=0.5,
            step=0.05,
            continuous_update=False,
            description="noise",
            **wide,
        ),
        "hidden": widgets.Text(
            value=hidden,
            continuous_update=False,
            description="hidden units",
            placeholder="e.g. 8, 8",
            **wide,
        ),
        "activation": widgets.Dropdown(
            options=ACTIVATIONS, value=activation, description="activation", **wide
        ),
        "learning_rate": widgets.FloatLogSlider(
            value=learning_rate,
            base=10,
            min=-4,
            max=0,
            step=0.1,
            continuous_update=False,
            description="learning rate",
            **wide,
        ),
        "optimizer": widgets.Dropdown(
            options=OPTIMIZERS, value=optimizer, description="optimizer", **wide
        ),
        "batch_size": widgets.Dropdown(
            options=[1, 4, 8, 16, 32, 64, 128], value=batch_size, description="batch size", **wide
        ),
        "l2": widgets.Dropdown(
            options=sorted({*L2_CHOICES, l2}), value=l2, description="L2", **wide
        ),
        "dropout": widgets.FloatSlider(
            value=dropout,
            min=0,
            max=0.6,
            step=0.05,
            continuous_update=False,
            description="dropout",
            **wide,
        ),
        "train_button": widgets.Button(description="Train", icon="play", button_style="success"),
        "pause_button": widgets.Button(description="Pause", icon="pause"),
        "step_button": widgets.Button(
            description="Step", icon="step-forward", tooltip="train on 10 mini-batches"
        ),
        "reset_button": widgets.Button(description="Reset", icon="refresh", button_style="warning"),
        "status": widgets.HTML().add_class("nncourse-status"),
    }


def playground_layout(p) -> list[widgets.Widget]:
    """Three columns of settings, a row of buttons and a status line."""
    column = widgets.VBox
    return [
        widgets.HBox(
            [
                column([p.dataset, p.noise, p.batch_size]),
                column([p.hidden, p.activation, p.dropout]),
                column([p.optimizer, p.learning_rate, p.l2]),
            ]
        ),
        widgets.HBox([p.train_button, p.pause_button, p.step_button, p.reset_button, p.status]),
    ]
