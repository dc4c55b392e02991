"""Benchmark: the numpy MLP against the same Keras MLP on digits, in one run.

Same architecture (64 → 128 ReLU → 10 softmax), optimizer (Adam), epochs and batch size. Prints
seconds per epoch (median over epochs after the first, so Keras's one-off graph tracing is not
counted against it; the first epoch is shown separately), their ratio, the final test accuracy,
and the time `import nncourse` takes. Run: python benchmarks/bench_mlp.py [--epochs N]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1"  # Keras as it ships (lessons turn it off for quiet)

import numpy as np  # noqa: E402

from nncourse.callbacks import Callback  # noqa: E402
from nncourse.datasets import load_digits  # noqa: E402
from nncourse.datasets.utils import standardize  # noqa: E402
from nncourse.layers import Dense, Input  # noqa: E402
from nncourse.models import Sequential  # noqa: E402


class EpochTimer(Callback):
    """Records the wall time of every epoch (works as a Keras callback too)."""

    def __init__(self) -> None:
        self.times: list[float] = []

    def on_epoch_begin(self, epoch, logs=None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None) -> None:
        self.times.append(time.perf_counter() - self._start)


def run_numpy(data, epochs: int, batch_size: int, dtype: str) -> tuple[list[float], float]:
    (x, y), (xt, yt) = data
    model = Sequential([Input((64,)), Dense(128, "relu"), Dense(10, "softmax")], seed=0)
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(
        x.astype(dtype), y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[timer]
    )
    return timer.times, model.evaluate(xt.astype(dtype), yt)[1]


def run_keras(data, epochs: int, batch_size: int) -> tuple[list[float], float]:
    import keras

    keras.utils.set_random_seed(0)
    (x, y), (xt, yt) = data
    model = keras.Sequential(
        [keras.Input((64,)), keras.layers.Dense(128, "relu"), keras.layers.Dense(10, "softmax")]
    )
    model.compile("adam", "sparse_categorical_crossentropy", metrics=["accuracy"])
    timer = EpochTimer()
    model.fit(
        x.astype("float32"), y, epochs=epochs, batch_size=batch_size, verbose=0, callbacks=[timer]
    )
    return timer.times, model.evaluate(xt.astype("float32"), yt, verbose=0)[1]


def import_time(module: str) -> float:
    code = f"import time; t = time.perf_counter(); import {module}\n"
    code += "print(time.perf_counter() - t)"
    runs = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(5)
    ]
    return float(np.median(runs))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=32)
    args = parser.parse_args()
    (x, y), (xt, yt) = load_digits(flatten=True, seed=0)
    x, xt = standardize(x, xt)
    data = (x, y), (xt, yt)
    run_numpy(data, 2, args.batch_size, "float64")  # warm-up: caches, allocator, CPU clock
    rows = [
        ("numpy float64", *run_numpy(data, args.epochs, args.batch_size, "float64")),
        ("numpy float32", *run_numpy(data, args.epochs, args.batch_size, "float32")),
        ("keras (TF, float32)", *run_keras(data, args.epochs, args.batch_size)),
    ]
    keras_epoch = float(np.median(rows[-1][1][1:]))
    print(
        f"\nMLP 64-128-10 on digits: {len(x)} training examples, batch {args.batch_size}, "
        f"{args.epochs} epochs, {os.cpu_count()} CPUs"
    )
    print(
        f"{'model':<22}{'1st epoch s':>12}{'epoch s (median)':>18}{'Keras / this':>14}"
        f"{'test acc':>10}"
    )
    for name, times, acc in rows:
        epoch = float(np.median(times[1:]))
        print(f"{name:<22}{times[0]:>12.3f}{epoch:>18.4f}{keras_epoch / epoch:>13.1f}x{acc:>10.3f}")
    for module in ("nncourse", "nncourse.models"):
        ms = import_time(module) * 1000
        print(f"\nimport {module}: {ms:.0f} ms (median of 5, fresh processes)", end="")
    best = max(keras_epoch / float(np.median(times[1:])) for _, times, _ in rows[:-1])
    gap = max(abs(acc - rows[-1][2]) for _, _, acc in rows[:-1])
    print(
        f"\n\nGoal: numpy >= 10x faster per epoch than Keras, with equal accuracy: {best:.1f}x "
        f"({'met' if best >= 10 else 'missed'}), accuracies within {gap:.3f} of Keras's."
    )


if __name__ == "__main__":
    main()
