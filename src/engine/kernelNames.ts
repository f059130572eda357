// Generated from shaders/*.wgsl by `npx vite-node scripts/kernel-names.ts`: do not edit. The compute entry points of
// each shader file, so that a misspelt shader or entry name fails typecheck (kernelNames.test.ts checks it is current).

export const SHADER_ENTRIES = {
  adamw: ['adamw', 'adamw_zero_grad'],
  attention: ['scores', 'context', 'grad_probs', 'grad_inputs', 'grad_query_key', 'softmax', 'softmax_backward'],
  binary_loss: ['bce'],
  electra: ['gumbel_sample', 'replace_tokens'],
  elementwise: [
    'add',
    'add_inplace',
    'mul_inplace',
    'scale',
    'scale_inplace',
    'bias_add',
    'bias_add_inplace',
    'bias_backward_partial',
    'bias_backward_finish',
  ],
  embedding: [
    'forward',
    'sort_histogram',
    'sort_scan',
    'sort_scatter',
    'backward_segments',
    'backward_wte_pieces',
    'backward_wte_reduce',
    'backward_wpe',
    'backward_wtt',
  ],
  fill: ['fill'],
  gather: ['gather', 'scatter', 'scatter_add_csr'],
  gelu: ['forward', 'backward'],
  layernorm: [
    'forward',
    'forward_rows',
    'backward_input',
    'backward_input_rows',
    'backward_params_partial',
    'backward_params_finish',
    'backward_params',
  ],
  matmul: [
    'matmul',
    'matmul_residual',
    'matmul_gelu',
    'matmul_gelu_grad',
    'matmul_bias_grad',
    'splitk_reduce',
    'bias_grad',
  ],
  matmul_cpu: [
    'matmul_direct',
    'matmul_direct_residual',
    'matmul_direct_gelu',
    'matmul_direct_gelu_grad',
    'matmul_direct_bias_grad',
  ],
  matmul_cpu_subgroup: [
    'matmul_direct_subgroup',
    'matmul_direct_subgroup_residual',
    'matmul_direct_subgroup_gelu',
    'matmul_direct_subgroup_gelu_grad',
    'matmul_direct_subgroup_bias_grad',
  ],
  mlm_loss: ['xent_inplace', 'xent_separate', 'xent_forward', 'topk'],
  mlm_loss_subgroup: ['xent_inplace_subgroup', 'xent_separate_subgroup', 'xent_forward_subgroup'],
  nopos: ['forward', 'backward_wpe', 'backward_none'],
  reduce: ['sumsq_partials', 'grad_norm_finish', 'sum', 'weighted_sum', 'count_correct', 'count_binary_correct'],
  reduce_subgroup: ['sumsq_partials_subgroup', 'grad_norm_finish_subgroup'],
} as const;

export type ShaderName = keyof typeof SHADER_ENTRIES;
export type EntryOf<S extends ShaderName> = (typeof SHADER_ENTRIES)[S][number];
/** `${shader}.${entry}`: the key per-kernel timings and the self-test group by. */
export type KernelName = { [S in ShaderName]: `${S}.${EntryOf<S>}` }[ShaderName];
