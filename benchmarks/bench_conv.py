"""Time nncourse's Conv2D forward + backward against the loop version and keras.layers.Conv2D.

    PYTHONPATH=. python benchmarks/bench_conv.py [--threads 1] [--repeats 15]

Prints median times (ms) for two layer shapes in float64 and float32. Every entry is one
forward pass plus the backward pass for the input, kernel and bias gradients. Keras runs under
tf.GradientTape eagerly and inside a tf.function. The loop version runs on the full batch too
(it loops over output pixels and filters, not over images), with 3 repeats. numpy's BLAS and
TensorFlow are both limited to --threads threads (default 1: the machine has 2 shared cores).

Each call is timed on two clocks at once: the wall clock (what you wait for) and the process's
CPU time (all its threads together; busy neighbours on the machine disturb it far less). The
two differ when a library runs extra threads: TensorFlow does even when limited to one.
"""

from __future__ import annotations

import argparse
import os
import platform
import time

import numpy as np

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1"  # Keras as it ships (lessons turn it off for quiet)

SHAPES = [((64, 28, 28, 1), 16), ((64, 14, 14, 16), 32)]  # (input shape, filters), 3x3 valid
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}


def median_ms(fn, repeats: int, warmup: int = 2) -> dict[str, float]:
    """Median time of fn() in ms on each clock, after some warm-up calls."""
    for _ in range(warmup):
        fn()
    times = {name: [] for name in CLOCKS}
    for _ in range(repeats):
        start = {name: clock() for name, clock in CLOCKS.items()}
        fn()
        for name, clock in CLOCKS.items():
            times[name].append(clock() - start[name])
    return {name: 1e3 * float(np.median(t)) for name, t in times.items()}


def numpy_step(x, dy, kernel, bias):
    """One nncourse Conv2D forward + backward on fixed weights."""
    from nncourse.layers import Conv2D

    layer = Conv2D(kernel.shape[-1], kernel.shape[:2], dtype=x.dtype.name)
    layer.build(x.shape)
    layer.set_weights([kernel, bias])

    def step():
        layer.forward(x)
        return layer.backward(dy)

    return step


def loop_step(x, dy, kernel, bias):
    """The loop functions, forward + backward."""
    from nncourse.layers import conv2d_backward_loop, conv2d_forward_loop

    def step():
        conv2d_forward_loop(x, kernel, bias, 1, "valid")
        return conv2d_backward_loop(dy, x, kernel, 1, "valid")

    return step


def keras_steps(x, dy, kernel, bias):
    """keras.layers.Conv2D forward + backward: (eager, tf.function)."""
    import keras
    import tensorflow as tf

    layer = keras.layers.Conv2D(kernel.shape[-1], kernel.shape[:2], dtype=x.dtype.name)
    layer.build(x.shape)
    layer.set_weights([kernel, bias])
    xt, dyt = tf.constant(x), tf.constant(dy)

    def step():
        with tf.GradientTape() as tape:
            tape.watch(xt)
            y = layer(xt)
        return tape.gradient(y, [xt, *layer.trainable_weights], output_gradients=dyt)

    return step, tf.function(step)


def matmul_ms(m: int, k: int, n: int, dtype, repeats: int) -> dict[str, float]:
    """Time of numpy's plain (m, k) @ (k, n) product: what BLAS gives on such a thin shape."""
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((m, k)).astype(dtype), rng.standard_normal((k, n)).astype(dtype)
    return median_ms(lambda: a @ b, repeats)


def make_case(shape, filters, dtype) -> dict:
    """Inputs, weights and output gradient for one layer shape and dtype."""
    rng = np.random.default_rng(0)
    N, H, W, C = shape
    return dict(
        label=f"{shape}->{filters}  {np.dtype(dtype).name}",
        x=rng.standard_normal(shape).astype(dtype),
        kernel=(0.1 * rng.standard_normal((3, 3, C, filters))).astype(dtype),
        bias=rng.standard_normal(filters).astype(dtype),
        dy=rng.standard_normal((N, H - 2, W - 2, filters)).astype(dtype),
        mkn=(N * (H - 2) * (W - 2), 9 * C, filters),  # the shape of the forward product
    )


def bench_all(cases: list[dict], repeats: int) -> None:
    """Add every timing to every case: {column: {clock: ms}}.

    Each contestant runs for all cases before the next starts: once TensorFlow has run eagerly,
    its tf.function timings get worse in the same process, so the compiled runs go first.
    """
    for c in cases:
        steps = keras_steps(c["x"], c["dy"], c["kernel"], c["bias"])
        c["keras_steps"] = steps
        c["tf_fn"] = median_ms(steps[1], repeats)
    for c in cases:
        c["numpy"] = median_ms(numpy_step(c["x"], c["dy"], c["kernel"], c["bias"]), repeats)
        c["matmul"] = matmul_ms(*c["mkn"], c["x"].dtype, repeats)
    for c in cases:
        c["keras"] = median_ms(c["keras_steps"][0], repeats)
    for c in cases:
        c["loop"] = median_ms(loop_step(c["x"], c["dy"], c["kernel"], c["bias"]), 3, warmup=0)


def print_table(rows: list[dict], clock: str) -> None:
    head = (
        f"{clock + ' clock, ms':<32}{'loop':>8}{'numpy':>8}{'keras':>8}{'tf.fn':>8}"
        f"{'loop/np':>9}{'np/keras':>9}{'np/tf.fn':>9}{'GFLOP/s':>9}{'matmul':>8}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        t = {key: r[key][clock] for key in ("loop", "numpy", "keras", "tf_fn", "matmul")}
        # The layer does three products' worth of work: forward, kernel and input gradients.
        flops = 2 * np.prod(r["mkn"])
        gflops, blas_gflops = 3 * flops / t["numpy"] / 1e6, flops / t["matmul"] / 1e6
        print(
            f"{r['label']:<32}{t['loop']:>8.0f}{t['numpy']:>8.2f}{t['keras']:>8.2f}"
            f"{t['tf_fn']:>8.2f}{t['loop'] / t['numpy']:>8.0f}x{t['numpy'] / t['keras']:>8.2f}x"
            f"{t['numpy'] / t['tf_fn']:>8.2f}x{gflops:>9.1f}{blas_gflops:>8.1f}"
        )
    print()


def verdict(value: float, goal: float, minimum: float | None = None) -> str:
    """'met' if value reaches goal, 'within the minimum' if it reaches minimum, else 'missed'
    (a speed-up: larger is better)."""
    if value >= goal:
        return "met"
    return "within the minimum" if minimum is not None and value >= minimum else "missed"


def print_goals(rows: list[dict]) -> None:
    """The issue's goals, judged on this run's wall-clock medians."""
    print("Goals (wall clock): vectorized >= 50x faster than the loop; within 1.5x of Keras's")
    print("tf.function time (3x at the very least).")
    for r in rows:
        t = {key: r[key]["wall"] for key in ("loop", "numpy", "tf_fn")}
        speedup, vs_keras = t["loop"] / t["numpy"], t["tf_fn"] / t["numpy"]
        print(
            f"  {r['label']:<30} loop/numpy {speedup:5.0f}x: {verdict(speedup, 50):<19}"
            f"numpy/tf.fn {1 / vs_keras:5.2f}x: {verdict(vs_keras, 1 / 1.5, 1 / 3)}"
        )
    print()


def describe_environment(threads: int) -> None:
    import tensorflow as tf
    from threadpoolctl import threadpool_info

    blas = [
        f"{i['internal_api']} {i['version']} ({i.get('architecture', '?')} kernels)"
        for i in threadpool_info()
        if i["user_api"] == "blas"
    ]
    coretype = os.environ.get("OPENBLAS_CORETYPE", "unset")
    print(
        f"numpy {np.__version__}, BLAS {', '.join(blas)}, OPENBLAS_CORETYPE={coretype}; "
        f"tensorflow {tf.__version__}; {threads} thread(s); "
        f"{platform.machine()}, {os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    import tensorflow as tf
    from threadpoolctl import threadpool_limits

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)
    describe_environment(args.threads)
    with threadpool_limits(args.threads):
        rows = [make_case(*shape, dtype) for dtype in (np.float64, np.float32) for shape in SHAPES]
        bench_all(rows, args.repeats)
    for clock in CLOCKS:
        print_table(rows, clock)
    print_goals(rows)
    print(
        "Medians of forward + backward on the whole batch; np/keras < 1 means numpy is faster.\n"
        "GFLOP/s: the numpy layer's useful work per second. matmul: GFLOP/s of numpy's plain\n"
        "(N*Ho*Wo, 9C) @ (9C, filters) product, i.e. what BLAS reaches on these thin shapes."
    )


if __name__ == "__main__":
    main()
