// Vite build of the benchmark page (bench/browser/index.html); the app's config is untouched. Output goes under
// node_modules/.cache (ignored by git and ESLint), where the app's `vite build` (which empties dist/) cannot delete it.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  logLevel: 'warn',
  build: {
    target: 'es2022',
    outDir: fileURLToPath(new URL('../../node_modules/.cache/masklab-bench-browser', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
  },
  server: { fs: { allow: [fileURLToPath(new URL('../..', import.meta.url))] } },
});
