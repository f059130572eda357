"""transformers.PretrainedConfig: a model's settings read from (and written to) config.json."""
import json
import os

CONFIG_NAME = "config.json"


class PretrainedConfig:
    model_type = ""

    def __init__(self, **kwargs):
        self.tie_word_embeddings = kwargs.pop("tie_word_embeddings", True)
        self.is_decoder = kwargs.pop("is_decoder", False)
        self.architectures = kwargs.pop("architectures", None)
        self.output_attentions = kwargs.pop("output_attentions", False)
        self.output_hidden_states = kwargs.pop("output_hidden_states", False)
        self.use_return_dict = kwargs.pop("return_dict", True)
        kwargs.pop("model_type", None)
        for k, v in kwargs.items():
            setattr(self, k, v)

    @classmethod
    def from_pretrained(cls, path, **kwargs):
        file = os.path.join(path, CONFIG_NAME)
        if not os.path.isfile(file):
            raise OSError("%s does not appear to have a file named %s." % (path, CONFIG_NAME))
        with open(file, encoding="utf-8") as f:
            d = json.load(f)
        d.update(kwargs)
        return cls(**d)

    def to_dict(self):
        d = {k: v for k, v in self.__dict__.items() if not k.startswith("_")}
        d["model_type"] = self.model_type
        d["return_dict"] = d.pop("use_return_dict")
        return d

    def save_pretrained(self, path):
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, CONFIG_NAME), "w", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, indent=2, sort_keys=True)
            f.write("\n")
