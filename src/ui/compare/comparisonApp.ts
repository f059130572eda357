// The page's comparison store, wired to the training worker, the training store and the runs store.
import { RunStore } from '../../store/runStore';
import { experimentText } from '../../session/text';
import { createComparisonStore } from '../../store/comparison';
import { ComparisonDb } from '../../store/comparisonDb';
import { onWorkerMessage, sendToWorker } from '../../store/workerBus';
import { runsStore } from '../../store/runs';
import { useTrainingStore } from '../../store/training';

export const comparisonStore = createComparisonStore({
  openDb: () => ComparisonDb.open(),
  openRuns: () => RunStore.open(),
  training: useTrainingStore,
  runs: runsStore,
  send: sendToWorker,
  onMessage: onWorkerMessage,
  loadText: experimentText,
});
