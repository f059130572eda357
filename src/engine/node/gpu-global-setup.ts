// Vitest global setup for the GPU project: picks the Vulkan driver and prints the adapter the tests will use.
import { nodeGpu } from './dawn';

export default async function setup(): Promise<void> {
  const gpu = await nodeGpu();
  const s = gpu.summary;
  console.log(
    `[gpu tests] adapter: ${gpu.label}${s.isFallbackAdapter ? ' (fallback)' : ''}; features: ${s.features.join(', ') || 'none'}`,
  );
  gpu.close();
}
