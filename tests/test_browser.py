"""The widgets in a real browser: JupyterLab, headless Chromium, a slider moved, a button clicked.

The test writes a small notebook into a temporary folder, starts JupyterLab on 127.0.0.1 with a
random port and token, opens the notebook in Debian's Chromium through Playwright, runs all
cells, then moves a NeuronExplorer slider with the keyboard and clicks the Playground's Step
button, checking that the rendered outputs change. A screenshot is kept in tests/artifacts/.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"
KERNEL_IDLE = (
    "() => window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel?.status"
    " === 'idle'"
)
# The notebook and the settings are written by the test, so notebooks/ keeps lessons only (and
# nbval, which collects every .ipynb under tests/, finds none here).
NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "id": f"cell-{i}",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": source,
        }
        for i, source in enumerate(
            (
                "from nncourse.datasets import make_moons\n"
                "from nncourse.widgets import NeuronExplorer, Playground",
                "x, y = make_moons(100, seed=0)\nNeuronExplorer(x, y, w1=1.0, w2=-1.0, b=0.0)",
                "Playground(dataset='moons', hidden='8, 8', seed=0)",
            )
        )
    ],
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}
# No news feed (nor its pop-up), no update check and no extension search: no network at all.
PAGE_CONFIG = {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}
LAB_CONFIG = {
    "LabApp": {
        "news_url": None,
        "check_for_updates_class": "jupyterlab.NeverCheckForUpdate",
        "extension_manager": "readonly",
    }
}

# A newcomer without Chromium gets a skip; CI (which installs it in .ci/run) must run the test.
pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists() and not os.environ.get("CI"),
        reason=f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)",
    ),
]
sys.path.insert(0, str(ROOT))
import course  # noqa: E402 - the checkout's course.py, whose lab settings this test uses

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def quiet_environment(tmp: Path) -> dict[str, str]:
    """Every cache and setting of Jupyter, IPython and matplotlib inside tmp, TensorFlow silent."""
    env = dict(os.environ)
    dirs = {
        "JUPYTER_CONFIG_DIR": "jupyter-config",
        "JUPYTER_DATA_DIR": "jupyter-data",  # so only this venv's python3 kernel is found
        "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
        "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces",
        "IPYTHONDIR": "ipython",
        "MPLCONFIGDIR": "matplotlib",
    }
    for name, folder in dirs.items():
        env[name] = str(tmp / folder)
        (tmp / folder).mkdir(parents=True, exist_ok=True)
    env.update(TF_CPP_MIN_LOG_LEVEL="3", TF_ENABLE_ONEDNN_OPTS="0", PYTHONDONTWRITEBYTECODE="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    (tmp / "jupyter-config" / "jupyter_lab_config.json").write_text(json.dumps(LAB_CONFIG))
    (tmp / "jupyter-config" / "labconfig").mkdir()
    (tmp / "jupyter-config" / "labconfig" / "page_config.json").write_text(json.dumps(PAGE_CONFIG))
    env["JUPYTER_CONFIG_PATH"] = str(course.learner_config(tmp / "learner"))  # as course.py lab
    return env


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A running JupyterLab serving a folder with the demo notebook: yields (url, token)."""
    tmp = tmp_path_factory.mktemp("lab")
    notebooks = tmp / "notebooks"
    notebooks.mkdir()
    (notebooks / "widgets_demo.ipynb").write_text(json.dumps(NOTEBOOK))
    port, token = free_port(), secrets.token_hex(16)
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--no-browser",
        "--allow-root",  # CI and containers run as root; harmless otherwise
        "--expose-app-in-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={notebooks}",
    ]
    log = (tmp / "lab.log").open("w")
    server = subprocess.Popen(cmd, env=quiet_environment(tmp), stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for_server(url, token, server, tmp / "lab.log")
        yield url, token
    finally:
        stop_server(url, token, server)
        log.close()
        ARTIFACTS.mkdir(exist_ok=True)
        shutil.copy(tmp / "lab.log", ARTIFACTS / "jupyterlab.log")  # for a failure in CI


def wait_for_server(url: str, token: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited early:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=2):
                return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.3)
    pytest.fail(f"JupyterLab did not answer within 60 s:\n{log.read_text()[-3000:]}")


def stop_server(url: str, token: str, server: subprocess.Popen) -> None:
    """Ask the server to shut down (it stops its kernels too); terminate it if it does not."""
    try:
        request = urllib.request.Request(
            f"{url}/api/shutdown", method="POST", headers={"Authorization": f"token {token}"}
        )
        urllib.request.urlopen(request, timeout=5).close()
        server.wait(timeout=15)
    except (urllib.error.URLError, ConnectionError, subprocess.TimeoutExpired):
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()


def image_source(page, selector: str) -> str:
    return page.locator(selector).first.get_attribute("src")


def wait_for_text(page, selector: str, text: str) -> None:
    page.wait_for_function(
        "([sel, text]) => document.querySelector(sel)?.innerText.includes(text)",
        arg=[selector, text],
        timeout=30_000,
    )


def wait_until_changed(page, selector: str, attribute: str | None, old: str) -> str:
    """Wait until the element's attribute (or its text, for None) differs from old."""
    page.wait_for_function(
        "([sel, attr, old]) => { const el = document.querySelector(sel);"
        " if (!el) return false;"
        " const now = attr ? el.getAttribute(attr) : el.innerText; return now && now !== old; }",
        arg=[selector, attribute, old],
        timeout=30_000,
    )
    element = page.locator(selector).first
    return element.get_attribute(attribute) if attribute else element.inner_text()


def test_widgets_render_and_react_in_jupyterlab(lab):
    url, token = lab
    ARTIFACTS.mkdir(exist_ok=True)
    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
    ]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=args)
        page = browser.new_page(viewport={"width": 1400, "height": 1800})
        try:
            exercise_widgets(page, f"{url}/lab/tree/widgets_demo.ipynb?token={token}")
        finally:
            page.screenshot(path=str(ARTIFACTS / "browser_widgets.png"), full_page=True)
            browser.close()


def exercise_widgets(page, notebook_url: str) -> None:
    page.goto(notebook_url)
    page.wait_for_selector(".jp-Notebook", timeout=60_000)
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.commands", timeout=60_000)
    page.wait_for_function(KERNEL_IDLE, timeout=60_000)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")

    neuron, label = ".nncourse-neuron-explorer img", ".nncourse-neuron-explorer .nncourse-za"
    page.wait_for_selector(neuron, timeout=60_000)  # a rendered widget, not a static picture
    page.wait_for_function(
        f"() => document.querySelector('{neuron}').naturalWidth > 0", timeout=30_000
    )
    wait_for_text(page, label, "Z = 1.00·1.00")
    old_src, old_text = image_source(page, neuron), page.locator(label).inner_text()
    handle = page.locator(".nncourse-neuron-explorer .widget-slider .noUi-handle").first
    handle.focus()
    for _ in range(5):
        handle.press("ArrowRight")  # w1 up by five steps of 0.1
    # Each key press is one round trip to the kernel and back; wait for the fifth.
    wait_for_text(page, label, "Z = 1.50·1.00 + (-1.00)·0.50 + (0.00) = 1.000")
    assert page.locator(label).inner_text() != old_text
    wait_until_changed(page, neuron, "src", old_src)

    playground, status = ".nncourse-playground img", ".nncourse-playground .nncourse-status"
    page.wait_for_selector(playground, timeout=60_000)
    wait_for_text(page, status, "epoch 0.00")
    old_src, old_status = image_source(page, playground), page.locator(status).inner_text()
    page.locator(".nncourse-playground button").filter(has_text="Step").click()
    new_status = wait_until_changed(page, status, None, old_status)
    assert "epoch 0.00" not in new_status, new_status
    wait_until_changed(page, playground, "src", old_src)

    # Train runs in a kernel thread: its redraws must reach the page while no cell is running.
    buttons = page.locator(".nncourse-playground button")
    buttons.filter(has_text="Train").click()
    wait_for_text(page, status, "training…")
    page.wait_for_function(
        "(sel) => parseFloat(document.querySelector(sel).innerText.split(' ')[1]) >= 3",
        arg=status,
        timeout=30_000,
    )
    buttons.filter(has_text="Pause").click()
    page.wait_for_function(
        "(sel) => !document.querySelector(sel).innerText.includes('training')",
        arg=status,
        timeout=30_000,
    )


def test_the_learners_lab_leaves_nbgrader_out(lab):
    """course.py lab's settings: no nbgrader menus (a lab extension) and no formgrader pages."""
    url, token = lab
    with urllib.request.urlopen(f"{url}/lab?token={token}", timeout=10) as response:
        page = response.read().decode()
    config = json.loads(page.split('id="jupyter-config-data"', 1)[1].split(">", 1)[1].split("<")[0])
    assert "@jupyter/nbgrader" in config["disabledExtensions"]
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(f"{url}/formgrader?token={token}", timeout=10)
    assert missing.value.code == 404
