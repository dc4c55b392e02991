"""Pictures of what a network does: pure matplotlib functions that draw onto a given Axes.

Every ``plot_*(ax, ...)`` draws onto the Axes it is given and returns what it drew (artists, or
a small dataclass holding the computed data next to them), so lessons can combine the plots
freely and tests can check the drawing without a notebook. The numbers behind the pictures come
from pure functions beside them (``optimizer_path``, ``layer_statistics``, ``confusion_matrix``,
...), which import only numpy and nncourse. Nothing here imports TensorFlow.
"""

from nncourse.plots.activations import (
    ActivationPlot,
    derivative,
    plot_activation,
    saturation_regions,
)
from nncourse.plots.boundary import BoundaryPlot, plot_decision_boundary, predict_grid
from nncourse.plots.confusion import ConfusionPlot, confusion_matrix, plot_confusion_matrix
from nncourse.plots.conv import SlideFrame, plot_kernel_slide, slide_frame
from nncourse.plots.diagnostics import LayerStatistics, layer_statistics, saturation_fraction
from nncourse.plots.histograms import plot_layer_histograms, plot_update_ratios
from nncourse.plots.images import plot_feature_maps, plot_filters, tile
from nncourse.plots.neuron import NeuronPlot, decision_line, plot_neuron
from nncourse.plots.rnn import plot_gradient_norms, plot_hidden_states
from nncourse.plots.surfaces import (
    SURFACES,
    OptimizerPath,
    Surface,
    make_optimizer,
    optimizer_path,
    plot_loss_surface,
    plot_optimizer_paths,
)
from nncourse.plots.training import history_dict, plot_history

__all__ = [
    "SURFACES",
    "ActivationPlot",
    "BoundaryPlot",
    "ConfusionPlot",
    "LayerStatistics",
    "NeuronPlot",
    "OptimizerPath",
    "SlideFrame",
    "Surface",
    "confusion_matrix",
    "decision_line",
    "derivative",
    "history_dict",
    "layer_statistics",
    "make_optimizer",
    "optimizer_path",
    "plot_activation",
    "plot_confusion_matrix",
    "plot_decision_boundary",
    "plot_feature_maps",
    "plot_filters",
    "plot_gradient_norms",
    "plot_hidden_states",
    "plot_history",
    "plot_kernel_slide",
    "plot_layer_histograms",
    "plot_loss_surface",
    "plot_neuron",
    "plot_optimizer_paths",
    "plot_update_ratios",
    "predict_grid",
    "saturation_fraction",
    "saturation_regions",
    "slide_frame",
    "tile",
]
