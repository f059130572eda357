// "About this GPU": the adapter, the limits that bound model and batch size, and the optional features.
import type { AdapterSummary } from '../engine/gpu';
import { isCpuAdapter, WANTED_FEATURES } from '../engine/gpu';
import { SelfTestLauncher } from './SelfTestLauncher';

function bytes(n: number): string {
  if (n >= 2 ** 30) return `${(n / 2 ** 30).toFixed(1)} GiB`;
  if (n >= 2 ** 20) return `${(n / 2 ** 20).toFixed(0)} MiB`;
  if (n >= 2 ** 10) return `${(n / 2 ** 10).toFixed(0)} KiB`;
  return `${n} B`;
}

const LIMIT_LABELS: [string, string, boolean][] = [
  ['maxStorageBufferBindingSize', 'Largest storage buffer binding', true],
  ['maxBufferSize', 'Largest buffer', true],
  ['maxComputeWorkgroupStorageSize', 'Workgroup shared memory', true],
  ['maxComputeInvocationsPerWorkgroup', 'Threads per workgroup', false],
  ['maxComputeWorkgroupsPerDimension', 'Workgroups per dimension', false],
  ['maxStorageBuffersPerShaderStage', 'Storage buffers per shader', false],
];

export function GpuPanel({ summary }: { summary: AdapterSummary }) {
  const name = [summary.vendor, summary.architecture].filter(Boolean).join(' ') || 'Unknown vendor';
  return (
    <section className="panel" aria-labelledby="gpu-title" data-testid="gpu-panel">
      <h2 id="gpu-title">About this GPU</h2>
      <dl className="kv">
        <dt>Adapter</dt>
        <dd data-testid="adapter-name">{name}</dd>
        {summary.device || summary.description ? (
          <>
            <dt>Device</dt>
            <dd>{[summary.device, summary.description].filter(Boolean).join(' · ')}</dd>
          </>
        ) : null}
        {summary.isFallbackAdapter ? (
          <>
            <dt>Note</dt>
            <dd>This is a software (fallback) adapter: training works but is slow.</dd>
          </>
        ) : null}
        {LIMIT_LABELS.map(([key, label, isBytes]) => (
          <div key={key} className="kv-row">
            <dt title={key}>{label}</dt>
            <dd data-limit={key}>
              {isBytes ? bytes(summary.limits[key]) : summary.limits[key].toLocaleString('en-US')}
            </dd>
          </div>
        ))}
        <dt>Features</dt>
        <dd>
          <ul className="features">
            {WANTED_FEATURES.map((f) => {
              const has = summary.features.includes(f);
              return (
                <li key={f} data-feature={f} data-present={has} className={has ? 'yes' : 'no'}>
                  {has ? '✓' : '✗'} {f}
                </li>
              );
            })}
          </ul>
        </dd>
      </dl>
      <SelfTestLauncher fallback={isCpuAdapter(summary)} />
    </section>
  );
}
