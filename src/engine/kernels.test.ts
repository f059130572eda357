// KernelTuning's variant per role: the adapter's defaults, the autotuner's choice, and a subgroup choice ignored on
// a device without subgroups (the role falls back to its default).
import { describe, expect, it } from 'vitest';
import { defaultVariant, isSubgroupVariant, KERNEL_ROLES, ROLE_VARIANTS, variantOf } from './kernels';

describe('kernel variants per role', () => {
  it('defaults to the CPU-adapter kernels on software adapters and to the GPU kernels elsewhere', () => {
    expect(variantOf({ cpu: true }, 'xent')).toBe('thread');
    expect(variantOf({ cpu: true }, 'matmul')).toBe('direct');
    expect(variantOf({}, 'xent')).toBe('workgroup');
    expect(variantOf({ cpu: false }, 'matmul')).toBe('tiled');
    for (const role of KERNEL_ROLES) {
      for (const cpu of [false, true]) {
        const v = defaultVariant(role, cpu);
        expect((ROLE_VARIANTS[role] as readonly string[]).includes(v), `${role} ${v}`).toBe(true);
        expect(isSubgroupVariant(v), `${role}: a default never needs subgroups`).toBe(false);
      }
    }
  });

  it('takes the chosen variant, and a subgroup one only where the device has subgroups', () => {
    const sg = { min: 4, max: 4 };
    expect(variantOf({ cpu: true, choice: { matmul: 'tiled64' } }, 'matmul')).toBe('tiled64');
    expect(variantOf({ cpu: true, choice: { xent: 'subgroup' } }, 'xent')).toBe('thread');
    expect(variantOf({ cpu: false, choice: { xent: 'subgroup' } }, 'xent')).toBe('workgroup');
    expect(variantOf({ cpu: true, subgroups: sg, choice: { xent: 'subgroup' } }, 'xent')).toBe('subgroup');
    expect(variantOf({ subgroups: sg, choice: { matmul: 'direct_subgroup' } }, 'matmul')).toBe('direct_subgroup');
    expect(variantOf({ choice: { matmul: 'direct_subgroup' } }, 'matmul')).toBe('tiled');
  });
});
