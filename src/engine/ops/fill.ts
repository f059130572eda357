// Fill op: sets an f32 buffer (or its first n elements) to a constant.
import { grid1d, words, type Dispatch, type Kernels } from '../kernels';
import { uniformLayout } from '../uniforms';

const FILL_PARAMS = uniformLayout('fill', 'FillParams', [
  ['n', 'u32'],
  ['value', 'f32'],
]);

export function fill(k: Kernels, out: GPUBuffer, value: number, n = out.size / 4, label = 'fill'): Dispatch {
  const params = FILL_PARAMS.pack({ n, value });
  return k.dispatch({
    shader: 'fill',
    entry: 'fill',
    params,
    buffers: [out],
    traffic: words(0, n),
    workgroups: grid1d(n, 256, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}
