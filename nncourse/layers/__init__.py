"""Layers with Keras's names, arguments and weight layouts, written in numpy."""

from nncourse.layers.activation import Activation, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from nncourse.layers.base import Layer, Parameter
from nncourse.layers.dense import Dense, dense_backward, dense_forward
from nncourse.layers.dropout import Dropout
from nncourse.layers.input import Input, InputLayer

__all__ = [
    "Activation",
    "Dense",
    "Dropout",
    "Input",
    "InputLayer",
    "Layer",
    "LeakyReLU",
    "Parameter",
    "ReLU",
    "Sigmoid",
    "Softmax",
    "Tanh",
    "dense_backward",
    "dense_forward",
]
