// Fill op: sets an f32 buffer (or its first n elements) to a constant.
import { grid1d, type Dispatch, type Kernels } from '../kernels';

export function fill(k: Kernels, out: GPUBuffer, value: number, n = out.size / 4, label = 'fill'): Dispatch {
  const params = new ArrayBuffer(8);
  new Uint32Array(params, 0, 1)[0] = n;
  new Float32Array(params, 4, 1)[0] = value;
  return k.dispatch({
    shader: 'fill',
    entry: 'fill',
    params,
    buffers: [out],
    workgroups: grid1d(n, 256, k.device.limits.maxComputeWorkgroupsPerDimension),
    label,
  });
}
