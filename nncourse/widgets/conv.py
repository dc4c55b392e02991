"""ConvExplorer: slide a 3x3 kernel over an image and see the feature map and its pooling."""

from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from nncourse.layers import avgpool_forward, conv2d_forward, maxpool_forward
from nncourse.plots.conv import plot_kernel_slide
from nncourse.widgets.base import Explorer

PRESETS = {
    "horizontal edges": [[1, 1, 1], [0, 0, 0], [-1, -1, -1]],
    "vertical edges": [[1, 0, -1], [1, 0, -1], [1, 0, -1]],
    "blur": [[1 / 9] * 3] * 3,
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
}
DRAWING = "your drawing"  # the image choice that shows the pixel pad's picture
PAD_SIZE = 10


def drawn_images(size: int = 12) -> dict[str, np.ndarray]:
    """A few simple pictures (size, size) in [0, 1]: a square, a cross, a diagonal, a ring."""
    r, c = np.mgrid[:size, :size]
    centre, q = (size - 1) / 2, size // 4
    radius = np.hypot(r - centre, c - centre)
    pictures = {
        "square": (r >= q) & (r < size - q) & (c >= q) & (c < size - q),
        "cross": (np.abs(r - centre) < 1) | (np.abs(c - centre) < 1),
        "diagonal": np.abs(r - c) <= 1,
        "ring": np.abs(radius - size / 3) < 1,
    }
    return {name: mask.astype(np.float64) for name, mask in pictures.items()}


def digit_images() -> dict[str, np.ndarray]:
    """The first training image of each digit 0..9 from load_digits (8x8, in [0, 1])."""
    from nncourse.datasets import load_digits

    (x, y), _ = load_digits()
    return {f"digit {d}": x[np.flatnonzero(y == d)[0], :, :, 0] for d in range(10)}


def feature_map(image, kernel, stride: int, padding: str, pool: str):
    """conv(image, kernel) and its 2x2 pooling.   image (H, W), kernel (kh, kw) -> z, pooled."""
    z, _ = conv2d_forward(image[None, :, :, None], kernel[:, :, None, None], None, stride, padding)
    if pool == "none" or min(z.shape[1:3]) < 2:
        return z[0, :, :, 0], None
    pooling = maxpool_forward if pool == "max" else avgpool_forward
    pooled, _ = pooling(z, 2, 2, "valid")
    return z[0, :, :, 0], pooled[0, :, :, 0]


class ConvExplorer(Explorer):
    """An image (a preset or one drawn on a pad of pixels), an editable 3x3 kernel with presets,
    stride, padding and pooling.

    After each redraw ``feature_map`` and ``pooled`` hold the arrays shown, ``drawn`` the
    sliding kernel's current frame.
    """

    figsize = (9.0, 3.2)
    css_class = "nncourse-conv-explorer"

    def __init__(self, images: dict[str, np.ndarray] | None = None, preset: str = "vertical edges"):
        super().__init__()
        self.images = images or {**drawn_images(), **digit_images()}
        self.image_choice = widgets.Dropdown(options=[*self.images, DRAWING], description="image")
        start = drawn_images(PAD_SIZE)["ring"].ravel()
        self.pad = [
            widgets.ToggleButton(value=bool(on), layout={"width": "22px", "height": "22px"})
            for on in start
        ]
        self.preset = widgets.Dropdown(
            options=[*PRESETS, "custom"], value=preset, description="kernel"
        )
        self.cells = [
            widgets.FloatText(value=0.0, step=0.1, layout={"width": "70px"}) for _ in range(9)
        ]
        self.stride = widgets.IntSlider(value=1, min=1, max=3, description="stride")
        self.padding = widgets.Dropdown(options=["valid", "same"], description="padding")
        self.pool = widgets.Dropdown(options=["max", "average", "none"], description="pooling")
        self.position = widgets.IntSlider(value=0, min=0, description="position")
        self.shapes = widgets.HTML()
        self._load_preset()
        self.preset.observe(lambda _: self._load_preset(redraw=True), names="value")
        self.watch(self.image_choice, self.stride, self.padding, self.pool, self.position)
        for cell in self.cells:
            cell.observe(self._edited, names="value")
        for pixel in self.pad:
            pixel.observe(self._drew, names="value")
        self.update()

    @property
    def drawing(self) -> np.ndarray:
        """The pad's picture: 1 where a pixel is switched on.   -> (PAD_SIZE, PAD_SIZE)"""
        return np.array([p.value for p in self.pad], dtype=np.float64).reshape(PAD_SIZE, -1)

    def _drew(self, change) -> None:
        if self.image_choice.value != DRAWING:
            with self.hold(redraw=False):
                self.image_choice.value = DRAWING  # a click on the pad shows the drawing
        self.update()

    @property
    def kernel(self) -> np.ndarray:
        return np.array([cell.value for cell in self.cells], dtype=np.float64).reshape(3, 3)

    @property
    def image_shown(self) -> np.ndarray:
        choice = self.image_choice.value
        return self.drawing if choice == DRAWING else self.images[choice]

    def _load_preset(self, redraw: bool = False) -> None:
        if self.preset.value == "custom":
            return
        with self.hold(redraw):
            for cell, value in zip(self.cells, np.ravel(PRESETS[self.preset.value])):
                cell.value = round(float(value), 4)

    def _edited(self, change) -> None:
        if not self._holding and self.preset.value != "custom":
            with self.hold(redraw=False):
                self.preset.value = "custom"  # the grid no longer matches the preset
        self.update()

    def controls(self) -> list[widgets.Widget]:
        grid = widgets.GridBox(self.cells, layout={"grid_template_columns": "repeat(3, 74px)"})
        pad = widgets.GridBox(
            self.pad, layout={"grid_template_columns": f"repeat({PAD_SIZE}, 22px)", "gap": "1px"}
        )
        pad.add_class("nncourse-pixel-pad")
        return [
            self.image_choice,
            widgets.Accordion([pad], titles=("draw your own image (click pixels)",)),
            self.preset,
            grid,
            self.stride,
            self.padding,
            self.pool,
            self.position,
            self.shapes,
        ]

    def draw(self, figure):
        image = self.image_shown
        z, pooled = feature_map(
            image, self.kernel, self.stride.value, self.padding.value, self.pool.value
        )
        with self.hold(redraw=False):  # no nested redraw while this one is under way
            self.position.max = z.size - 1  # ipywidgets clips the value into the new range
        ax_in, ax_out, ax_pool = figure.subplots(1, 3)
        frame = plot_kernel_slide(
            ax_in,
            ax_out,
            image,
            self.kernel,
            self.position.value,
            self.stride.value,
            self.padding.value,
        )
        if pooled is None:
            ax_pool.set_axis_off()
        else:
            # on the feature map's colour scale: the same value, the same colour
            ax_pool.imshow(pooled, cmap="viridis", norm=ax_out.images[0].norm)
            ax_pool.set(
                title=f"{self.pool.value} pooling 2x2: {pooled.shape[0]}x{pooled.shape[1]}",
                xticks=[],
                yticks=[],
            )
        pooled_text = "" if pooled is None else f" → pooled {pooled.shape[0]}×{pooled.shape[1]}"
        self.shapes.value = (
            f"input {image.shape[0]}×{image.shape[1]} → feature map "
            f"{z.shape[0]}×{z.shape[1]}{pooled_text}"
        )
        self.feature_map, self.pooled = z, pooled
        return frame
