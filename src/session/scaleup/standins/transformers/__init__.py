"""Test stand-in for Hugging Face transformers (see ../README.md): the BERT and ELECTRA classes train.py loads."""
from .activations import ACT2FN, get_activation  # noqa: F401
from .configuration_utils import PretrainedConfig  # noqa: F401
from .modeling_utils import PreTrainedModel  # noqa: F401
from .models.bert.configuration_bert import BertConfig  # noqa: F401
from .models.bert.modeling_bert import BertForMaskedLM, BertModel  # noqa: F401
from .models.electra.configuration_electra import ElectraConfig  # noqa: F401
from .models.electra.modeling_electra import ElectraForMaskedLM, ElectraForPreTraining, ElectraModel  # noqa: F401

__version__ = "0.0.0+masklab-standin"
