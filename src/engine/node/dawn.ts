// Node-only: a WebGPU device from the `webgpu` package (Dawn). With no GPU driver installed it points the Vulkan
// loader at Chromium's SwiftShader ICD, so tests, benchmarks and the CLI run everywhere.
import { existsSync, readdirSync } from 'node:fs';
import { acquireGpu, adapterLabel, type AcquireOptions, type GpuContext } from '../gpu';

export const SWIFTSHADER_ICD = '/usr/lib/chromium/vk_swiftshader_icd.json';

/** A GPU the system Vulkan driver can use: an NVIDIA device node or a DRM render node. */
function hasGpuDevice(): boolean {
  if (existsSync('/dev/nvidiactl')) return true;
  return existsSync('/dev/dri') && readdirSync('/dev/dri').some((f) => f.startsWith('renderD'));
}

/** Chooses the Vulkan driver: the machine's own, or SwiftShader when there is none. Returns what it chose. */
export function configureVulkan(): string {
  // Dawn's Wayland probe complains on headless machines without it.
  process.env.XDG_RUNTIME_DIR ??= '/tmp';
  const chosen = process.env.VK_DRIVER_FILES ?? process.env.VK_ICD_FILENAMES;
  if (chosen) return chosen;
  if (hasGpuDevice()) return 'system Vulkan driver';
  if (existsSync(SWIFTSHADER_ICD)) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
    return SWIFTSHADER_ICD;
  }
  throw new Error(
    `No Vulkan driver found and no SwiftShader at ${SWIFTSHADER_ICD}. Install Chromium (apt-get install -y chromium) ` +
      'or a GPU driver, or set VK_ICD_FILENAMES.',
  );
}

export interface NodeGpu extends GpuContext {
  label: string;
  /**
   * The Dawn GPU object (instance). Held here because the device does not keep it alive: once garbage-collected,
   * Dawn's event processing for pending mapAsync/onSubmittedWorkDone touches a freed instance and Node crashes.
   */
  instance: GPU;
  /** Destroys the device; Node can then exit. */
  close(): void;
}

/** Instances of open devices, kept reachable until close() whatever the caller keeps. */
const liveInstances = new Set<GPU>();

/**
 * A device on Dawn. The GPU object stays local (a global navigator.gpu keeps Node from exiting). `features`: the
 * optional features to request (default: every wanted one the adapter has).
 */
export async function nodeGpu(dawnFlags: string[] = [], opts: Pick<AcquireOptions, 'features'> = {}): Promise<NodeGpu> {
  configureVulkan();
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create(dawnFlags) as GPU;
  liveInstances.add(gpu);
  const ctx = await acquireGpu({ gpu, ...opts });
  const close = () => {
    ctx.device.destroy();
    liveInstances.delete(gpu);
  };
  return { ...ctx, instance: gpu, label: adapterLabel(ctx.summary), close };
}
