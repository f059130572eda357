"""transformers.PreTrainedModel: from_pretrained / save_pretrained with transformers' loading rules, weight init and
weight tying (the `_tied_weights_keys` map of target -> source parameter, tied when config.tie_word_embeddings)."""
import logging
import os

import torch
from torch import nn

from ._safetensors_io import load_file, save_file

logger = logging.getLogger("transformers.modeling_utils")
SAFE_WEIGHTS_NAME = "model.safetensors"
WEIGHTS_NAME = "pytorch_model.bin"


def _get(module, dotted):
    for part in dotted.split("."):
        module = getattr(module, part)
    return module


def _set_param(module, dotted, param):
    *path, name = dotted.split(".")
    setattr(_get(module, ".".join(path)) if path else module, name, param)


class PreTrainedModel(nn.Module):
    config_class = None
    base_model_prefix = ""
    _tied_weights_keys = {}

    def __init__(self, config, *args, **kwargs):
        super().__init__()
        self.config = config

    def post_init(self):
        """Initialises every weight (_init_weights) and ties the tied ones, as transformers' post_init does."""
        self.apply(self._init_weights)
        self.tie_weights()

    def _init_weights(self, module):
        std = self.config.initializer_range
        if isinstance(module, nn.Linear):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.bias is not None:
                module.bias.data.zero_()
        elif isinstance(module, nn.Embedding):
            module.weight.data.normal_(mean=0.0, std=std)
            if module.padding_idx is not None:
                module.weight.data[module.padding_idx].zero_()
        elif isinstance(module, nn.LayerNorm):
            module.bias.data.zero_()
            module.weight.data.fill_(1.0)

    def tie_weights(self):
        if not getattr(self.config, "tie_word_embeddings", True):
            return
        for target, source in self._tied_weights_keys.items():
            _set_param(self, target, _get(self, source))

    @property
    def device(self):
        return next(self.parameters()).device

    @classmethod
    def from_pretrained(cls, path, *args, **kwargs):
        path = str(path)
        config = kwargs.pop("config", None)
        if config is None:
            config = cls.config_class.from_pretrained(path)
        for key in ("torch_dtype", "dtype", "attn_implementation", "low_cpu_mem_usage"):
            kwargs.pop(key, None)
        for k, v in kwargs.items():
            setattr(config, k, v)
        model = cls(config)
        if os.path.isfile(os.path.join(path, SAFE_WEIGHTS_NAME)):
            state = load_file(os.path.join(path, SAFE_WEIGHTS_NAME))
        elif os.path.isfile(os.path.join(path, WEIGHTS_NAME)):
            state = torch.load(os.path.join(path, WEIGHTS_NAME), map_location="cpu")
        else:
            raise OSError("Error no file named %s, or %s found in directory %s." % (SAFE_WEIGHTS_NAME, WEIGHTS_NAME, path))
        state = {k.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias"): v
                 for k, v in state.items()}
        expected = model.state_dict()
        tied = set(model._tied_weights_keys) if getattr(config, "tie_word_embeddings", True) else set()
        missing = [k for k in expected if k not in state and k not in tied]
        unexpected = [k for k in state if k not in expected]
        mismatched = ["size mismatch for %s: copying a param with shape %s from checkpoint, the shape in current model "
                      "is %s." % (k, tuple(state[k].shape), tuple(expected[k].shape))
                      for k in state if k in expected and state[k].shape != expected[k].shape]
        if mismatched:
            raise RuntimeError("Error(s) in loading state_dict for %s:\n\t%s\n\tYou may consider adding "
                               "`ignore_mismatched_sizes=True` in the model `from_pretrained` method."
                               % (cls.__name__, "\n\t".join(mismatched)))
        with torch.no_grad():
            for k, v in state.items():
                if k in expected:
                    expected[k].copy_(v.to(expected[k].dtype))
        model.tie_weights()
        if unexpected:
            logger.warning("Some weights of the model checkpoint at %s were not used when initializing %s: %s",
                           path, cls.__name__, unexpected)
        if missing:
            logger.warning("Some weights of %s were not initialized from the model checkpoint at %s and are newly "
                           "initialized: %s", cls.__name__, path, missing)
        model.eval()
        return model

    def save_pretrained(self, path, *args, **kwargs):
        os.makedirs(path, exist_ok=True)
        self.config.architectures = [type(self).__name__]
        self.config.save_pretrained(path)
        tied = set(self._tied_weights_keys) if getattr(self.config, "tie_word_embeddings", True) else set()
        state = {k: v for k, v in self.state_dict().items() if k not in tied}
        save_file(state, os.path.join(path, SAFE_WEIGHTS_NAME), metadata={"format": "pt"})
