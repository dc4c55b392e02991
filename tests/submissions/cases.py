"""The learners behind the corpus: what each one wrote, and what the grader must say about it.

A case fills the solution cells of an exercise. ``Fill`` gives the code a learner wrote in place
of each stub of a cell, in order (None keeps the reference solution there); ``Edit`` changes one
piece of the reference solution, the way a small slip would. Cells a case does not mention hold
the reference solution. ``fails`` lists the test cells that must earn nothing, each with phrases
its feedback must contain; every other test cell must earn its full points.

Kinds of case: ``stub`` (the exercise handed back untouched), ``alternative`` (correct code
written differently: loops instead of vectorization, other names, other libraries' idioms; full
marks) and ``mistakes_*`` (common mistakes, some caught by the visible checks, some only by the
hidden tests).
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Edit:
    """Replace ``old`` (which must occur once) in the reference solution by ``new``."""

    old: str
    new: str


class Fill(tuple):
    """The code written in place of each stub of a cell, in order; None keeps the reference."""

    def __new__(cls, *bodies: str | None) -> Fill:
        return super().__new__(cls, bodies)


@dataclass(frozen=True)
class Case:
    about: str
    cells: dict[str, Fill | Edit | list[Edit]] = field(default_factory=dict)
    fails: dict[str, list[str]] = field(default_factory=dict)
    stub: bool = False


def stub(tests: list[str], not_defined: dict[str, str] | None = None) -> Case:
    """The exercise handed back untouched: every test fails on the stub's NotImplementedError,
    or on a name the stub never defines (``not_defined``: test grade_id -> name)."""
    fails = {gid: ["NotImplementedError"] for gid in tests}
    for gid, name in (not_defined or {}).items():
        fails[gid] = [f"NameError: name '{name}' is not defined"]
    return Case("the exercise handed back without any work", fails=fails, stub=True)


HIDDEN = "hidden test failed"  # the grader never shows a hidden test's code or message

# -- Exercise 1 ---------------------------------------------------------------------------------
EX01 = {
    "stub": stub(
        ["test_activations", "test_derivatives", "test_neuron"]
        + ["test_stable_sigmoid", "test_softmax"]
    ),
    "alternative": Case(
        "correct: formulas written out, loops over rows, boolean masks instead of np.where",
        cells={
            "activations": Fill(
                "return np.reciprocal(1.0 + np.exp(-z))",
                """
                e_plus, e_minus = np.exp(z), np.exp(-z)
                return (e_plus - e_minus) / (e_plus + e_minus)
                """,
                "return np.where(z > 0, z, 0.0)",
            ),
            "derivatives": Fill(
                "return np.exp(-z) / (1.0 + np.exp(-z)) ** 2",
                "return 1.0 / np.cosh(z) ** 2",
                "return np.where(np.asarray(z) > 0, 1.0, 0.0)",
            ),
            "neuron": Fill(
                """
                outputs = []
                for row in x:
                    total = b
                    for x_i, w_i in zip(row, w):
                        total += x_i * w_i
                    outputs.append(activation(total))
                return np.array(outputs)
                """
            ),
            "stable_sigmoid": Fill(
                """
                z = np.asarray(z, dtype=float)
                out = np.empty_like(z)
                positive = z >= 0
                out[positive] = 1.0 / (1.0 + np.exp(-z[positive]))
                exp_z = np.exp(z[~positive])
                out[~positive] = exp_z / (1.0 + exp_z)
                return out
                """
            ),
            "softmax": Fill(
                """
                probabilities = np.empty_like(z, dtype=float)
                for n, row in enumerate(z):
                    shifted = np.exp(row - np.max(row))
                    probabilities[n] = shifted / np.sum(shifted)
                return probabilities
                """
            ),
        },
    ),
    "mistakes_a": Case(
        "relu edits its input in place; the neuron forgets its bias; softmax subtracts the "
        "global maximum instead of each row's (right on the visible examples only)",
        cells={
            "activations": Fill(None, None, "z[z < 0] = 0\nreturn z"),
            "neuron": Edit("return activation(x @ w + b)", "return activation(x @ w)"),
            "softmax": Fill(
                """
                e = np.exp(z - np.max(z))
                return e / e.sum(axis=1, keepdims=True)
                """
            ),
        },
        fails={
            "test_activations": ["relu's input z was changed in place"],
            "test_neuron": ["Did you forget the bias b?"],
            "test_softmax": [HIDDEN],
        },
    ),
    "mistakes_b": Case(
        "tanh's derivative without the square; a 'stable' sigmoid whose np.where still "
        "evaluates the overflowing branch; softmax without the max-shift",
        cells={
            "derivatives": Fill(None, "return 1.0 - np.tanh(z)", None),
            "stable_sigmoid": Fill(
                """
                z = np.asarray(z, dtype=float)
                return np.where(z >= 0, 1 / (1 + np.exp(-z)), np.exp(z) / (1 + np.exp(z)))
                """
            ),
            "softmax": Fill(
                """
                e = np.exp(z)
                return e / e.sum(axis=1, keepdims=True)
                """
            ),
        },
        fails={
            "test_derivatives": ["That is 1 - tanh(z): square the tanh."],
            "test_stable_sigmoid": ["not numerically stable", "overflow encountered in exp"],
            "test_softmax": ["softmax is not numerically stable", "each row's maximum"],
        },
    ),
}

# -- Exercise 2 ---------------------------------------------------------------------------------
EX02 = {
    "stub": stub(
        ["test_mse", "test_mse_gradient", "test_cross_entropy", "test_ce_gradient"]
        + ["test_momentum", "test_gradient_descent", "test_tuning"]
    ),
    "alternative": Case(
        "correct: a dot product for the MSE, the log of the true classes only, the softmax "
        "written out, a while loop, other hyperparameters",
        cells={
            "mse": Fill(
                """
                diff = np.ravel(y_pred) - np.ravel(y_true)
                return np.dot(diff, diff) / diff.size
                """,
                """
                n = np.size(y_pred)
                return 2 * (y_pred - y_true) / n
                """,
            ),
            "cross_entropy": Fill(
                """
                true_class_p = np.sum(y_true * p, axis=1)
                return -np.mean(np.log(true_class_p))
                """
            ),
            "ce_gradient": Fill(
                """
                e = np.exp(z - z.max(axis=1, keepdims=True))
                probs = e / e.sum(axis=1, keepdims=True)
                return (probs - y_true) / z.shape[0]
                """
            ),
            "momentum": Fill(
                """
                new_velocity = momentum * velocity - learning_rate * grad
                new_w = w + new_velocity
                return new_w, new_velocity
                """
            ),
            "gradient_descent": Fill(
                """
                w = np.copy(w0).astype(float)
                velocity = np.zeros(w.shape)
                step = 0
                while step < steps:
                    gradient = grad_fn(w)
                    w, velocity = sgd_momentum_step(w, gradient, velocity, learning_rate, momentum)
                    step += 1
                return w
                """
            ),
            "tuning": Fill("return 0.04, 0.7"),
        },
    ),
    "mistakes_a": Case(
        "the sum instead of the mean; the MSE gradient divided by the rows, not the entries "
        "(right for one output only); no clipping before the log; w - v (which also sinks the "
        "gradient descent built on it); no momentum",
        cells={
            "mse": Fill(
                "return np.sum((y_pred - y_true) ** 2)",
                "return 2 * (y_pred - y_true) / len(y_pred)",
            ),
            "cross_entropy": Fill("return -np.sum(y_true * np.log(p)) / len(p)"),
            "momentum": Edit("return w + velocity, velocity", "return w - velocity, velocity"),
            "tuning": Fill("return 0.03, 0.0"),
        },
        fails={
            "test_mse": ["That is the sum of the squared errors: divide by their number."],
            "test_mse_gradient": [HIDDEN],
            "test_cross_entropy": ["NaN", "clip p before np.log"],
            "test_momentum": ["Add the velocity: w + v."],
            # gradient_descent is right, but it calls the wrong sgd_momentum_step
            "test_gradient_descent": ["gradient_descent(..., steps=2) is wrong"],
            "test_tuning": ["Plain gradient descent cannot do it"],
        },
    ),
    "mistakes_b": Case(
        "the MSE gradient without its factor 2; the softmax gradient without the 1/N; "
        "one step too many",
        cells={
            "mse": Fill(None, "return (y_pred - y_true) / y_pred.size"),
            "ce_gradient": Fill("return softmax(z) - y_true"),
            "gradient_descent": Edit("for _ in range(steps):", "for _ in range(steps + 1):"),
        },
        fails={
            "test_mse_gradient": ["off by a factor of 0.5", "2 times too small"],
            "test_ce_gradient": ["off by a factor of 2 ", "2 times too large"],
            "test_gradient_descent": ["That is one step too many"],
        },
    ),
}

# -- Exercise 3 ---------------------------------------------------------------------------------
EX03 = {
    "stub": stub(
        ["test_dense_forward", "test_dense_backward", "test_numerical_gradient", "test_two_layer"]
    ),
    "alternative": Case(
        "correct: np.dot and einsum, a loop over the batch, np.nditer, a one-hot matrix",
        cells={
            "dense_forward": Fill(
                """
                z = np.dot(x, W) + b[np.newaxis, :]
                return z, (x, W)
                """
            ),
            "dense_backward": Fill(
                """
                x, W = cache
                dx = np.einsum("nm,dm->nd", dz, W)
                dW = np.zeros_like(W)
                db = np.zeros(W.shape[1])
                for x_n, dz_n in zip(x, dz):
                    dW += np.outer(x_n, dz_n)
                    db += dz_n
                return dx, dW, db
                """
            ),
            "numerical_gradient": Fill(
                """
                grad = np.zeros_like(x, dtype=float)
                it = np.nditer(x, flags=["multi_index"])
                while not it.finished:
                    idx = it.multi_index
                    saved = x[idx]
                    x[idx] = saved + h
                    up = f(x)
                    x[idx] = saved - h
                    down = f(x)
                    x[idx] = saved
                    grad[idx] = (up - down) / (2 * h)
                    it.iternext()
                return grad
                """
            ),
            "two_layer": Fill(
                """
                W1, b1, W2, b2 = params["W1"], params["b1"], params["W2"], params["b2"]
                hidden_in, cache_in = dense_forward(x, W1, b1)
                hidden_out = np.where(hidden_in > 0, hidden_in, 0.0)
                scores, cache_out = dense_forward(hidden_out, W2, b2)
                probs = softmax(scores)
                onehot = np.zeros_like(probs)
                onehot[np.arange(len(y)), y] = 1.0
                loss = -np.sum(onehot * np.log(probs)) / len(y)
                d_scores = (probs - onehot) / len(y)
                d_hidden, dW2, db2 = dense_backward(d_scores, cache_out)
                d_hidden_in = np.where(hidden_in > 0, d_hidden, 0.0)
                _, dW1, db1 = dense_backward(d_hidden_in, cache_in)
                grads = {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}
                return loss, grads
                """
            ),
        },
    ),
    "mistakes_a": Case(
        "dW transposed (so the network's gradients fail too); one-sided differences",
        cells={
            "dense_backward": Edit("x.T @ dz", "dz.T @ x"),
            "numerical_gradient": Fill(
                """
                grad = np.zeros(x.shape)
                f_x = f(x)
                for i in np.ndindex(x.shape):
                    old = x[i]
                    x[i] = old + h
                    grad[i] = (f(x) - f_x) / h
                    x[i] = old
                return grad
                """
            ),
        },
        fails={
            "test_dense_backward": ["dx and db are correct, but not dW", "Is it transposed?"],
            "test_numerical_gradient": ["one-sided differences"],
            "test_two_layer": ["but not grads['W1'] and grads['W2']", "transposed"],
        },
    ),
    "mistakes_b": Case(
        "no bias in the forward pass; a zero bias gradient; a gradient checker that works for "
        "matrices only (right on the visible example)",
        cells={
            "dense_forward": Edit("return x @ W + b, (x, W)", "return x @ W, (x, W)"),
            "dense_backward": Edit("dz.sum(axis=0)", "np.zeros(W.shape[1])"),
            "numerical_gradient": Fill(
                """
                grad = np.zeros(x.shape)
                for r in range(x.shape[0]):
                    for c in range(x.shape[1]):
                        old = x[r, c]
                        x[r, c] = old + h
                        f_plus = f(x)
                        x[r, c] = old - h
                        f_minus = f(x)
                        x[r, c] = old
                        grad[r, c] = (f_plus - f_minus) / (2 * h)
                return grad
                """
            ),
        },
        fails={
            "test_dense_forward": ["Did you forget the bias b?"],
            "test_dense_backward": ["dx and dW are correct, but not db", "all zeros"],
            "test_numerical_gradient": [HIDDEN, "IndexError"],
            "test_two_layer": ["loss is"],
        },
    ),
    "mistakes_c": Case(
        "the ReLU's gradient mask forgotten; the gradient checker leaves x nudged",
        cells={
            "two_layer": Edit("dz1 = da1 * (z1 > 0)", "dz1 = da1"),
            "numerical_gradient": Edit("        x[i] = old\n", ""),
        },
        fails={
            "test_two_layer": ["grads['W2'] and grads['b2'] are correct, but not grads['W1']"],
            "test_numerical_gradient": ["x was changed in place. Put each entry back"],
        },
    ),
}

# -- Exercise 4 ---------------------------------------------------------------------------------
OWN_MLP = """
rng = np.random.default_rng(seed)
W1 = rng.normal(0.0, np.sqrt(2 / 64), (64, 64))
b1 = np.zeros(64)
W2 = rng.normal(0.0, np.sqrt(1 / 64), (64, 10))
b2 = np.zeros(10)
params = [W1, b1, W2, b2]
velocity = [np.zeros_like(p) for p in params]
onehot = np.eye(10)[y_train]
for _ in range(30):
    for idx in minibatches(len(x_train), 32, rng):
        xb, yb = x_train[idx], onehot[idx]
        hidden = np.maximum(xb @ W1 + b1, 0)
        scores = hidden @ W2 + b2
        p = np.exp(scores - scores.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        d_scores = (p - yb) / len(idx)
        d_hidden = d_scores @ W2.T * (hidden > 0)
        grads = [xb.T @ d_hidden, d_hidden.sum(0), hidden.T @ d_scores, d_scores.sum(0)]
        for param, v, g in zip(params, velocity, grads):
            v *= 0.9
            v -= 0.1 * g
            param += v

def predict(x):
    return np.argmax(np.maximum(x @ W1 + b1, 0) @ W2 + b2, axis=1)

return predict
"""

EX04 = {
    "stub": stub(
        ["test_minibatches", "test_accuracy"],
        not_defined={"test_mlp_90": "predict", "test_mlp_94": "predict"},
    ),
    "alternative": Case(
        "correct: np.array_split, a counting loop, and a numpy MLP trained by its own loop",
        cells={
            "minibatches": Fill(
                "return np.array_split(rng.permutation(n), range(batch_size, n, batch_size))"
            ),
            "accuracy": Fill(
                """
                hits = 0
                for row, label in zip(scores, y):
                    hits += int(np.argmax(row) == label)
                return hits / len(y)
                """
            ),
            "train_mlp": Fill(OWN_MLP),
        },
    ),
    "mistakes_a": Case(
        "batches in order, not shuffled; the number of hits instead of the fraction; "
        "two epochs with a tiny learning rate",
        cells={
            "minibatches": Fill(
                """
                order = np.arange(n)
                return [order[start : start + batch_size] for start in range(0, n, batch_size)]
                """
            ),
            "accuracy": Fill("return np.sum(np.argmax(scores, axis=1) == y)"),
            "train_mlp": [
                Edit("SGD(learning_rate=0.1, momentum=0.9)", "SGD(learning_rate=0.001)"),
                Edit("epochs=30", "epochs=2"),
            ],
        },
        fails={
            "test_minibatches": ["The indices are not shuffled: use rng."],
            "test_accuracy": ["That is the number of correct predictions"],
            "test_mlp_90": ["the validation accuracy is", "it needs to be at least 0.9"],
            "test_mlp_94": ["the validation accuracy is", "it needs to be at least 0.94"],
        },
    ),
    "mistakes_b": Case(
        "the last, shorter batch dropped; a hidden layer of 8 units, trained 10 epochs, that "
        "earns the 90 % tier only",
        cells={
            "minibatches": Edit(
                "range(0, n, batch_size)", "range(0, n - batch_size + 1, batch_size)"
            ),
            "train_mlp": [
                Edit('Dense(64, activation="relu")', 'Dense(8, activation="relu")'),
                Edit("epochs=30", "epochs=10"),
            ],
        },
        fails={
            "test_minibatches": ["expected batch sizes [4, 4, 2], got [4, 4]"],
            "test_mlp_94": ["it needs to be at least 0.94"],
        },
    ),
    "mistakes_c": Case(
        "predict returns the class probabilities instead of the labels",
        cells={
            "train_mlp": Edit("return model.predict(x).argmax(axis=1)", "return model.predict(x)"),
        },
        fails={
            "test_mlp_90": ["has shape (5, 10), expected (5,)", "one label per image"],
            "test_mlp_94": ["has shape (5, 10), expected (5,)", "one label per image"],
        },
    ),
}

# -- Exercise 5 ---------------------------------------------------------------------------------
EX05 = {
    "stub": stub(
        ["test_conv_single", "test_conv_forward", "test_conv_backward"]
        + ["test_maxpool_forward", "test_maxpool_backward"]
    ),
    "alternative": Case(
        "correct: sliding windows and einsum forward, loops over every index backward, "
        "argmax routing for pooling",
        cells={
            "conv_single": Fill(
                """
                from numpy.lib.stride_tricks import sliding_window_view

                windows = sliding_window_view(image, kernel.shape)  # (Ho, Wo, kh, kw)
                return np.einsum("ijuv,uv->ij", windows, kernel)
                """
            ),
            "conv_forward": Fill(
                """
                from numpy.lib.stride_tricks import sliding_window_view

                kh, kw = W.shape[:2]
                padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
                windows = sliding_window_view(padded, (kh, kw), axis=(1, 2))
                windows = windows[:, ::stride, ::stride]  # (N, Ho, Wo, C, kh, kw)
                z = np.einsum("nhwcuv,uvcf->nhwf", windows, W) + b
                return z, (x, W, stride, pad)
                """
            ),
            "conv_backward": Fill(
                """
                x, W, stride, pad = cache
                N, H, Wd, C = x.shape
                kh, kw, _, F = W.shape
                padded = np.pad(x, ((0, 0), (pad, pad), (pad, pad), (0, 0)))
                d_padded = np.zeros(padded.shape)
                dW = np.zeros(W.shape)
                db = np.zeros(F)
                for n in range(N):
                    for i in range(dz.shape[1]):
                        for j in range(dz.shape[2]):
                            top, left = i * stride, j * stride
                            patch = padded[n, top : top + kh, left : left + kw, :]
                            for f in range(F):
                                g = dz[n, i, j, f]
                                dW[:, :, :, f] += g * patch
                                d_padded[n, top : top + kh, left : left + kw, :] += g * W[..., f]
                                db[f] += g
                return d_padded[:, pad : pad + H, pad : pad + Wd, :], dW, db
                """
            ),
            "maxpool_forward": Fill(
                """
                N, H, Wd, C = x.shape
                out_h, out_w = (H - pool) // stride + 1, (Wd - pool) // stride + 1
                y = np.empty((N, out_h, out_w, C))
                for n in range(N):
                    for c in range(C):
                        for i in range(out_h):
                            for j in range(out_w):
                                rows = slice(i * stride, i * stride + pool)
                                cols = slice(j * stride, j * stride + pool)
                                y[n, i, j, c] = np.max(x[n, rows, cols, c])
                return y, (x, pool, stride)
                """
            ),
            "maxpool_backward": Fill(
                """
                x, pool, stride = cache
                dx = np.zeros(x.shape)
                N, out_h, out_w, C = dy.shape
                for n in range(N):
                    for c in range(C):
                        for i in range(out_h):
                            for j in range(out_w):
                                top, left = i * stride, j * stride
                                window = x[n, top : top + pool, left : left + pool, c]
                                u, v = np.unravel_index(np.argmax(window), window.shape)
                                dx[n, top + u, left + v, c] += dy[n, i, j, c]
                return dx
                """
            ),
        },
    ),
    "mistakes_a": Case(
        "a flipped kernel; the output size one short (the + 1 forgotten); pooling's gradient "
        "assigned instead of added",
        cells={
            "conv_single": Edit(
                "image[i : i + kh, j : j + kw] * kernel)",
                "image[i : i + kh, j : j + kw] * kernel[::-1, ::-1])",
            ),
            "conv_forward": [
                Edit("Ho = (xp.shape[1] - kh) // stride + 1", "Ho = (xp.shape[1] - kh) // stride"),
                Edit("Wo = (xp.shape[2] - kw) // stride + 1", "Wo = (xp.shape[2] - kw) // stride"),
            ],
            "maxpool_backward": Edit(
                "dx[:, r : r + pool, c : c + pool, :] += is_max",
                "dx[:, r : r + pool, c : c + pool, :] = is_max",
            ),
        },
        fails={
            "test_conv_single": ["You flipped the kernel"],
            "test_conv_forward": [
                "z for stride=1, pad=0 has shape (2, 2, 2, 4), expected (2, 3, 3, 4)",
                "(H + 2 pad - kh) // stride + 1",
            ],
            "test_maxpool_backward": ["add (+=) instead of assigning (=)"],
        },
    ),
    "mistakes_b": Case(
        "square kernels assumed (right on the visible examples); the stride left out of the "
        "patch position; the padding not cut off dx; max pooling across channels",
        cells={
            "conv_single": Edit("kh, kw = kernel.shape", "kh = kw = kernel.shape[0]"),
            "conv_forward": Edit("r, c = i * stride, j * stride", "r, c = i, j"),
            "conv_backward": Edit(
                "dx = dxp[:, pad : pad + x.shape[1], pad : pad + x.shape[2], :]", "dx = dxp"
            ),
            "maxpool_forward": Edit(".max(axis=(1, 2))", ".max(axis=(1, 2, 3))[:, None]"),
        },
        fails={
            "test_conv_single": [HIDDEN],
            "test_conv_forward": ["z for stride=2, pad=1 is wrong"],
            "test_conv_backward": [
                "but not dx (stride=2, pad=1)",
                "has shape (2, 7, 7, 2), expected (2, 5, 5, 2)",
            ],
            "test_maxpool_forward": ["Pool each channel separately."],
        },
    ),
}

# -- Exercise 6 ---------------------------------------------------------------------------------
EX06 = {
    "stub": stub(
        ["test_rnn_step_forward", "test_rnn_step_backward", "test_rnn_forward"]
        + ["test_rnn_backward", "test_lstm_step_forward"]
    ),
    "alternative": Case(
        "correct: np.dot, a list of states stacked at the end, a while loop backwards, "
        "np.split for the gates",
        cells={
            "rnn_step_forward": Fill(
                """
                z = np.dot(x_t, W) + np.dot(h_prev, U) + b
                h_next = np.tanh(z)
                return h_next, (x_t, h_prev, W, U, h_next)
                """
            ),
            "rnn_step_backward": Fill(
                """
                x_t, h_prev, W, U, h_next = cache
                dz = (1 - h_next * h_next) * dh
                dx_t = np.dot(dz, W.T)
                dh_prev = np.dot(dz, U.T)
                dW = np.dot(x_t.T, dz)
                dU = np.dot(h_prev.T, dz)
                db = np.sum(dz, axis=0)
                return dx_t, dh_prev, dW, dU, db
                """
            ),
            "rnn_forward": Fill(
                """
                states = []
                h = h0
                for t in range(x.shape[1]):
                    h, _ = rnn_step_forward(x[:, t, :], h, W, U, b)
                    states.append(h)
                hs = np.stack(states, axis=1)
                return hs, (x, h0, W, U, hs)
                """
            ),
            "rnn_backward": Fill(
                """
                x, h0, W, U, hs = cache
                dx = np.zeros(x.shape)
                totals = [np.zeros(W.shape), np.zeros(U.shape), np.zeros(U.shape[1])]
                carry = np.zeros(h0.shape)
                t = x.shape[1] - 1
                while t >= 0:
                    previous = h0 if t == 0 else hs[:, t - 1]
                    step_cache = (x[:, t], previous, W, U, hs[:, t])
                    dx[:, t], carry, *step = rnn_step_backward(dhs[:, t] + carry, step_cache)
                    for total, g in zip(totals, step):
                        total += g
                    t -= 1
                return (dx, carry, *totals)
                """
            ),
            "lstm_step_forward": Fill(
                """
                a = x_t @ W + h_prev @ U + b
                a_i, a_f, a_c, a_o = np.split(a, 4, axis=1)
                i, f, o = (1 / (1 + np.exp(-block)) for block in (a_i, a_f, a_o))
                c = f * c_prev + i * np.tanh(a_c)
                return o * np.tanh(c), c
                """
            ),
        },
    ),
    "mistakes_a": Case(
        "the recurrence forgotten (so the sequence fails too); truncated BPTT, the gradient "
        "from later steps dropped; the gates in the order i, f, o, g",
        cells={
            "rnn_step_forward": Edit(
                "h = np.tanh(x_t @ W + h_prev @ U + b)", "h = np.tanh(x_t @ W + b)"
            ),
            "rnn_backward": Edit(
                "rnn_step_backward(dhs[:, t] + dh_prev, step)", "rnn_step_backward(dhs[:, t], step)"
            ),
            "lstm_step_forward": Fill(
                """
                H = h_prev.shape[1]
                a = x_t @ W + h_prev @ U + b
                i = 1 / (1 + np.exp(-a[:, :H]))
                f = 1 / (1 + np.exp(-a[:, H : 2 * H]))
                o = 1 / (1 + np.exp(-a[:, 2 * H : 3 * H]))
                g = np.tanh(a[:, 3 * H :])
                c = f * c_prev + i * g
                return o * np.tanh(c), c
                """
            ),
        },
        fails={
            "test_rnn_step_forward": ["The previous state is missing: add h_prev @ U."],
            "test_rnn_forward": ["hs[:, 0], the first state is wrong"],
            "test_rnn_backward": ["None of the gradients is correct"],
            "test_lstm_step_forward": ["Keras orders the four blocks i, f, c, o"],
        },
    ),
    "mistakes_b": Case(
        "dU transposed; each state stored one step late; the shared weights' gradients "
        "overwritten at each step instead of summed",
        cells={
            "rnn_step_backward": Edit("h_prev.T @ dz", "dz.T @ h_prev"),
            "rnn_forward": Fill(
                """
                N, T, _ = x.shape
                hs = np.zeros((N, T, h0.shape[1]))
                h = h0
                for t in range(T):
                    hs[:, t] = h
                    h, _ = rnn_step_forward(x[:, t], h, W, U, b)
                return hs, (x, h0, W, U, hs)
                """
            ),
            "rnn_backward": Edit(
                "dW, dU, db = dW + dW_t, dU + dU_t, db + db_t", "dW, dU, db = dW_t, dU_t, db_t"
            ),
        },
        fails={
            "test_rnn_step_backward": [
                "dx_t, dh_prev, dW and db are correct, but not dU",
                "transpose of the expected value",
            ],
            "test_rnn_forward": ["hs[:, t] is the state after reading x[:, t]"],
            "test_rnn_backward": ["dx and dh0 are correct, but not dW, dU and db"],
        },
    ),
}

# -- Exercise 7 ---------------------------------------------------------------------------------
EX07 = {
    "stub": stub([], not_defined={"test_ann": "ann", "test_cnn": "cnn", "test_lstm": "lstm"}),
    "alternative": Case(
        "correct: a deeper ANN with dropout and SGD, a CNN of two unpadded convolutions "
        "without pooling, a smaller LSTM with a larger learning rate",
        cells={
            "ann": Fill(
                """
                network = keras.Sequential(
                    [
                        keras.Input((8, 8, 1)),
                        keras.layers.Flatten(),
                        keras.layers.Dense(128, activation="relu"),
                        keras.layers.Dropout(0.2),
                        keras.layers.Dense(64, activation="tanh"),
                        keras.layers.Dense(10, activation="softmax"),
                    ]
                )
                network.compile(
                    optimizer=keras.optimizers.SGD(0.05, momentum=0.9),
                    loss="sparse_categorical_crossentropy",
                )
                network.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
                return network
                """
            ),
            "cnn": Fill(
                """
                network = keras.Sequential(
                    [
                        keras.Input((8, 8, 1)),
                        keras.layers.Conv2D(8, (3, 3), activation="relu"),
                        keras.layers.Conv2D(8, (3, 3), activation="relu"),
                        keras.layers.Flatten(),
                        keras.layers.Dense(10, activation="softmax"),
                    ]
                )
                adam = keras.optimizers.Adam(0.01)
                network.compile(optimizer=adam, loss="sparse_categorical_crossentropy")
                network.fit(x_train, y_train, epochs=10, batch_size=32, verbose=0)
                return network
                """
            ),
            "lstm": Fill(
                """
                layers = [keras.Input((20, 1)), keras.layers.LSTM(8), keras.layers.Dense(1)]
                network = keras.Sequential(layers)
                network.compile(optimizer=keras.optimizers.Adam(0.02), loss="mse")
                network.fit(x_train, y_train, epochs=6, batch_size=32, verbose=0)
                return network
                """
            ),
        },
    ),
    "mistakes": Case(
        "a 'CNN' without convolutions; a GRU where an LSTM was asked for (the ANN is right)",
        cells={
            "cnn": [
                Edit(
                    'keras.layers.Conv2D(16, 3, padding="same", activation="relu"),',
                    'keras.layers.Dense(16, activation="relu"),',
                ),
                Edit("epochs=10", "epochs=1"),
            ],
            "lstm": [
                Edit("keras.layers.LSTM(16)", "keras.layers.GRU(16)"),
                Edit("epochs=5", "epochs=1"),
            ],
        },
        fails={
            "test_cnn": ["A CNN needs at least one Conv2D layer"],
            "test_lstm": ["The model needs an LSTM layer; this one has ['Dense', 'GRU']"],
        },
    ),
}

CASES: dict[str, dict[str, Case]] = {
    "ex01_neuron_activations": EX01,
    "ex02_losses_gradient_descent": EX02,
    "ex03_backprop": EX03,
    "ex04_train_mlp": EX04,
    "ex05_conv_pool": EX05,
    "ex06_rnn_lstm": EX06,
    "ex07_keras_models": EX07,
}
