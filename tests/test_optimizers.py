"""Optimizers: step-by-step parity with Keras, separate state per parameter, convergence."""

from __future__ import annotations

import numpy as np
import pytest

from nncourse import optimizers
from nncourse.layers.base import Parameter
from nncourse.optimizers import SGD, Adam, RMSprop

SHAPES = [(3, 2), (2,)]  # a kernel and a bias
# Gradients that grow and shrink, so running maxima (amsgrad) and averages both matter.
SCALES = [1.0, 3.0, 0.1, 2.0, 0.01, 0.5]

# Keras keeps the learning rate in a float32 variable and casts SGD's momentum and Adam's betas
# through float32, so with its defaults (0.001, 0.9, 0.999) the two differ by about 1e-7 of a
# step. Settings that float32 holds exactly (0.0625 = 2^-4, 0.875, ...) leave only float64
# rounding, and those trajectories are held to 1e-12.
CONFIGS = {
    "sgd": (SGD, {}),
    "sgd_exact": (SGD, {"learning_rate": 0.0625}),
    "sgd_momentum": (SGD, {"learning_rate": 0.0625, "momentum": 0.875}),
    "sgd_nesterov": (SGD, {"learning_rate": 0.0625, "momentum": 0.875, "nesterov": True}),
    "rmsprop": (RMSprop, {}),
    "rmsprop_exact": (RMSprop, {"learning_rate": 2**-7, "rho": 0.75, "epsilon": 2**-20}),
    "rmsprop_momentum": (RMSprop, {"learning_rate": 2**-7, "momentum": 0.5}),
    "rmsprop_centered": (RMSprop, {"learning_rate": 2**-7, "centered": True}),
    "rmsprop_centered_momentum": (
        RMSprop,
        {"learning_rate": 2**-7, "rho": 0.75, "centered": True, "momentum": 0.875},
    ),
    "adam": (Adam, {}),
    "adam_exact": (Adam, {"learning_rate": 2**-5, "beta_1": 0.75, "beta_2": 0.9375}),
    "adam_amsgrad": (
        Adam,
        {"learning_rate": 2**-5, "beta_1": 0.75, "beta_2": 0.9375, "amsgrad": True},
    ),
}

# Each option against the same optimizer without it: the option must change the trajectory,
# or the parity test above would not be testing it.
OPTION_VS_PLAIN = [
    ("sgd_momentum", "sgd_exact"),
    ("sgd_nesterov", (SGD, {"learning_rate": 0.0625, "momentum": 0.875})),
    ("rmsprop_momentum", (RMSprop, {"learning_rate": 2**-7})),
    ("rmsprop_centered", (RMSprop, {"learning_rate": 2**-7})),
    ("adam_amsgrad", "adam_exact"),
]


def _float32_exact(kwargs) -> bool:
    floats = [v for v in kwargs.values() if isinstance(v, float)]
    return bool(floats) and all(float(np.float32(v)) == v for v in floats)


def _problem(seed: int = 0):
    rng = np.random.default_rng(seed)
    weights = [rng.standard_normal(s) for s in SHAPES]
    grads = [[scale * rng.standard_normal(s) for s in SHAPES] for scale in SCALES]
    return weights, grads


def nncourse_trajectory(cls, kwargs, weights, grads):
    """The weights after each step of an nncourse optimizer fed the given gradients."""
    opt = cls(**kwargs)
    params = [Parameter(w.copy(), f"w{i}") for i, w in enumerate(weights)]
    steps = []
    for step_grads in grads:
        for p, g in zip(params, step_grads):
            p.grad[...] = g
        opt.step(params)
        steps.append([p.data.copy() for p in params])
    return steps, opt.iterations


def keras_trajectory(cls, kwargs, weights, grads):
    """The same with the Keras optimizer of the same name on float64 keras.Variables."""
    import keras
    import tensorflow as tf

    opt = getattr(keras.optimizers, cls.__name__)(**kwargs)
    variables = [keras.Variable(w.copy(), dtype="float64") for w in weights]
    steps = []
    for step_grads in grads:
        opt.apply_gradients(zip([tf.constant(g) for g in step_grads], variables))
        steps.append([v.numpy().copy() for v in variables])
    return steps, int(opt.iterations.numpy())


@pytest.mark.parametrize("config", list(CONFIGS))
def test_trajectory_matches_keras(config):
    cls, kwargs = CONFIGS[config]
    weights, grads = _problem()
    ours, iterations = nncourse_trajectory(cls, kwargs, weights, grads)
    theirs, k_iterations = keras_trajectory(cls, kwargs, weights, grads)
    assert iterations == k_iterations == len(SCALES)
    tol = 1e-12 if _float32_exact(kwargs) else 1e-6
    for t, (w_ours, w_keras) in enumerate(zip(ours, theirs), start=1):
        for a, b in zip(w_ours, w_keras):
            np.testing.assert_allclose(a, b, rtol=tol, atol=tol, err_msg=f"step {t}")


@pytest.mark.parametrize(("config", "plain"), OPTION_VS_PLAIN)
def test_option_changes_the_trajectory(config, plain):
    weights, grads = _problem()
    plain = CONFIGS[plain] if isinstance(plain, str) else plain
    with_option, _ = nncourse_trajectory(*CONFIGS[config], weights, grads)
    without, _ = nncourse_trajectory(*plain, weights, grads)
    assert np.abs(with_option[-1][0] - without[-1][0]).max() > 1e-3


@pytest.mark.parametrize("config", list(CONFIGS))
def test_parameters_keep_separate_state(config):
    """Stepping two parameters together equals stepping each with its own optimizer."""
    cls, kwargs = CONFIGS[config]
    rng = np.random.default_rng(3)
    w1, w2 = rng.standard_normal((2, 4))
    together = [Parameter(w1.copy(), "a"), Parameter(w2.copy(), "b")]
    alone = [Parameter(w1.copy(), "a"), Parameter(w2.copy(), "b")]
    opt, opts_alone = cls(**kwargs), [cls(**kwargs), cls(**kwargs)]
    for _ in range(4):
        g1, g2 = rng.standard_normal((2, 4))
        for params in (together, alone):
            params[0].grad[...], params[1].grad[...] = g1, 10 * g2
        opt.step(together)
        for o, p in zip(opts_alone, alone):
            o.step([p])
    for p, q in zip(together, alone):
        np.testing.assert_array_equal(p.data, q.data)


@pytest.mark.parametrize(
    "opt",
    [SGD(0.1), SGD(0.05, momentum=0.9), SGD(0.05, momentum=0.9, nesterov=True)],
    ids=["plain", "momentum", "nesterov"],
)
def test_sgd_converges_on_a_convex_quadratic(opt):
    """f(w) = 1/2 (w - c)^T A (w - c) with eigenvalues 1..10: any lr < 2/10 reaches w = c."""
    rng = np.random.default_rng(4)
    q, _ = np.linalg.qr(rng.standard_normal((10, 10)))
    A = q @ np.diag(np.arange(1.0, 11.0)) @ q.T
    c = rng.standard_normal(10)
    w = Parameter(np.zeros(10), "w")
    for _ in range(500):
        w.grad[...] = A @ (w.data - c)
        opt.step([w])
    np.testing.assert_allclose(w.data, c, atol=1e-6)


@pytest.mark.parametrize("name", ["sgd", "rmsprop", "adam", "Adam"])
def test_get_uses_keras_defaults(name):
    import keras

    opt = optimizers.get(name)
    config = keras.optimizers.get(name).get_config()
    assert type(opt).__name__.lower() == name.lower()
    settings = {k: v for k, v in vars(opt).items() if k in config}
    assert len(settings) >= 2
    for key, value in settings.items():
        assert value == pytest.approx(config[key], rel=1e-7), key  # Keras keeps lr in float32
    assert optimizers.get(opt) is opt


def test_get_unknown_lists_known_names():
    with pytest.raises(ValueError, match="Known optimizers: sgd, rmsprop, adam"):
        optimizers.get("adagrad")


def test_sgd_rejects_momentum_outside_unit_interval():
    with pytest.raises(ValueError, match="momentum in \\[0, 1\\]"):
        SGD(momentum=1.5)
