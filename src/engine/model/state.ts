// GPU-side parameter state: parameters, gradients and AdamW moments, each as two buffers (decayed matrices, and
// biases/LayerNorms), with named bindings for every tensor. Shared by every graph (train batch, eval, probe).
import { readF32 } from '../buffers';
import type { MemoryCategory } from '../gpuMemory';
import type { Kernels } from '../kernels';
import { tensor, type ParamLayout, type PlacedTensor } from './params';

export interface GroupBuffers {
  decay: GPUBuffer;
  nodecay: GPUBuffer;
}

export class ParamState {
  readonly params: GroupBuffers;
  readonly grads: GroupBuffers;
  readonly m: GroupBuffers;
  readonly v: GroupBuffers;

  constructor(
    readonly k: Kernels,
    readonly layout: ParamLayout,
    init: Float32Array,
    label = 'model',
  ) {
    const nd = layout.totalFloats - layout.decayFloats;
    const make = (what: string, category: MemoryCategory, data?: Float32Array): GroupBuffers => ({
      decay: k.storage(
        data ? data.subarray(0, layout.decayFloats) : Math.max(1, layout.decayFloats) * 4,
        `${label}.${what}.decay`,
        category,
      ),
      nodecay: k.storage(
        data ? data.subarray(layout.decayFloats) : Math.max(1, nd) * 4,
        `${label}.${what}.nodecay`,
        category,
      ),
    });
    if (init.length !== layout.totalFloats)
      throw new Error(`initial parameters have ${init.length} floats, layout needs ${layout.totalFloats}`);
    this.params = make('params', 'parameters', init);
    this.grads = make('grads', 'gradients');
    this.m = make('m', 'moments');
    this.v = make('v', 'moments');
  }

  private bindIn(g: GroupBuffers, t: PlacedTensor): GPUBufferBinding {
    const decay = t.offset < this.layout.decayFloats;
    const start = decay ? 0 : this.layout.decayFloats;
    return { buffer: decay ? g.decay : g.nodecay, offset: (t.offset - start) * 4, size: t.size * 4 };
  }

  /** Binding of a parameter tensor. */
  p(name: string): GPUBufferBinding {
    return this.bindIn(this.params, tensor(this.layout, name));
  }

  /** Binding of a gradient tensor. */
  g(name: string): GPUBufferBinding {
    return this.bindIn(this.grads, tensor(this.layout, name));
  }

  /** Reads a whole group set (params, grads, m or v) back as one flat array in layout order. */
  async read(which: 'params' | 'grads' | 'm' | 'v'): Promise<Float32Array> {
    const g = this[which];
    const out = new Float32Array(this.layout.totalFloats);
    out.set(await readF32(this.k.device, g.decay, this.layout.decayFloats, this.k.memory), 0);
    out.set(
      await readF32(this.k.device, g.nodecay, this.layout.totalFloats - this.layout.decayFloats, this.k.memory),
      this.layout.decayFloats,
    );
    return out;
  }

  /** Overwrites a group set from a flat array in layout order. */
  write(which: 'params' | 'grads' | 'm' | 'v', data: Float32Array): void {
    if (data.length !== this.layout.totalFloats)
      throw new Error(`expected ${this.layout.totalFloats} floats, got ${data.length}`);
    const g = this[which];
    const q = this.k.device.queue;
    q.writeBuffer(g.decay, 0, data.subarray(0, this.layout.decayFloats));
    q.writeBuffer(g.nodecay, 0, data.subarray(this.layout.decayFloats));
  }

  destroy(): void {
    for (const g of [this.params, this.grads, this.m, this.v]) {
      this.k.release(g.decay);
      this.k.release(g.nodecay);
    }
  }
}
