// Device acquisition for the engine: navigator.gpu in a page or worker, or a GPU object injected by Node (Dawn).
// Reports what the adapter offers (the limits and features training cares about) and turns a lost device into an event.

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
  features: string[];
  limits: Record<string, number>;
  /** The subgroup sizes the adapter may use (adapter info; absent where it does not say). */
  subgroupMinSize?: number;
  subgroupMaxSize?: number;
  /** The WGSL language features of this WebGPU (navigator.gpu.wgslLanguageFeatures), when acquireGpu saw them. */
  wgslFeatures?: string[];
}

/** The limits that decide what model and batch fit; shown in the UI and checked before any dispatch. */
export const TRAINING_LIMITS = [
  'maxStorageBufferBindingSize',
  'maxBufferSize',
  'maxComputeWorkgroupStorageSize',
  'maxComputeInvocationsPerWorkgroup',
  'maxComputeWorkgroupSizeX',
  'maxComputeWorkgroupSizeY',
  'maxComputeWorkgroupsPerDimension',
  'maxStorageBuffersPerShaderStage',
  'maxUniformBufferBindingSize',
] as const;

/** Optional features the engine uses when present. */
export const WANTED_FEATURES = ['timestamp-query', 'subgroups', 'shader-f16'] as const;

export type GpuErrorKind = 'no-webgpu' | 'no-adapter' | 'device-failed';

export class GpuUnavailableError extends Error {
  constructor(
    readonly kind: GpuErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'GpuUnavailableError';
  }
}

export interface GpuContext {
  adapter: GPUAdapter;
  device: GPUDevice;
  summary: AdapterSummary;
  /** Resolves when the device is lost (destroyed on purpose or not). */
  lost: Promise<GPUDeviceLostInfo>;
}

export interface AcquireOptions {
  /** A GPU object from Node's `webgpu` package; defaults to navigator.gpu. */
  gpu?: GPU;
  powerPreference?: GPUPowerPreference;
  /** Request these optional features when the adapter has them (default: WANTED_FEATURES). */
  features?: readonly string[];
}

function navigatorGpu(): GPU | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu;
}

export function summarizeAdapter(adapter: GPUAdapter, gpu?: GPU): AdapterSummary {
  const info = adapter.info;
  const limits: Record<string, number> = {};
  for (const name of TRAINING_LIMITS) limits[name] = Number(adapter.limits[name]);
  const wgsl = gpu?.wgslLanguageFeatures;
  return {
    vendor: info?.vendor ?? '',
    architecture: info?.architecture ?? '',
    device: info?.device ?? '',
    description: info?.description ?? '',
    isFallbackAdapter: Boolean((info as { isFallbackAdapter?: boolean } | undefined)?.isFallbackAdapter),
    features: [...adapter.features].map(String).sort(),
    limits,
    ...(info?.subgroupMinSize ? { subgroupMinSize: info.subgroupMinSize, subgroupMaxSize: info.subgroupMaxSize } : {}),
    ...(wgsl ? { wgslFeatures: [...wgsl].map(String).sort() } : {}),
  };
}

/** A one-line name for logs and JSON output, e.g. "google swiftshader (Subzero)". */
/**
 * A software (CPU) implementation of WebGPU: the fallback adapter, SwiftShader, llvmpipe/lavapipe, WARP. Kernels
 * pick barrier-free variants there (see KernelTuning): a workgroup barrier is a context switch on a CPU.
 */
export function isCpuAdapter(s: AdapterSummary): boolean {
  const text = `${s.vendor} ${s.architecture} ${s.device} ${s.description}`.toLowerCase();
  return s.isFallbackAdapter || /swiftshader|llvmpipe|lavapipe|warp|basic render/.test(text);
}

export function adapterLabel(s: AdapterSummary): string {
  const parts = [s.vendor, s.architecture, s.device || s.description].filter((p) => p && p.length > 0);
  return parts.length > 0 ? parts.join(' ') : 'unknown adapter';
}

/**
 * Requests an adapter and a device with the adapter's own maximum for every training limit, so that large
 * buffers and workgroup memory are available, and with the optional features it has.
 */
export async function acquireGpu(opts: AcquireOptions = {}): Promise<GpuContext> {
  const gpu = opts.gpu ?? navigatorGpu();
  if (!gpu)
    throw new GpuUnavailableError('no-webgpu', 'This browser does not expose WebGPU (navigator.gpu is missing).');
  const adapter = await gpu.requestAdapter({ powerPreference: opts.powerPreference ?? 'high-performance' });
  if (!adapter) throw new GpuUnavailableError('no-adapter', 'WebGPU is present but no GPU adapter was found.');
  const wanted = opts.features ?? WANTED_FEATURES;
  const requiredFeatures = wanted.filter((f) => adapter.features.has(f)) as GPUFeatureName[];
  const requiredLimits: Record<string, number> = {};
  for (const name of TRAINING_LIMITS) requiredLimits[name] = Number(adapter.limits[name]);
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({ requiredFeatures, requiredLimits, label: 'masklab' });
  } catch (e) {
    throw new GpuUnavailableError('device-failed', `The GPU adapter refused to create a device: ${String(e)}`);
  }
  return { adapter, device, summary: summarizeAdapter(adapter, gpu), lost: device.lost };
}
