// The lab's two columns, shared by the lab and the lessons: the setup panels (corpus to training settings) and the
// main column (mask preview, training, comparisons, the GPU).
import { lazy, Suspense } from 'react';
import { useGpuStore } from '../store/gpu';
import { GpuPanel } from './GpuPanel';
import { MaskPreview } from './MaskPreview';
import { ClassPresets } from './setup/ClassPresets';
import { CorpusPanel } from './setup/CorpusPanel';
import { ModelPanel } from './setup/ModelPanel';
import { ObjectivePicker, StrategyPicker } from './setup/StrategyPicker';
import { TokenizerPanel } from './setup/TokenizerPanel';
import { TrainingSettingsPanel } from './setup/TrainingSettingsPanel';
import { TrainingPanel } from './training/TrainingPanel';
import './setup/setup.css';

// The comparison view loads after the page (its own chunk).
const ComparePanel = lazy(() => import('./compare/ComparePanel').then((m) => ({ default: m.ComparePanel })));

export function SetupPanels() {
  return (
    <>
      <ClassPresets />
      <CorpusPanel />
      <TokenizerPanel />
      <ModelPanel />
      <StrategyPicker />
      <ObjectivePicker />
      <TrainingSettingsPanel />
    </>
  );
}

export function MainPanels() {
  const status = useGpuStore((s) => s.status);
  return (
    <>
      <MaskPreview />
      <TrainingPanel />
      <Suspense fallback={null}>
        <ComparePanel />
      </Suspense>
      {status.state === 'ready' && <GpuPanel summary={status.summary} />}
    </>
  );
}
