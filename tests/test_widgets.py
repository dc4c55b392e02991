"""nncourse.widgets, headless: change a control as a learner would, check what gets drawn."""

import base64
import time

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nncourse import plots, widgets
from nncourse.datasets import make_moons
from nncourse.layers import Dense, Input
from nncourse.models import Sequential
from nncourse.optimizers import SGD
from nncourse.plots import decision_line
from nncourse.widgets.conv import PRESETS, feature_map
from nncourse.widgets.rnn import make_sequence, rnn_trace
from nncourse.widgets.training import build_classifier, parse_hidden, train_batch


def png_pixels(data: bytes) -> np.ndarray:
    import io

    from matplotlib.image import imread

    return imread(io.BytesIO(data), format="png")


# -- shared behaviour ---------------------------------------------------------------------------
@pytest.fixture(scope="module")
def neuron():
    return widgets.NeuronExplorer(*make_moons(60, seed=0))


def test_an_explorer_shows_as_a_widget_with_a_png_fallback(neuron):
    bundle = neuron._repr_mimebundle_()
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == neuron.ui.model_id
    assert base64.b64decode(bundle["image/png"]) == neuron.image.value
    assert bundle["image/png"] and "NeuronExplorer" in bundle["text/plain"]
    assert png_pixels(neuron.image.value).shape[:2] == (320, 416)  # 5.2 x 4 inches at 80 dpi
    assert "nncourse-neuron-explorer" in neuron.ui._dom_classes


def test_hold_redraws_once(neuron):
    calls = []
    original = neuron.draw
    neuron.draw = lambda figure: calls.append(1) or original(figure)
    try:
        with neuron.hold():
            neuron.w1.value, neuron.w2.value = 0.5, 0.7
        assert calls == [1]
    finally:
        del neuron.draw


# -- NeuronExplorer -----------------------------------------------------------------------------
def test_neuron_explorer_follows_its_sliders(neuron):
    before = neuron.image.value
    neuron.w1.value, neuron.w2.value, neuron.b.value = 2.0, 1.0, -0.5
    expected = decision_line([2.0, 1.0], -0.5, neuron.xlim, neuron.ylim)
    np.testing.assert_allclose(neuron.drawn.line, expected)
    np.testing.assert_allclose(neuron.drawn.line_artist.get_xdata(), expected[:, 0])
    assert neuron.image.value != before


def test_neuron_explorer_spells_out_Z_and_A(neuron):
    with neuron.hold():
        neuron.w1.value, neuron.w2.value, neuron.b.value = 1.5, -2.0, 0.3
        neuron.x1.value, neuron.x2.value = 1.0, 0.5
        neuron.activation.value = "tanh"
    Z = 1.5 * 1.0 - 2.0 * 0.5 + 0.3
    assert f"<b>{Z:.3f}</b>" in neuron.label.value
    assert f"tanh(Z) = <b>{np.tanh(Z):.3f}</b>" in neuron.label.value
    assert neuron.drawn.image.get_clim() == (-1.0, 1.0)
    neuron.activation.value = "step"
    assert "step(Z) = <b>1.000</b>" in neuron.label.value


# -- ActivationExplorer -------------------------------------------------------------------------
def test_activation_explorer_panels_and_threshold():
    explorer = widgets.ActivationExplorer(names=("sigmoid",))
    assert [d.name for d in explorer.drawn] == ["sigmoid"]
    explorer.names.value = ("tanh", "relu", "linear")
    assert [d.name for d in explorer.drawn] == ["tanh", "relu", "linear"]
    assert len(explorer.figure.axes) == 3
    tanh_edge = explorer.drawn[0].regions[-1][0]
    explorer.threshold.value = 0.3  # a looser threshold saturates closer to 0
    assert explorer.drawn[0].regions[-1][0] < tanh_edge
    explorer.show_derivative.value = False
    assert len(explorer.drawn[0].lines) == 1
    explorer.names.value = ()
    assert explorer.drawn == [] and explorer.figure.texts


# -- GradientDescentExplorer --------------------------------------------------------------------
def test_gradient_descent_explorer_paths_follow_the_controls():
    explorer = widgets.GradientDescentExplorer(
        surface="bowl", learning_rate=0.1, steps=5, optimizers=("SGD", "Adam")
    )
    assert list(explorer.drawn) == ["SGD", "Adam"] and len(explorer.figure.axes) == 2
    start = np.array([explorer.start_x.value, explorer.start_y.value])
    np.testing.assert_allclose(explorer.drawn["SGD"].points[-1], start * 0.8**5)
    explorer.learning_rate.value = 0.01
    np.testing.assert_allclose(explorer.drawn["SGD"].points[-1], start * 0.98**5, rtol=1e-9)
    explorer.use["Momentum"].value = True
    explorer.use["Adam"].value = False
    assert list(explorer.drawn) == ["SGD", "Momentum"]
    explorer.steps.value = 12
    assert len(explorer.drawn["Momentum"].points) == 13
    sgd_loss = explorer.drawn["SGD"].losses[-1]
    assert explorer.figure.axes[0].get_title() == f"SGD\nloss {sgd_loss:.2g} after 12 steps"


def test_gradient_descent_explorer_says_when_a_path_diverges():
    explorer = widgets.GradientDescentExplorer(
        surface="rosenbrock", learning_rate=0.5, optimizers=("SGD",)
    )
    steps = len(explorer.drawn["SGD"].points) - 1
    assert steps < explorer.steps.value  # it stopped early, and the title says so
    assert explorer.figure.axes[0].get_title() == f"SGD\ndiverged at step {steps}"


def test_gradient_descent_explorer_surface_and_overlay():
    explorer = widgets.GradientDescentExplorer(surface="bowl")
    explorer.surface.value = "rosenbrock"
    rosenbrock = widgets.descent.SURFACES["rosenbrock"]
    assert (explorer.start_x.value, explorer.start_y.value) == rosenbrock.start
    assert (explorer.start_y.min, explorer.start_y.max) == rosenbrock.ylim
    assert np.allclose(next(iter(explorer.drawn.values())).points[0], rosenbrock.start)
    explorer.arrangement.value = "overlay"
    ax_surface, ax_loss = explorer.figure.axes
    assert len(ax_loss.get_lines()) == len(explorer.drawn) == len(ax_surface.get_legend().texts)
    explorer.surface.value = "bowl"
    assert explorer.figure.axes[1].get_yscale() == "log"  # positive losses: a log scale
    explorer.surface.value = "saddle"
    assert explorer.figure.axes[1].get_yscale() == "linear"  # it goes below zero


# -- Playground ---------------------------------------------------------------------------------
@pytest.fixture
def playground():
    p = widgets.Playground(dataset="moons", hidden="6", learning_rate=0.05, seed=3)
    yield p
    p.pause()


def test_playground_steps_learn_and_redraw(playground):
    assert len(playground.history["loss"]) == 1 and playground.epochs == [0.0]
    before = playground.image.value
    for _ in range(4):
        playground.step(15)
    assert len(playground.history["loss"]) == 5
    assert playground.history["loss"][-1] < 0.8 * playground.history["loss"][0]
    assert playground.epochs[-1] == pytest.approx(60 * 16 / len(playground.x_train))
    assert playground.image.value != before
    assert f"{playground.history['val_loss'][-1]:.3f}" in playground.status.value
    ax_boundary, ax_loss = playground.figure.axes
    train_curve, test_curve = ax_loss.get_lines()
    np.testing.assert_allclose(train_curve.get_ydata(), playground.history["loss"])
    np.testing.assert_allclose(test_curve.get_xdata(), playground.epochs)


def test_playground_boundary_is_the_models(playground):
    playground.step(20)
    drawn = playground.drawn
    grid = np.c_[drawn.g1.ravel(), drawn.g2.ravel()]
    np.testing.assert_allclose(drawn.probability.ravel(), playground.model.predict(grid)[:, 0])


def test_playground_step_button_and_reset(playground):
    first = playground.model.get_weights()
    playground.step_button.click()
    assert len(playground.history["loss"]) == 2 and playground.batches.seen == 160
    playground.reset_button.click()
    assert len(playground.history["loss"]) == 1
    for a, b in zip(first, playground.model.get_weights()):
        np.testing.assert_array_equal(a, b)  # the same seed gives the same start


def test_playground_controls_rebuild_data_and_model(playground):
    old_x = playground.x_train.copy()
    playground.dataset.value = "circles"
    assert not np.array_equal(old_x, playground.x_train)
    np.testing.assert_allclose(np.linalg.norm(playground.x_train, axis=1).max(), 1, atol=0.8)
    playground.hidden.value = "4, 3"
    assert [layer.units for layer in playground.model.layers[1:]] == [4, 3, 1]
    playground.step(5)
    playground.hidden.value = "4, x"
    assert "positive whole numbers" in playground.status.value
    assert playground.hidden.value == "4, 3"  # the last valid layers come back
    assert [layer.units for layer in playground.model.layers[1:]] == [4, 3, 1]
    assert len(playground.history["loss"]) == 2  # and the training so far is kept
    playground.dropout.value = 0.2
    assert type(playground.model.layers[2]).__name__ == "Dropout"
    playground.optimizer.value = "SGD"
    assert type(playground.model.optimizer).__name__ == "SGD"
    playground.learning_rate.value = 0.5
    assert playground.model.optimizer.learning_rate == 0.5


def test_playground_trains_in_the_background_until_paused(playground):
    playground.train_button.click()
    deadline = time.monotonic() + 20
    while len(playground.history["loss"]) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert playground.running
    playground.pause_button.click()
    assert not playground.running
    n = len(playground.history["loss"])
    assert n >= 3
    time.sleep(0.2)
    assert len(playground.history["loss"]) == n  # nothing trains after Pause


def test_playground_stops_by_itself_when_the_loss_diverges():
    model = Sequential([Input((2,)), Dense(1)], seed=0)
    model.compile(SGD(), "mse")
    p = widgets.Playground(model=model, dataset="XOR")
    p.model.optimizer.learning_rate = 1e200  # every step overshoots further: inf, then NaN
    p.train()
    p._thread.join(timeout=20)
    assert not p.running and "stopped: the loss became" in p.status.value


def test_playground_with_a_learners_model():
    model = Sequential([Input((2,)), Dense(5, "relu"), Dense(2, "softmax")], seed=1)
    p = widgets.Playground(model=model, dataset="XOR", seed=1)
    assert p.hidden.disabled and p.model is model
    assert model.loss.name == "sparse_categorical_crossentropy"
    start = model.get_weights()
    p.step(30)
    assert p.history["loss"][-1] < p.history["loss"][0]
    p.reset()
    for a, b in zip(start, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_train_batch_adds_keras_l2_gradient():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 2)), rng.integers(0, 2, 16)
    model = build_classifier((3,), "tanh", seed=0)
    model.compile(SGD(0.1), "binary_crossentropy")
    kernels = [p for p in model.parameters() if p.name == "kernel"]
    before = [p.data.copy() for p in kernels]
    model.loss.forward(y, model.forward(x))
    model.backward(model.loss.backward())
    grads = [p.grad.copy() for p in kernels]
    train_batch(model, x, y, l2=0.01)
    for p, w, g in zip(kernels, before, grads):
        # d/dW of l2 * sum(W^2) is 2 * l2 * W, as keras.regularizers.L2(0.01) adds.
        np.testing.assert_allclose(p.data, w - 0.1 * (g + 2 * 0.01 * w), rtol=1e-12)


def test_parse_hidden():
    assert (
        parse_hidden("8, 8") == (8, 8) and parse_hidden("") == () and parse_hidden("3;2") == (3, 2)
    )
    with pytest.raises(ValueError, match="positive whole numbers"):
        parse_hidden("8, 0")
    with pytest.raises(ValueError, match="positive whole numbers"):
        widgets.Playground(hidden="two")


# -- ConvExplorer -------------------------------------------------------------------------------
def hand_conv(image, kernel, stride):
    rows = range(0, image.shape[0] - 2, stride)
    cols = range(0, image.shape[1] - 2, stride)
    return np.array([[np.sum(image[r : r + 3, c : c + 3] * kernel) for c in cols] for r in rows])


@pytest.fixture(scope="module")
def conv():
    return widgets.ConvExplorer()


def test_conv_explorer_presets_fill_the_grid_and_the_map(conv):
    conv.preset.value = "horizontal edges"
    np.testing.assert_allclose(conv.kernel, PRESETS["horizontal edges"])
    image = conv.images[conv.image_choice.value]
    np.testing.assert_allclose(conv.feature_map, hand_conv(image, conv.kernel, 1))
    conv.image_choice.value = "digit 3"
    assert conv.images["digit 3"].shape == (8, 8)
    np.testing.assert_allclose(conv.feature_map, hand_conv(conv.images["digit 3"], conv.kernel, 1))
    assert "input 8×8 → feature map 6×6 → pooled 3×3" in conv.shapes.value


def test_conv_explorer_editing_a_cell_makes_a_custom_kernel(conv):
    conv.preset.value = "identity"
    before = conv.image.value
    conv.cells[0].value = 2.0
    assert conv.preset.value == "custom" and conv.kernel[0, 0] == 2.0
    image = conv.images[conv.image_choice.value]
    np.testing.assert_allclose(conv.feature_map, hand_conv(image, conv.kernel, 1))
    assert conv.image.value != before


def test_conv_explorer_shows_what_the_learner_draws_on_the_pad(conv):
    conv.image_choice.value = "square"
    conv.preset.value = "vertical edges"
    for pixel in conv.pad:
        pixel.value = False
    assert conv.image_choice.value == "your drawing"  # clicking the pad shows the drawing
    np.testing.assert_array_equal(conv.feature_map, 0)  # an empty pad has no edges
    for row in range(10):
        conv.pad[row * 10 + 4].value = True  # a vertical line in column 4
    expected = np.zeros((10, 10))
    expected[:, 4] = 1
    np.testing.assert_array_equal(conv.drawing, expected)
    np.testing.assert_allclose(conv.feature_map, hand_conv(expected, conv.kernel, 1))
    assert np.abs(conv.feature_map).max() == 3  # the edge detector fires beside the line
    assert "input 10×10 → feature map 8×8" in conv.shapes.value


def test_conv_explorer_stride_padding_pooling_and_position(conv):
    with conv.hold():
        conv.image_choice.value = "square"
        conv.stride.value, conv.padding.value, conv.pool.value = 2, "same", "none"
    assert conv.feature_map.shape == (6, 6) and conv.pooled is None
    assert conv.position.max == 35
    conv.position.value = 30
    conv.padding.value = "valid"  # a 5x5 map now: the position is clipped to its last cell
    assert conv.position.value == 24 and (conv.drawn.row, conv.drawn.col) == (4, 4)
    assert len(conv.figure.axes) == 3
    conv.position.value = 7
    assert (conv.drawn.row, conv.drawn.col) == (1, 2)
    conv.pool.value = "max"
    z, pooled = feature_map(conv.images["square"], conv.kernel, 2, "valid", "max")
    expected = (
        z[:4, :4].reshape(2, 2, 2, 2).max(axis=(1, 3))
    )  # the 5th row and column are left over
    np.testing.assert_allclose(conv.pooled, expected)


def test_conv_explorer_colours_mean_the_same_value_in_every_frame(conv):
    with conv.hold():
        conv.image_choice.value, conv.preset.value = "ring", "sharpen"
        conv.stride.value, conv.padding.value, conv.pool.value = 1, "valid", "max"
    scales = []
    for position in (0, conv.position.max):
        conv.position.value = position
        _, ax_out, ax_pool = conv.figure.axes
        scales.append([ax_out.images[0].get_clim(), ax_pool.images[0].get_clim()])
    z = conv.feature_map
    assert scales == [[(z.min(), z.max())] * 2] * 2  # one scale: feature map and pooled map


# -- RNNExplorer --------------------------------------------------------------------------------
def test_rnn_explorer_states_and_gradient_norms():
    explorer = widgets.RNNExplorer(units=4, length=12)
    assert explorer.drawn["hs"].shape == (12, 4)
    np.testing.assert_array_equal(explorer.drawn["image"].get_array(), explorer.drawn["hs"].T)
    hs, norms = rnn_trace("SimpleRNN", 4, make_sequence("sine", 12), 1.0, 0)
    np.testing.assert_allclose(explorer.drawn["norms"], norms)
    with explorer.hold():
        explorer.cell.value, explorer.units.value, explorer.length.value = "GRU", 6, 20
    assert explorer.drawn["hs"].shape == (20, 6)
    assert explorer.drawn["lines"][0].get_label() == "GRU"


def test_rnn_explorer_panels_share_one_time_axis():
    explorer = widgets.RNNExplorer(sequence="step", length=80)
    ax_x, ax_h, ax_g = explorer.figure.axes[:3]
    boxes = [ax.get_position() for ax in (ax_x, ax_h, ax_g)]
    assert len({(round(b.x0, 6), round(b.width, 6)) for b in boxes}) == 1
    # Step t is drawn at the same pixel column in all three panels, e.g. the step at t = 41.
    pixels = [ax.transData.transform((41, 1))[0] for ax in (ax_x, ax_h, ax_g)]
    assert pixels == pytest.approx([pixels[0]] * 3)
    hs = explorer.drawn["hs"]
    assert np.abs(hs[:40]).max() < 1e-12 < np.abs(hs[40]).max()  # the state moves at t = 41
    np.testing.assert_array_equal(explorer.drawn["image"].get_array(), hs.T)


def test_rnn_trace_norms_are_the_backpropagated_gradients():
    # With units=1 and a linear-free check: the last step's gradient is the loss's, all ones.
    hs, norms = rnn_trace("LSTM", 3, make_sequence("step", 10), 1.0, 0)
    assert norms[-1] == pytest.approx(np.sqrt(3))
    small = rnn_trace("SimpleRNN", 8, make_sequence("random", 30), 0.3, 0)[1]
    large = rnn_trace("SimpleRNN", 8, make_sequence("random", 30), 3.0, 0)[1]
    # A small recurrent kernel shrinks the gradient on its way back; a larger one keeps it.
    assert small[0] / small[-1] < 1e-6 < large[0] / large[-1]
    with pytest.raises(ValueError, match="sine, step or random"):
        make_sequence("square", 5)


# -- LiveTrainingPlot ---------------------------------------------------------------------------
def test_live_plot_as_an_nncourse_callback():
    x, y = make_moons(60, seed=0)
    model = Sequential([Input((2,)), Dense(4, "tanh"), Dense(1, "sigmoid")], seed=0)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    live = widgets.LiveTrainingPlot(interval=0)
    history = model.fit(x, y, epochs=3, verbose=0, validation_data=(x, y), callbacks=[live])
    assert set(live.drawn) == {"loss", "accuracy"}
    train, val = live.drawn["loss"]
    np.testing.assert_allclose(train.get_ydata(), history.history["loss"])
    np.testing.assert_allclose(val.get_ydata(), history.history["val_loss"])


def test_live_plot_redraws_at_most_every_interval():
    live = widgets.LiveTrainingPlot(metrics=["loss"], interval=3600)
    assert live.figure.axes[0].get_title().startswith("loss: waiting")
    live.on_train_begin({})
    first = live.image.value
    for epoch in range(3):
        live.on_epoch_end(epoch, {"loss": 1.0 / (epoch + 1)})
    assert live.image.value == first  # still within the interval: no redraw yet
    live.on_train_end({})
    np.testing.assert_allclose(live.drawn["loss"][0].get_ydata(), [1.0, 0.5, 1 / 3])


def test_live_plot_updates_its_lines_in_place_and_lays_out_only_when_labels_change(
    monkeypatch,
):
    from matplotlib.layout_engine import TightLayoutEngine

    layouts = []
    execute = TightLayoutEngine.execute
    monkeypatch.setattr(
        TightLayoutEngine, "execute", lambda self, fig: layouts.append(1) or execute(self, fig)
    )
    live = widgets.LiveTrainingPlot(interval=0)
    assert widgets.LiveTrainingPlot().interval == 1.0
    live.on_train_begin({})
    live.on_epoch_end(0, {"loss": 1.0, "val_loss": 1.2})
    ax, (train, val) = live.figure.axes[0], live.drawn["loss"]
    losses = 1 / np.arange(1, 41)
    layouts.clear()
    for epoch, loss in enumerate(losses[1:], start=1):
        live.on_epoch_end(epoch, {"loss": loss, "val_loss": 1.2 * loss})
    assert live.figure.axes == [ax] and live.drawn["loss"] == [train, val]  # the same artists
    np.testing.assert_allclose(train.get_ydata(), losses)
    np.testing.assert_allclose(val.get_ydata(), 1.2 * losses)
    assert train.get_marker() == "None"  # 40 epochs: a plain line, as plot_history draws it
    fresh = Figure().add_subplot()
    plots.plot_history(fresh, live.history)
    assert ax.get_xlim() == fresh.get_xlim() and ax.get_ylim() == fresh.get_ylim()
    assert 0 < len(layouts) < 10  # of 39 redraws
    # The loss grows to thousands: its wider tick labels get a wider margin, none cut off.
    left = ax.get_position().x0
    live.on_epoch_end(40, {"loss": 12345.0, "val_loss": 1.0})
    assert ax.get_position().x0 > left
    renderer = FigureCanvasAgg(live.figure).get_renderer()
    assert ax.get_tightbbox(renderer).x0 >= 0


def test_live_plot_as_a_keras_callback():
    keras = pytest.importorskip("keras")
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(32, 2)).astype("float32"), rng.integers(0, 2, 32)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    live = widgets.LiveTrainingPlot(metrics=["loss"], interval=0)
    history = model.fit(x, y, epochs=3, verbose=0, validation_split=0.25, callbacks=[live])
    assert live.model is model
    train, val = live.drawn["loss"]
    np.testing.assert_allclose(train.get_ydata(), history.history["loss"], rtol=1e-6)
    np.testing.assert_allclose(val.get_ydata(), history.history["val_loss"], rtol=1e-6)


# -- an executed notebook keeps a picture for viewers without widgets ------------------------------
NOTEBOOK_CELLS = [
    "import numpy as np\n"
    "from nncourse.layers import Dense, Input\n"
    "from nncourse.models import Sequential\n"
    "from nncourse.widgets import LiveTrainingPlot, NeuronExplorer",
    "NeuronExplorer()",
    "model = Sequential([Input((2,)), Dense(1, 'sigmoid')], seed=0)\n"
    "model.compile('adam', 'binary_crossentropy')\n"
    "x = np.random.default_rng(0).normal(size=(32, 2))\n"
    "history = model.fit(x, x[:, 0] > 0, epochs=3, verbose=0,\n"
    "                    callbacks=[LiveTrainingPlot(interval=0)])",
]


def test_executed_notebook_outputs_carry_widget_view_and_png(tmp_path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    for name in ("JUPYTER_RUNTIME_DIR", "JUPYTER_DATA_DIR", "IPYTHONDIR", "MPLCONFIGDIR"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in NOTEBOOK_CELLS])
    nbclient.NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    (explorer,) = nb.cells[1].outputs
    (live,) = nb.cells[2].outputs  # displayed by the callback itself when training began
    for output in (explorer, live):
        assert {"image/png", "text/plain", "application/vnd.jupyter.widget-view+json"} <= set(
            output["data"]
        )
    # The live plot's picture was refreshed at the end: it shows the finished loss curve.
    picture = png_pixels(base64.b64decode(live["data"]["image/png"]))
    waiting = png_pixels(widgets.LiveTrainingPlot().image.value)
    assert picture.shape == waiting.shape and not np.array_equal(picture, waiting)
