"""Layers with Keras's names, arguments and weight layouts, written in numpy."""

from nncourse.layers.activation import Activation, LeakyReLU, ReLU, Sigmoid, Softmax, Tanh
from nncourse.layers.base import Layer, Parameter
from nncourse.layers.conv import (
    Conv2D,
    conv2d_backward,
    conv2d_backward_loop,
    conv2d_forward,
    conv2d_forward_loop,
)
from nncourse.layers.dense import Dense, dense_backward, dense_forward
from nncourse.layers.dropout import Dropout
from nncourse.layers.embedding import Embedding
from nncourse.layers.gru import GRU, gru_step_backward, gru_step_forward
from nncourse.layers.input import Input, InputLayer
from nncourse.layers.lstm import LSTM, lstm_step_backward, lstm_step_forward
from nncourse.layers.pooling import (
    AveragePooling2D,
    MaxPooling2D,
    avgpool_backward,
    avgpool_forward,
    maxpool_backward,
    maxpool_forward,
)
from nncourse.layers.reshape import Flatten
from nncourse.layers.rnn import SimpleRNN, rnn_step_backward, rnn_step_forward

__all__ = [
    "Activation",
    "AveragePooling2D",
    "Conv2D",
    "Dense",
    "Dropout",
    "Embedding",
    "Flatten",
    "GRU",
    "Input",
    "InputLayer",
    "LSTM",
    "Layer",
    "LeakyReLU",
    "MaxPooling2D",
    "Parameter",
    "ReLU",
    "Sigmoid",
    "SimpleRNN",
    "Softmax",
    "Tanh",
    "avgpool_backward",
    "avgpool_forward",
    "conv2d_backward",
    "conv2d_backward_loop",
    "conv2d_forward",
    "conv2d_forward_loop",
    "dense_backward",
    "dense_forward",
    "gru_step_backward",
    "gru_step_forward",
    "lstm_step_backward",
    "lstm_step_forward",
    "maxpool_backward",
    "maxpool_forward",
    "rnn_step_backward",
    "rnn_step_forward",
]
