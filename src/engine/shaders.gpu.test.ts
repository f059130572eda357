// Every shaders/*.wgsl module compiles on a real WebGPU device without errors.
import { describe, expect, it } from 'vitest';
import { shaderNames, shaderSource } from './shaders';
import { useGpu } from './testing';

describe('WGSL modules', () => {
  const fx = useGpu();

  it('finds the shader files', () => {
    expect(shaderNames()).toContain('fill');
  });

  it.each(shaderNames())('%s.wgsl compiles without errors', async (name) => {
    fx.device.pushErrorScope('validation');
    const module = fx.device.createShaderModule({ code: shaderSource(name), label: name });
    const info = await module.getCompilationInfo();
    const error = await fx.device.popErrorScope();
    const errors = info.messages.filter((m) => m.type === 'error');
    const text = errors.map((m) => `${name}.wgsl:${m.lineNum}:${m.linePos} ${m.message}`).join('\n');
    expect(text).toBe('');
    expect(error?.message ?? '').toBe('');
  });
});
