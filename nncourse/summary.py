"""The text table printed by ``Sequential.summary()``."""

from __future__ import annotations


def summary_table(model) -> str:
    """Layers with their output shapes and parameter counts, and the totals."""
    rows = [("Layer (type)", "Output Shape", "Param #")]
    shape = None
    for layer in model.layers:
        if layer.built and layer.input_shape is not None:
            shape = layer.compute_output_shape(shape or layer.input_shape)
            out = str(shape)
        else:
            out = "? (not built)"
        rows.append((f"{layer.name} ({type(layer).__name__})", out, f"{layer.count_params():,}"))
    widths = [max(len(r[i]) for r in rows) + 2 for i in range(3)]
    line = "-" * sum(widths)
    fmt = "".join(f"{{:<{w}}}" for w in widths)
    body = [f'Model: "{model.name}"', line, fmt.format(*rows[0]), "=" * sum(widths)]
    body += [fmt.format(*r) for r in rows[1:]]
    total = model.count_params()
    body += ["=" * sum(widths), f"Total params: {total:,}", f"Trainable params: {total:,}", line]
    if not model.built:
        body.append("The model is not fully built: call build(input_shape) or fit() first.")
    return "\n".join(body)
