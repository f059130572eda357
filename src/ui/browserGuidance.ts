// What a user must do to get WebGPU, per browser and platform, detected from the user agent.

export interface Guidance {
  id: string;
  browser: string;
  steps: string[];
}

export const GUIDANCE: Guidance[] = [
  {
    id: 'chrome-linux',
    browser: 'Chrome or Chromium on Linux',
    steps: [
      'WebGPU is behind a flag on Linux: open chrome://flags/#enable-unsafe-webgpu, set it to Enabled and relaunch,',
      'or start the browser with --enable-unsafe-webgpu (add --enable-features=Vulkan if no adapter is found).',
      'A working Vulkan driver is needed (Mesa or the NVIDIA driver); check chrome://gpu.',
    ],
  },
  {
    id: 'chrome-desktop',
    browser: 'Chrome or Edge on Windows, macOS or ChromeOS',
    steps: [
      'WebGPU is on by default since version 113: update the browser (chrome://settings/help).',
      'If it is still missing, check chrome://gpu for a blocklisted GPU or driver and update the driver.',
    ],
  },
  {
    id: 'chrome-android',
    browser: 'Chrome on Android',
    steps: ['WebGPU is on by default since Chrome 121 on Android 12+ with Qualcomm or ARM GPUs: update Chrome.'],
  },
  {
    id: 'firefox',
    browser: 'Firefox',
    steps: [
      'Firefox 141+ has WebGPU on Windows; on macOS and Linux use Firefox Nightly,',
      'or set dom.webgpu.enabled to true in about:config and restart.',
    ],
  },
  {
    id: 'safari',
    browser: 'Safari',
    steps: [
      'Safari 26 (macOS Tahoe, iOS/iPadOS 26) has WebGPU on by default.',
      'On older versions: Settings > Advanced > "Show features for web developers", then Develop > Feature Flags > WebGPU.',
    ],
  },
];

/** The guidance entry that matches this browser, or undefined when the browser is not recognised. */
export function detectGuidance(ua: string): string | undefined {
  const isAndroid = /Android/i.test(ua);
  if (/Firefox\//.test(ua)) return 'firefox';
  if (/(Chrome|Chromium|Edg)\//.test(ua)) {
    if (isAndroid) return 'chrome-android';
    if (/Linux/.test(ua) && !/CrOS/.test(ua)) return 'chrome-linux';
    return 'chrome-desktop';
  }
  if (/Safari\//.test(ua) && /Version\//.test(ua)) return 'safari';
  return undefined;
}
