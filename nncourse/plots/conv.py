"""A kernel sliding over an image: where it sits now, and the output cell it computes there.

Output cell (row, col) is the sum of the kernel times the image patch under it, the patch
starting at (row * stride, col * stride) of the (padded) image. Earlier cells are already
filled in; later ones are still blank. The colours are scaled to the whole image and the whole
output, so a value keeps its colour from one position to the next.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from matplotlib.patches import Rectangle

from nncourse.layers import conv2d_forward
from nncourse.layers.padding import pad2d, pair


@dataclass
class SlideFrame:
    """One position of the sliding kernel and the output computed up to it."""

    row: int
    col: int
    value: float  # the output cell computed at this position
    padded: np.ndarray  # (Hp, Wp) the image with its padding
    output: np.ndarray  # (Ho, Wo) cells up to this position, NaN after it
    full: np.ndarray  # (Ho, Wo) every cell: fixes the colour scale for all positions
    artists: list = field(default_factory=list)


def slide_frame(image, kernel, position: int, stride=1, padding: str = "valid") -> SlideFrame:
    """The state after ``position`` steps (row by row) of a kernel (kh, kw) over an image (H, W)."""
    image, kernel = np.asarray(image, dtype=np.float64), np.asarray(kernel, dtype=np.float64)
    strides = pair(stride, "strides")
    full, _ = conv2d_forward(
        image[None, :, :, None], kernel[:, :, None, None], None, strides, padding
    )
    full = full[0, :, :, 0]
    Ho, Wo = full.shape
    if not 0 <= position < Ho * Wo:
        raise ValueError(f"position must lie in [0, {Ho * Wo}) for a {Ho}x{Wo} output.")
    row, col = divmod(int(position), Wo)
    output = np.full_like(full, np.nan)
    output.flat[: position + 1] = full.flat[: position + 1]
    padded, _ = pad2d(image[None, :, :, None], kernel.shape, strides, padding)
    return SlideFrame(row, col, float(full[row, col]), padded[0, :, :, 0], output, full)


def plot_kernel_slide(
    ax_image, ax_output, image, kernel, position: int, stride=1, padding: str = "valid"
) -> SlideFrame:
    """The (padded) image with the kernel's window outlined, and the output cell it fills."""
    frame = slide_frame(image, kernel, position, stride, padding)
    (sh, sw), (kh, kw) = pair(stride, "strides"), np.shape(kernel)
    ax_image.imshow(frame.padded, cmap="gray", vmin=frame.padded.min(), vmax=frame.padded.max())
    window = Rectangle(
        (frame.col * sw - 0.5, frame.row * sh - 0.5), kw, kh, fill=False, ec="red", lw=2.5
    )
    ax_image.add_patch(window)
    ax_image.set_title(
        f"input {frame.padded.shape[0]}x{frame.padded.shape[1]}"
        + (" (padded)" if padding == "same" else "")
    )
    ax_output.imshow(frame.output, cmap="viridis", vmin=frame.full.min(), vmax=frame.full.max())
    cell = Rectangle((frame.col - 0.5, frame.row - 0.5), 1, 1, fill=False, ec="red", lw=2.5)
    ax_output.add_patch(cell)
    ax_output.set_title(
        f"output {frame.output.shape[0]}x{frame.output.shape[1]}: "
        f"cell ({frame.row}, {frame.col}) = {frame.value:.2f}"
    )
    for ax in (ax_image, ax_output):
        ax.set_xticks([])
        ax.set_yticks([])
    frame.artists = [window, cell]
    return frame
