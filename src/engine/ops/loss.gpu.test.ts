// The loss kernels (softmax cross-entropy in its three modes, top-k, binary cross-entropy) against the float64
// reference on odd shapes, rows without targets, logits of 1e4 and a large vocabulary.
import { describe, expect, it } from 'vitest';
import { createStorage, readF32, readI32 } from '../buffers';
import { Kernels, runDispatches, type KernelTuning } from '../kernels';
import { crossEntropy as refXent, binaryCrossEntropy as refBce, topK as refTopK } from '../reference/loss';
import { expectClose, randomArray, rng, useGpu } from '../testing';
import { binaryCrossEntropy, crossEntropy, topK, xentWorkgroupSize, type XentGrad } from './loss';
import { countCorrect, reduceWeightedSum } from './reduce';

/** Targets in [0, V) with every `gap`-th row (and any listed row) set to -1; weights 1/num_targets (scaled). */
function makeTargets(M: number, V: number, seed: number, gap = 5): { targets: Int32Array; weights: Float32Array } {
  const r = rng(seed);
  const targets = new Int32Array(M).map((_, i) => (i % gap === gap - 1 ? -1 : Math.floor(r() * V)));
  const count = targets.filter((t) => t >= 0).length;
  const weights = new Float32Array(M).map(() => (0.5 + r()) / Math.max(1, count));
  return { targets, weights };
}

describe('loss kernels', () => {
  // One Dawn device for the whole file.
  const fx = useGpu();

  // One workgroup per row on GPUs, one thread per row on CPU adapters: both run here whatever the adapter is.
  describe.each<KernelTuning>([{ cpu: false }, { cpu: true }])('softmax cross-entropy (tuning %o)', (tuning) => {
    let tuned: Kernels | undefined;
    const kern = () => (tuned ??= new Kernels(fx.device, tuning));
    async function run(
      M: number,
      V: number,
      logits: Float32Array,
      targets: Int32Array,
      weights: Float32Array,
      grad: XentGrad,
    ) {
      const d = fx.device;
      const b = {
        logits: createStorage(d, logits, 'logits'),
        targets: createStorage(d, targets, 'targets'),
        weights: createStorage(d, weights, 'weights'),
        losses: createStorage(d, new Float32Array(M).fill(NaN), 'losses'),
        argmax: createStorage(d, new Int32Array(M).fill(-7), 'argmax'),
        dlogits: grad === 'separate' ? createStorage(d, new Float32Array(M * V).fill(NaN), 'dlogits') : undefined,
      };
      runDispatches(d, [crossEntropy(kern(), { M, V }, b, grad)]);
      const out = {
        losses: await readF32(d, b.losses),
        argmax: await readI32(d, b.argmax),
        logits: await readF32(d, b.logits),
        dlogits: b.dlogits ? await readF32(d, b.dlogits) : undefined,
      };
      Object.values(b).forEach((buf) => buf?.destroy());
      return out;
    }

    async function check(M: number, V: number, logits: Float32Array, targets: Int32Array, weights: Float32Array) {
      const ref = refXent(logits, targets, weights, M, V);
      const scale = logits.reduce((a, x) => Math.max(a, Math.abs(x)), 0);
      // f32 loss = (max - x_t) + log(sum): relative 1e-6 of its size, plus log/exp error near 0.
      const lossTol = { atol: 2e-5, rtol: 1e-5 };
      const gradTol = { atol: 1e-6, rtol: 1e-4 };
      const inplace = await run(M, V, logits, targets, weights, 'inplace');
      const lossErr = expectClose(
        inplace.losses,
        ref.losses,
        lossTol,
        `losses M=${M} V=${V} |x|<=${scale.toPrecision(2)}`,
      );
      expect(Array.from(inplace.argmax)).toEqual(Array.from(ref.argmax));
      const gradErr = expectClose(inplace.logits, ref.dlogits, gradTol, `dlogits (in place) M=${M} V=${V}`);

      const separate = await run(M, V, logits, targets, weights, 'separate');
      expect(Array.from(separate.logits)).toEqual(Array.from(logits));
      expect(Array.from(separate.losses)).toEqual(Array.from(inplace.losses));
      expect(Array.from(separate.argmax)).toEqual(Array.from(inplace.argmax));
      expect(Array.from(separate.dlogits ?? [])).toEqual(Array.from(inplace.logits));

      const forward = await run(M, V, logits, targets, weights, 'none');
      expect(Array.from(forward.logits)).toEqual(Array.from(logits));
      expect(Array.from(forward.losses)).toEqual(Array.from(inplace.losses));
      expect(Array.from(forward.argmax)).toEqual(Array.from(inplace.argmax));
      return { lossErr, gradErr };
    }

    const shapes: [number, number][] = [];
    for (const M of [1, 37, 64]) for (const V of [29, 1003, 8192]) shapes.push([M, V]);

    it.each(shapes)('matches the reference, M=%i V=%i (all three modes agree bit for bit)', async (M, V) => {
      const logits = randomArray(M * V, M * 1000 + V, 4);
      const { targets, weights } = makeTargets(M, V, M + V);
      const { lossErr, gradErr } = await check(M, V, logits, targets, weights);
      console.log(
        `xent M=${M} V=${V} WG=${xentWorkgroupSize(V, tuning)}: loss max abs ${lossErr.maxAbs.toExponential(2)}, ` +
          `dlogits max abs ${gradErr.maxAbs.toExponential(2)}`,
      );
    });

    it('handles logits of magnitude 1e4 without overflow (targets at and away from the max)', async () => {
      const M = 37;
      const V = 1003;
      const logits = randomArray(M * V, 77, 1e4);
      const { targets, weights } = makeTargets(M, V, 78);
      // Half the rows target their own maximum: loss near 0, gradient near 0 except tiny off-max terms.
      for (let r = 0; r < M; r += 2) {
        if (targets[r] < 0) continue;
        let best = 0;
        for (let j = 1; j < V; j++) if (logits[r * V + j] > logits[r * V + best]) best = j;
        targets[r] = best;
      }
      const { lossErr } = await check(M, V, logits, targets, weights);
      console.log(
        `xent |x|~1e4: loss max abs ${lossErr.maxAbs.toExponential(2)}, max rel ${lossErr.maxRel.toExponential(2)}`,
      );
    });

    it('a batch where no row carries a target: zero loss, zero gradient, argmax -1', async () => {
      const M = 37;
      const V = 1003;
      const out = await run(
        M,
        V,
        randomArray(M * V, 5),
        new Int32Array(M).fill(-1),
        new Float32Array(M).fill(1),
        'inplace',
      );
      expect(out.losses.every((x) => x === 0)).toBe(true);
      expect(out.argmax.every((x) => x === -1)).toBe(true);
      expect(out.logits.every((x) => x === 0)).toBe(true);
    });

    it('treats targets >= V as no target', async () => {
      const out = await run(2, 29, randomArray(58, 6), Int32Array.of(29, 3), Float32Array.of(1, 1), 'inplace');
      expect(out.losses[0]).toBe(0);
      expect(out.argmax[0]).toBe(-1);
      expect(out.logits.subarray(0, 29).every((x) => x === 0)).toBe(true);
      expect(out.losses[1]).toBeGreaterThan(0);
    });

    it('a large vocabulary (V = 32768) and exact ties (first index wins)', async () => {
      const M = 3;
      const V = 32768;
      // Logits on a coarse grid so many values tie, including at the maximum.
      const logits = randomArray(M * V, 9, 8).map((x) => Math.round(x * 4) / 4);
      const { targets, weights } = makeTargets(M, V, 10, 100);
      await check(M, V, logits, targets, weights);
    });

    it('is deterministic: the same inputs give the same bits', async () => {
      const M = 37;
      const V = 1003;
      const logits = randomArray(M * V, 11, 6);
      const { targets, weights } = makeTargets(M, V, 12);
      const a = await run(M, V, logits, targets, weights, 'inplace');
      const b = await run(M, V, logits, targets, weights, 'inplace');
      expect(Array.from(b.losses)).toEqual(Array.from(a.losses));
      expect(Array.from(b.logits)).toEqual(Array.from(a.logits));
    });
  });

  describe('loss metrics', () => {
    it('weighted sum of per-row losses is the mean loss; argmax vs targets is the accuracy', async () => {
      const d = fx.device;
      const M = 64;
      const V = 29;
      const logits = randomArray(M * V, 21, 3);
      const { targets } = makeTargets(M, V, 22, 4);
      // Make about half the rows correct, so the count is not trivially 0.
      const refArgmax = refXent(logits, targets, new Float32Array(M), M, V).argmax;
      targets.forEach((t, r) => t >= 0 && r % 2 === 0 && (targets[r] = refArgmax[r]));
      const count = targets.filter((t) => t >= 0).length;
      const weights = new Float32Array(M).fill(1 / count);
      const b = {
        logits: createStorage(d, logits, 'logits'),
        targets: createStorage(d, targets, 'targets'),
        weights: createStorage(d, weights, 'weights'),
        losses: createStorage(d, M * 4, 'losses'),
        argmax: createStorage(d, M * 4, 'argmax'),
      };
      const metrics = createStorage(d, 3 * 4, 'metrics');
      runDispatches(d, [
        crossEntropy(fx.kernels, { M, V }, b, 'inplace'),
        reduceWeightedSum(fx.kernels, b.losses, b.weights, M, { out: metrics, index: 0 }),
        countCorrect(fx.kernels, b.argmax, b.targets, M, { out: metrics, index: 1 }),
      ]);
      const [meanLoss, correct, total] = await readF32(d, metrics);
      const ref = refXent(logits, targets, weights, M, V);
      let mean = 0;
      let hits = 0;
      targets.forEach((t, r) => {
        if (t < 0) return;
        mean += ref.losses[r] / count;
        if (ref.argmax[r] === t) hits++;
      });
      expectClose([meanLoss], [mean], { atol: 1e-5, rtol: 1e-5 }, 'mean loss');
      expect([correct, total]).toEqual([hits, count]);
      expect(hits).toBeGreaterThan(count / 3);
    });
  });

  describe('top-k probe', () => {
    it.each([
      [37, 1003, 10, 'random'],
      [64, 29, 10, 'random'],
      [5, 1003, 7, 'ties'],
      [4, 6, 9, 'K > V'],
    ] as const)('M=%i V=%i K=%i (%s) matches the reference', async (M, V, K, kind) => {
      const raw = randomArray(M * V, M + V + K, 5);
      const logits = kind === 'ties' ? raw.map((x) => Math.round(x)) : raw;
      const rows = Int32Array.of(0, M - 1, -1, Math.floor(M / 2));
      const d = fx.device;
      const b = {
        logits: createStorage(d, logits, 'logits'),
        rows: createStorage(d, rows, 'rows'),
        ids: createStorage(d, rows.length * K * 4, 'ids'),
        probs: createStorage(d, rows.length * K * 4, 'probs'),
      };
      runDispatches(d, [topK(fx.kernels, { M, V, R: rows.length, K }, b)]);
      const ref = refTopK(logits, rows, V, K);
      expect(Array.from(await readI32(d, b.ids))).toEqual(Array.from(ref.ids));
      expectClose(await readF32(d, b.probs), ref.probs, { atol: 1e-6, rtol: 1e-5 }, 'top-k probs');
    });
  });

  describe('binary cross-entropy', () => {
    async function run(logits: Float32Array, labels: Float32Array, weights: Float32Array) {
      const d = fx.device;
      const N = logits.length;
      const b = {
        logits: createStorage(d, logits, 'logits'),
        labels: createStorage(d, labels, 'labels'),
        weights: createStorage(d, weights, 'weights'),
        losses: createStorage(d, N * 4, 'losses'),
        dlogits: createStorage(d, N * 4, 'dlogits'),
        preds: createStorage(d, N * 4, 'preds'),
      };
      runDispatches(d, [binaryCrossEntropy(fx.kernels, N, b)]);
      const out = {
        losses: await readF32(d, b.losses),
        dlogits: await readF32(d, b.dlogits),
        preds: await readI32(d, b.preds),
      };
      Object.values(b).forEach((buf) => buf.destroy());
      return out;
    }

    it.each([1, 37, 1003, 70001])('matches the reference, N=%i', async (N) => {
      const logits = randomArray(N, N, 8);
      const r = rng(N + 1);
      const labels = new Float32Array(N).map(() => (r() < 0.3 ? 1 : 0));
      const weights = new Float32Array(N).map((_, i) => (i % 7 === 6 ? 0 : 1 / N));
      const out = await run(logits, labels, weights);
      const ref = refBce(logits, labels, weights);
      const e = expectClose(out.losses, ref.losses, { atol: 1e-6, rtol: 1e-5 }, `bce losses N=${N}`);
      expectClose(out.dlogits, ref.dlogits, { atol: 1e-9, rtol: 1e-5 }, `bce dlogits N=${N}`);
      expect(Array.from(out.preds)).toEqual(Array.from(ref.preds));
      console.log(`bce N=${N}: loss max abs ${e.maxAbs.toExponential(2)}`);
    });

    it('is stable and keeps relative precision at extreme logits', async () => {
      const logits = Float32Array.of(1e4, -1e4, 1e4, -1e4, 30, -30, 30, -30, 0, 80, -80, 1e-3, -1e-3);
      const labels = Float32Array.of(0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 1, 0);
      const weights = new Float32Array(logits.length).fill(1);
      const out = await run(logits, labels, weights);
      const ref = refBce(logits, labels, weights);
      expect(out.losses.every(Number.isFinite) && out.dlogits.every(Number.isFinite)).toBe(true);
      // exp() in WGSL is bounded to 3 + 2|x| ulp: for |x| = 80 that is ~1e-5 relative (80 keeps exp(-|x|) a normal f32).
      expectClose(out.losses, ref.losses, { atol: 0, rtol: 3e-5 }, 'bce losses (relative)');
      expectClose(out.dlogits, ref.dlogits, { atol: 0, rtol: 3e-5 }, 'bce dlogits (relative)');
    });
  });
});
