"""Window arithmetic shared by convolution and pooling: sizes, strides and Keras's padding.

A window of size k slides over an axis of length H in steps of s. With ``padding="valid"`` it
only visits whole windows, giving floor((H - k) / s) + 1 outputs. With ``padding="same"`` the
output has ceil(H / s) entries and the input is padded by just enough zeros to make that work:
total = max((out - 1) * s + k - H, 0), with the odd one out at the end (bottom / right), exactly
as TensorFlow does.
"""

from __future__ import annotations

import numpy as np

PADDINGS = ("valid", "same")


def image_shape(layer_name: str, input_shape) -> tuple:
    """input_shape as (N, H, W, C), or a ValueError naming the layer and the shape it got."""
    input_shape = tuple(input_shape)
    if len(input_shape) != 4:
        raise ValueError(
            f"Layer '{layer_name}' expects input of rank 4 (batch, H, W, C), "
            f"got shape {input_shape}."
        )
    return input_shape


def pair(value, name: str) -> tuple[int, int]:
    """An int or a pair of ints as a (rows, cols) pair of positive ints."""
    values = (value, value) if np.isscalar(value) else tuple(value)
    if len(values) != 2 or any(int(v) != v or v < 1 for v in values):
        raise ValueError(f"{name} must be a positive int or a pair of positive ints, got {value!r}")
    return int(values[0]), int(values[1])


def check_padding(padding: str) -> str:
    """The padding name in lower case, or a ValueError listing the valid names."""
    name = padding.lower() if isinstance(padding, str) else padding
    if name not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}.")
    return name


def output_size(size: int | None, k: int, s: int, padding: str) -> int | None:
    """Number of window positions along one axis (None stays None)."""
    if size is None:
        return None
    if padding == "same":
        return -(-size // s)  # ceil(size / s)
    if k > size:
        raise ValueError(f"window of size {k} does not fit in an input of size {size}")
    return (size - k) // s + 1


def output_hw(layer_name: str, what: str, input_shape, window, strides, padding: str):
    """(out_H, out_W) of a window sliding over input_shape (N, H, W, C), or a clear error."""
    H, W = image_shape(layer_name, input_shape)[1:3]
    try:
        return tuple(output_size(n, k, s, padding) for n, k, s in zip((H, W), window, strides))
    except ValueError:
        raise ValueError(
            f"Layer '{layer_name}': {what} {tuple(window)} is larger than the input {(H, W)} "
            f"with padding '{padding}' (input shape {tuple(input_shape)})."
        ) from None


def pad_amounts(size: int, k: int, s: int, padding: str) -> tuple[int, int]:
    """(before, after) padding along one axis; "same" puts the extra cell after."""
    if padding == "valid":
        return 0, 0
    total = max((output_size(size, k, s, padding) - 1) * s + k - size, 0)
    return total // 2, total - total // 2


def pad2d(x: np.ndarray, kernel, strides, padding: str, value: float = 0.0):
    """Pad the H and W axes of x (N, H, W, C) -> (xp, ((top, bottom), (left, right)))."""
    pads = tuple(pad_amounts(n, k, s, padding) for n, k, s in zip(x.shape[1:3], kernel, strides))
    if pads == ((0, 0), (0, 0)):
        return x, pads
    return np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=value), pads


def unpad2d(xp: np.ndarray, pads) -> np.ndarray:
    """Cut the padding made by pad2d off again (the inverse used in backward passes)."""
    (top, bottom), (left, right) = pads
    return xp[:, top : xp.shape[1] - bottom, left : xp.shape[2] - right, :]


def tap(i: int, s: int, n: int) -> slice:
    """The input rows one kernel offset i touches: i, i + s, ..., for n output rows."""
    return slice(i, i + s * (n - 1) + 1, s)
