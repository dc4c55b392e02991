"""MNIST and Fashion-MNIST from the mirror Keras uses, cached and checked (needs the network once).

Both return exactly what keras.datasets.<name>.load_data() returns: uint8 images (N, 28, 28)
with pixels 0..255 and uint8 labels 0..9, 60,000 for training and 10,000 for testing.
"""

from __future__ import annotations

import gzip
import os

import numpy as np

from nncourse.datasets.download import data_home, fetch
from nncourse.datasets.utils import Split

KERAS_MIRROR = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"

# Published SHA-256 digests: mnist.npz is the hash keras.datasets.mnist checks; the Fashion-MNIST
# files are the original Zalando gzip files, which the Keras mirror serves (Keras checks no hash).
MNIST_FILE = "mnist.npz"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
FASHION_MNIST_SHA256 = {  # of the .gz files
    "train-images-idx3-ubyte": "3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
    "train-labels-idx1-ubyte": "a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
    "t10k-images-idx3-ubyte": "346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
    "t10k-labels-idx1-ubyte": "67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
}

# The third byte of an IDX file's magic number names the element type (all big-endian).
IDX_TYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path: str | os.PathLike) -> np.ndarray:
    """Read an IDX file (the MNIST format), gzipped or not.   -> array of the stored shape."""
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    with (gzip.open if gzipped else open)(path, "rb") as f:
        data = f.read()
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in IDX_TYPES:
        raise ValueError(f"{path} is not an IDX file (bad magic number {data[:4].hex()}).")
    ndim = data[3]
    shape = tuple(int(n) for n in np.frombuffer(data, ">u4", count=ndim, offset=4))
    dtype = np.dtype(IDX_TYPES[data[2]])
    body = data[4 + 4 * ndim :]
    if len(body) != dtype.itemsize * int(np.prod(shape)):
        raise ValueError(f"{path}: header says shape {shape}, but the data has {len(body)} bytes.")
    return np.frombuffer(body, dtype).reshape(shape).astype(dtype.newbyteorder("="))


def read_mnist_npz(path: str | os.PathLike) -> Split:
    """Read Keras's mnist.npz (arrays x_train, y_train, x_test, y_test)."""
    with np.load(path, allow_pickle=False) as f:
        return (f["x_train"], f["y_train"]), (f["x_test"], f["y_test"])


def load_mnist(
    cache_dir: str | os.PathLike | None = None,
    base_url: str = KERAS_MIRROR,
    timeout: float = 30.0,
) -> Split:
    """Handwritten digits, 28x28, like keras.datasets.mnist.load_data().   x uint8 (N, 28, 28).

    ``timeout`` is the seconds to wait for the server (see ``fetch``).
    """
    return read_mnist_npz(fetch(base_url + MNIST_FILE, MNIST_SHA256, cache_dir, timeout=timeout))


def load_fashion_mnist(
    cache_dir: str | os.PathLike | None = None,
    base_url: str = KERAS_MIRROR,
    timeout: float = 30.0,
) -> Split:
    """Zalando's clothing images, 28x28, like keras.datasets.fashion_mnist.load_data().

    ``timeout`` is the seconds to wait for the server (see ``fetch``).
    """
    folder = data_home(cache_dir) / "fashion-mnist"  # MNIST's raw files have the same names
    arrays = {
        name: read_idx(fetch(f"{base_url}{name}.gz", sha256, folder, timeout=timeout))
        for name, sha256 in FASHION_MNIST_SHA256.items()
    }
    return tuple(
        (arrays[f"{part}-images-idx3-ubyte"], arrays[f"{part}-labels-idx1-ubyte"])
        for part in ("train", "t10k")
    )
