"""transformers.activations: the activations by config name (ACT2FN), as transformers defines them."""
import math

import torch
from torch import nn


class GELUActivation(nn.Module):
    """"gelu": the exact GELU, x * Phi(x) (torch's erf form)."""

    def forward(self, x):
        return nn.functional.gelu(x)


class NewGELUActivation(nn.Module):
    """"gelu_new": the tanh approximation (Google BERT / OpenAI GPT), written out as transformers does."""

    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


ACT2CLS = {"gelu": GELUActivation, "gelu_new": NewGELUActivation, "relu": nn.ReLU, "tanh": nn.Tanh}


class _Act2Fn(dict):
    def __getitem__(self, key):
        if key not in ACT2CLS:
            raise KeyError("function %s not found in ACT2FN mapping %s" % (key, list(ACT2CLS)))
        return ACT2CLS[key]()


ACT2FN = _Act2Fn()


def get_activation(name):
    return ACT2FN[name]
