// The Linear layers of a graph (y = x W^T + b, W (out, in) as PyTorch stores it) as dispatches, forward and
// backward, with the fused kernels the tuning allows (fusion.ts): the residual add and GELU in the forward matmul's
// epilogue, GELU's derivative in the next Linear's input gradient, the bias gradient in the weight gradient's pass.
// Without a fusion, the same result from the separate kernels (and a scratch buffer for what they pass on).
import type { Dispatch, Kernels } from '../kernels';
import { fused } from '../fusion';
import { add } from '../ops/elementwise';
import { geluBackward, geluForward } from '../ops/gelu';
import { biasGrad, matmul, matmulSplitK, type Operand } from '../ops/matmul';

/** What the Linear ops need of their graph. */
export interface LinearContext {
  k: Kernels;
  /** Parameter and gradient bindings of a tensor by name (prefix applied). */
  P(name: string): GPUBufferBinding;
  G(name: string): GPUBufferBinding;
  /** A graph-owned storage buffer of `floats` f32. */
  buf(floats: number, name: string): GPUBuffer;
  /** Prefix of every label (ELECTRA's generator: 'gen.'). */
  prefix: string;
  /** Split-K scratch for the weight gradients (GPUs), or none. */
  splitScratch?: GPUBuffer;
}

/** A Linear's shape: `rows` inputs of width i, W (o, i). */
interface Shape {
  rows: number;
  o: number;
  i: number;
}

/** A Linear with a second tensor `aux` (rows, o): x (rows, i), W (o, i), b (o) into out (rows, o). */
type LinearWith = (
  x: GPUBuffer,
  w: string,
  b: string,
  aux: GPUBuffer,
  out: GPUBuffer,
  rows: number,
  o: number,
  i: number,
  label: string,
) => Dispatch[];

export interface LinearOps {
  /** y = x W^T + b. */
  linear(
    x: GPUBuffer,
    w: string,
    b: string,
    out: GPUBuffer,
    rows: number,
    o: number,
    i: number,
    label: string,
  ): Dispatch;
  /** y = x W^T + b + aux: the residual connection after a Linear. */
  linearResidual: LinearWith;
  /** aux = x W^T + b (the pre-activation, kept for the backward) and y = gelu(aux). */
  linearGelu: LinearWith;
  /** dX = dY W (accumulated or not), dW += dY^T X, db += colsum(dY). */
  dlinear(
    dy: GPUBuffer,
    xin: GPUBuffer,
    w: string,
    b: string,
    dx: GPUBuffer,
    rows: number,
    o: number,
    i: number,
    accumulate: boolean,
    label: string,
  ): Dispatch[];
  /** The same for a Linear whose input is gelu(pre): dX = (dY W) * gelu'(pre), the gradient of pre. */
  dlinearGelu(
    dy: GPUBuffer,
    xin: GPUBuffer,
    w: string,
    b: string,
    pre: GPUBuffer,
    dx: GPUBuffer,
    rows: number,
    o: number,
    i: number,
    label: string,
  ): Dispatch[];
  /** dW += dY^T X and db += colsum(dY) (labels `${label}.dw`, `${label}.db`). */
  dparams(
    dy: GPUBuffer,
    xin: GPUBuffer,
    w: string,
    b: string,
    rows: number,
    o: number,
    i: number,
    label: string,
  ): Dispatch[];
  /** dW += dY^T X for W (o, i) over `rows` rows (split K on GPUs, through the graph's one scratch). */
  dweight(dy: GPUBuffer, xin: GPUBuffer, w: string, rows: number, o: number, i: number, label: string): Dispatch[];
}

/** The Linear ops of one graph (labels get ctx.prefix). */
export function linearOps(ctx: LinearContext): LinearOps {
  const { k, P, G, prefix: pre } = ctx;
  const t = k.tuning;
  // Unfused paths pass a tensor between kernels through a scratch buffer, one per role, shared by every layer.
  const scratch = new Map<string, GPUBuffer>();
  const tmp = (name: string, floats: number): GPUBuffer => {
    let b = scratch.get(name);
    if (!b || b.size < floats * 4) {
      b = ctx.buf(floats, name);
      scratch.set(name, b);
    }
    return b;
  };
  const product = (x: GPUBuffer, w: string, b: string, out: GPUBuffer, s: Shape, label: string) => ({
    a: x,
    b: P(w),
    bias: P(b),
    out,
    M: s.rows,
    N: s.o,
    K: s.i,
    transB: true,
    label: pre + label,
  });
  const dweight = (
    dy: GPUBuffer,
    xin: GPUBuffer,
    w: string,
    rows: number,
    o: number,
    i: number,
    label: string,
    db?: Operand,
  ) =>
    matmulSplitK(
      k,
      {
        ...{ a: dy, b: xin, out: G(w), M: o, N: i, K: rows, transA: true, accumulate: true, label: pre + label },
        ...(db ? { epilogue: { kind: 'bias_grad' as const, aux: db } } : {}),
      },
      ctx.splitScratch,
    );
  /** dW and db: one pass over dY with the bias_grad fusion, a weight gradient and a column sum without. */
  const dparams = (dy: GPUBuffer, xin: GPUBuffer, w: string, b: string, s: Shape, label: string) =>
    fused(t, 'bias_grad')
      ? dweight(dy, xin, w, s.rows, s.o, s.i, `${label}.dw`, G(b))
      : [
          ...dweight(dy, xin, w, s.rows, s.o, s.i, `${label}.dw`),
          biasGrad(k, { dy, db: G(b), M: s.rows, N: s.o, label: `${pre}${label}.db` }),
        ];
  return {
    linear: (x, w, b, out, rows, o, i, label) => matmul(k, product(x, w, b, out, { rows, o, i }, label)),
    linearResidual(x, w, b, res, out, rows, o, i, label) {
      const s = { rows, o, i };
      if (fused(t, 'residual'))
        return [matmul(k, { ...product(x, w, b, out, s, label), epilogue: { kind: 'residual', aux: res } })];
      const y = tmp('linear.y', s.rows * s.o);
      return [
        matmul(k, product(x, w, b, y, s, label)),
        add(k, { a: y, b: res, out }, s.rows * s.o, `${pre}${label}.res`),
      ];
    },
    linearGelu(x, w, b, preAct, out, rows, o, i, label) {
      const s = { rows, o, i };
      if (fused(t, 'gelu'))
        return [matmul(k, { ...product(x, w, b, out, s, label), epilogue: { kind: 'gelu', aux: preAct } })];
      return [
        matmul(k, product(x, w, b, preAct, s, label)),
        geluForward(k, { x: preAct, out }, s.rows * s.o, `${pre}${label}.gelu`),
      ];
    },
    dlinear: (dy, xin, w, b, dx, rows, o, i, accumulate, label) => [
      matmul(k, { a: dy, b: P(w), out: dx, M: rows, N: i, K: o, accumulate, label: `${pre}${label}.dx` }),
      ...dparams(dy, xin, w, b, { rows, o, i }, label),
    ],
    dlinearGelu(dy, xin, w, b, preAct, dx, rows, o, i, label) {
      const s = { rows, o, i };
      const dxOf = { a: dy, b: P(w), M: s.rows, N: s.i, K: s.o, label: `${pre}${label}.dx` };
      const input = fused(t, 'gelu_grad')
        ? [matmul(k, { ...dxOf, out: dx, epilogue: { kind: 'gelu_grad', aux: preAct } })]
        : (() => {
            const dg = tmp('linear.dg', s.rows * s.i);
            return [
              matmul(k, { ...dxOf, out: dg }),
              geluBackward(k, { dy: dg, x: preAct, dx }, s.rows * s.i, `${pre}${label}.gelu.backward`),
            ];
          })();
      return [...input, ...dparams(dy, xin, w, b, s, label)];
    },
    dparams: (dy, xin, w, b, rows, o, i, label) => dparams(dy, xin, w, b, { rows, o, i }, label),
    dweight: (dy, xin, w, rows, o, i, label) => dweight(dy, xin, w, rows, o, i, label),
  };
}
