// The training side of the playground: controls and progress, live charts, attention maps and the prediction
// probe for the current run. Reads the experiment from the experiment store; talks to the worker via the stores.
import { useMemo, useState } from 'react';
import { useExperimentStore } from '../../store/experiment';
import { useGpuStore } from '../../store/gpu';
import { useTrainingStore } from '../../store/training';
import { experimentText } from '../../session/text';
import { validateExperiment } from '../../session/validate';
import { suggestedRate } from '../../session/divergence';
import { usePreparedCorpus } from '../../store/data';
import { ProblemList } from './ProblemList';
import { RunsPanel } from '../runs/RunsPanel';
import { AttentionHistory } from './AttentionHistory';
import { SyntaxView, type SyntaxSelection } from './SyntaxView';
import { LearningStatus } from './LearningStatus';
import { classPreset } from '../../session/presets';
import { AutotuneLine } from './AutotuneTable';
import { KernelTimings } from './KernelTimings';
import { ModelExport } from './ModelExport';
import { LossByCaseView } from './LossByCaseView';
import { LazyLossChart as LossChart } from './LazyLossChart';
import { PredictionProbe } from './PredictionProbe';
import { ScaleUp } from './ScaleUp';
import { TrainingControls } from './TrainingControls';
import { fmtPct } from './format';
import type { LiveRun, ProbeView } from '../../session/records';

/** The settings' problems for this corpus and adapter, and Start: it loads the corpus's text, then starts the run. */
function useStart() {
  const config = useExperimentStore((s) => s.config);
  const gpu = useGpuStore((s) => s.status);
  const start = useTrainingStore((s) => s.start);
  const [loadError, setLoadError] = useState<string>();
  const [loading, setLoading] = useState(false);
  const prepared = usePreparedCorpus();
  const V = prepared.state === 'ready' ? prepared.data.vocab.size : undefined;
  const limits = gpu.state === 'ready' ? gpu.summary.limits : undefined;
  const problems = useMemo(
    () =>
      validateExperiment(config, {
        V,
        limits: limits && {
          maxBufferSize: limits.maxBufferSize,
          maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        },
      }),
    [config, V, limits],
  );
  const onStart = async () => {
    setLoadError(undefined);
    setLoading(true);
    try {
      const text = await experimentText(config.corpus);
      start(structuredClone(config), text);
    } catch (e) {
      setLoadError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  };
  const startHint =
    gpu.state !== 'ready'
      ? 'Needs a GPU.'
      : loading
        ? 'Loading the text…'
        : problems.length > 0
          ? 'Fix the settings below first.'
          : undefined;
  return { problems, loadError, startHint, onStart };
}

/**
 * The attention maps and the syntax view, moved together by one scrubber (a kept evaluation, or the newest); a row
 * of the syntax table outlines its heads' maps.
 */
function AttentionAndSyntax({ run, probe }: { run?: LiveRun; probe?: ProbeView }) {
  const [scrub, setScrub] = useState<number>();
  const [syntaxRow, setSyntaxRow] = useState<SyntaxSelection>();
  const [scrubRun, setScrubRun] = useState(run?.id);
  if (run?.id !== scrubRun) {
    // A new run starts at its newest evaluation, with nothing chosen.
    setScrubRun(run?.id);
    setScrub(undefined);
    setSyntaxRow(undefined);
  }
  const snapshots = run?.attention ?? [];
  const scrubbed = scrub !== undefined ? snapshots[Math.min(scrub, snapshots.length - 1)] : undefined;
  return (
    <>
      {probe && (
        <details open className="subpanel">
          <summary>Attention maps</summary>
          <AttentionHistory
            snapshots={snapshots}
            latest={probe}
            index={scrub}
            onIndex={setScrub}
            highlight={syntaxRow?.hops}
          />
        </details>
      )}
      {run && (
        <details open className="subpanel">
          <summary>Syntax in attention</summary>
          <SyntaxView
            run={run}
            snapshot={scrubbed ?? probe}
            step={scrubbed?.step}
            selection={syntaxRow}
            onSelect={setSyntaxRow}
          />
        </details>
      )}
    </>
  );
}

/** The run's size and data, then its latest figures: held-out loss and accuracy, and SBO's or ELECTRA's parts. */
function RunFigures({ run }: { run: LiveRun }) {
  const lastEval = run.evals.length ? [...run.evals].sort((a, b) => b.step - a.step)[0] : undefined;
  const lastSbo = run.metrics.length ? run.metrics[run.metrics.length - 1].sbo : undefined;
  const firstEval = run.evals.length ? [...run.evals].sort((a, b) => a.step - b.step)[0] : undefined;
  return (
    <>
      {run.info && (
        <p className="muted run-info" data-testid="run-info">
          {run.info.params.toLocaleString('en-US')} parameters (L{run.info.model.L} C{run.info.model.C} NH
          {run.info.model.NH} T{run.info.model.T}, V {run.info.V}) · {run.info.trainSequences} training /{' '}
          {run.info.heldOutSequences} held-out sequences · {run.info.dispatchesPerStep} GPU dispatches per step on{' '}
          {run.info.adapter}
        </p>
      )}
      {lastEval && firstEval && (
        <p className="kpis" data-testid="eval-summary">
          Held-out masked loss <strong>{lastEval.loss.toFixed(3)}</strong> (from {firstEval.loss.toFixed(3)}) · accuracy{' '}
          <strong>{fmtPct(lastEval.accuracy)}</strong> at step {lastEval.step}
          {lastEval.pseudoPerplexity !== undefined && (
            <>
              {' '}
              · pseudo-perplexity <strong data-testid="pppl">{lastEval.pseudoPerplexity.toFixed(1)}</strong>
            </>
          )}
        </p>
      )}
      {lastSbo && (
        <p className="kpis" data-testid="sbo-summary">
          Last step: masked-token loss <strong>{lastSbo.mlmLoss.toFixed(3)}</strong> · span boundary loss{' '}
          <strong>{lastSbo.sboLoss.toFixed(3)}</strong>, accuracy {fmtPct(lastSbo.sboAccuracy)} (total = MLM +{' '}
          {String(run.config.masking.objectiveParams?.sboWeight ?? 1)} × boundary; the held-out evaluation scores the
          MLM head)
        </p>
      )}
      {lastEval?.electra && (
        <p className="kpis" data-testid="electra-summary">
          Generator: masked-token loss <strong>{lastEval.electra.genLoss.toFixed(3)}</strong>, accuracy{' '}
          {fmtPct(lastEval.electra.genAccuracy)} · Discriminator: replaced-token loss{' '}
          <strong>{lastEval.electra.discLoss.toFixed(3)}</strong>, accuracy{' '}
          <strong>{fmtPct(lastEval.electra.discAccuracy)}</strong> (total = generator +{' '}
          {String(run.config.masking.objectiveParams?.discWeight ?? 50)} × discriminator)
        </p>
      )}
    </>
  );
}

export function TrainingPanel() {
  const {
    run,
    probe,
    probeText,
    pause,
    resume,
    reset,
    setProbeText,
    profile,
    profiling,
    measureKernels,
    exported,
    exporting,
    exportModel,
  } = useTrainingStore();
  const { problems, loadError, startHint, onStart } = useStart();

  return (
    <>
      <section className="panel training" aria-labelledby="training-title">
        <h2 id="training-title">Train</h2>
        <TrainingControls
          run={run}
          canStart={startHint === undefined}
          startHint={startHint}
          onStart={() => void onStart()}
          onPause={pause}
          onResume={() =>
            resume(run?.state === 'diverged' && run.resumable ? suggestedRate(run.config.train.lr) : undefined)
          }
          onReset={reset}
        />
        <AutotuneLine />
        <ProblemList problems={problems} />
        {loadError && (
          <p className="error" role="alert">
            {loadError}
          </p>
        )}
        {run && <RunFigures run={run} />}
        {run && (
          <LearningStatus
            run={run}
            onToyPreset={() => useExperimentStore.getState().replace(classPreset('toy-language').config())}
          />
        )}
        {run && <LossChart run={run} />}
        {run?.cases && run.cases.steps > 0 && (
          <details open className="subpanel">
            <summary>Loss by case</summary>
            <LossByCaseView cases={run.cases} />
          </details>
        )}
        {run && (
          <details open className="subpanel">
            <summary>Predictions on a probe sentence</summary>
            <PredictionProbe probe={probe} text={probeText} onText={setProbeText} />
          </details>
        )}
        <AttentionAndSyntax run={run} probe={probe} />
        {run?.info && run.step > 0 && (
          <details className="subpanel">
            <summary>Download the model</summary>
            <ModelExport
              exported={exported}
              exporting={exporting}
              onExport={exportModel}
              generator={run.config.masking.objective === 'electra'}
            />
          </details>
        )}
        <details className="subpanel">
          <summary>Scale up in Python</summary>
          <ScaleUp />
        </details>
        {run?.info && (
          <details className="subpanel">
            <summary>Performance</summary>
            <KernelTimings run={run} profile={profile} profiling={profiling} onMeasure={measureKernels} />
          </details>
        )}
      </section>
      <RunsPanel />
    </>
  );
}
