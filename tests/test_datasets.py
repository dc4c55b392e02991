"""Tests for nncourse.datasets: shapes, seeds, splits, toy-problem geometry, downloads and caching.

No test touches the network: downloads come from files the tests make, through file:// URLs
or an http.server on 127.0.0.1, and "offline" is a port on 127.0.0.1 that nothing listens on.
"""

import gzip
import hashlib
import http.server
import importlib.util
import os
import socket
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from nncourse import datasets as ds
from nncourse.datasets import mnist as mnist_module

# name -> (loader taking a seed, feature shape, number of classes, total samples)
LOADERS = {
    "digits": (lambda seed: ds.load_digits(seed=seed), (8, 8, 1), 10, 1797),
    "digits_flat": (lambda seed: ds.load_digits(seed=seed, flatten=True), (64,), 10, 1797),
    "breast_cancer": (lambda seed: ds.load_breast_cancer(seed=seed), (30,), 2, 569),
    "iris": (lambda seed: ds.load_iris(seed=seed), (4,), 3, 150),
    "moons": (lambda seed: ds.load_moons(n_samples=201, seed=seed), (2,), 2, 201),
    "spirals": (lambda seed: ds.load_spirals(n_samples=300, seed=seed), (2,), 2, 300),
    "spirals3": (lambda seed: ds.load_spirals(300, n_classes=3, seed=seed), (2,), 3, 300),
    "xor": (lambda seed: ds.load_xor(n_samples=202, seed=seed), (2,), 2, 202),
    "circles": (lambda seed: ds.load_circles(n_samples=200, seed=seed), (2,), 2, 200),
}


@pytest.mark.parametrize("name", LOADERS)
def test_loader_returns_keras_tuple(name):
    load, feature_shape, n_classes, total = LOADERS[name]
    (x_train, y_train), (x_test, y_test) = load(0)
    for x, y in ((x_train, y_train), (x_test, y_test)):
        assert x.dtype == np.float64 and x.shape[1:] == feature_shape
        assert y.dtype == np.int64 and y.shape == (len(x),)
        assert set(np.unique(y)) == set(range(n_classes))
        assert np.isfinite(x).all()
    assert len(y_train) + len(y_test) == total


@pytest.mark.parametrize("name", LOADERS)
def test_loader_is_deterministic_for_a_seed(name):
    load = LOADERS[name][0]
    first, again, other = load(3), load(3), load(4)
    for (x1, y1), (x2, y2) in zip(first, again):
        np.testing.assert_array_equal(x1, x2)
        np.testing.assert_array_equal(y1, y2)
    (x1, _), _ = first
    (x3, _), _ = other
    assert x1.shape != x3.shape or not np.array_equal(x1, x3)


@pytest.mark.parametrize("name", LOADERS)
def test_split_is_stratified(name):
    load = LOADERS[name][0]
    (_, y_train), (_, y_test) = load(0)
    per_class = np.bincount(np.concatenate([y_train, y_test]))
    expected_test = np.clip(np.round(0.25 * per_class), 1, per_class - 1)
    np.testing.assert_array_equal(np.bincount(y_test), expected_test)


def test_digits_split_is_a_partition_of_the_bundled_data():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    (x_train, y_train), (x_test, y_test) = ds.load_digits(flatten=True, normalize=False)
    ours = np.column_stack([np.concatenate([x_train, x_test]), np.concatenate([y_train, y_test])])
    reference = np.column_stack([bunch.data, bunch.target])
    # Same rows, each used once: nothing is in both train and test, nothing is lost.
    np.testing.assert_array_equal(np.unique(ours, axis=0), np.unique(reference, axis=0))
    np.testing.assert_array_equal(np.sort(ours, axis=0), np.sort(reference, axis=0))


def test_digits_pixel_scaling():
    (x, _), _ = ds.load_digits(seed=1, normalize=True)
    (raw, _), _ = ds.load_digits(seed=1, normalize=False)
    assert x.min() == 0.0 and x.max() == 1.0
    assert raw.max() == 16.0 and np.array_equal(raw, np.round(raw))
    np.testing.assert_allclose(x * 16.0, raw)


@pytest.mark.parametrize("load", [ds.load_breast_cancer, ds.load_iris])
def test_standardize_uses_training_statistics_only(load):
    (raw_train, y_raw), (raw_test, _) = load(seed=2, standardize=False)
    (x_train, y_train), (x_test, _) = load(seed=2, standardize=True)
    np.testing.assert_array_equal(y_raw, y_train)  # same split either way
    mean, std = raw_train.mean(axis=0), raw_train.std(axis=0)
    np.testing.assert_allclose(x_train, (raw_train - mean) / std, atol=1e-12)
    np.testing.assert_allclose(x_test, (raw_test - mean) / std, atol=1e-12)
    np.testing.assert_allclose(x_train.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(x_train.std(axis=0), 1.0, atol=1e-12)
    # The test part is NOT scaled by its own statistics (that would leak test information).
    assert np.abs(x_test.mean(axis=0)).max() > 1e-3


# --- geometry of the synthetic problems (noise=0 puts every point exactly on its curve) -----


def test_moons_lie_on_their_half_circles():
    x, y = ds.make_moons(300, noise=0.0, seed=0)
    top, bottom = x[y == 0], x[y == 1] - [1.0, 0.5]
    np.testing.assert_allclose(np.hypot(*top.T), 1.0)
    np.testing.assert_allclose(np.hypot(*bottom.T), 1.0)
    assert (top[:, 1] >= 0).all() and (bottom[:, 1] <= 0).all()


def test_circles_have_the_requested_radii():
    x, y = ds.make_circles(300, noise=0.0, factor=0.3, seed=0)
    np.testing.assert_allclose(np.hypot(*x[y == 0].T), 1.0)
    np.testing.assert_allclose(np.hypot(*x[y == 1].T), 0.3)


def test_xor_without_noise_is_the_truth_table():
    x, y = ds.make_xor(40, noise=0.0, seed=0)
    assert set(map(tuple, x)) == {(-1.0, -1.0), (-1.0, 1.0), (1.0, -1.0), (1.0, 1.0)}
    np.testing.assert_array_equal(y, (x[:, 0] > 0) ^ (x[:, 1] > 0))


@pytest.mark.parametrize("n_classes", [2, 3, 5])
def test_spiral_points_follow_their_arm(n_classes):
    x, y = ds.make_spirals(500, n_classes=n_classes, noise=0.0, seed=0)
    r = np.hypot(*x.T)
    assert r.min() >= 0.1 - 1e-12 and r.max() <= 1.0 + 1e-12
    angle = 2 * np.pi * (y / n_classes + (r - 0.1) / 0.9)
    np.testing.assert_allclose(x, np.column_stack([r * np.cos(angle), r * np.sin(angle)]))
    assert np.ptp(np.bincount(y)) <= 1  # balanced classes


def test_spirals_are_learnable_by_a_small_mlp():
    from sklearn.neural_network import MLPClassifier

    (x_train, y_train), (x_test, y_test) = ds.load_spirals(seed=0)
    model = MLPClassifier((32, 32), max_iter=2000, random_state=0).fit(x_train, y_train)
    assert model.score(x_test, y_test) >= 0.95


@pytest.mark.parametrize("make", [ds.make_moons, ds.make_spirals, ds.make_xor, ds.make_circles])
def test_make_accepts_a_generator_and_noise_moves_points(make):
    x, y = make(100, noise=0.0, seed=np.random.default_rng(7))
    x_noisy, y_noisy = make(100, noise=0.2, seed=np.random.default_rng(7))
    assert x.shape == (100, 2) and x.dtype == np.float64 and y.dtype == np.int64
    np.testing.assert_array_equal(y, y_noisy)  # same labels, same order
    assert 0.05 < np.std(x_noisy - x) < 0.5


# --- sine windows -------------------------------------------------------------------------


def test_sine_windows_slide_along_one_series():
    x, y = ds.make_sine_sequences(n_samples=50, steps=7, noise=0.1, seed=0)
    assert x.shape == (50, 7, 1) and y.shape == (50, 1) and x.dtype == np.float64
    np.testing.assert_array_equal(x[1:, :-1], x[:-1, 1:])
    np.testing.assert_array_equal(y[:-1, 0], x[1:, -1, 0])


def test_noise_free_sine_obeys_its_recurrence():
    # A pure sine satisfies s[t+1] = 2 cos(w) s[t] - s[t-1], w = 2 pi / period.
    period = 16.0
    x, y = ds.make_sine_sequences(30, steps=5, noise=0.0, period=period, seed=1)
    np.testing.assert_allclose(y[:, 0], 2 * np.cos(2 * np.pi / period) * x[:, -1, 0] - x[:, -2, 0])


def test_sine_forecast_splits_by_time_without_shared_values():
    (x_train, y_train), (x_test, y_test) = ds.load_sine_forecast(
        n_samples=200, steps=10, noise=0.1, test_size=0.25, seed=0
    )
    assert x_train.shape == (150, 10, 1) and x_test.shape == (50, 10, 1)
    assert y_train.shape == (150, 1) and y_test.shape == (50, 1)
    train_values = set(x_train.ravel()) | set(y_train.ravel())
    assert train_values.isdisjoint(set(x_test.ravel()) | set(y_test.ravel()))
    (x_train, y_train), (x_test, _) = ds.load_sine_forecast(200, 10, noise=0.0, period=12.0)
    w = 2 * np.pi / 12.0  # the test series starts right where the training one ends
    np.testing.assert_allclose(x_test[0, 0, 0], 2 * np.cos(w) * y_train[-1, 0] - x_train[-1, -1, 0])


# --- argument errors ------------------------------------------------------------------------

BAD_CALLS = [
    (ds.load_digits, {"test_size": 0.0}, "test_size"),
    (ds.load_iris, {"test_size": 1.0}, "test_size"),
    (ds.load_breast_cancer, {"test_size": -0.2}, "test_size"),
    (ds.load_spirals, {"test_size": 1.5}, "test_size"),
    (ds.load_sine_forecast, {"test_size": 2}, "test_size"),
    (ds.make_moons, {"n_samples": 0}, "n_samples"),
    (ds.make_xor, {"n_samples": -5}, "n_samples"),
    (ds.make_sine_sequences, {"n_samples": 0}, "n_samples"),
    (ds.make_circles, {"noise": -0.1}, "noise"),
    (ds.make_spirals, {"noise": -1.0}, "noise"),
    (ds.load_sine_forecast, {"noise": -0.5}, "noise"),
    (ds.make_spirals, {"n_classes": 1}, "n_classes"),
    (ds.make_circles, {"factor": 1.5}, "factor"),
    (ds.make_sine_sequences, {"steps": 0}, "steps"),
]


@pytest.mark.parametrize("func, kwargs, word", BAD_CALLS)
def test_wrong_arguments_raise_clear_value_errors(func, kwargs, word):
    with pytest.raises(ValueError, match=word):
        func(**kwargs)


# --- to_categorical -------------------------------------------------------------------------


def test_to_categorical_hand_worked_example():
    expected = np.array([[1.0, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]])
    np.testing.assert_array_equal(ds.to_categorical([0, 2, 1], num_classes=4), expected)
    np.testing.assert_array_equal(ds.to_categorical(np.array([[0], [2], [1]])), expected[:, :3])


def test_to_categorical_round_trip_keeps_leading_axes():
    y = np.random.default_rng(0).integers(0, 7, size=(5, 4))
    one_hot = ds.to_categorical(y)
    # Keras's layout: float64 for numpy input, class axis last, exactly one 1 per label.
    assert one_hot.shape == (5, 4, 7) and one_hot.dtype == np.float64
    np.testing.assert_array_equal(one_hot.sum(axis=-1), 1.0)
    np.testing.assert_array_equal(one_hot.argmax(axis=-1), y)
    assert ds.to_categorical(y[:, :1], 9).shape == (5, 9)


@pytest.mark.parametrize(
    "labels, num_classes, word",
    [([0, -1, 2], None, ">= 0"), ([0, 3], 3, "num_classes=3"), ([0.5, 1], None, "integer")],
)
def test_to_categorical_rejects_bad_labels(labels, num_classes, word):
    with pytest.raises(ValueError, match=word):
        ds.to_categorical(labels, num_classes)


# --- downloads: fetch, cache, checksum, offline --------------------------------------------


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(autouse=True)
def no_proxy_for_loopback(monkeypatch):
    """Keep the tests' local HTTP traffic off any proxy configured on the machine."""
    for name in ("no_proxy", "NO_PROXY"):
        monkeypatch.setenv(name, "127.0.0.1,localhost")


@pytest.fixture(autouse=True)
def downloads_allowed(monkeypatch):
    """The test command sets NNCOURSE_OFFLINE; these tests download from local files instead."""
    monkeypatch.delenv("NNCOURSE_OFFLINE", raising=False)


@pytest.fixture
def source(tmp_path):
    """A 'remote' folder with one file in it, and its file:// base URL."""
    folder = tmp_path / "remote"
    folder.mkdir()
    (folder / "data.bin").write_bytes(b"nncourse test payload " * 100)
    return folder, folder.as_uri() + "/"


@pytest.fixture
def closed_port_url():
    """An http URL on 127.0.0.1 where nothing listens: what being offline looks like."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/"


def test_fetch_downloads_verifies_and_then_uses_the_cache(source, tmp_path):
    folder, base = source
    payload = (folder / "data.bin").read_bytes()
    cache = tmp_path / "cache"
    path = ds.fetch(base + "data.bin", sha256(payload), cache_dir=cache)
    assert path == cache / "data.bin" and path.read_bytes() == payload
    assert [p.name for p in cache.iterdir()] == ["data.bin"]  # no temporary file left behind
    (folder / "data.bin").unlink()  # the source is gone: a second call must not need it
    assert ds.fetch(base + "data.bin", sha256(payload), cache_dir=cache).read_bytes() == payload


def test_fetch_over_http_downloads_once(tmp_path):
    payload = bytes(range(256)) * 64
    (tmp_path / "remote.bin").write_bytes(payload)
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(tmp_path), **kwargs)

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/remote.bin"
        for _ in range(3):
            path = ds.fetch(url, sha256(payload), cache_dir=tmp_path / "cache", timeout=5)
            assert path.read_bytes() == payload
    finally:
        server.shutdown()
        server.server_close()
    assert requests == ["/remote.bin"]


def test_offline_raises_dataset_unavailable_with_advice(tmp_path, closed_port_url):
    url = closed_port_url + "mnist.npz"
    with pytest.raises(ds.DatasetUnavailableError) as info:
        ds.fetch(url, "0" * 64, cache_dir=tmp_path / "cache", timeout=5)
    message = str(info.value)
    assert isinstance(info.value, OSError)
    assert url in message and str(tmp_path / "cache" / "mnist.npz") in message
    assert "load_digits" in message and "NNCOURSE_DATA" in message
    assert list((tmp_path / "cache").iterdir()) == []


@pytest.fixture
def silent_server_url():
    """An http URL on 127.0.0.1 that takes connections but never answers: a stalled server."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(8)  # the kernel completes the handshakes; nobody ever reads or replies
        yield f"http://127.0.0.1:{s.getsockname()[1]}/"


def fetch_file(cache_dir, base_url, timeout):
    return ds.fetch(base_url + "data.bin", "0" * 64, cache_dir=cache_dir, timeout=timeout)


@pytest.mark.parametrize("load", [fetch_file, ds.load_mnist, ds.load_fashion_mnist])
def test_a_stalled_server_fails_after_the_timeout(load, tmp_path, silent_server_url):
    start = time.monotonic()
    with pytest.raises(ds.DatasetUnavailableError, match="timed out|no answer") as info:
        load(cache_dir=tmp_path, base_url=silent_server_url, timeout=0.5)
    assert 0.4 < time.monotonic() - start < 5  # it waited for the timeout given, not 30 s
    assert "load_digits" in str(info.value)


def test_a_hanging_name_lookup_fails_after_the_timeout(tmp_path, monkeypatch):
    monkeypatch.setenv("no_proxy", "*")
    released = threading.Event()

    def slow_lookup(*args, **kwargs):  # a DNS server that does not answer
        released.wait(30)
        raise socket.gaierror("lookup abandoned by the test")

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    start = time.monotonic()
    try:
        with pytest.raises(ds.DatasetUnavailableError, match=r"no answer within 0.5 s"):
            ds.fetch("http://data.invalid/a.bin", "0" * 64, cache_dir=tmp_path, timeout=0.5)
        assert time.monotonic() - start < 3
    finally:
        released.set()  # let the abandoned lookup thread finish
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("value", ["1", "true", "yes"])
def test_offline_variable_stops_downloads_at_once_but_keeps_the_cache(
    value, source, tmp_path, monkeypatch
):
    folder, base = source
    payload = (folder / "data.bin").read_bytes()
    monkeypatch.setenv("NNCOURSE_OFFLINE", value)
    with pytest.raises(ds.DatasetUnavailableError, match="NNCOURSE_OFFLINE") as info:
        ds.fetch(base + "data.bin", sha256(payload), cache_dir=tmp_path / "cache")
    assert "load_digits" in str(info.value) and str(tmp_path / "cache") in str(info.value)
    assert not (tmp_path / "cache").exists()  # it did not even start
    for load in (ds.load_mnist, ds.load_fashion_mnist):
        with pytest.raises(ds.DatasetUnavailableError, match="NNCOURSE_OFFLINE"):
            load(cache_dir=tmp_path / "cache", base_url=base)
    monkeypatch.setenv("NNCOURSE_OFFLINE", "0")  # switched off: the same call downloads
    ds.fetch(base + "data.bin", sha256(payload), cache_dir=tmp_path / "cache")
    monkeypatch.setenv("NNCOURSE_OFFLINE", value)  # offline again: the cached copy still serves
    path = ds.fetch(base + "data.bin", sha256(payload), cache_dir=tmp_path / "cache")
    assert path.read_bytes() == payload


def test_download_with_wrong_checksum_is_not_saved(source, tmp_path):
    _, base = source
    with pytest.raises(ds.ChecksumError, match="expected 1111"):
        ds.fetch(base + "data.bin", "1" * 64, cache_dir=tmp_path / "cache")
    assert list((tmp_path / "cache").iterdir()) == []


def test_corrupt_cached_file_is_refused(tmp_path, closed_port_url):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / "data.bin").write_bytes(b"truncated")
    with pytest.raises(ds.ChecksumError, match="Delete it") as info:
        ds.fetch(closed_port_url + "data.bin", sha256(b"the real file"), cache_dir=cache)
    assert str(cache / "data.bin") in str(info.value)
    assert (cache / "data.bin").read_bytes() == b"truncated"  # the user's file is left alone


def test_cache_folder_honours_argument_then_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("NNCOURSE_DATA", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    assert ds.data_home() == tmp_path / "home" / ".cache" / "nncourse"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert ds.data_home() == tmp_path / "xdg" / "nncourse"
    monkeypatch.setenv("NNCOURSE_DATA", str(tmp_path / "data"))
    assert ds.data_home() == tmp_path / "data"
    assert ds.data_home(tmp_path / "mine") == tmp_path / "mine"


# --- MNIST and Fashion-MNIST readers, fed with tiny files made here ------------------------


def idx_bytes(array: np.ndarray, type_code: int) -> bytes:
    """Write an IDX file by hand: magic (0, 0, type, ndim), big-endian dims, big-endian data."""
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def test_read_idx_plain_gzipped_and_wider_types(tmp_path):
    images = np.random.default_rng(0).integers(0, 256, size=(3, 4, 5), dtype=np.uint8)
    (tmp_path / "a.gz").write_bytes(gzip.compress(idx_bytes(images, 0x08)))
    np.testing.assert_array_equal(ds.read_idx(tmp_path / "a.gz"), images)
    shorts = np.array([[-300, 2], [1000, -7]], dtype=np.int16)
    (tmp_path / "b.idx").write_bytes(idx_bytes(shorts, 0x0B))
    read = ds.read_idx(tmp_path / "b.idx")
    np.testing.assert_array_equal(read, shorts)
    assert read.dtype == np.int16  # native byte order, as numpy code downstream expects


def test_read_idx_rejects_bad_files(tmp_path):
    (tmp_path / "bad").write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(ValueError, match="not an IDX file"):
        ds.read_idx(tmp_path / "bad")
    (tmp_path / "short").write_bytes(idx_bytes(np.zeros((2, 3), np.uint8), 0x08)[:-1])
    with pytest.raises(ValueError, match="header says shape"):
        ds.read_idx(tmp_path / "short")


def test_load_fashion_mnist_from_a_local_mirror(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    remote, hashes, expected = tmp_path / "remote", {}, {}
    remote.mkdir()
    for part, n in (("train", 6), ("t10k", 4)):
        expected[part] = (
            rng.integers(0, 256, (n, 28, 28), dtype=np.uint8),
            rng.integers(0, 10, n, dtype=np.uint8),
        )
        for name, array in zip(("images-idx3", "labels-idx1"), expected[part]):
            data = gzip.compress(idx_bytes(array, 0x08))
            (remote / f"{part}-{name}-ubyte.gz").write_bytes(data)
            hashes[f"{part}-{name}-ubyte"] = sha256(data)
    monkeypatch.setattr(mnist_module, "FASHION_MNIST_SHA256", hashes)
    split = ds.load_fashion_mnist(cache_dir=tmp_path / "cache", base_url=remote.as_uri() + "/")
    for (x, y), part in zip(split, ("train", "t10k")):
        np.testing.assert_array_equal(x, expected[part][0])
        np.testing.assert_array_equal(y, expected[part][1])
    assert len(list((tmp_path / "cache" / "fashion-mnist").glob("*.gz"))) == 4


def test_load_mnist_from_a_local_mirror_checks_the_published_hash(tmp_path, monkeypatch):
    rng = np.random.default_rng(0)
    arrays = {k: rng.integers(0, 256, (n, 28, 28), dtype=np.uint8) for k, n in (("x_train", 5),)}
    arrays |= {"y_train": np.arange(5, dtype=np.uint8), "x_test": arrays["x_train"][:2]}
    arrays["y_test"] = np.arange(2, dtype=np.uint8)
    remote = tmp_path / "remote"
    remote.mkdir()
    np.savez(remote / "mnist.npz", **arrays)
    base = remote.as_uri() + "/"
    with pytest.raises(ds.ChecksumError):  # our little file is not the real MNIST
        ds.load_mnist(cache_dir=tmp_path / "cache", base_url=base)
    monkeypatch.setattr(mnist_module, "MNIST_SHA256", sha256((remote / "mnist.npz").read_bytes()))
    (x_train, y_train), (x_test, y_test) = ds.load_mnist(tmp_path / "cache", base_url=base)
    np.testing.assert_array_equal(x_train, arrays["x_train"])
    np.testing.assert_array_equal(y_test, arrays["y_test"])


@pytest.mark.parametrize("load", [ds.load_mnist, ds.load_fashion_mnist])
def test_mnist_loaders_offline_error(load, tmp_path, closed_port_url):
    with pytest.raises(ds.DatasetUnavailableError, match="load_digits"):
        load(cache_dir=tmp_path, base_url=closed_port_url)


def test_mnist_hash_is_the_one_keras_checks():
    spec = importlib.util.find_spec("keras")
    if spec is None or spec.origin is None:
        pytest.skip("keras is not installed")
    keras_source = Path(spec.origin).parent / "src" / "datasets" / "mnist.py"
    if not keras_source.exists():
        pytest.skip("this Keras version keeps its MNIST loader elsewhere")
    assert mnist_module.MNIST_SHA256 in keras_source.read_text()


def test_importing_the_package_stays_light():
    repo = str(Path(__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([repo, os.environ.get("PYTHONPATH", "")])}
    code = (
        "import sys, nncourse.datasets; "
        "print(sorted(m for m in ('tensorflow', 'keras', 'matplotlib', 'sklearn') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env
    )
    assert out.stdout.strip() == "[]"
