"""nncourse.plots: each plot is checked on what it drew, against numbers worked out by hand."""

import subprocess
import sys

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from nncourse import plots
from nncourse.callbacks import History
from nncourse.gradcheck import numerical_gradient, rel_error
from nncourse.layers import Dense, Dropout, Input
from nncourse.models import Sequential
from nncourse.optimizers import SGD, Adam


@pytest.fixture
def ax():
    return Figure().add_subplot()


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


# -- activations --------------------------------------------------------------------------------
# (f, f', where |f'| < 0.05 begins) written out by hand, independently of nncourse.activations.
SIG_EDGE = np.log((1 + np.sqrt(0.8)) / (1 - np.sqrt(0.8)))  # a(1 - a) = 0.05
TANH_EDGE = np.arctanh(np.sqrt(0.95))  # 1 - a^2 = 0.05
ACTIVATION_CASES = {
    "sigmoid": (sigmoid, lambda z: sigmoid(z) * (1 - sigmoid(z)), [(-6, -SIG_EDGE), (SIG_EDGE, 6)]),
    "tanh": (np.tanh, lambda z: 1 - np.tanh(z) ** 2, [(-6, -TANH_EDGE), (TANH_EDGE, 6)]),
    "relu": (lambda z: np.maximum(z, 0), lambda z: (z > 0) * 1.0, [(-6, 0)]),
}


@pytest.mark.parametrize("name", ACTIVATION_CASES)
def test_plot_activation_draws_function_derivative_and_saturation(ax, name):
    f, df, expected_regions = ACTIVATION_CASES[name]
    drawn = plots.plot_activation(ax, name)
    z = drawn.lines[0].get_xdata()
    np.testing.assert_allclose(drawn.lines[0].get_ydata(), f(z), atol=1e-12)
    np.testing.assert_allclose(drawn.lines[1].get_ydata(), df(z), atol=1e-12)
    assert len(drawn.spans) == len(expected_regions) == len(drawn.regions)
    spacing = z[1] - z[0]
    for (lo, hi), (lo_ref, hi_ref) in zip(drawn.regions, expected_regions):
        assert abs(lo - lo_ref) <= spacing and abs(hi - hi_ref) <= spacing
    assert ax.get_title() == name and "saturated" in ax.get_legend_handles_labels()[1][-1]


def test_saturation_regions_finds_each_run():
    z = np.arange(8.0)
    slope = np.array([0.0, 0.01, 1, 1, 0.02, 1, 0.0, 0.0])
    assert plots.saturation_regions(z, slope, 0.05) == [(0, 1), (4, 4), (6, 7)]


def test_plot_activation_without_derivative_and_softmax_error(ax):
    assert len(plots.plot_activation(ax, "linear", show_derivative=False).lines) == 1
    assert plots.plot_activation(ax, "linear").regions == []
    with pytest.raises(ValueError, match="softmax"):
        plots.derivative("softmax", np.zeros(3))


# -- a neuron -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "w, b, expected",
    [
        ((1, 1), 0, [(-1, 1), (1, -1)]),
        ((2, 0), -1, [(0.5, -1), (0.5, 1)]),  # vertical: x1 = 0.5
        ((0, 1), 0.5, [(-1, -0.5), (1, -0.5)]),  # horizontal: x2 = -0.5
        ((1, 1), 5, []),  # the line misses the box
        ((0, 0), 1, []),  # no line at all
    ],
)
def test_decision_line_end_points(w, b, expected):
    line = plots.decision_line(w, b, (-1, 1), (-1, 1))
    assert sorted(map(tuple, line.round(12))) == sorted(expected)


def test_plot_neuron_colours_the_plane_by_A_and_marks_the_point(ax):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(30, 2)), rng.integers(0, 2, 30)
    drawn = plots.plot_neuron(
        ax,
        [2.0, -1.0],
        0.5,
        "sigmoid",
        x,
        y,
        point=(1.0, 2.0),
        xlim=(-2, 2),
        ylim=(-3, 3),
        resolution=5,
    )
    A = drawn.image.get_array()
    # Rows run along x2, columns along x1: [0, -1] is (x1=2, x2=-3).
    assert A[0, 0] == pytest.approx(sigmoid(2 * -2 - (-3) + 0.5))
    assert A[0, -1] == pytest.approx(sigmoid(2 * 2 - (-3) + 0.5))
    assert A[-1, 0] == pytest.approx(sigmoid(2 * -2 - 3 + 0.5))
    line = np.c_[drawn.line_artist.get_xdata(), drawn.line_artist.get_ydata()]
    np.testing.assert_allclose(2 * line[:, 0] - line[:, 1] + 0.5, 0, atol=1e-12)
    assert drawn.point == pytest.approx((1.0, 2.0, 0.5, sigmoid(0.5)))
    assert len(ax.collections[0].get_offsets()) == 30


# -- loss surfaces and optimizer paths ----------------------------------------------------------
BOWL = plots.SURFACES["bowl"]


def test_sgd_path_on_the_bowl_follows_the_closed_form():
    path = plots.optimizer_path(BOWL.f, BOWL.grad, (1.0, -2.0), SGD(0.1), steps=10)
    shrink = (1 - 2 * 0.1) ** np.arange(11)  # w <- w - lr * 2w
    np.testing.assert_allclose(path.points, np.outer(shrink, [1.0, -2.0]), rtol=1e-12)
    np.testing.assert_allclose(path.losses, (path.points**2).sum(axis=1), rtol=1e-12)


def test_momentum_path_matches_the_hand_recurrence():
    path = plots.optimizer_path(BOWL.f, BOWL.grad, (1.0, 1.0), SGD(0.05, momentum=0.9), 20)
    w, m, expected = np.array([1.0, 1.0]), np.zeros(2), [np.array([1.0, 1.0])]
    for _ in range(20):
        m = 0.9 * m - 0.05 * 2 * w
        w = w + m
        expected.append(w)
    np.testing.assert_allclose(path.points, expected, rtol=1e-12)


def test_adam_first_step_has_the_learning_rate_as_length_per_axis():
    s = plots.SURFACES["rosenbrock"]
    path = plots.optimizer_path(s.f, s.grad, s.start, Adam(0.01), steps=1)
    g = np.array(s.grad(*s.start))
    np.testing.assert_allclose(path.points[1], np.array(s.start) - 0.01 * np.sign(g), rtol=1e-6)


def test_a_diverging_path_stops_early():
    path = plots.optimizer_path(BOWL.f, BOWL.grad, (1.0, 1.0), SGD(1e150), steps=50)
    assert len(path.points) < 51 and not np.all(np.isfinite(path.points[-1]))


@pytest.mark.parametrize("name", ["SGD", "momentum", "RMSprop", "Adam"])
def test_make_optimizer(name):
    opt = plots.make_optimizer(name, 0.02)
    assert opt.learning_rate == 0.02
    assert getattr(opt, "momentum", 0) == (0.9 if name == "momentum" else 0)


def test_make_optimizer_rejects_unknown_names():
    with pytest.raises(ValueError, match="Unknown optimizer 'lbfgs'"):
        plots.make_optimizer("lbfgs", 0.1)


@pytest.mark.parametrize("name", plots.SURFACES)
def test_surface_gradients_match_numerical_ones(name):
    s = plots.SURFACES[name]
    p = np.array([0.3, -0.7])
    numeric = numerical_gradient(lambda v: s.f(*v), p)
    assert rel_error(np.array(s.grad(*p)), numeric) < 1e-8


def test_loss_surface_contours_and_paths(ax):
    s = plots.SURFACES["elongated valley"]
    contours = plots.plot_loss_surface(ax, s.f, s.xlim, s.ylim, levels=12)
    levels = contours.levels
    assert len(levels) == 11 and np.all(np.diff(levels) > 0)
    corner_values = [s.f(x, y) for x in s.xlim for y in s.ylim]
    assert 0 <= levels[0] and levels[-1] <= max(corner_values)
    paths = {
        n: plots.optimizer_path(s.f, s.grad, s.start, plots.make_optimizer(n, 0.1), 5)
        for n in ("SGD", "Adam")
    }
    lines = plots.plot_optimizer_paths(ax, paths)
    assert [line.get_label() for line in lines] == ["SGD", "Adam"]
    np.testing.assert_allclose(lines[1].get_xydata(), paths["Adam"].points)


# -- training curves ----------------------------------------------------------------------------
def test_plot_history_from_a_real_fit(ax):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(40, 2)), rng.integers(0, 2, 40)
    model = Sequential([Input((2,)), Dense(1, "sigmoid")], seed=0)
    model.compile("adam", "binary_crossentropy", metrics=["accuracy"])
    history = model.fit(x, y, epochs=4, verbose=0, validation_data=(x, y))
    lines = plots.plot_history(ax, history, "accuracy")
    assert [line.get_label() for line in lines] == ["train", "validation"]
    np.testing.assert_allclose(lines[0].get_ydata(), history.history["accuracy"])
    np.testing.assert_allclose(lines[1].get_ydata(), history.history["val_accuracy"])
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3, 4])


def test_plot_history_from_a_dict_with_custom_x_and_log_scale(ax):
    lines = plots.plot_history(ax, {"loss": [4.0, 2.0, 1.0]}, log=True, x=[0.5, 1.0, 1.5])
    assert len(lines) == 1 and ax.get_yscale() == "log"
    np.testing.assert_array_equal(lines[0].get_xdata(), [0.5, 1.0, 1.5])


def test_plot_history_errors(ax):
    with pytest.raises(KeyError, match="recorded loss"):
        plots.plot_history(ax, {"loss": [1.0]}, "accuracy")
    with pytest.raises(TypeError, match="History"):
        plots.plot_history(ax, [1, 2, 3])
    empty = History()
    with pytest.raises(KeyError, match="recorded nothing"):
        plots.plot_history(ax, empty)


# -- decision boundaries ------------------------------------------------------------------------
def test_boundary_of_a_plain_function(ax):
    def right_half(p):
        return sigmoid(10 * p[:, :1])  # P(class 1) rises across x1 = 0

    drawn = plots.plot_decision_boundary(ax, right_half, xlim=(-1, 1), ylim=(-1, 1), resolution=9)
    np.testing.assert_array_equal(drawn.classes, (drawn.g1 >= 0).astype(int))
    np.testing.assert_allclose(drawn.image.get_array(), sigmoid(10 * drawn.g1))
    assert list(drawn.contour.levels) == [0.5]


def test_boundary_of_three_classes_from_scores(ax):
    def by_angle(p):
        return np.eye(3)[np.digitize(np.arctan2(p[:, 1], p[:, 0]), [-1.0, 1.0])]

    x = np.array([[1.0, 0.0], [-1.0, 0.1], [0.1, -1.0]])
    drawn = plots.plot_decision_boundary(ax, by_angle, x, [0, 2, 0], resolution=21)
    expected = np.digitize(np.arctan2(drawn.g2, drawn.g1), [-1.0, 1.0])
    np.testing.assert_array_equal(drawn.classes, expected)
    np.testing.assert_array_equal(drawn.image.get_array(), expected)
    assert list(drawn.contour.levels) == [0.5, 1.5]


def test_boundary_of_an_nncourse_model_and_of_predict_proba(ax):
    model = Sequential([Input((2,)), Dense(4, "tanh"), Dense(1, "sigmoid")], seed=0)
    drawn = plots.plot_decision_boundary(ax, model, xlim=(-2, 2), ylim=(-2, 2), resolution=7)
    grid = np.c_[drawn.g1.ravel(), drawn.g2.ravel()]
    np.testing.assert_allclose(drawn.probability.ravel(), model.predict(grid)[:, 0])

    class TwoColumns:  # a scikit-learn-like classifier: P(class 0), P(class 1)
        def predict_proba(self, p):
            q = sigmoid(p[:, 1])
            return np.c_[1 - q, q]

    drawn = plots.plot_decision_boundary(ax, TwoColumns(), xlim=(-1, 1), ylim=(-1, 1), resolution=5)
    np.testing.assert_allclose(drawn.probability, sigmoid(drawn.g2))


def test_boundary_of_a_keras_model(ax):
    keras = pytest.importorskip("keras")
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(1, activation="sigmoid")])
    model.layers[0].set_weights([np.array([[1.0], [0.0]]), np.array([-0.5])])
    drawn = plots.plot_decision_boundary(ax, model, xlim=(-1, 1), ylim=(-1, 1), resolution=6)
    np.testing.assert_allclose(drawn.probability, sigmoid(drawn.g1 - 0.5), atol=1e-6)
    np.testing.assert_array_equal(drawn.classes, (drawn.g1 > 0.5).astype(int))


def test_boundary_needs_a_model_or_function(ax):
    with pytest.raises(TypeError, match="predict"):
        plots.plot_decision_boundary(ax, 42)


# -- convolution pictures -----------------------------------------------------------------------
def test_tile_lays_images_out_in_rows_with_gaps():
    images = np.arange(12.0).reshape(3, 2, 2)
    mosaic = plots.tile(images, columns=2)
    assert mosaic.shape == (5, 5)
    np.testing.assert_array_equal(mosaic[:2, :2], images[0])
    np.testing.assert_array_equal(mosaic[:2, 3:], images[1])
    np.testing.assert_array_equal(mosaic[3:, :2], images[2])
    assert (
        np.isnan(mosaic[2]).all()
        and np.isnan(mosaic[:, 2]).all()
        and np.isnan(mosaic[3:, 3:]).all()
    )


def test_plot_filters_shows_every_filter_of_a_channel_on_one_scale(ax):
    kernel = np.random.default_rng(0).normal(size=(3, 3, 2, 4))
    image = plots.plot_filters(ax, kernel, channel=1)
    mosaic = np.ma.filled(image.get_array(), np.nan)
    np.testing.assert_array_equal(mosaic[:3, 4:7], kernel[:, :, 1, 1])
    bound = np.abs(kernel[:, :, 1, :]).max()
    assert image.get_clim() == (-bound, bound)
    with pytest.raises(ValueError, match="kernel"):
        plots.plot_filters(ax, kernel[..., 0])


def test_plot_feature_maps_stretches_each_map(ax):
    maps = np.stack([np.arange(4.0).reshape(2, 2), 10 * np.ones((2, 2))], axis=-1)[None]
    mosaic = np.ma.filled(plots.plot_feature_maps(ax, maps).get_array(), np.nan)
    np.testing.assert_allclose(mosaic[:2, :2], [[0, 1 / 3], [2 / 3, 1]])
    np.testing.assert_array_equal(mosaic[:2, 3:], 0)  # a constant map stays flat
    assert "2 feature maps" in ax.get_title()


def hand_conv(image, kernel, stride):
    kh, kw = kernel.shape
    rows = range(0, image.shape[0] - kh + 1, stride)
    cols = range(0, image.shape[1] - kw + 1, stride)
    return np.array([[np.sum(image[r : r + kh, c : c + kw] * kernel) for c in cols] for r in rows])


@pytest.mark.parametrize("stride", [1, 2])
def test_slide_frame_fills_the_output_up_to_the_position(stride):
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(7, 6)), rng.normal(size=(3, 3))
    full = hand_conv(image, kernel, stride)
    frame = plots.slide_frame(image, kernel, 4, stride=stride)
    row, col = divmod(4, full.shape[1])
    assert (frame.row, frame.col) == (row, col)
    assert frame.value == pytest.approx(full[row, col])
    np.testing.assert_allclose(frame.output.flat[:5], full.flat[:5])
    assert np.isnan(frame.output.flat[5:]).all()


def test_slide_frame_with_same_padding_and_bad_position():
    image = np.arange(16.0).reshape(4, 4)
    frame = plots.slide_frame(image, np.ones((3, 3)), 0, padding="same")
    assert frame.padded.shape == (6, 6) and frame.output.shape == (4, 4)
    assert frame.value == image[:2, :2].sum()  # the corner window holds 4 real pixels
    with pytest.raises(ValueError, match=r"\[0, 16\)"):
        plots.slide_frame(image, np.ones((3, 3)), 16, padding="same")


def test_plot_kernel_slide_outlines_window_and_cell():
    fig = Figure()
    ax_in, ax_out = fig.subplots(1, 2)
    frame = plots.plot_kernel_slide(ax_in, ax_out, np.ones((8, 8)), np.ones((3, 3)), 7, stride=2)
    window, cell = frame.artists
    assert (frame.row, frame.col) == (2, 1)
    assert window.get_xy() == (2 * 1 - 0.5, 2 * 2 - 0.5) and window.get_width() == 3
    assert cell.get_xy() == (1 - 0.5, 2 - 0.5)
    assert "= 9.00" in ax_out.get_title()


def test_plot_kernel_slide_keeps_one_colour_scale_for_all_positions():
    rng = np.random.default_rng(2)
    image, kernel = rng.normal(size=(6, 6)), rng.normal(size=(3, 3))
    full = hand_conv(image, kernel, 1)
    scales, colours = [], []
    for position in (0, 9, full.size - 1):  # first cell alone, some cells, all cells shown
        fig = Figure()
        ax_in, ax_out = fig.subplots(1, 2)
        plots.plot_kernel_slide(ax_in, ax_out, image, kernel, position)
        (shown_in,), (shown_out,) = ax_in.images, ax_out.images
        scales.append([*shown_in.get_clim(), *shown_out.get_clim()])
        colours.append(shown_out.to_rgba(full[0, 0]))
    np.testing.assert_allclose(scales, [[image.min(), image.max(), full.min(), full.max()]] * 3)
    assert all(np.array_equal(colour, colours[0]) for colour in colours)  # same value, same colour


# -- recurrent networks -------------------------------------------------------------------------
@pytest.mark.parametrize("T", [3, 45])
def test_hidden_state_columns_sit_on_their_time_steps(ax, T):
    hs = np.zeros((T, 3))
    hs[T - 2, 1] = 1.0  # something happens at step t = T - 1 (steps count from 1, as x_1..x_T)
    image = plots.plot_hidden_states(ax, hs)
    left, right, bottom, top = image.get_extent()
    centres = left + (np.arange(T) + 0.5) * (right - left) / T
    np.testing.assert_allclose(centres, np.arange(1, T + 1))
    assert centres[np.argmax(image.get_array().max(axis=0))] == T - 1
    np.testing.assert_allclose(top + (np.arange(3) + 0.5) * (bottom - top) / 3, [0, 1, 2])
    ticks = ax.get_xticks()
    np.testing.assert_array_equal(ticks, np.round(ticks))  # no tick between two steps


def test_hidden_state_colourbar_leaves_the_panel_as_wide_as_the_others():
    fig = Figure(figsize=(6, 5), layout="tight")
    ax_x, ax_h = fig.subplots(2, 1, sharex=True)
    ax_x.plot(np.arange(1, 31), np.sin(np.arange(1, 31)))
    image = plots.plot_hidden_states(ax_h, np.random.default_rng(0).normal(size=(30, 4)))
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    top, heatmap = ax_x.get_position(), ax_h.get_position()
    assert (heatmap.x0, heatmap.width) == pytest.approx((top.x0, top.width))
    bar = image.colorbar.ax
    assert bar.get_position().x0 > heatmap.x1  # beside the heatmap, not carved out of it
    inside = bar.get_tightbbox(canvas.get_renderer())  # ticks and label not cut off
    assert fig.bbox.x0 <= inside.x0 and inside.x1 <= fig.bbox.x1


def test_hidden_state_heatmap_and_gradient_norms(ax):
    hs = np.random.default_rng(0).uniform(-1, 1, size=(1, 6, 3))
    image = plots.plot_hidden_states(ax, hs)
    np.testing.assert_array_equal(image.get_array(), hs[0].T)
    fig_ax = Figure().add_subplot()
    lines = plots.plot_gradient_norms(fig_ax, {"a": [1e-3, 1e-2, 1e-1], "b": [1.0, 1.0, 1.0]})
    assert [line.get_label() for line in lines] == ["a", "b"] and fig_ax.get_yscale() == "log"
    np.testing.assert_array_equal(lines[0].get_xdata(), [1, 2, 3])


# -- confusion matrix ---------------------------------------------------------------------------
def test_confusion_matrix_counts_by_hand():
    y_true, y_pred = [0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2]
    np.testing.assert_array_equal(
        plots.confusion_matrix(y_true, y_pred), [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    )
    one_hot_pred = np.eye(4)[y_pred]  # probabilities / one-hot rows are argmax-ed
    assert plots.confusion_matrix(y_true, one_hot_pred).shape == (4, 4)
    with pytest.raises(ValueError, match="length"):
        plots.confusion_matrix([0, 1], [0])


def test_plot_confusion_matrix_texts_and_normalisation(ax):
    drawn = plots.plot_confusion_matrix(
        ax, [0, 0, 1, 1], [0, 1, 1, 1], labels=["cat", "dog"], normalize=True
    )
    np.testing.assert_allclose(drawn.matrix, [[0.5, 0.5], [0, 1]])
    assert [t.get_text() for t in drawn.texts] == ["0.50", "0.50", "0.00", "1.00"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["cat", "dog"]


# -- training diagnostics -----------------------------------------------------------------------
def diagnosed_model(scale, optimizer):
    model = Sequential(
        [Input((3,)), Dense(5, "sigmoid"), Dropout(0.5), Dense(1, "sigmoid")], seed=0
    )
    model.layers[1].kernel.data *= scale
    model.compile(optimizer, "binary_crossentropy")
    return model


def test_layer_statistics_saturation_counts_flat_units():
    x = np.random.default_rng(0).normal(size=(50, 3))
    y = (x[:, 0] > 0).astype(float)
    for scale in (0.01, 100.0):
        model = diagnosed_model(scale, SGD(0.1))
        stats = plots.layer_statistics(model, x, y, training=False)
        assert [s.name for s in stats] == ["dense", "dense_1"]  # Dropout has nothing to show
        z = x @ model.layers[1].kernel.data + model.layers[1].bias.data
        flat = sigmoid(z) * (1 - sigmoid(z)) < 0.05
        assert stats[0].saturation == pytest.approx(flat.mean())
        np.testing.assert_allclose(stats[0].outputs, sigmoid(z).ravel())
    assert stats[0].saturation > 0.5  # the large weights saturate most units


def test_layer_statistics_gradients_and_sgd_update_ratio():
    x = np.random.default_rng(0).normal(size=(20, 3))
    y = (x[:, 1] > 0).astype(float)
    model = diagnosed_model(1.0, SGD(0.1))
    before = [w.copy() for w in model.get_weights()]
    stats = plots.layer_statistics(model, x, y, training=False)
    for w, w_after in zip(before, model.get_weights()):
        np.testing.assert_array_equal(w, w_after)  # diagnosing does not train
    W = model.layers[1].kernel.data

    def loss_of(_):
        return model.loss.forward(y, model.forward(x))

    numeric = numerical_gradient(loss_of, W)
    assert rel_error(stats[0].weight_grads["kernel"].reshape(W.shape), numeric) < 1e-7
    expected = 0.1 * np.linalg.norm(numeric) / np.linalg.norm(W)
    assert stats[0].update_ratios["kernel"] == pytest.approx(expected, rel=1e-6)
    assert np.isnan(stats[0].update_ratios["bias"])  # zero biases have no scale to compare with
    p = model.predict(x)[:, 0]
    dL_dp = (p - y) / (p * (1 - p)) / len(y)  # binary cross-entropy, mean over the batch
    np.testing.assert_allclose(stats[1].output_grads, dL_dp, rtol=1e-6)


def test_layer_statistics_adam_ratio_is_the_real_next_step_and_leaves_its_state():
    x = np.random.default_rng(0).normal(size=(20, 3))
    y = (x[:, 2] > 0).astype(float)
    model = diagnosed_model(1.0, Adam(0.01))
    model.train_on_batch(x, y)  # Adam now has momentum to carry
    stats = plots.layer_statistics(model, x, y, training=False)
    assert model.optimizer.iterations == 1
    W = model.layers[3].kernel
    before = W.data.copy()
    model.optimizer.step(model.parameters())  # the grads are still this pass's
    actual = np.linalg.norm(W.data - before) / np.linalg.norm(before)
    assert stats[1].update_ratios["kernel"] == pytest.approx(actual, rel=1e-12)


def test_layer_statistics_needs_a_compiled_model():
    with pytest.raises(RuntimeError, match="compiled"):
        plots.layer_statistics(Sequential([Dense(1)]), np.ones((2, 2)), np.ones(2))


def test_histograms_and_update_ratio_bars():
    x = np.random.default_rng(0).normal(size=(50, 3))
    stats = plots.layer_statistics(diagnosed_model(1.0, SGD(0.1)), x, x[:, 0] > 0)
    fig = Figure()
    axes = fig.subplots(1, 4)
    for ax, kind in zip(axes, ["outputs", "output_grads", "weight_grads"]):
        lines = plots.plot_layer_histograms(ax, stats, kind, bins=10)
        assert len(lines) == 2
        assert sum(lines[0].get_ydata()) == pytest.approx(1.0)  # shares of all values
    labels = [line.get_label() for line in axes[0].get_lines()]
    assert f"saturated {stats[0].saturation:.0%}" in labels[0]
    bars = plots.plot_update_ratios(axes[3], stats)
    heights = [bar.get_height() for bar in bars]
    assert heights == [s.update_ratios["kernel"] for s in stats]
    assert axes[3].get_yscale() == "log"
    with pytest.raises(ValueError, match="kind"):
        plots.plot_layer_histograms(axes[0], stats, "weights")


# -- imports ------------------------------------------------------------------------------------
def test_plots_and_widgets_do_not_import_tensorflow_and_the_core_does_not_import_matplotlib():
    code = (
        "import sys, nncourse.layers, nncourse.models, nncourse.datasets\n"
        "assert 'matplotlib' not in sys.modules\n"
        "import nncourse.plots, nncourse.widgets\n"
        "assert 'matplotlib' in sys.modules\n"
        "assert not {'tensorflow', 'keras'} & set(sys.modules), 'TensorFlow was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
