"""Grids of small images: a convolution layer's filters and the feature maps they produce.

The images are tiled into one mosaic with a blank (NaN) gap between tiles, so a whole grid is a
single ``imshow`` on a single Axes.
"""

from __future__ import annotations

import numpy as np


def tile(images: np.ndarray, columns: int | None = None, gap: int = 1) -> np.ndarray:
    """Lay n images side by side in rows.   images (n, h, w) -> mosaic (rows*(h+gap)-gap, ...)."""
    images = np.asarray(images, dtype=np.float64)
    n, h, w = images.shape
    columns = columns or int(np.ceil(np.sqrt(n)))
    rows = int(np.ceil(n / columns))
    mosaic = np.full((rows * (h + gap) - gap, columns * (w + gap) - gap), np.nan)
    for k, image in enumerate(images):
        r, c = divmod(k, columns)
        mosaic[r * (h + gap) : r * (h + gap) + h, c * (w + gap) : c * (w + gap) + w] = image
    return mosaic


def _label_tiles(ax, n: int, shape: tuple[int, int], columns: int, gap: int) -> None:
    h, w = shape
    for k in range(n):
        r, c = divmod(k, columns)
        ax.text(
            c * (w + gap) - 0.4,
            r * (h + gap) - 0.4,
            str(k),
            fontsize=7,
            va="top",
            color="black",
            bbox={"fc": "white", "ec": "none", "pad": 0.5},
        )


def plot_filters(ax, kernel: np.ndarray, channel: int = 0, columns: int | None = None):
    """Every filter of a Conv2D kernel (kh, kw, C, F) for one input channel, on one colour scale.

    Grey is 0, white positive and black negative weights, the same for every filter.
    """
    kernel = np.asarray(kernel)
    if kernel.ndim != 4:
        raise ValueError(f"Expected a Conv2D kernel (kh, kw, C, F), got shape {kernel.shape}.")
    filters = np.moveaxis(kernel[:, :, channel, :], -1, 0)  # (F, kh, kw)
    columns = columns or int(np.ceil(np.sqrt(len(filters))))
    bound = float(np.abs(filters).max()) or 1.0
    image = ax.imshow(tile(filters, columns), cmap="gray", vmin=-bound, vmax=bound)
    _label_tiles(ax, len(filters), filters.shape[1:], columns, 1)
    ax.set_title(f"{len(filters)} filters, input channel {channel}")
    ax.set_axis_off()
    return image


def plot_feature_maps(ax, maps: np.ndarray, columns: int | None = None, normalize: bool = True):
    """Every channel of one image's feature maps (H, W, F) (or (1, H, W, F)) as a grid.

    normalize=True stretches each map to [0, 1] on its own, so weak maps stay visible.
    """
    maps = np.asarray(maps, dtype=np.float64)
    if maps.ndim == 4:
        maps = maps[0]
    maps = np.moveaxis(maps, -1, 0)  # (F, H, W)
    if normalize:
        low = maps.min(axis=(1, 2), keepdims=True)
        span = maps.max(axis=(1, 2), keepdims=True) - low
        maps = np.divide(maps - low, span, out=np.zeros_like(maps), where=span > 0)
    columns = columns or int(np.ceil(np.sqrt(len(maps))))
    image = ax.imshow(tile(maps, columns), cmap="viridis")
    _label_tiles(ax, len(maps), maps.shape[1:], columns, 1)
    ax.set_title(f"{len(maps)} feature maps, {maps.shape[1]}x{maps.shape[2]}")
    ax.set_axis_off()
    return image
