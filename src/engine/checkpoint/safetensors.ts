// The safetensors file format (little-endian u64 header length, JSON header, raw tensor bytes): write and read.

export type DType = 'F32' | 'I32' | 'U32' | 'F64';

export interface NamedTensor {
  name: string;
  dtype: DType;
  shape: number[];
  data: Float32Array | Int32Array | Uint32Array | Float64Array;
}

interface HeaderEntry {
  dtype: DType;
  shape: number[];
  data_offsets: [number, number];
}

const CTORS = { F32: Float32Array, I32: Int32Array, U32: Uint32Array, F64: Float64Array } as const;

/** Serialises tensors (in the given order) with optional string metadata. */
export function writeSafetensors(tensors: NamedTensor[], metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, HeaderEntry | Record<string, string>> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let off = 0;
  for (const t of tensors) {
    const n = t.shape.reduce((a, d) => a * d, 1);
    if (n !== t.data.length)
      throw new Error(`tensor ${t.name}: shape [${t.shape}] has ${n} elements, data has ${t.data.length}`);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [off, off + t.data.byteLength] };
    off += t.data.byteLength;
  }
  let json = JSON.stringify(header);
  // Pad the header with spaces so tensor data starts 8-byte aligned, as the reference implementation does.
  const enc = new TextEncoder();
  while ((enc.encode(json).length + 8) % 8 !== 0) json += ' ';
  const hbytes = enc.encode(json);
  const out = new Uint8Array(8 + hbytes.length + off);
  new DataView(out.buffer).setBigUint64(0, BigInt(hbytes.length), true);
  out.set(hbytes, 8);
  let pos = 8 + hbytes.length;
  for (const t of tensors) {
    out.set(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength), pos);
    pos += t.data.byteLength;
  }
  return out;
}

export interface SafetensorsFile {
  tensors: Map<string, NamedTensor>;
  metadata: Record<string, string>;
}

/** Reads a safetensors file from any byte view: a Uint8Array, a Node Buffer, or a view at a byteOffset. */
export function readSafetensors(bytes: Uint8Array): SafetensorsFile {
  if (bytes.length < 8) throw new Error('not a safetensors file: shorter than its 8-byte header length');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const hlen = Number(view.getBigUint64(0, true));
  if (hlen > bytes.length - 8) throw new Error(`not a safetensors file: header length ${hlen} exceeds the file`);
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + hlen))) as Record<string, unknown>;
  } catch {
    throw new Error('not a safetensors file: the header is not JSON');
  }
  const base = 8 + hlen;
  const tensors = new Map<string, NamedTensor>();
  let metadata: Record<string, string> = {};
  for (const [name, v] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = v as Record<string, string>;
      continue;
    }
    const e = v as HeaderEntry;
    const ctor = CTORS[e.dtype];
    if (!ctor) throw new Error(`tensor ${name}: unsupported dtype ${e.dtype}`);
    const [a, b] = e.data_offsets;
    if (b > bytes.length - base || a > b) throw new Error(`tensor ${name}: data offsets [${a}, ${b}] out of range`);
    if ((b - a) % ctor.BYTES_PER_ELEMENT !== 0)
      throw new Error(`tensor ${name}: ${b - a} bytes is not a whole number of ${e.dtype} values`);
    // Copy into a fresh buffer, so the result is aligned whatever the header length was and holds only this tensor
    // (a Node Buffer's slice(), or any view, shares a larger buffer: its .buffer is not the tensor).
    const raw = new Uint8Array(b - a);
    raw.set(bytes.subarray(base + a, base + b));
    tensors.set(name, { name, dtype: e.dtype, shape: e.shape, data: new ctor(raw.buffer) });
  }
  return { tensors, metadata };
}
