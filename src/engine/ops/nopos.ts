// Position hiding for the "position" objective (shaders/nopos.wgsl): flagged rows take a learned "no position"
// vector instead of their position embedding. Forward runs after embeddingForward, backward after embeddingBackward.
import { grid1d, words, type Dispatch, type Kernels } from '../kernels';
import { uniformLayout } from '../uniforms';
import type { EmbeddingShape } from './embedding';
import { checkBuffer, type Buf } from './shapecheck';

const WG = 256;

const NOPOS_PARAMS = uniformLayout('nopos', 'Params', [
  ['B', 'u32'],
  ['T', 'u32'],
  ['C', 'u32'],
  ['V', 'u32'],
]);

function params(s: EmbeddingShape): ArrayBuffer {
  return NOPOS_PARAMS.pack({ B: s.B, T: s.T, C: s.C, V: s.V });
}

/** Overwrites the embedding sum of flagged rows with (wte[id] + wtt[0]) + wnone. */
export function noPositionForward(
  k: Kernels,
  b: { ids: Buf; noPos: Buf; wte: Buf; wtt: Buf; wnone: Buf; out: Buf },
  s: EmbeddingShape,
  label = 'nopos.forward',
): Dispatch {
  const N = s.B * s.T;
  checkBuffer(label, 'ids', b.ids, N, `(B*T) = (${N})`);
  checkBuffer(label, 'noPos', b.noPos, N, `(B*T) = (${N})`);
  checkBuffer(label, 'wnone', b.wnone, s.C, `(C) = (${s.C})`);
  checkBuffer(label, 'out', b.out, N * s.C, `(B*T, C) = (${N}, ${s.C})`);
  return k.dispatch({
    shader: 'nopos',
    entry: 'forward',
    params: params(s),
    buffers: [b.ids, b.noPos, b.wte, b.wtt, b.wnone, b.out],
    // At most: every row flagged (ids, flags, a wte row each; wtt and wnone once).
    traffic: words(2 * N + N * s.C + 2 * s.C, N * s.C),
    workgroups: grid1d(N * s.C, WG, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}

/** Takes flagged rows' gradient out of dwpe (-=) and adds it to dwnone (+=); `scratch` holds (T, C) floats. */
export function noPositionBackward(
  k: Kernels,
  b: { dout: Buf; noPos: Buf; dwpe: Buf; dwnone: Buf; scratch: Buf },
  s: EmbeddingShape,
  label = 'nopos.backward',
): Dispatch[] {
  const N = s.B * s.T;
  checkBuffer(label, 'dout', b.dout, N * s.C, `(B*T, C) = (${N}, ${s.C})`);
  checkBuffer(label, 'scratch', b.scratch, s.T * s.C, `(T, C) = (${s.T}, ${s.C})`);
  checkBuffer(label, 'dwnone', b.dwnone, s.C, `(C) = (${s.C})`);
  const maxDim = k.device.limits.maxComputeWorkgroupsPerDimension;
  return [
    k.dispatch({
      shader: 'nopos',
      entry: 'backward_wpe',
      params: params(s),
      buffers: [b.dout, b.noPos, b.dwpe, b.scratch],
      // At most: every row flagged.
      traffic: words(s.B * s.T * (1 + s.C) + s.T * s.C, 2 * s.T * s.C),
      workgroups: grid1d(s.T * s.C, WG, maxDim),
      label: `${label}.wpe`,
    }),
    k.dispatch({
      shader: 'nopos',
      entry: 'backward_none',
      params: params(s),
      buffers: [b.scratch, b.dwnone],
      traffic: words((s.T + 1) * s.C, s.C),
      workgroups: grid1d(s.C, WG, maxDim),
      label: `${label}.none`,
    }),
  ];
}
