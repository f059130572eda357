// Playwright: e2e specs against the production build (vite preview on localhost) in Debian's headless Chromium,
// with WebGPU on (SwiftShader when there is no GPU) and, for the guidance page, without it.
import { defineConfig } from '@playwright/test';
import { existsSync } from 'node:fs';

const chromePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
if (!existsSync(chromePath)) {
  throw new Error(
    `No Chromium at ${chromePath}. Install it (Debian: apt-get install -y chromium) or set CHROME_PATH to a Chrome/Chromium binary.`,
  );
}

const baseArgs = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const webgpuArgs = [
  ...baseArgs,
  '--enable-unsafe-webgpu',
  '--enable-features=Vulkan',
  '--use-angle=swiftshader',
  '--use-vulkan=swiftshader',
];
// E2E_PORT lets several checkouts run their e2e at once without one reusing another's preview server.
const PORT = Number(process.env.E2E_PORT ?? 4173);

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'test-results',
  // Bounds for a loaded 2-core machine (the suite must pass with another process keeping a core busy): a test or
  // an expectation that passes takes no longer for them; specs that train set their own, larger test timeouts.
  timeout: 300_000,
  expect: { timeout: 60_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['html', { open: 'never', outputFolder: 'playwright-report' }]],
  use: {
    baseURL: `http://localhost:${PORT}`,
    headless: true,
    screenshot: 'on',
    trace: 'retain-on-failure',
    viewport: { width: 1280, height: 800 },
    // A returning user who chose the lab on the start screen (src/store/lessons.ts): the lab specs open on the lab.
    // e2e/lessons.spec.ts starts from empty storage to see the start screen.
    storageState: {
      cookies: [],
      origins: [
        { origin: `http://localhost:${PORT}`, localStorage: [{ name: 'masklab.lessons', value: '{"mode":"lab"}' }] },
      ],
    },
  },
  projects: [
    {
      name: 'webgpu',
      testIgnore: /no-webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath: chromePath, args: webgpuArgs } },
    },
    {
      name: 'no-webgpu',
      testMatch: /no-webgpu\.spec\.ts/,
      use: { launchOptions: { executablePath: chromePath, args: baseArgs } },
    },
  ],
  webServer: {
    command: `npx vite preview --port ${PORT} --strictPort`,
    url: `http://localhost:${PORT}`,
    // Never another checkout's server on the same port (its build, not this one): each run starts its own preview,
    // and a port in use fails at once (--strictPort). E2E_REUSE=1 reuses a preview you started yourself.
    reuseExistingServer: process.env.E2E_REUSE === '1',
    timeout: 60_000,
  },
});
