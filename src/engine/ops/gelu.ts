// GELU op (shaders/gelu.wgsl), tanh form as Hugging Face "gelu_new": forward out = gelu(x), backward dx = dy * gelu'(x).
import { grid1d, words, type Dispatch, type Kernels } from '../kernels';
import { uniformLayout } from '../uniforms';
import { checkBuffer, checkDims, type Buf } from './shapecheck';

const WG = 256;

const GELU_PARAMS = uniformLayout('gelu', 'Params', [['n', 'u32']]);

function params(n: number): ArrayBuffer {
  return GELU_PARAMS.pack({ n });
}

/** out = gelu(x) over n elements. out must not be x (WebGPU forbids a buffer bound read and read-write). */
export function geluForward(k: Kernels, b: { x: Buf; out: Buf }, n: number, label = 'gelu.forward'): Dispatch {
  const op = 'geluForward';
  checkDims(op, { n });
  checkBuffer(op, 'x', b.x, n, `(${n})`);
  checkBuffer(op, 'out', b.out, n, `(${n})`);
  return k.dispatch({
    shader: 'gelu',
    entry: 'forward',
    params: params(n),
    buffers: [b.x, b.out],
    traffic: words(n, n),
    workgroups: grid1d(n, WG, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}

/** dx = dy * gelu'(x) (overwrites dx). dx may not alias dy or x. */
export function geluBackward(
  k: Kernels,
  b: { dy: Buf; x: Buf; dx: Buf },
  n: number,
  label = 'gelu.backward',
): Dispatch {
  const op = 'geluBackward';
  checkDims(op, { n });
  checkBuffer(op, 'dy', b.dy, n, `(${n})`);
  checkBuffer(op, 'x', b.x, n, `(${n})`);
  checkBuffer(op, 'dx', b.dx, n, `(${n})`);
  return k.dispatch({
    shader: 'gelu',
    entry: 'backward',
    params: params(n),
    buffers: [b.dy, b.x, b.dx],
    traffic: words(2 * n, n),
    workgroups: grid1d(n, WG, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}
