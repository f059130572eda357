// Safetensors round trips, and the Hugging Face export's names, shapes and qkv split.
import { describe, expect, it } from 'vitest';
import { modelConfig } from '../config';
import { bertTensors, initParams, placeTensors, tensor } from '../model/params';
import { rng } from '../testing';
import { exportHf, importHf } from './hf';
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
    expect(() => writeSafetensors([{ name: 'x', dtype: 'F32', shape: [2, 2], data: new Float32Array(3) }])).toThrow(/shape/);
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

  it('imports what it exported, bit for bit', () => {
    const { safetensors } = exportHf(c, layout, params);
    const back = importHf(c, layout, safetensors);
    for (const t of layout.tensors) {
      expect(Array.from(back.subarray(t.offset, t.offset + t.size))).toEqual(Array.from(params.subarray(t.offset, t.offset + t.size)));
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
