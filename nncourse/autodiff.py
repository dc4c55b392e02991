"""A tiny scalar autodiff engine: backpropagation on a computational graph, one number at a time.

Every ``Value`` remembers the values it was computed from and how to pass a gradient back to
them (the local derivative of its operation, times the gradient arriving from above: the chain
rule). ``loss.backward()`` visits the graph from the loss down to the inputs, so each node's
gradient is complete before it is passed on. Layers in ``nncourse.layers`` do the same thing
with whole arrays at once.
"""

from __future__ import annotations

import math


class Value:
    """A number in a computational graph, with the gradient of the final output in ``.grad``."""

    def __init__(self, data: float, parents: tuple[Value, ...] = (), op: str = "", label: str = ""):
        self.data = float(data)
        self.grad = 0.0
        self.parents = parents
        self.op = op
        self.label = label
        self._backward = lambda: None  # set by the operation that created this value

    def __repr__(self) -> str:
        name = f"{self.label}=" if self.label else ""
        return f"Value({name}{self.data:.4g}, grad={self.grad:.4g})"

    # -- operations: each sets out._backward to "my parents' share of out.grad" ---------------
    def __add__(self, other) -> Value:
        other = as_value(other)
        out = Value(self.data + other.data, (self, other), "+")

        def backward() -> None:  # d(a + b)/da = 1, d(a + b)/db = 1
            self.grad += out.grad
            other.grad += out.grad

        out._backward = backward
        return out

    def __mul__(self, other) -> Value:
        other = as_value(other)
        out = Value(self.data * other.data, (self, other), "*")

        def backward() -> None:  # d(a·b)/da = b, d(a·b)/db = a
            self.grad += other.data * out.grad
            other.grad += self.data * out.grad

        out._backward = backward
        return out

    def __pow__(self, exponent: float) -> Value:
        if not isinstance(exponent, int | float):
            raise TypeError(f"Value ** only supports a plain number as exponent, got {exponent!r}")
        out = Value(self.data**exponent, (self,), f"**{exponent:g}")

        def backward() -> None:  # d(a^n)/da = n a^(n-1)
            self.grad += exponent * self.data ** (exponent - 1) * out.grad

        out._backward = backward
        return out

    def _unary(self, data: float, local_grad: float, op: str) -> Value:
        """A one-input operation whose derivative at this point is ``local_grad``."""
        out = Value(data, (self,), op)

        def backward() -> None:
            self.grad += local_grad * out.grad

        out._backward = backward
        return out

    def exp(self) -> Value:
        e = math.exp(self.data)
        return self._unary(e, e, "exp")

    def log(self) -> Value:
        return self._unary(math.log(self.data), 1.0 / self.data, "log")

    def tanh(self) -> Value:
        t = math.tanh(self.data)
        return self._unary(t, 1.0 - t * t, "tanh")

    def sigmoid(self) -> Value:
        s = 1.0 / (1.0 + math.exp(-self.data)) if self.data >= 0 else _sigmoid_negative(self.data)
        return self._unary(s, s * (1.0 - s), "sigmoid")

    def relu(self) -> Value:
        return self._unary(max(self.data, 0.0), float(self.data > 0), "relu")

    # -- the rest follow from the operations above --------------------------------------------
    def __neg__(self) -> Value:
        return self * -1

    def __sub__(self, other) -> Value:
        return self + (-as_value(other))

    def __truediv__(self, other) -> Value:
        return self * as_value(other) ** -1

    def __radd__(self, other) -> Value:
        return self + other

    def __rmul__(self, other) -> Value:
        return self * other

    def __rsub__(self, other) -> Value:
        return as_value(other) - self

    def __rtruediv__(self, other) -> Value:
        return as_value(other) / self

    # -- backpropagation ------------------------------------------------------------------------
    def backward(self) -> None:
        """Fill in ``.grad`` of every value this one depends on: d(self)/d(value)."""
        order = topological_order(self)
        for node in order:
            node.grad = 0.0
        self.grad = 1.0  # d(self)/d(self)
        for node in reversed(order):  # outputs before the inputs they were computed from
            node._backward()


def as_value(x) -> Value:
    return x if isinstance(x, Value) else Value(x)


def _sigmoid_negative(z: float) -> float:
    e = math.exp(z)  # z < 0, so this never overflows
    return e / (1.0 + e)


def topological_order(root: Value) -> list[Value]:
    """Every value ``root`` depends on, each listed after all of its parents."""
    order: list[Value] = []
    seen: set[int] = set()
    stack = [(root, False)]
    while stack:  # depth-first without recursion, so long chains don't hit Python's limit
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node.parents if id(p) not in seen)
    return order


def edges(root: Value) -> list[tuple[Value, Value]]:
    """(parent, child) pairs of the graph below ``root``: what a drawing of the graph needs."""
    return [(p, node) for node in topological_order(root) for p in node.parents]
