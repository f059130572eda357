// Export to (and import from) Hugging Face transformers: config.json and model.safetensors with the tensor names,
// shapes and layout transformers expects. Vocabulary-head runs are a BertForMaskedLM; binary-head runs (rts,
// shuffle, ELECTRA's discriminator) an ElectraForPreTraining, whose encoder is BERT's under the prefix "electra."
// and whose head is our binary head (dense, activation, dense_prediction to one logit). Our fused qkv_w (3C, C) is
// split into query/key/value.
import type { ModelConfig } from '../config';
import { tensor, type HeadConfig, type ParamLayout } from '../model/params';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors';

/** Which transformers model a run exports as. */
export type HfModel = 'masked-lm' | 'electra-discriminator';

/** The transformers model of a head, or undefined when there is none (k-class heads: save a checkpoint). */
export function hfModelFor(head: HeadConfig): HfModel | undefined {
  if (head.kind === 'vocab') return 'masked-lm';
  if (head.kind === 'binary' || head.kind === 'electra') return 'electra-discriminator';
  return undefined;
}

export function hfConfig(c: ModelConfig, model: HfModel = 'masked-lm'): Record<string, unknown> {
  const electra = model === 'electra-discriminator';
  return {
    architectures: [electra ? 'ElectraForPreTraining' : 'BertForMaskedLM'],
    model_type: electra ? 'electra' : 'bert',
    vocab_size: c.V,
    ...(electra ? { embedding_size: c.C } : {}),
    hidden_size: c.C,
    num_hidden_layers: c.L,
    num_attention_heads: c.NH,
    intermediate_size: c.F,
    hidden_act: 'gelu_new',
    hidden_dropout_prob: 0.0,
    attention_probs_dropout_prob: 0.0,
    max_position_embeddings: c.T,
    type_vocab_size: 2,
    initializer_range: c.initStd,
    layer_norm_eps: c.lnEps,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    tie_word_embeddings: true,
    torch_dtype: 'float32',
  };
}

/** [our tensor name, row range or whole, HF name] for every exported tensor. */
function mapping(c: ModelConfig, model: HfModel): [string, [number, number] | null, string][] {
  const base = model === 'electra-discriminator' ? 'electra.' : 'bert.';
  const m: [string, [number, number] | null, string][] = [
    ['wte', null, `${base}embeddings.word_embeddings.weight`],
    ['wpe', null, `${base}embeddings.position_embeddings.weight`],
    ['wtt', null, `${base}embeddings.token_type_embeddings.weight`],
    ['emb_ln_g', null, `${base}embeddings.LayerNorm.weight`],
    ['emb_ln_b', null, `${base}embeddings.LayerNorm.bias`],
  ];
  const C = c.C;
  for (let l = 0; l < c.L; l++) {
    const p = `h${l}.`;
    const h = `${base}encoder.layer.${l}.`;
    ['query', 'key', 'value'].forEach((part, i) => {
      m.push([p + 'qkv_w', [i * C, (i + 1) * C], `${h}attention.self.${part}.weight`]);
      m.push([p + 'qkv_b', [i * C, (i + 1) * C], `${h}attention.self.${part}.bias`]);
    });
    m.push(
      [p + 'attn_proj_w', null, h + 'attention.output.dense.weight'],
      [p + 'attn_proj_b', null, h + 'attention.output.dense.bias'],
      [p + 'ln1_g', null, h + 'attention.output.LayerNorm.weight'],
      [p + 'ln1_b', null, h + 'attention.output.LayerNorm.bias'],
      [p + 'fc_w', null, h + 'intermediate.dense.weight'],
      [p + 'fc_b', null, h + 'intermediate.dense.bias'],
      [p + 'fc_proj_w', null, h + 'output.dense.weight'],
      [p + 'fc_proj_b', null, h + 'output.dense.bias'],
      [p + 'ln2_g', null, h + 'output.LayerNorm.weight'],
      [p + 'ln2_b', null, h + 'output.LayerNorm.bias'],
    );
  }
  if (model === 'electra-discriminator') {
    m.push(
      ['disc_w', null, 'discriminator_predictions.dense.weight'],
      ['disc_b', null, 'discriminator_predictions.dense.bias'],
      ['disc_out_w', null, 'discriminator_predictions.dense_prediction.weight'],
      ['disc_out_b', null, 'discriminator_predictions.dense_prediction.bias'],
    );
    return m;
  }
  m.push(
    ['head_w', null, 'cls.predictions.transform.dense.weight'],
    ['head_b', null, 'cls.predictions.transform.dense.bias'],
    ['head_ln_g', null, 'cls.predictions.transform.LayerNorm.weight'],
    ['head_ln_b', null, 'cls.predictions.transform.LayerNorm.bias'],
    ['decoder_b', null, 'cls.predictions.bias'],
  );
  return m;
}

/**
 * model.safetensors for transformers' BertForMaskedLM.from_pretrained (decoder weight tied to word embeddings), or
 * ElectraForPreTraining.from_pretrained for a binary head.
 */
export function exportHf(c: ModelConfig, layout: ParamLayout, params: Float32Array, model: HfModel = 'masked-lm'): { config: string; safetensors: Uint8Array } {
  const out: NamedTensor[] = [];
  for (const [ours, rows, hf] of mapping(c, model)) {
    const t = tensor(layout, ours);
    const cols = t.shape.length === 2 ? t.shape[1] : 1;
    const [r0, r1] = rows ?? [0, t.shape[0]];
    const data = params.slice(t.offset + r0 * cols, t.offset + r1 * cols);
    const shape = t.shape.length === 2 ? [r1 - r0, cols] : [r1 - r0];
    out.push({ name: hf, dtype: 'F32', shape, data });
  }
  return { config: JSON.stringify(hfConfig(c, model), null, 2) + '\n', safetensors: writeSafetensors(out, { format: 'pt' }) };
}

/** Reads a model.safetensors of exportHf back into our flat parameter array. */
export function importHf(c: ModelConfig, layout: ParamLayout, bytes: Uint8Array, model: HfModel = 'masked-lm'): Float32Array {
  const file = readSafetensors(bytes);
  const params = new Float32Array(layout.totalFloats);
  for (const [ours, rows, hf] of mapping(c, model)) {
    const src = file.tensors.get(hf);
    if (!src) throw new Error(`model.safetensors has no tensor ${hf}`);
    const t = tensor(layout, ours);
    const cols = t.shape.length === 2 ? t.shape[1] : 1;
    const [r0, r1] = rows ?? [0, t.shape[0]];
    if (src.data.length !== (r1 - r0) * cols) throw new Error(`${hf}: expected ${(r1 - r0) * cols} values, found ${src.data.length}`);
    params.set(src.data as Float32Array, t.offset + r0 * cols);
  }
  return params;
}
