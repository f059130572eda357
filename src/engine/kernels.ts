// The one place that turns shaders/*.wgsl into compute pipelines (cached by file + entry + overrides), and the
// Dispatch record every op builds once per shape: pipeline, bind group, uniform params and workgroup counts.
import { isCpuAdapter, type AdapterSummary } from './gpu';
import { shaderFeature, shaderSource } from './shaders';
import { createStorage, createUniform, type TypedData } from './buffers';
import { GpuMemory, type MemoryCategory } from './gpuMemory';
import { checkStorageBinding, checkWorkgroups } from './limits';
import type { Fusion } from './fusion';
import type { EntryOf, KernelName, ShaderName } from './kernelNames';

export type { EntryOf, KernelName, ShaderName } from './kernelNames';

export type Overrides = Record<string, number>;

/**
 * Bytes a dispatch reads and writes, counted analytically by the op that builds it: every element of every tensor
 * it reads counted once, and every element it writes once (a read-modify-write counts both ways). What a tiled
 * kernel re-reads from caches, and uniform params, are not counted: this is the traffic a kernel cannot avoid.
 */
export interface Traffic {
  read: number;
  write: number;
}

/** One compute dispatch, built once and encoded every step. */
export interface Dispatch {
  label: string;
  /** `${shader}.${entry}`: the key per-kernel timings are grouped by. */
  kernel: KernelName;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
  /** The uniform buffer at binding 0, when the kernel has params. */
  params?: GPUBuffer;
  /**
   * Floating-point operations of the matrix products it computes (2 per multiply-add), counted by the op that
   * builds it: matmuls and attention's products; memory-bound kernels leave it out (0). See countFlops.
   */
  flops?: number;
  /** Bytes it reads and writes (Traffic). */
  traffic: Traffic;
}

interface DispatchSpecOf<S extends ShaderName> {
  /** A shaders/*.wgsl file and one of its compute entry points (kernelNames.ts, generated from the files). */
  shader: S;
  entry: EntryOf<S>;
  overrides?: Overrides;
  /** Uniform params written to binding 0 (omit for kernels without params). */
  params?: ArrayBuffer | ArrayBufferView;
  /** Storage buffers bound in order after the params: binding 1, 2, ... (or 0, 1, ... with no params). */
  buffers: (GPUBuffer | GPUBufferBinding)[];
  workgroups: [number, number?, number?] | number;
  label?: string;
  /** The products' FLOPs (Dispatch.flops). */
  flops?: number;
  /** Bytes it reads and writes (Dispatch.traffic). */
  traffic: Traffic;
}

/** What an op passes to Kernels.dispatch; the shader and entry must exist (checked by typecheck). */
export type DispatchSpec = { [S in ShaderName]: DispatchSpecOf<S> }[ShaderName];

function key(shader: string, entry: string, overrides?: Overrides): string {
  const o = overrides ? Object.entries(overrides).sort(([a], [b]) => a.localeCompare(b)) : [];
  return `${shader}#${entry}#${o.map(([k, v]) => `${k}=${v}`).join(',')}`;
}

/**
 * The kernel roles whose variant is chosen per adapter (by default from `cpu`, or by the autotuner, autotune.ts):
 * matrix products, attention's batched products, LayerNorm's row kernels, attention's masked softmax (forward and
 * backward), the fused cross-entropy and the gradient-norm reduction.
 */
export const KERNEL_ROLES = ['matmul', 'attention', 'layernorm', 'softmax', 'xent', 'grad_norm'] as const;
export type KernelRole = (typeof KERNEL_ROLES)[number];

/**
 * Each role's variants. Row reductions (layernorm, softmax, xent): a workgroup per row with tree sums through
 * workgroup memory, one thread per row (no barriers), or one subgroup per row (subgroup sums, no barriers).
 * matmul: tiled in workgroup memory (tile side from the shape, or 64 / 128 forced), direct (operands read straight
 * from the buffers), or direct with the A operand shared through subgroup broadcasts. attention's products: tiled or
 * direct. grad_norm: 256-thread tree, a 4-thread tree, or subgroup sums.
 */
export const ROLE_VARIANTS = {
  matmul: ['tiled', 'tiled64', 'tiled128', 'direct', 'direct_subgroup'],
  attention: ['tiled', 'direct'],
  layernorm: ['workgroup', 'thread'],
  softmax: ['workgroup', 'thread'],
  xent: ['workgroup', 'thread', 'subgroup'],
  grad_norm: ['workgroup', 'simd', 'subgroup'],
} as const satisfies Record<KernelRole, readonly string[]>;

export type VariantOf<R extends KernelRole> = (typeof ROLE_VARIANTS)[R][number];
/** A variant per role (the autotuner's choice; a role left out takes the adapter's default). */
export type KernelChoice = { [R in KernelRole]?: VariantOf<R> };

/** Subgroup variants need the device feature; their names say so. */
export function isSubgroupVariant(v: string): boolean {
  return v.endsWith('subgroup');
}

/** Subgroup sizes the adapter may run a shader with (adapter info; WebGPU's minimum of 4 when not reported). */
export interface SubgroupSizes {
  min: number;
  max: number;
}

/** What kernel variants suit the adapter (ops read it when they build their dispatches). */
export interface KernelTuning {
  /**
   * The adapter runs on the CPU (isCpuAdapter): per-row reductions use one thread per row instead of a workgroup
   * with barriers (about 20x faster for LayerNorm at C=64 on SwiftShader, 6x at C=256), and matrix products
   * (matmul_direct, attention's DIRECT products) read their operands straight from the buffers with no workgroup
   * memory or barriers (2-3x the tiled kernels there). The default of every role without a `choice`.
   */
  cpu?: boolean;
  /** The fused kernels in use (fusion.ts); all of them when absent. */
  fusions?: readonly Fusion[];
  /**
   * The device was created with 'subgroups' and its WGSL has subgroup_id (subgroupSupport): subgroup variants may
   * run. Absent: a subgroup variant in `choice` is ignored and the role takes its default.
   */
  subgroups?: SubgroupSizes;
  /** Per-role variants (the autotuner's choice). */
  choice?: KernelChoice;
}

/** The default variant of each role: the CPU-adapter kernels on software adapters, the GPU kernels otherwise. */
export function defaultVariant<R extends KernelRole>(role: R, cpu: boolean): VariantOf<R> {
  const gpuDefault: { [K in KernelRole]: VariantOf<K> } = {
    matmul: 'tiled',
    attention: 'tiled',
    layernorm: 'workgroup',
    softmax: 'workgroup',
    xent: 'workgroup',
    grad_norm: 'workgroup',
  };
  const cpuDefault: { [K in KernelRole]: VariantOf<K> } = {
    matmul: 'direct',
    attention: 'direct',
    layernorm: 'thread',
    softmax: 'thread',
    xent: 'thread',
    grad_norm: 'simd',
  };
  return (cpu ? cpuDefault : gpuDefault)[role];
}

/**
 * The variant a role runs with this tuning: the chosen one, unless it needs subgroups the device lacks (then, as
 * without a choice, the adapter's default).
 */
export function variantOf<R extends KernelRole>(t: KernelTuning, role: R): VariantOf<R> {
  const v = t.choice?.[role];
  if (v !== undefined && (!isSubgroupVariant(v) || t.subgroups)) return v;
  return defaultVariant(role, t.cpu ?? false);
}

/**
 * The subgroup sizes when subgroup variants can run on this device: it was created with 'subgroups' and the
 * browser's WGSL has the subgroup_id built-in (`wgslFeatures`: navigator.gpu.wgslLanguageFeatures, as
 * AdapterSummary keeps them); undefined otherwise.
 */
export function subgroupSupport(device: GPUDevice, wgslFeatures?: readonly string[]): SubgroupSizes | undefined {
  if (!device.features.has('subgroups')) return undefined;
  if (wgslFeatures && !wgslFeatures.includes('subgroup_id')) return undefined;
  const info = device.adapterInfo as GPUAdapterInfo | undefined;
  const min = info?.subgroupMinSize ?? 4;
  return { min, max: Math.max(min, info?.subgroupMaxSize ?? 128) };
}

/**
 * The adapter's own tuning: its default variants (CPU-adapter kernels on software adapters) and, where the device
 * has them, subgroups; `choice` adds the autotuner's variants.
 */
export function adapterTuning(device: GPUDevice, summary: AdapterSummary, choice?: KernelChoice): KernelTuning {
  const subgroups = subgroupSupport(device, summary.wgslFeatures);
  return { cpu: isCpuAdapter(summary), ...(subgroups ? { subgroups } : {}), ...(choice ? { choice } : {}) };
}

/** A Kernels with its own registry (Kernels.scoped). */
export type ScopedKernels = Kernels & { readonly memory: GpuMemory };

interface Caches {
  modules: Map<string, GPUShaderModule>;
  pipelines: Map<string, GPUComputePipeline>;
}

export class Kernels {
  private readonly modules: Map<string, GPUShaderModule>;
  private readonly pipelines: Map<string, GPUComputePipeline>;

  constructor(
    readonly device: GPUDevice,
    readonly tuning: KernelTuning = {},
    /**
     * Where the buffers made through this object (storage, dispatch uniforms) are registered; none for a device's
     * own Kernels (tests, the kernel lab), so that nothing holds what they drop. scoped() makes one.
     */
    readonly memory?: GpuMemory,
    caches: Caches = { modules: new Map(), pipelines: new Map() },
  ) {
    this.modules = caches.modules;
    this.pipelines = caches.pipelines;
  }

  /**
   * The same device, tuning and pipeline cache with a child registry: what is built through it counts in this
   * object's registry too and can be released apart (a trainer's, a graph's).
   */
  scoped(): ScopedKernels {
    return new Kernels(this.device, this.tuning, this.memory ? this.memory.child() : new GpuMemory(), {
      modules: this.modules,
      pipelines: this.pipelines,
    }) as ScopedKernels;
  }

  /** The same device, registry and pipeline cache with another tuning (fusions on or off, the autotuner's choice). */
  withTuning(tuning: KernelTuning): Kernels {
    return new Kernels(this.device, tuning, this.memory, { modules: this.modules, pipelines: this.pipelines });
  }

  /** A storage buffer (createStorage), registered under `category`. */
  storage(sizeOrData: number | TypedData, label: string, category: MemoryCategory): GPUBuffer {
    return this.register(createStorage(this.device, sizeOrData, label), category);
  }

  /** Registers a buffer made elsewhere (a ring's, an op's scratch) under `category`; returns it. */
  register(buffer: GPUBuffer, category: MemoryCategory): GPUBuffer {
    return this.memory ? this.memory.register(buffer, category) : buffer;
  }

  /** Destroys a buffer and removes it from the registry. */
  release(buffer: GPUBuffer): void {
    if (this.memory) this.memory.release(buffer);
    else buffer.destroy();
  }

  /** Destroys every buffer in this object's registry (a scoped graph's or trainer's, when it is disposed). */
  releaseAll(): void {
    this.memory?.releaseAll();
  }

  module(shader: ShaderName): GPUShaderModule {
    let m = this.modules.get(shader);
    if (!m) {
      const feature = shaderFeature(shader);
      if (feature && !this.device.features.has(feature))
        throw new Error(`shaders/${shader}.wgsl needs the device feature '${feature}', which this device lacks`);
      m = this.device.createShaderModule({ code: shaderSource(shader), label: shader });
      this.modules.set(shader, m);
    }
    return m;
  }

  pipeline<S extends ShaderName>(shader: S, entry: EntryOf<S>, overrides?: Overrides): GPUComputePipeline {
    const k = key(shader, entry, overrides);
    let p = this.pipelines.get(k);
    if (!p) {
      p = this.device.createComputePipeline({
        label: `${shader}.${entry}`,
        layout: 'auto',
        compute: { module: this.module(shader), entryPoint: entry, constants: overrides },
      });
      this.pipelines.set(k, p);
    }
    return p;
  }

  /** Builds a dispatch: checks limits, creates the params uniform and the bind group. Call once per shape. */
  dispatch(spec: DispatchSpec): Dispatch {
    const label = spec.label ?? `${spec.shader}.${spec.entry}`;
    const wg: [number, number, number] =
      typeof spec.workgroups === 'number'
        ? [spec.workgroups, 1, 1]
        : [spec.workgroups[0], spec.workgroups[1] ?? 1, spec.workgroups[2] ?? 1];
    checkWorkgroups(this.device, wg, label);
    const pipeline = this.pipeline(spec.shader, spec.entry, spec.overrides);
    const entries: GPUBindGroupEntry[] = [];
    let params: GPUBuffer | undefined;
    if (spec.params) {
      params = this.register(createUniform(this.device, spec.params.byteLength, `${label}.params`), 'other');
      this.writeParams(params, spec.params);
      entries.push({ binding: 0, resource: { buffer: params } });
    }
    spec.buffers.forEach((b) => {
      // A GPUBuffer has no `buffer` attribute; a GPUBufferBinding does.
      const binding: GPUBufferBinding = 'buffer' in b ? b : { buffer: b };
      checkStorageBinding(this.device, binding.size ?? binding.buffer.size, `${label} binding ${entries.length}`);
      entries.push({ binding: entries.length, resource: binding });
    });
    const bindGroup = this.device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries, label });
    const kernel = `${spec.shader}.${spec.entry}` as KernelName;
    return {
      label,
      kernel,
      pipeline,
      bindGroup,
      workgroups: wg,
      params,
      traffic: spec.traffic,
      ...(spec.flops ? { flops: spec.flops } : {}),
    };
  }

  writeParams(params: GPUBuffer, data: ArrayBuffer | ArrayBufferView): void {
    const bytes =
      data instanceof ArrayBuffer
        ? new Uint8Array(data)
        : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    const padded = new Uint8Array(params.size);
    padded.set(bytes);
    this.device.queue.writeBuffer(params, 0, padded);
  }
}

/** The FLOPs of a dispatch list: the sum of each dispatch's own count. */
export function countFlops(dispatches: readonly Dispatch[]): number {
  let s = 0;
  for (const d of dispatches) s += d.flops ?? 0;
  return s;
}

/** The bytes a dispatch list reads and writes: the sum of each dispatch's own count (Traffic). */
export function countTraffic(dispatches: readonly Dispatch[]): Traffic {
  let read = 0;
  let write = 0;
  for (const d of dispatches) {
    read += d.traffic.read;
    write += d.traffic.write;
  }
  return { read, write };
}

/** Traffic of f32 (or i32/u32) element counts: `read` and `write` elements of 4 bytes. */
export function words(read: number, write: number): Traffic {
  return { read: 4 * read, write: 4 * write };
}

/** Encodes dispatches into one compute pass. */
export function encodeDispatches(pass: GPUComputePassEncoder, dispatches: readonly Dispatch[]): void {
  for (const d of dispatches) {
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, d.bindGroup);
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
  }
}

/** Encodes and submits dispatches in one command encoder (tests and one-off work). */
export function runDispatches(device: GPUDevice, dispatches: readonly Dispatch[]): void {
  const enc = device.createCommandEncoder();
  const pass = enc.beginComputePass();
  encodeDispatches(pass, dispatches);
  pass.end();
  device.queue.submit([enc.finish()]);
}

/**
 * The grid of a kernel that gives each subgroup one row at a time (rows strided over every subgroup of the grid):
 * enough workgroups of `wg` invocations for one row per subgroup at the adapter's smallest subgroup size (a larger
 * size leaves some subgroups several rows). Throws when the kernels are not tuned with subgroups.
 */
export function subgroupRowGrid(k: Kernels, rows: number, wg: number): [number, number, number] {
  const sg = k.tuning.subgroups;
  if (!sg) throw new Error('a subgroup kernel variant needs a device created with subgroups (KernelTuning.subgroups)');
  return grid1d(rows, Math.max(1, Math.floor(wg / sg.min)), k.device.limits.maxComputeWorkgroupsPerDimension);
}

/** ceil(a / b) for workgroup counts. */
export function cdiv(a: number, b: number): number {
  return Math.ceil(a / b);
}

/**
 * Workgroup counts for a 1-D problem of n items, WG items per workgroup, folded into a 2-D grid when the count
 * passes the per-dimension limit. Shaders recover the index as gid.x + gid.y * nwg.x * WG.
 */
export function grid1d(n: number, wg: number, maxPerDim = 65535): [number, number, number] {
  const groups = Math.max(1, cdiv(n, wg));
  if (groups <= maxPerDim) return [groups, 1, 1];
  const y = cdiv(groups, maxPerDim);
  return [cdiv(groups, y), y, 1];
}
