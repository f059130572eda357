// Keeping the final weights of finished runs with the saved runs (IndexedDB): a setting kept in localStorage, and
// the keeper that asks the worker for a run's weights when it finishes and writes them next to the run.
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { FromWorker, ToWorker } from '../worker/protocol';
import type { LiveRun } from '../session/records';
import type { RunsState } from './runs';

const SETTING_KEY = 'masklab.keepWeights';

export interface KeepWeightsState {
  keep: boolean;
  /** Why the last run's weights could not be kept, if they could not. */
  error?: string;
  setKeep(keep: boolean): void;
}

function readSetting(): boolean {
  try {
    return globalThis.localStorage?.getItem(SETTING_KEY) === '1';
  } catch {
    return false; // storage blocked (private mode): the setting is simply off
  }
}

export function createKeepWeightsStore(): StoreApi<KeepWeightsState> {
  return createStore<KeepWeightsState>((set) => ({
    keep: readSetting(),
    setKeep(keep) {
      try {
        globalThis.localStorage?.setItem(SETTING_KEY, keep ? '1' : '0');
      } catch {
        // not persisted; it still applies in this page
      }
      set({ keep, error: undefined });
    },
  }));
}

export interface KeeperDeps {
  training: Pick<StoreApi<{ run?: LiveRun }>, 'getState' | 'subscribe'>;
  runs: StoreApi<RunsState>;
  setting: StoreApi<KeepWeightsState>;
  send: (msg: ToWorker) => void;
  onMessage: (f: (msg: FromWorker) => void) => () => void;
}

/** When a run reaches 'done' with the setting on, asks for its weights and keeps them; returns an unsubscribe. */
export function keepFinishedWeights(d: KeeperDeps): () => void {
  const asked = new Set<string>();
  const unsubscribe = d.training.subscribe((s, prev) => {
    const run = s.run;
    if (!run || run.state !== 'done' || (prev.run?.state === 'done' && prev.run.id === run.id)) return;
    if (!d.setting.getState().keep || asked.has(run.id)) return;
    asked.add(run.id);
    d.send({ type: 'keep-weights', runId: run.id });
  });
  const off = d.onMessage((msg) => {
    if (msg.type !== 'exported' || !msg.keep || !asked.has(msg.runId)) return;
    asked.delete(msg.runId);
    if (msg.error) {
      d.setting.setState({ error: `The weights of the finished run were not kept: ${msg.error}` });
      return;
    }
    d.runs
      .getState()
      // A kept export is the run's own model (never the ELECTRA generator alone).
      .keepWeights(msg.runId, msg.format === 'checkpoint' ? 'checkpoint' : 'huggingface', msg.step, msg.files)
      .then((ok) =>
        d.setting.setState({ error: ok ? undefined : 'The weights were not kept: the run is no longer saved.' }),
      )
      .catch((e: unknown) =>
        d.setting.setState({ error: `The weights were not kept: ${e instanceof Error ? e.message : String(e)}` }),
      );
  });
  return () => {
    unsubscribe();
    off();
  };
}

/** The page's setting. */
export const keepWeightsStore = createKeepWeightsStore();
