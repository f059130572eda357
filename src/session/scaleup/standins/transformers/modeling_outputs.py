"""transformers' model outputs: attribute access (out.logits) and index access (out[0]) over the set fields."""


class ModelOutput(dict):
    def __init__(self, **kwargs):
        super().__init__((k, v) for k, v in kwargs.items() if v is not None)
        for k, v in kwargs.items():
            object.__setattr__(self, k, v)

    def __getitem__(self, k):
        return list(self.values())[k] if isinstance(k, int) else super().__getitem__(k)

    def to_tuple(self):
        return tuple(self.values())


class BaseModelOutput(ModelOutput):
    pass


class MaskedLMOutput(ModelOutput):
    pass


class ElectraForPreTrainingOutput(ModelOutput):
    pass
