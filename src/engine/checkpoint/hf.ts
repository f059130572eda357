// Export to (and import from) Hugging Face transformers: config.json and model.safetensors with the tensor names,
// shapes and layout transformers expects. Vocabulary-head runs are a BertForMaskedLM; binary-head runs (rts,
// shuffle, ELECTRA's discriminator) an ElectraForPreTraining, whose encoder is BERT's under the prefix "electra."
// and whose head is our binary head (dense, activation, dense_prediction to one logit); ELECTRA's generator an
// ElectraForMaskedLM (hidden size gen.C, embedding_size C, the shared embeddings, embeddings_project). Our fused
// qkv_w (3C, C) is split into query/key/value.
import type { ModelConfig } from '../config';
import { binaryHfTensors } from '../model/heads/binary';
import { generatorHfTensors } from '../model/heads/electra';
import { vocabHfTensors } from '../model/heads/vocab';
import { headModule, type HfEntry, type HfModel } from '../model/heads';
import {
  GEN_PREFIX,
  generatorConfig,
  tensor,
  type GeneratorShape,
  type HeadConfig,
  type ParamLayout,
} from '../model/params';
import { readSafetensors, writeSafetensors, type NamedTensor } from './safetensors';

/** Which transformers model a run exports as ('electra-generator': an ELECTRA run's generator, on request). */
export type { HfModel };

/** The transformers model of a head (its module's hf), or undefined when there is none (k-class: a checkpoint). */
export function hfModelFor(head: HeadConfig): HfModel | undefined {
  return headModule(head).hf?.model;
}

const ARCHITECTURE: Record<HfModel, string> = {
  'masked-lm': 'BertForMaskedLM',
  'electra-discriminator': 'ElectraForPreTraining',
  'electra-generator': 'ElectraForMaskedLM',
};

/** The transformers class of an export. */
export function hfArchitecture(model: HfModel): string {
  return ARCHITECTURE[model];
}

/** The generator's shape, required for (and only for) 'electra-generator'. */
function generatorOf(model: HfModel, gen: GeneratorShape | undefined): GeneratorShape | undefined {
  if (model === 'electra-generator' && !gen)
    throw new Error("exporting ELECTRA's generator needs its shape (the run's head.gen)");
  return model === 'electra-generator' ? gen : undefined;
}

/**
 * config.json. The generator's: its own width, heads and FFN, embedding_size C. transformers' generator head
 * (ElectraGeneratorPredictions) applies the exact erf GELU whatever hidden_act says, where ours uses the tanh form
 * (gelu_new) as everywhere else: its outputs differ from ours by that approximation (under 1e-3 per activation).
 */
export function hfConfig(c: ModelConfig, model: HfModel = 'masked-lm', gen?: GeneratorShape): Record<string, unknown> {
  const electra = model !== 'masked-lm';
  const g = generatorOf(model, gen);
  const enc = g ? generatorConfig(c, g) : c;
  return {
    architectures: [ARCHITECTURE[model]],
    model_type: electra ? 'electra' : 'bert',
    vocab_size: c.V,
    ...(electra ? { embedding_size: c.C } : {}),
    hidden_size: enc.C,
    num_hidden_layers: enc.L,
    num_attention_heads: enc.NH,
    intermediate_size: enc.F,
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

type Entry = HfEntry;

/** [our tensor name, row range or whole, HF name] for every exported tensor. */
function mapping(c: ModelConfig, model: HfModel, gen?: GeneratorShape): Entry[] {
  const base = model === 'masked-lm' ? 'bert.' : 'electra.';
  const m: Entry[] = [
    ['wte', null, `${base}embeddings.word_embeddings.weight`],
    ['wpe', null, `${base}embeddings.position_embeddings.weight`],
    ['wtt', null, `${base}embeddings.token_type_embeddings.weight`],
    ['emb_ln_g', null, `${base}embeddings.LayerNorm.weight`],
    ['emb_ln_b', null, `${base}embeddings.LayerNorm.bias`],
  ];
  const g = generatorOf(model, gen);
  if (g) {
    const P = GEN_PREFIX;
    if (g.C !== c.C)
      m.push(
        [P + 'embed_proj_w', null, 'electra.embeddings_project.weight'],
        [P + 'embed_proj_b', null, 'electra.embeddings_project.bias'],
      );
    m.push(...layerMapping(P, base, c.L, g.C), ...generatorHfTensors());
    return m;
  }
  // The head's names come from its module (heads/binary.ts, heads/vocab.ts).
  m.push(...layerMapping('', base, c.L, c.C), ...HEAD_TENSORS[model]());
  return m;
}

const HEAD_TENSORS: Record<HfModel, () => Entry[]> = {
  'masked-lm': vocabHfTensors,
  'electra-discriminator': binaryHfTensors,
  'electra-generator': generatorHfTensors,
};

/** The encoder layers: our `${prefix}h${l}.*` (width C) as `${base}encoder.layer.${l}.*`. */
function layerMapping(prefix: string, base: string, L: number, C: number): Entry[] {
  const m: Entry[] = [];
  for (let l = 0; l < L; l++) {
    const p = `${prefix}h${l}.`;
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
  return m;
}

/**
 * model.safetensors for transformers' BertForMaskedLM.from_pretrained (decoder weight tied to word embeddings),
 * ElectraForPreTraining.from_pretrained for a binary head, or ElectraForMaskedLM for ELECTRA's generator (`gen`:
 * the run's head.gen; its lm head is tied to the shared word embeddings).
 */
export function exportHf(
  c: ModelConfig,
  layout: ParamLayout,
  params: Float32Array,
  model: HfModel = 'masked-lm',
  gen?: GeneratorShape,
): { config: string; safetensors: Uint8Array } {
  const out: NamedTensor[] = [];
  for (const [ours, rows, hf] of mapping(c, model, gen)) {
    const t = tensor(layout, ours);
    const cols = t.shape.length === 2 ? t.shape[1] : 1;
    const [r0, r1] = rows ?? [0, t.shape[0]];
    const data = params.slice(t.offset + r0 * cols, t.offset + r1 * cols);
    const shape = t.shape.length === 2 ? [r1 - r0, cols] : [r1 - r0];
    out.push({ name: hf, dtype: 'F32', shape, data });
  }
  return {
    config: JSON.stringify(hfConfig(c, model, gen), null, 2) + '\n',
    safetensors: writeSafetensors(out, { format: 'pt' }),
  };
}

/** Reads a model.safetensors of exportHf back into our flat parameter array. */
export function importHf(
  c: ModelConfig,
  layout: ParamLayout,
  bytes: Uint8Array,
  model: HfModel = 'masked-lm',
  gen?: GeneratorShape,
): Float32Array {
  const file = readSafetensors(bytes);
  const params = new Float32Array(layout.totalFloats);
  for (const [ours, rows, hf] of mapping(c, model, gen)) {
    const src = file.tensors.get(hf);
    if (!src) throw new Error(`model.safetensors has no tensor ${hf}`);
    const t = tensor(layout, ours);
    const cols = t.shape.length === 2 ? t.shape[1] : 1;
    const [r0, r1] = rows ?? [0, t.shape[0]];
    if (src.data.length !== (r1 - r0) * cols)
      throw new Error(`${hf}: expected ${(r1 - r0) * cols} values, found ${src.data.length}`);
    params.set(src.data as Float32Array, t.offset + r0 * cols);
  }
  return params;
}
