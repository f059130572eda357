// Bundles the benchmarks into Node ES modules for GPU machines that have no node_modules except `webgpu` (kept
// external): dist-bench/kernels.mjs (kernel lab), dist-bench/train.mjs (training step), dist-bench/selfcheck.mjs
// (kernel self-test), dist-bench/summary.mjs (bench/device.sh's tables), dist-bench/scaleupWeights.mjs (the
// scale-up bundles' big initial weights, bench/scaleup), shared code in chunks/.
// Vite's transform resolves import.meta.glob of shaders/*.wgsl. Send the whole dist-bench/ folder.
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  ssr: { noExternal: true, external: ['webgpu'] },
  build: {
    ssr: true,
    outDir: 'dist-bench',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    rollupOptions: {
      input: {
        kernels: 'bench/kernels.ts',
        train: 'bench/train.ts',
        selfcheck: 'bench/selfcheck.ts',
        summary: 'bench/deviceSummary.ts',
        scaleupWeights: 'bench/scaleup/weights.ts',
      },
      external: ['webgpu'],
      output: { format: 'es', entryFileNames: '[name].mjs', chunkFileNames: 'chunks/shared-[hash].mjs' },
    },
  },
});
