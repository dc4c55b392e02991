"""2-D convolution: one small filter slides over the image and is reused at every position.

Images are channels-last, x (N, H, W, C), and the kernel is W (kh, kw, C, F) as in Keras.
Output pixel (p, q) of filter f is the dot product of the kh x kw x C patch under the filter
with W[..., f], plus b[f]. The loop functions say exactly that; the vectorized ones gather every
patch into one row of a matrix ("im2col") so that the whole layer is a single matrix product.
"""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from nncourse import activations
from nncourse.layers.base import Layer, Shape
from nncourse.layers.padding import (
    check_padding,
    image_shape,
    output_hw,
    pad2d,
    pair,
    tap,
    unpad2d,
)


def conv2d_forward_loop(x: np.ndarray, W: np.ndarray, b: np.ndarray | None, stride, padding):
    """z[:, p, q, f] = sum(patch(p, q) * W[..., f]) + b[f], one output pixel and filter at a time.

    x (N, H, W, C), W (kh, kw, C, F), b (F,) -> z (N, Ho, Wo, F). Slow: for reading, not for use.
    """
    kh, kw, _, F = W.shape
    sh, sw = pair(stride, "strides")
    xp, _ = pad2d(x, (kh, kw), (sh, sw), check_padding(padding))
    Ho, Wo = (xp.shape[1] - kh) // sh + 1, (xp.shape[2] - kw) // sw + 1
    z = np.zeros((x.shape[0], Ho, Wo, F), dtype=x.dtype)
    for p in range(Ho):
        for q in range(Wo):
            patch = xp[:, p * sh : p * sh + kh, q * sw : q * sw + kw, :]  # (N, kh, kw, C)
            for f in range(F):
                z[:, p, q, f] = np.sum(patch * W[:, :, :, f], axis=(1, 2, 3))
    if b is not None:
        z += b
    return z


def conv2d_backward_loop(dz: np.ndarray, x: np.ndarray, W: np.ndarray, stride, padding):
    """The chain rule for each output pixel and filter in turn; slow: for reading, not for use.

    dz (N, Ho, Wo, F), x (N, H, W, C), W (kh, kw, C, F) -> dx (N, H, W, C), dW, db (F,).
    """
    kh, kw, _, F = W.shape
    sh, sw = pair(stride, "strides")
    xp, pads = pad2d(x, (kh, kw), (sh, sw), check_padding(padding))
    dxp, dW = np.zeros_like(xp), np.zeros_like(W)
    for p in range(dz.shape[1]):
        for q in range(dz.shape[2]):
            rows, cols = slice(p * sh, p * sh + kh), slice(q * sw, q * sw + kw)
            for f in range(F):
                g = dz[:, p, q, f]  # (N,): how much the loss cares about this output
                # z = sum(patch * W_f): each side's gradient is g times the other side.
                dW[:, :, :, f] += np.tensordot(g, xp[:, rows, cols, :], axes=1)
                dxp[:, rows, cols, :] += g[:, None, None, None] * W[:, :, :, f]
    return unpad2d(dxp, pads), dW, dz.sum(axis=(0, 1, 2))


def im2col(xp: np.ndarray, kh: int, kw: int, sh: int, sw: int) -> np.ndarray:
    """Every patch as a row.   xp (N, Hp, Wp, C) -> cols (N, Ho, Wo, kh, kw, C), a copy."""
    windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]  # (N,Ho,Wo,C,kh,kw)
    return np.ascontiguousarray(windows.transpose(0, 1, 2, 4, 5, 3))


def conv2d_forward(x: np.ndarray, W: np.ndarray, b: np.ndarray | None, stride, padding):
    """z = im2col(x) @ W + b.   x (N, H, W, C), W (kh, kw, C, F), b (F,) -> z (N, Ho, Wo, F)."""
    kh, kw, C, F = W.shape
    strides = pair(stride, "strides")
    xp, pads = pad2d(x, (kh, kw), strides, check_padding(padding))
    cols = im2col(xp, kh, kw, *strides)
    z = cols.reshape(-1, kh * kw * C) @ W.reshape(-1, F)  # one matrix product does it all
    if b is not None:
        z += b
    return z.reshape(*cols.shape[:3], F), (cols, xp.shape, pads, W, strides)


def conv2d_backward(dz: np.ndarray, cache):
    """dz (N, Ho, Wo, F) -> dx (N, H, W, C), dW (kh, kw, C, F), db (F,)."""
    cols, xp_shape, pads, W, (sh, sw) = cache
    kh, kw, C, F = W.shape
    N, Ho, Wo = dz.shape[:3]
    dz2 = dz.reshape(-1, F)
    dW = (cols.reshape(-1, kh * kw * C).T @ dz2).reshape(W.shape)
    # Input pixel under kernel offset (i, j) was multiplied by W[i, j], so it gets dz @ W[i, j].T;
    # an input pixel inside several patches collects a share from each.
    dxp = np.zeros(xp_shape, dtype=dz.dtype)
    for i in range(kh):
        for j in range(kw):
            dxp[:, tap(i, sh, Ho), tap(j, sw, Wo), :] += (dz2 @ W[i, j].T).reshape(N, Ho, Wo, C)
    db = np.ones(len(dz2), dtype=dz.dtype) @ dz2  # dz2.sum(axis=0), but ~5x faster via BLAS
    return unpad2d(dxp, pads), dW, db


class Conv2D(Layer):
    """Conv2D(filters, kernel_size): a = activation(conv(x, kernel) + bias), as in Keras."""

    def __init__(
        self,
        filters: int,
        kernel_size,
        strides=1,
        padding: str = "valid",
        activation: str | None = None,
        use_bias: bool = True,
        kernel_initializer="glorot_uniform",
        bias_initializer="zeros",
        **kwargs,
    ) -> None:
        super().__init__(**kwargs)
        if int(filters) != filters or filters <= 0:
            raise ValueError(f"Conv2D needs a positive number of filters, got {filters!r}.")
        self.filters = int(filters)
        self.kernel_size = pair(kernel_size, "kernel_size")
        self.strides = pair(strides, "strides")
        self.padding = check_padding(padding)
        self.activation = activation
        self._act, self._act_backward = activations.get(activation)
        self.use_bias = use_bias
        self.kernel_initializer = kernel_initializer
        self.bias_initializer = bias_initializer

    def build(self, input_shape: Shape) -> None:
        input_shape = image_shape(self.name, input_shape)
        if input_shape[-1] is None:
            raise ValueError(f"Layer '{self.name}' needs a known channel count, got {input_shape}.")
        shape = (*self.kernel_size, input_shape[-1], self.filters)
        self.kernel = self.add_weight("kernel", shape, self.kernel_initializer)
        self.bias = None
        if self.use_bias:
            self.bias = self.add_weight("bias", (self.filters,), self.bias_initializer)
        # Like Keras, only the channel count is fixed: the same filters slide over any H and W.
        super().build((None, None, None, input_shape[-1]))

    def compute_output_shape(self, input_shape: Shape) -> Shape:
        sizes = output_hw(
            self.name, "kernel", input_shape, self.kernel_size, self.strides, self.padding
        )
        return (input_shape[0], *sizes, self.filters)

    def forward(self, x: np.ndarray, training: bool = False) -> np.ndarray:
        x = self._prepare(x, 4)
        self.compute_output_shape(x.shape)  # a clear error when the kernel does not fit
        b = self.bias.data if self.bias is not None else None
        z, self._cache = conv2d_forward(x, self.kernel.data, b, self.strides, self.padding)
        self._z, self._a = z, self._act(z)
        return self._a

    def backward(self, dy: np.ndarray) -> np.ndarray:
        if not hasattr(self, "_cache"):
            raise RuntimeError(f"Layer '{self.name}': call forward before backward.")
        dz = self._act_backward(dy, self._z, self._a)
        dx, dW, db = conv2d_backward(dz, self._cache)
        self.kernel.grad[...] = dW
        if self.bias is not None:
            self.bias.grad[...] = db
        return dx
