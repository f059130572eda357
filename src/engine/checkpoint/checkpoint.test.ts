// Safetensors round trips, and the Hugging Face export's names, shapes and qkv split.
import { describe, expect, it } from 'vitest';
import { modelConfig } from '../config';
import { bertTensors, generatorShape, initParams, placeTensors, tensor, type HeadConfig } from '../model/params';
import { rng } from '../testing';
import { exportHf, hfModelFor, importHf } from './hf';
import { readSafetensors, writeSafetensors } from './safetensors';

describe('safetensors', () => {
  it('round-trips tensors, dtypes and metadata with an 8-byte aligned data start', () => {
    const a = new Float32Array([1.5, -2, 3]);
    const b = new Int32Array([7, -8, 9, 10]);
    const bytes = writeSafetensors(
      [
        { name: 'a', dtype: 'F32', shape: [3], data: a },
        { name: 'b', dtype: 'I32', shape: [2, 2], data: b },
      ],
      { step: '12' },
    );
    const hlen = Number(new DataView(bytes.buffer).getBigUint64(0, true));
    expect((8 + hlen) % 8).toBe(0);
    const f = readSafetensors(bytes);
    expect(f.metadata.step).toBe('12');
    expect(Array.from(f.tensors.get('a')!.data)).toEqual([1.5, -2, 3]);
    expect(f.tensors.get('b')!.shape).toEqual([2, 2]);
    expect(Array.from(f.tensors.get('b')!.data)).toEqual([7, -8, 9, 10]);
  });

  it('rejects a truncated file and a mismatched shape', () => {
    expect(() => readSafetensors(new Uint8Array([1, 2, 3]))).toThrow(/not a safetensors file/);
    expect(() => writeSafetensors([{ name: 'x', dtype: 'F32', shape: [2, 2], data: new Float32Array(3) }])).toThrow(
      /shape/,
    );
  });
});

describe('Hugging Face export', () => {
  const c = modelConfig('tiny', 50, { L: 2, C: 8, NH: 2, F: 16, T: 12 });
  const layout = placeTensors(bertTensors(c));
  const params = initParams(layout, 0.02, rng(3));

  it('writes BertForMaskedLM names and shapes, splitting qkv into query/key/value', () => {
    const { config, safetensors } = exportHf(c, layout, params);
    const cfg = JSON.parse(config) as Record<string, unknown>;
    expect(cfg.hidden_act).toBe('gelu_new');
    expect(cfg.vocab_size).toBe(50);
    const f = readSafetensors(safetensors);
    expect(f.tensors.get('bert.embeddings.word_embeddings.weight')!.shape).toEqual([50, 8]);
    expect(f.tensors.get('bert.encoder.layer.1.attention.self.key.weight')!.shape).toEqual([8, 8]);
    expect(f.tensors.get('bert.encoder.layer.0.intermediate.dense.weight')!.shape).toEqual([16, 8]);
    expect(f.tensors.get('cls.predictions.bias')!.shape).toEqual([50]);
    // key.weight is rows C..2C-1 of our fused qkv_w.
    const qkv = tensor(layout, 'h1.qkv_w');
    const key = f.tensors.get('bert.encoder.layer.1.attention.self.key.weight')!.data;
    expect(key[0]).toBe(params[qkv.offset + 8 * 8]);
    expect(f.tensors.size).toBe(5 + 2 * 16 + 5);
  });

  it('writes an ElectraForPreTraining for binary heads and ELECTRA (the discriminator, not the generator)', () => {
    for (const head of [
      { kind: 'binary' },
      { kind: 'electra', gen: generatorShape(c, 0.25), discWeight: 50 },
    ] as HeadConfig[]) {
      const l = placeTensors(bertTensors(c, head));
      const p = initParams(l, 0.02, rng(4));
      const model = hfModelFor(head)!;
      expect(model).toBe('electra-discriminator');
      const { config, safetensors } = exportHf(c, l, p, model);
      const cfg = JSON.parse(config) as Record<string, unknown>;
      expect(cfg.architectures).toEqual(['ElectraForPreTraining']);
      expect(cfg.model_type).toBe('electra');
      expect(cfg.embedding_size).toBe(8);
      const f = readSafetensors(safetensors);
      expect(f.tensors.get('electra.embeddings.word_embeddings.weight')!.shape).toEqual([50, 8]);
      expect(f.tensors.get('electra.encoder.layer.1.attention.self.value.weight')!.shape).toEqual([8, 8]);
      expect(f.tensors.get('discriminator_predictions.dense.weight')!.shape).toEqual([8, 8]);
      expect(f.tensors.get('discriminator_predictions.dense_prediction.weight')!.shape).toEqual([1, 8]);
      expect(f.tensors.get('discriminator_predictions.dense_prediction.bias')!.shape).toEqual([1]);
      expect(f.tensors.size).toBe(5 + 2 * 16 + 4);
      expect([...f.tensors.keys()].some((k) => k.includes('gen'))).toBe(false);
      const back = importHf(c, l, safetensors, model);
      const w = tensor(l, 'disc_out_w');
      expect(Array.from(back.subarray(w.offset, w.offset + w.size))).toEqual(
        Array.from(p.subarray(w.offset, w.offset + w.size)),
      );
    }
    expect(hfModelFor({ kind: 'vocabulary' })).toBe('masked-lm');
    expect(hfModelFor({ kind: 'k-class', K: 3 })).toBeUndefined();
  });

  it("writes ELECTRA's generator as an ElectraForMaskedLM with the shared embeddings and embeddings_project", () => {
    const gen = generatorShape(c, 0.25);
    const head: HeadConfig = { kind: 'electra', gen, discWeight: 50 };
    const l = placeTensors(bertTensors(c, head));
    const p = initParams(l, 0.02, rng(6));
    const { config, safetensors } = exportHf(c, l, p, 'electra-generator', gen);
    const cfg = JSON.parse(config) as Record<string, unknown>;
    expect(cfg.architectures).toEqual(['ElectraForMaskedLM']);
    expect(cfg.model_type).toBe('electra');
    expect([cfg.embedding_size, cfg.hidden_size, cfg.num_attention_heads, cfg.intermediate_size]).toEqual([
      8,
      gen.C,
      gen.NH,
      gen.F,
    ]);
    const f = readSafetensors(safetensors);
    const shape = (name: string) => f.tensors.get(name)?.shape;
    expect(shape('electra.embeddings.word_embeddings.weight')).toEqual([50, 8]);
    expect(shape('electra.embeddings_project.weight')).toEqual([gen.C, 8]);
    expect(shape('electra.encoder.layer.1.attention.self.key.weight')).toEqual([gen.C, gen.C]);
    expect(shape('electra.encoder.layer.0.intermediate.dense.weight')).toEqual([gen.F, gen.C]);
    expect(shape('generator_predictions.dense.weight')).toEqual([8, gen.C]);
    expect(shape('generator_predictions.LayerNorm.weight')).toEqual([8]);
    expect(shape('generator_lm_head.bias')).toEqual([50]);
    expect(f.tensors.size).toBe(5 + 2 + 2 * 16 + 5);
    expect([...f.tensors.keys()].some((k) => k.includes('discriminator'))).toBe(false);
    // The generator's tensors and the shared embeddings come back; the discriminator's stay zero.
    const back = importHf(c, l, safetensors, 'electra-generator', gen);
    for (const name of ['wte', 'gen.embed_proj_w', 'gen.h1.qkv_w', 'gen.head_w', 'gen.decoder_b']) {
      const t = tensor(l, name);
      expect(Array.from(back.subarray(t.offset, t.offset + t.size)), name).toEqual(
        Array.from(p.subarray(t.offset, t.offset + t.size)),
      );
    }
    const d = tensor(l, 'h0.qkv_w');
    expect(back.subarray(d.offset, d.offset + d.size).every((v) => v === 0)).toBe(true);
    expect(() => exportHf(c, l, p, 'electra-generator')).toThrow(/needs its shape/);
  });

  it('imports what it exported, bit for bit', () => {
    const { safetensors } = exportHf(c, layout, params);
    const back = importHf(c, layout, safetensors);
    for (const t of layout.tensors) {
      expect(Array.from(back.subarray(t.offset, t.offset + t.size))).toEqual(
        Array.from(params.subarray(t.offset, t.offset + t.size)),
      );
    }
  });

  it('initialises bit-identically from the same seed and differently from another', () => {
    const again = initParams(layout, 0.02, rng(3));
    const other = initParams(layout, 0.02, rng(4));
    expect(Buffer.from(again.buffer).equals(Buffer.from(params.buffer))).toBe(true);
    expect(Buffer.from(other.buffer).equals(Buffer.from(params.buffer))).toBe(false);
    const g = tensor(layout, 'h0.ln1_g');
    expect(params[g.offset]).toBe(1);
    expect(g.offset % 64).toBe(0);
  });
});

describe('safetensors from a Node Buffer or any view', () => {
  const c = modelConfig('tiny', 40, { L: 1, C: 8, NH: 2, F: 16, T: 10 });
  const layout = placeTensors(bertTensors(c));
  const params = initParams(layout, 0.02, rng(5));

  it('round-trips a Hugging Face export through a Node Buffer that shares a larger buffer', () => {
    const { safetensors } = exportHf(c, layout, params);
    // Buffer.from(bytes) of a small file lands in Node's shared pool: its .buffer is the pool, not the file.
    const pooled = Buffer.concat([Buffer.alloc(13, 7), Buffer.from(safetensors), Buffer.alloc(5)]).subarray(
      13,
      13 + safetensors.length,
    );
    expect(pooled.byteOffset).toBeGreaterThan(0);
    expect(pooled.buffer.byteLength).toBeGreaterThan(safetensors.length);
    const back = importHf(c, layout, pooled);
    const aligned = (x: Float32Array) => Array.from(x).map((v) => Math.fround(v));
    for (const t of layout.tensors) {
      expect(aligned(back.subarray(t.offset, t.offset + t.size)), t.name).toEqual(
        aligned(params.subarray(t.offset, t.offset + t.size)),
      );
    }
  });

  it('reads a view at an odd byteOffset of a Uint8Array', () => {
    const bytes = writeSafetensors([{ name: 'x', dtype: 'F32', shape: [3], data: new Float32Array([1, -2.5, 3]) }]);
    const big = new Uint8Array(bytes.length + 3);
    big.set(bytes, 3);
    expect(Array.from(readSafetensors(big.subarray(3)).tensors.get('x')!.data)).toEqual([1, -2.5, 3]);
  });
});
