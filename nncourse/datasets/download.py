"""Download a file once, check its SHA-256, and keep it in a cache folder.

The cache folder is, in order: the `cache_dir` argument, $NNCOURSE_DATA, $XDG_CACHE_HOME/nncourse,
~/.cache/nncourse. A file is written under a temporary name and renamed only once its checksum
is right, so an interrupted download never leaves a half file that looks complete.

Setting the environment variable NNCOURSE_OFFLINE=1 turns downloads off: a file that is not
cached yet then fails at once with DatasetUnavailableError instead of waiting for a network.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path

CHUNK = 1 << 20  # read and hash 1 MiB at a time instead of holding a whole file in memory
OFFLINE_VARIABLE = "NNCOURSE_OFFLINE"


class DatasetUnavailableError(OSError):
    """A data set could not be downloaded (no network, bad address) or its file is corrupt."""


class ChecksumError(DatasetUnavailableError):
    """A file's SHA-256 is not the published one: it is corrupt, truncated or a different file."""


def data_home(cache_dir: str | os.PathLike | None = None) -> Path:
    """The folder where downloaded data sets are kept (see the module docstring for the order)."""
    if cache_dir is not None:
        return Path(cache_dir).expanduser()
    if os.environ.get("NNCOURSE_DATA"):
        return Path(os.environ["NNCOURSE_DATA"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(xdg).expanduser() / "nncourse"


def sha256_of(path: str | os.PathLike) -> str:
    """The hex SHA-256 digest of a file."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(CHUNK), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _offline_message(url: str, path: Path, sha256: str, reason: object) -> str:
    return (
        f"Could not download {url} ({reason}). If this computer is offline, fetch that file on "
        f"another one and put it at {path} (its SHA-256 must be {sha256}), or set NNCOURSE_DATA "
        "to the folder that holds it. nncourse.datasets.load_digits() needs no download and "
        "works offline."
    )


def _offline() -> bool:
    """Whether $NNCOURSE_OFFLINE forbids downloads (any value but empty, 0, false, no, off)."""
    value = os.environ.get(OFFLINE_VARIABLE, "").strip().lower()
    return value not in ("", "0", "false", "no", "off")


def _open(url: str, timeout: float):
    """urlopen(url), giving up after `timeout` seconds even while the host name is looked up.

    urlopen's own timeout covers connecting and each read, but not the DNS lookup before them,
    which on a half-working network can hang for minutes (socket.setdefaulttimeout does not
    cover it either). So the opening runs in a helper thread that is left behind if it is late.
    """
    box: dict = {}
    lock = threading.Lock()

    def open_in_thread() -> None:
        try:
            response = urllib.request.urlopen(url, timeout=timeout)
        except Exception as err:  # handed to the caller, which reports it
            box["error"] = err
            return
        with lock:
            if box.get("abandoned"):
                response.close()  # the caller has given up: nobody will read it
            else:
                box["response"] = response

    thread = threading.Thread(target=open_in_thread, daemon=True, name="nncourse-download")
    thread.start()
    thread.join(timeout)
    with lock:
        if not box:
            box["abandoned"] = True
            raise TimeoutError(f"no answer within {timeout:g} s")
    if "error" in box:
        raise box["error"]
    return box["response"]


def _download(url: str, path: Path, sha256: str, timeout: float) -> None:
    """Stream `url` to a temporary file beside `path`; rename it into place if the hash matches."""
    if _offline():
        reason = f"{OFFLINE_VARIABLE} is set, so nothing is downloaded"
        raise DatasetUnavailableError(_offline_message(url, path, sha256, reason))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        digest = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            try:
                with _open(url, timeout) as response:
                    for chunk in iter(lambda: response.read(CHUNK), b""):
                        digest.update(chunk)
                        out.write(chunk)
            except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as err:
                reason = getattr(err, "reason", err)
                raise DatasetUnavailableError(_offline_message(url, path, sha256, reason)) from err
        if digest.hexdigest() != sha256:
            raise ChecksumError(
                f"The file downloaded from {url} has SHA-256 {digest.hexdigest()}, expected "
                f"{sha256}: the download is corrupt or the file on the server has changed. "
                "Nothing was saved; try again later."
            )
        os.replace(tmp, path)  # atomic on one file system: readers see no file or a whole one
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def fetch(
    url: str,
    sha256: str,
    cache_dir: str | os.PathLike | None = None,
    filename: str | None = None,
    timeout: float = 30.0,
) -> Path:
    """Return the path of a verified local copy of `url`, downloading it only if not cached.

    `timeout` (seconds) bounds the wait for the server: name lookup, connection and answer
    together, then each read. Raises DatasetUnavailableError when the download fails or
    $NNCOURSE_OFFLINE is set, and ChecksumError when a cached or downloaded file does not
    have the expected SHA-256.
    """
    path = data_home(cache_dir) / (filename or url.rstrip("/").rsplit("/", 1)[-1])
    if not path.exists():
        _download(url, path, sha256.lower(), timeout)
    elif (found := sha256_of(path)) != sha256.lower():
        raise ChecksumError(
            f"The cached file {path} has SHA-256 {found}, expected {sha256}: it is "
            "corrupt or incomplete, so it was not used. Delete it and call the loader again to "
            "download a fresh copy."
        )
    return path
