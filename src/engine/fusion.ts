// Which fused kernels the graphs use (KernelTuning.fusions): each fusion replaces kernels that wrote a tensor for
// the next one to read (a matmul and the residual add or GELU after it, the bias gradient beside the weight
// gradient, ...) with one dispatch. All are on unless a tuning lists the ones it wants: `npm run bench --
// --fusions none,all` measures what they are worth, and the tests run the model both ways.
import type { KernelTuning } from './kernels';

/**
 * - residual: a Linear's output plus the residual stream in the matmul's epilogue (no separate add).
 * - gelu: the FFN's first Linear and its GELU in one matmul (it keeps the pre-activation for backward).
 * - gelu_grad: the input gradient of the FFN's second Linear times GELU's derivative in one matmul.
 * - bias_grad: a Linear's bias gradient summed while its weight gradient reads dY (no separate column sum).
 * - attention_grads: attention's query and key gradients (both dS times Q or K, into dqkv) in one dispatch.
 * - zero_grad: AdamW zeroes each gradient once it has read it, for the next step (no zeroing pass per step).
 * - ln_params: on CPU adapters, LayerNorm's gamma and beta gradients in one pass over the rows instead of partial
 *   sums and their sum (GPUs keep the two passes, which spread the rows over many workgroups).
 * - id_sort: the embedding backward's sort of the positions by id done on the CPU, which writes the ids and holds
 *   them, instead of a radix sort and a run search on the GPU (seven dispatches, two of them one-workgroup scans).
 */
export const FUSIONS = [
  'residual',
  'gelu',
  'gelu_grad',
  'bias_grad',
  'attention_grads',
  'zero_grad',
  'ln_params',
  'id_sort',
] as const;
export type Fusion = (typeof FUSIONS)[number];

/** Whether a fusion is in use: every one is, unless the tuning lists those in use. */
export function fused(t: KernelTuning, f: Fusion): boolean {
  return t.fusions === undefined || t.fusions.includes(f);
}

/** 'all', 'none', or fusion names joined by '+' (e.g. 'residual+gelu'), as `--fusions` takes them. */
export function parseFusions(spec: string): readonly Fusion[] {
  if (spec === 'all') return FUSIONS;
  if (spec === 'none') return [];
  const names = spec.split('+');
  for (const n of names)
    if (!(FUSIONS as readonly string[]).includes(n))
      throw new Error(
        `unknown fusion "${n}" in "${spec}": use all, none, or some of ${FUSIONS.join(', ')} joined by +`,
      );
  return FUSIONS.filter((f) => names.includes(f));
}

/** The spelling parseFusions reads back: 'all', 'none' or the names joined by '+'. */
export function fusionsName(fusions: readonly Fusion[] | undefined): string {
  if (fusions === undefined || FUSIONS.every((f) => fusions.includes(f))) return 'all';
  if (fusions.length === 0) return 'none';
  return FUSIONS.filter((f) => fusions.includes(f)).join('+');
}
