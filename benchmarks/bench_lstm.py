"""Time nncourse's recurrent layers against Keras's: one forward and backward pass each.

    python benchmarks/bench_lstm.py [--repeats 30] [--threads 1] [--dtype float32]

Batch 64, 20 steps, 8 features, 32 units. Keras runs under tf.GradientTape, eagerly and as a
tf.function; both sides compute the output and the gradients of the input and every weight for
L = sum(y * dy), on the same weights (the outputs are compared first). The table shows medians
and nncourse's time divided by Keras's (below 1: nncourse is faster).
"""

from __future__ import annotations

import argparse
import os
import time


def median_ms(fn, repeats: int) -> float:
    """The median wall time of fn() in milliseconds, after two warm-up calls."""
    import numpy as np

    fn()
    fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return float(np.median(times)) * 1e3


def bench_layer(name: str, repeats: int, dtype: str) -> tuple[float, float, float]:
    """(nncourse, keras eager, keras tf.function) medians in ms for one layer type."""
    import keras
    import numpy as np
    import tensorflow as tf

    from nncourse import layers

    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 20, 8)).astype(dtype)
    klayer = getattr(keras.layers, name)(32, dtype=dtype)
    klayer.build(x.shape)
    ours = getattr(layers, name)(32, dtype=dtype)
    ours.build(x.shape)
    ours.set_weights([w.astype(dtype) for w in klayer.get_weights()])
    dy = rng.standard_normal(ours.compute_output_shape(x.shape)).astype(dtype)
    xt, dyt = tf.constant(x), tf.constant(dy)
    y = ours.forward(x)
    assert y.dtype == dtype, "nncourse must compute in the benchmark's dtype"
    np.testing.assert_allclose(y, klayer(xt), rtol=1e-4, atol=1e-5)

    def numpy_step():
        ours.forward(x)
        return ours.backward(dy)

    def keras_step():
        with tf.GradientTape() as tape:
            tape.watch(xt)
            loss = tf.reduce_sum(klayer(xt) * dyt)
        return tape.gradient(loss, [xt, *klayer.trainable_weights])

    compiled = tf.function(keras_step)
    return (
        median_ms(numpy_step, repeats),
        median_ms(keras_step, repeats),
        median_ms(compiled, repeats),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1, help="threads for BLAS and TensorFlow")
    parser.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    args = parser.parse_args()
    # Thread counts must be fixed before numpy and TensorFlow start their thread pools.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ["TF_ENABLE_ONEDNN_OPTS"] = "1"  # Keras as it ships (lessons turn it off for quiet)
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(args.threads)
    tf.config.threading.set_inter_op_parallelism_threads(args.threads)

    print(
        f"batch 64, 20 steps, 8 features, 32 units, {args.dtype}, {args.threads} thread(s), "
        f"median of {args.repeats}; forward + backward"
    )
    header = f"{'layer':<10}{'nncourse':>10}{'keras eager':>13}{'keras tf.fn':>13}"
    print(header + f"{'÷ eager':>10}{'÷ tf.fn':>10}")
    results = {}
    for name in ("LSTM", "GRU", "SimpleRNN"):
        ours, eager, compiled = results[name] = bench_layer(name, args.repeats, args.dtype)
        print(
            f"{name:<10}{ours:>8.2f}ms{eager:>11.2f}ms{compiled:>11.2f}ms"
            f"{ours / eager:>10.2f}{ours / compiled:>10.2f}"
        )
    ours, _, compiled = results["LSTM"]
    ratio = ours / compiled
    verdict = "met" if ratio <= 1 else "within the minimum" if ratio <= 3 else "missed"
    print(
        f"\nGoal: the LSTM as fast as Keras's tf.function or faster (3x slower at the very "
        f"least): {ratio:.2f}x, {verdict}.\nWhat limits it: the 20 time steps run one after "
        f"another, each a few small matrix products\n({ours / 20 * 1000:.0f} us per step, forward "
        "and backward), so call overhead, not arithmetic, sets the pace."
    )


if __name__ == "__main__":
    main()
