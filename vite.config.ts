// Vite (app build and dev server) and Vitest (unit and GPU test projects) in one config.
import { defineConfig } from 'vitest/config';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  base: './',
  worker: { format: 'es' },
  build: { target: 'es2022', sourcemap: true },
  server: { port: 5173 },
  preview: { port: 4173 },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          environment: 'node',
          include: ['src/**/*.test.ts', 'bench/**/*.test.ts', 'scripts/**/*.test.ts'],
          exclude: ['src/**/*.gpu.test.ts'],
          // Tokenizer training on whole corpora takes seconds; a loaded 2-core machine can make that ten times.
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'gpu',
          environment: 'node',
          include: ['src/**/*.gpu.test.ts'],
          // Each file owns one Dawn device; SwiftShader already uses every core, so files run one at a time.
          fileParallelism: false,
          // The longest test takes about 30 s on the quiet 2-core box; these bounds leave room for a loaded one.
          testTimeout: 300_000,
          hookTimeout: 300_000,
          globalSetup: ['src/engine/node/gpu-global-setup.ts'],
        },
      },
    ],
  },
});
