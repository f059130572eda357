// Shared kernel cases of the losses (read by ops/loss.gpu.test.ts and the self-test): the MLM head's softmax
// cross-entropy in its three modes (gradient in place, separate, none; loss, argmax and dlogits against the
// reference, the modes bit for bit equal), with rows without targets, logits of 1e4 and exact ties at V = 32768, each
// case again with the subgroup variant (one subgroup per row) where the device has subgroups; the
// probe's top-k; the binary heads' cross-entropy (ELECTRA's discriminator, rts, shuffle), at extreme logits too.
import { createStorage, readF32, readI32 } from '../buffers';
import { randomArray, rng } from '../check';
import { runDispatches, type Kernels } from '../kernels';
import { binaryCrossEntropy, crossEntropy, topK, type XentGrad } from '../ops/loss';
import { binaryCrossEntropy as refBce, crossEntropy as refXent, topK as refTopK } from '../reference/loss';
import { withChoice, type Checker, type KernelCase } from './case';

/** Targets in [0, V) with every `gap`-th row set to -1; weights ~1/num_targets (scaled at random). */
export function makeTargets(
  M: number,
  V: number,
  seed: number,
  gap = 5,
): { targets: Int32Array; weights: Float32Array } {
  const r = rng(seed);
  const targets = new Int32Array(M).map((_, i) => (i % gap === gap - 1 ? -1 : Math.floor(r() * V)));
  const count = targets.filter((t) => t >= 0).length;
  const weights = new Float32Array(M).map(() => (0.5 + r()) / Math.max(1, count));
  return { targets, weights };
}

export interface XentRun {
  losses: Float32Array;
  argmax: Int32Array;
  logits: Float32Array;
  dlogits?: Float32Array;
}

/** One cross-entropy dispatch; losses, argmax (and dlogits) start as garbage, so the kernel must write them all. */
export async function runCrossEntropy(
  k: Kernels,
  M: number,
  V: number,
  logits: Float32Array,
  targets: Int32Array,
  weights: Float32Array,
  grad: XentGrad,
): Promise<XentRun> {
  const d = k.device;
  const b = {
    logits: createStorage(d, logits, 'logits'),
    targets: createStorage(d, targets, 'targets'),
    weights: createStorage(d, weights, 'weights'),
    losses: createStorage(d, new Float32Array(M).fill(NaN), 'losses'),
    argmax: createStorage(d, new Int32Array(M).fill(-7), 'argmax'),
    dlogits: grad === 'separate' ? createStorage(d, new Float32Array(M * V).fill(NaN), 'dlogits') : undefined,
  };
  runDispatches(d, [crossEntropy(k, { M, V }, b, grad)]);
  const out = {
    losses: await readF32(d, b.losses),
    argmax: await readI32(d, b.argmax),
    logits: await readF32(d, b.logits),
    dlogits: b.dlogits ? await readF32(d, b.dlogits) : undefined,
  };
  Object.values(b).forEach((buf) => buf?.destroy());
  return out;
}

/** All three modes against the reference; the separate and forward-only modes must equal the in-place one bit for bit. */
async function checkCrossEntropy(
  k: Kernels,
  ck: Checker,
  M: number,
  V: number,
  logits: Float32Array,
  targets: Int32Array,
  weights: Float32Array,
): Promise<void> {
  const ref = refXent(logits, targets, weights, M, V);
  const tag = `M=${M} V=${V}`;
  // f32 loss = (max - x_t) + log(sum): relative 1e-6 of its size, plus log/exp error near 0.
  const lossTol = { atol: 2e-5, rtol: 1e-5 };
  const gradTol = { atol: 1e-6, rtol: 1e-4 };
  const exact = { atol: 0 };
  const inplace = await runCrossEntropy(k, M, V, logits, targets, weights, 'inplace');
  ck.close(inplace.losses, ref.losses, lossTol, `losses ${tag}`);
  ck.close(inplace.argmax, ref.argmax, exact, `argmax ${tag}`);
  ck.close(inplace.logits, ref.dlogits, gradTol, `dlogits (in place) ${tag}`);
  const separate = await runCrossEntropy(k, M, V, logits, targets, weights, 'separate');
  ck.close(separate.logits, logits, exact, `separate: logits untouched ${tag}`);
  ck.close(separate.losses, inplace.losses, exact, `separate = in place: losses ${tag}`);
  ck.close(separate.argmax, inplace.argmax, exact, `separate = in place: argmax ${tag}`);
  ck.close(separate.dlogits ?? [], inplace.logits, exact, `separate = in place: dlogits ${tag}`);
  const forward = await runCrossEntropy(k, M, V, logits, targets, weights, 'none');
  ck.close(forward.logits, logits, exact, `forward only: logits untouched ${tag}`);
  ck.close(forward.losses, inplace.losses, exact, `forward only = in place: losses ${tag}`);
  ck.close(forward.argmax, inplace.argmax, exact, `forward only = in place: argmax ${tag}`);
}

function crossEntropyCases(): KernelCase[] {
  const out: KernelCase[] = [];
  for (const M of [1, 37, 64])
    for (const V of [29, 1003, 8192])
      out.push({
        id: `cross_entropy M=${M} V=${V}`,
        family: 'cross_entropy',
        roles: ['xent'],
        size: M * V,
        async run(k, ck) {
          const logits = randomArray(M * V, M * 1000 + V, 4);
          const { targets, weights } = makeTargets(M, V, M + V);
          await checkCrossEntropy(k, ck, M, V, logits, targets, weights);
        },
      });
  out.push({
    id: 'cross_entropy M=37 V=1003 |logits|~1e4, targets at and away from the max',
    family: 'cross_entropy',
    size: 37 * 1003,
    async run(k, ck) {
      const [M, V] = [37, 1003];
      const logits = randomArray(M * V, 77, 1e4);
      const { targets, weights } = makeTargets(M, V, 78);
      // Half the rows target their own maximum: loss near 0, gradient near 0 except tiny off-max terms.
      for (let r = 0; r < M; r += 2) {
        if (targets[r] < 0) continue;
        let best = 0;
        for (let j = 1; j < V; j++) if (logits[r * V + j] > logits[r * V + best]) best = j;
        targets[r] = best;
      }
      await checkCrossEntropy(k, ck, M, V, logits, targets, weights);
    },
  });
  out.push({
    id: 'cross_entropy M=3 V=32768, exact ties (first index wins)',
    family: 'cross_entropy',
    size: 3 * 32768,
    async run(k, ck) {
      const [M, V] = [3, 32768];
      // Logits on a coarse grid so many values tie, including at the maximum.
      const logits = randomArray(M * V, 9, 8).map((x) => Math.round(x * 4) / 4);
      const { targets, weights } = makeTargets(M, V, 10, 100);
      await checkCrossEntropy(k, ck, M, V, logits, targets, weights);
    },
  });
  return out;
}

function topKCases(): KernelCase[] {
  return (
    [
      [37, 1003, 10, 'random'],
      [64, 29, 10, 'random'],
      [5, 1003, 7, 'ties'],
      [4, 6, 9, 'K > V'],
    ] as const
  ).map(([M, V, K, kind]) => ({
    id: `top_k M=${M} V=${V} K=${K} (${kind})`,
    family: 'top_k',
    size: M * V,
    async run(k, ck) {
      const d = k.device;
      const raw = randomArray(M * V, M + V + K, 5);
      const logits = kind === 'ties' ? raw.map((x) => Math.round(x)) : raw;
      const rows = Int32Array.of(0, M - 1, -1, Math.floor(M / 2));
      const b = {
        logits: createStorage(d, logits, 'logits'),
        rows: createStorage(d, rows, 'rows'),
        ids: createStorage(d, rows.length * K * 4, 'ids'),
        probs: createStorage(d, rows.length * K * 4, 'probs'),
      };
      runDispatches(d, [topK(k, { M, V, R: rows.length, K }, b)]);
      const ref = refTopK(logits, rows, V, K);
      ck.close(await readI32(d, b.ids), ref.ids, { atol: 0 }, `top-k ids M=${M} V=${V} K=${K}`);
      ck.close(await readF32(d, b.probs), ref.probs, { atol: 1e-6, rtol: 1e-5 }, `top-k probs M=${M} V=${V} K=${K}`);
      Object.values(b).forEach((x) => x.destroy());
    },
  }));
}

/** Binary cross-entropy on the GPU: per-token losses, dlogits and 0/1 predictions. */
export async function runBinaryLoss(
  k: Kernels,
  logits: Float32Array,
  labels: Float32Array,
  weights: Float32Array,
): Promise<{ losses: Float32Array; dlogits: Float32Array; preds: Int32Array }> {
  const d = k.device;
  const N = logits.length;
  const b = {
    logits: createStorage(d, logits, 'logits'),
    labels: createStorage(d, labels, 'labels'),
    weights: createStorage(d, weights, 'weights'),
    losses: createStorage(d, N * 4, 'losses'),
    dlogits: createStorage(d, N * 4, 'dlogits'),
    preds: createStorage(d, N * 4, 'preds'),
  };
  runDispatches(d, [binaryCrossEntropy(k, N, b)]);
  const out = {
    losses: await readF32(d, b.losses),
    dlogits: await readF32(d, b.dlogits),
    preds: await readI32(d, b.preds),
  };
  Object.values(b).forEach((buf) => buf.destroy());
  return out;
}

function binaryLossCases(): KernelCase[] {
  const random: KernelCase[] = [1, 37, 1003, 70001].map((N) => ({
    id: `binary_loss N=${N}`,
    family: 'binary_loss',
    size: N,
    async run(k, ck) {
      const logits = randomArray(N, N, 8);
      const r = rng(N + 1);
      const labels = new Float32Array(N).map(() => (r() < 0.3 ? 1 : 0));
      const weights = new Float32Array(N).map((_, i) => (i % 7 === 6 ? 0 : 1 / N));
      const out = await runBinaryLoss(k, logits, labels, weights);
      const ref = refBce(logits, labels, weights);
      ck.close(out.losses, ref.losses, { atol: 1e-6, rtol: 1e-5 }, `bce losses N=${N}`);
      ck.close(out.dlogits, ref.dlogits, { atol: 1e-9, rtol: 1e-5 }, `bce dlogits N=${N}`);
      ck.close(out.preds, ref.preds, { atol: 0 }, `bce predictions N=${N}`);
    },
  }));
  const extreme: KernelCase = {
    id: 'binary_loss at extreme logits (+-1e4, +-80, +-30, +-1e-3)',
    family: 'binary_loss',
    size: 13,
    async run(k, ck) {
      const logits = Float32Array.of(1e4, -1e4, 1e4, -1e4, 30, -30, 30, -30, 0, 80, -80, 1e-3, -1e-3);
      const labels = Float32Array.of(0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0);
      const weights = new Float32Array(logits.length).fill(1);
      const out = await runBinaryLoss(k, logits, labels, weights);
      const ref = refBce(logits, labels, weights);
      ck.ok(out.losses.every(Number.isFinite) && out.dlogits.every(Number.isFinite), 'bce finite at extreme logits');
      // exp() in WGSL is bounded to 3 + 2|x| ulp: for |x| = 80 that is ~1e-5 relative (80 keeps exp(-|x|) a normal f32).
      ck.close(out.losses, ref.losses, { atol: 0, rtol: 3e-5 }, 'bce losses (relative)');
      ck.close(out.dlogits, ref.dlogits, { atol: 0, rtol: 3e-5 }, 'bce dlogits (relative)');
    },
  };
  return [...random, extreme];
}

export function lossCases(): KernelCase[] {
  const xent = crossEntropyCases();
  return [...xent, ...withChoice(xent, { xent: 'subgroup' }), ...topKCases(), ...binaryLossCases()];
}
