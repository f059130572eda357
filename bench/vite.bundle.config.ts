// Bundles the kernel lab into one Node ES module, dist-bench/kernels.mjs, for GPU machines that have no
// node_modules except `webgpu` (kept external). Vite's transform resolves import.meta.glob of shaders/*.wgsl.
import { defineConfig } from 'vite';

export default defineConfig({
  publicDir: false,
  logLevel: 'warn',
  ssr: { noExternal: true, external: ['webgpu'] },
  build: {
    ssr: 'bench/kernels.ts',
    outDir: 'dist-bench',
    emptyOutDir: true,
    target: 'node20',
    minify: false,
    sourcemap: false,
    rollupOptions: {
      external: ['webgpu'],
      output: { format: 'es', entryFileNames: 'kernels.mjs' },
    },
  },
});
