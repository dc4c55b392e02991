"""Interactive explorers for the lessons, built on ipywidgets 8 and the plots of nncourse.plots.

Each explorer holds its controls, draws with a pure ``nncourse.plots`` function into a PNG shown
by an ``ipywidgets.Image`` (no ipympl needed), and redraws in place with ``update()``. Make one
the last expression of a cell to show it.
"""

from nncourse.widgets.activations import ActivationExplorer
from nncourse.widgets.base import Explorer
from nncourse.widgets.conv import ConvExplorer
from nncourse.widgets.descent import GradientDescentExplorer
from nncourse.widgets.live import LiveTrainingPlot
from nncourse.widgets.neuron import NeuronExplorer
from nncourse.widgets.playground import Playground
from nncourse.widgets.rnn import RNNExplorer

__all__ = [
    "ActivationExplorer",
    "ConvExplorer",
    "Explorer",
    "GradientDescentExplorer",
    "LiveTrainingPlot",
    "NeuronExplorer",
    "Playground",
    "RNNExplorer",
]
