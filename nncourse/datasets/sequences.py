"""A noisy sine wave cut into windows, for next-value forecasting with recurrent networks."""

from __future__ import annotations

import numpy as np

from nncourse.datasets.utils import XY, Split, check_n_samples, check_noise, check_test_size
from nncourse.initializers import Seed, as_generator


def sine_series(
    length: int, noise: float = 0.1, period: float = 25.0, seed: Seed = None
) -> np.ndarray:
    """s_t = sin(2 pi t / period + phase) + noise * eps_t, random phase.   -> s (length,)."""
    noise, rng = check_noise(noise), as_generator(seed)
    if not period > 0:
        raise ValueError(f"period must be a positive number of steps, got {period}.")
    phase = rng.uniform(0.0, 2.0 * np.pi)
    t = np.arange(length)
    return np.sin(2.0 * np.pi * t / period + phase) + noise * rng.standard_normal(length)


def windows(series: np.ndarray, steps: int) -> XY:
    """Each run of `steps` values, and the value after it.   s (T,) -> x (T-k, k, 1), y (T-k, 1).

    Here k = steps; window i is s[i : i + k] and its target is s[i + k].
    """
    x = np.lib.stride_tricks.sliding_window_view(series[:-1], steps)
    return x[:, :, None].copy(), series[steps:, None].copy()


def _check_steps(steps: int) -> int:
    if int(steps) != steps or steps < 1:
        raise ValueError(f"steps (the window length) must be a whole number >= 1, got {steps}.")
    return int(steps)


def make_sine_sequences(
    n_samples: int = 1000,
    steps: int = 20,
    noise: float = 0.1,
    period: float = 25.0,
    seed: Seed = None,
) -> XY:
    """Sliding windows over one noisy sine series, in time order.   -> x (N, steps, 1), y (N, 1)."""
    n, steps = check_n_samples(n_samples), _check_steps(steps)
    return windows(sine_series(n + steps, noise, period, seed), steps)


def load_sine_forecast(
    n_samples: int = 1000,
    steps: int = 20,
    noise: float = 0.1,
    period: float = 25.0,
    test_size: float = 0.25,
    seed: Seed = 0,
) -> Split:
    """Windows split by time: the test windows come from later in the series than any training one.

    A random split would leak, since neighbouring windows share all but one value. The series
    is cut in two first, so no value (input or target) of a test window is seen in training.
    """
    n, steps = check_n_samples(n_samples, minimum=2), _check_steps(steps)
    n_test = min(max(int(round(check_test_size(test_size) * n)), 1), n - 1)
    n_train = n - n_test
    series = sine_series(n_train + n_test + 2 * steps, noise, period, seed)
    cut = n_train + steps
    return windows(series[:cut], steps), windows(series[cut:], steps)
