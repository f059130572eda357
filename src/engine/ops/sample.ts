// ELECTRA's sampling ops (shaders/electra.wgsl): a seeded Gumbel-max sample per target row of a (M, V) logits
// buffer, and the replacement of the discriminator's input ids and labels by those samples.
import { grid1d, words, type Dispatch, type Kernels } from '../kernels';
import { uniformLayout } from '../uniforms';

export interface SampleBuffers {
  /** (M, V) f32 logits (read before any in-place cross-entropy overwrites them). */
  logits: GPUBuffer | GPUBufferBinding;
  /** (M) i32 target row in B*T, -1 = empty slot (no sample). */
  positions: GPUBuffer | GPUBufferBinding;
  /** (M) i32 out: sampled id, -1 for empty slots. */
  sampled: GPUBuffer | GPUBufferBinding;
}

export interface ReplaceBuffers {
  positions: GPUBuffer | GPUBufferBinding;
  /** (M) i32 original ids at the target rows. */
  targets: GPUBuffer | GPUBufferBinding;
  sampled: GPUBuffer | GPUBufferBinding;
  /** (B*T) i32 the discriminator's input ids (a copy of the original sequence), overwritten at the target rows. */
  ids: GPUBuffer | GPUBufferBinding;
  /** (B*T) f32 labels (0 elsewhere), set to 1 where the sample differs from the original. */
  labels: GPUBuffer | GPUBufferBinding;
}

/** The sampler's uniform: M, V, seed, step (a new draw per step for the same seed). */
function sampleParams(M: number, V: number, seed: number, step: number): ArrayBuffer {
  return SAMPLE_PARAMS.pack({ M, V, seed: seed >>> 0, step: step >>> 0 });
}

const SAMPLE_PARAMS = uniformLayout('electra', 'SampleParams', [
  ['M', 'u32'],
  ['V', 'u32'],
  ['seed', 'u32'],
  ['step', 'u32'],
]);
const REPLACE_PARAMS = uniformLayout('electra', 'ReplaceParams', [['M', 'u32']]);

/** One workgroup per target row; call setSampleStep before each submit to draw new samples. */
export function gumbelSample(
  k: Kernels,
  s: { M: number; V: number; seed: number },
  b: SampleBuffers,
  label = 'electra.sample',
): Dispatch {
  if (!(s.M >= 1 && s.V >= 1)) throw new Error(`${label}: need M >= 1 and V >= 1, got M=${s.M} V=${s.V}`);
  return k.dispatch({
    shader: 'electra',
    entry: 'gumbel_sample',
    params: sampleParams(s.M, s.V, s.seed, 0),
    buffers: [b.logits, b.positions, b.sampled],
    traffic: words(s.M * s.V + s.M, s.M),
    workgroups: grid1d(s.M, 1, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}

/** Points a gumbelSample dispatch at another (seed, step) draw. */
export function setSampleStep(k: Kernels, d: Dispatch, s: { M: number; V: number; seed: number }, step: number): void {
  k.writeParams(d.params!, sampleParams(s.M, s.V, s.seed, step));
}

export function replaceTokens(k: Kernels, M: number, b: ReplaceBuffers, label = 'electra.replace'): Dispatch {
  return k.dispatch({
    shader: 'electra',
    entry: 'replace_tokens',
    params: REPLACE_PARAMS.pack({ M }),
    buffers: [b.positions, b.targets, b.sampled, b.ids, b.labels],
    traffic: words(3 * M, 2 * M),
    workgroups: grid1d(M, 256, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}
