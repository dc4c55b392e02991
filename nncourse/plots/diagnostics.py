"""Training diagnostics: per-layer statistics of one training step, computed without drawing.

For every layer of an nncourse Sequential this records, after one forward and backward pass on
(x, y): the layer's outputs, the gradient of the loss with respect to them, how many units sit
saturated (where the activation's derivative is nearly zero), the weight gradients, and the
*update-to-data ratio* ||dW|| / ||W|| the optimizer's next step would make. A healthy network
keeps that ratio near 1e-3; far below, the layer hardly learns; far above, it thrashes.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from nncourse.layers.base import as_float
from nncourse.plots.activations import SATURATION_THRESHOLD, derivative


@dataclass
class LayerStatistics:
    """What one layer did during one training step (arrays are flattened)."""

    name: str
    activation: str | None
    outputs: np.ndarray
    output_grads: np.ndarray
    saturation: float | None  # fraction of outputs with |f'(z)| < threshold; None if no f
    weight_grads: dict[str, np.ndarray] = field(default_factory=dict)
    update_ratios: dict[str, float] = field(default_factory=dict)  # NaN where the weights are 0


def saturation_fraction(
    activation: str | None, z: np.ndarray, threshold: float = SATURATION_THRESHOLD
) -> float | None:
    """The share of pre-activations z where the activation's derivative is below threshold."""
    if activation in (None, "softmax"):
        return None
    return float(np.mean(np.abs(derivative(activation, z)) < threshold))


def _proposed_updates(model) -> list[np.ndarray]:
    """The change the optimizer's next step would make to each parameter, applied to copies.

    Copying the optimizer together with the parameters keeps its memory (momentum, running
    averages) attached to the copied parameters, so the model itself is left untouched.
    """
    optimizer, params = copy.deepcopy((model.optimizer, model.parameters()))
    before = [p.data.copy() for p in params]
    optimizer.step(params)
    return [p.data - old for p, old in zip(params, before)]


def _forward_backward(model, x, y, training: bool):
    """One pass through the layers, keeping each output and the gradient that came back to it."""
    h, outputs = as_float(x), []
    for layer in model.layers:
        h = layer.forward(h, training=training)
        outputs.append(h)
    model.loss.forward(np.asarray(y), h)
    dy, output_grads = model.loss.backward(), [None] * len(model.layers)
    for i in reversed(range(len(model.layers))):
        output_grads[i] = dy
        dy = model.layers[i].backward(dy)
    return outputs, output_grads


def _ratio(update: np.ndarray, w: np.ndarray) -> float:
    return float(np.linalg.norm(update) / np.linalg.norm(w)) if np.any(w) else float("nan")


def layer_statistics(
    model, x, y, training: bool = True, threshold: float = SATURATION_THRESHOLD
) -> list[LayerStatistics]:
    """Run one forward and backward pass of a compiled Sequential on (x, y) and describe it.

    The weights do not change; the gradients left in each Parameter's ``.grad`` are this pass's.
    Layers without weights or an activation (Dropout, Flatten, ...) are skipped.
    """
    if model.loss is None or model.optimizer is None:
        raise RuntimeError("layer_statistics needs a compiled model (it uses its loss).")
    outputs, output_grads = _forward_backward(model, x, y, training)
    updates = iter(_proposed_updates(model))
    stats = []
    for layer, out, grad in zip(model.layers, outputs, output_grads):
        activation, params = getattr(layer, "activation", None), layer.parameters()
        steps = [next(updates) for _ in params]
        if not params and activation is None:
            continue
        z = getattr(layer, "_z", None)  # the pre-activation, kept by layers that apply one
        saturation = None if z is None else saturation_fraction(activation, z, threshold)
        grads = {p.name: p.grad.ravel().copy() for p in params}
        ratios = {p.name: _ratio(u, p.data) for p, u in zip(params, steps)}
        stats.append(
            LayerStatistics(
                layer.name,
                activation,
                out.ravel().copy(),
                grad.ravel().copy(),
                saturation,
                grads,
                ratios,
            )
        )
    return stats
