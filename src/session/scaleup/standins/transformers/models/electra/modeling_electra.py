"""transformers' ELECTRA in plain PyTorch, with its module and parameter names (modeling_electra.py): embeddings of
width embedding_size, embeddings_project when it differs from hidden_size, BERT's encoder layers, the
discriminator's head (dense, config.hidden_act, dense_prediction) and the generator's (dense to embedding_size,
the exact GELU whatever hidden_act says, LayerNorm, generator_lm_head tied to the word embeddings)."""
import torch
from torch import nn

from ...activations import get_activation
from ...modeling_outputs import ElectraForPreTrainingOutput, MaskedLMOutput
from ...modeling_utils import PreTrainedModel
from ..bert.modeling_bert import BertEmbeddings, BertEncoder, extended_attention_mask
from .configuration_electra import ElectraConfig


class ElectraEmbeddings(BertEmbeddings):
    def __init__(self, config):
        super().__init__(config, width=config.embedding_size)


class ElectraPreTrainedModel(PreTrainedModel):
    config_class = ElectraConfig
    base_model_prefix = "electra"


class ElectraModel(ElectraPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.embeddings = ElectraEmbeddings(config)
        if config.embedding_size != config.hidden_size:
            self.embeddings_project = nn.Linear(config.embedding_size, config.hidden_size)
        self.encoder = BertEncoder(config)
        self.post_init()

    def get_input_embeddings(self):
        return self.embeddings.word_embeddings

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None, inputs_embeds=None,
                **kwargs):
        x = self.embeddings(input_ids, token_type_ids, position_ids, inputs_embeds)
        if attention_mask is None:
            attention_mask = torch.ones(x.shape[:2], device=x.device)
        if hasattr(self, "embeddings_project"):
            x = self.embeddings_project(x)
        return self.encoder(x, extended_attention_mask(attention_mask, x.dtype))


class ElectraDiscriminatorPredictions(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.hidden_size)
        self.activation = get_activation(config.hidden_act)
        self.dense_prediction = nn.Linear(config.hidden_size, 1)

    def forward(self, discriminator_hidden_states):
        return self.dense_prediction(self.activation(self.dense(discriminator_hidden_states))).squeeze(-1)


class ElectraForPreTraining(ElectraPreTrainedModel):
    def __init__(self, config):
        super().__init__(config)
        self.electra = ElectraModel(config)
        self.discriminator_predictions = ElectraDiscriminatorPredictions(config)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None, inputs_embeds=None,
                labels=None, **kwargs):
        h = self.electra(input_ids, attention_mask, token_type_ids, position_ids, inputs_embeds).last_hidden_state
        logits = self.discriminator_predictions(h)
        loss = None
        if labels is not None:
            active = attention_mask.view(-1, h.shape[1]) == 1 if attention_mask is not None else slice(None)
            loss = nn.functional.binary_cross_entropy_with_logits(logits.view(-1, h.shape[1])[active],
                                                                  labels[active].float())
        return ElectraForPreTrainingOutput(loss=loss, logits=logits)


class ElectraGeneratorPredictions(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.activation = get_activation("gelu")
        self.LayerNorm = nn.LayerNorm(config.embedding_size, eps=config.layer_norm_eps)
        self.dense = nn.Linear(config.hidden_size, config.embedding_size)

    def forward(self, generator_hidden_states):
        return self.LayerNorm(self.activation(self.dense(generator_hidden_states)))


class ElectraForMaskedLM(ElectraPreTrainedModel):
    _tied_weights_keys = {"generator_lm_head.weight": "electra.embeddings.word_embeddings.weight"}

    def __init__(self, config):
        super().__init__(config)
        self.electra = ElectraModel(config)
        self.generator_predictions = ElectraGeneratorPredictions(config)
        self.generator_lm_head = nn.Linear(config.embedding_size, config.vocab_size)
        self.post_init()

    def forward(self, input_ids=None, attention_mask=None, token_type_ids=None, position_ids=None, inputs_embeds=None,
                labels=None, **kwargs):
        h = self.electra(input_ids, attention_mask, token_type_ids, position_ids, inputs_embeds).last_hidden_state
        logits = self.generator_lm_head(self.generator_predictions(h))
        loss = None
        if labels is not None:
            loss = nn.functional.cross_entropy(logits.view(-1, self.config.vocab_size), labels.view(-1))
        return MaskedLMOutput(loss=loss, logits=logits)
