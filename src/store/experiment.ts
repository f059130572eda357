// The experiment being set up (corpus, tokenizer, model, masking, training, seed) as a zustand store with one
// setter per section. It round-trips through the URL hash and localStorage (the URL wins when it has settings).
import { create } from 'zustand';
import type { TokenizerSpec } from '../data/train';
import { getObjective, getStrategy, type RatePreset } from '../masking';
import type { MaskingConfig, ObjectiveId, ParamValue, ParamValues, StrategyId } from '../masking/types';
import { defaultExperiment, type ExperimentConfig, type TrainSettings } from '../session/config';
import { experimentPart, joinHash, lessonFromHash } from '../lessons/route';
import { decodeExperiment, encodeExperiment } from '../session/experimentUrl';

export { decodeExperiment, encodeExperiment } from '../session/experimentUrl';
export type { DecodedExperiment } from '../session/experimentUrl';

export const STORAGE_KEY = 'masklab.experiment';

export interface ExperimentStore {
  config: ExperimentConfig;
  /** Where the settings came from at start-up (or the last hash the user typed). */
  source: 'default' | 'url' | 'storage';
  /** Values from the URL or storage that were not valid and were replaced by defaults (shown to the user). */
  ignored: string[];
  setCorpus(corpus: string): void;
  setTokenizer(spec: TokenizerSpec): void;
  setModel(model: ExperimentConfig['model']): void;
  /** Picks a strategy; parameters the new strategy also has keep their values, the rest are dropped. */
  setStrategy(id: StrategyId): void;
  /** Picks an objective; if it cannot work with the current strategy, its default strategy is chosen too. */
  setObjective(id: ObjectiveId): void;
  setStrategyParam(key: string, value: ParamValue): void;
  setObjectiveParam(key: string, value: ParamValue): void;
  setScheduleParam(key: string, value: ParamValue): void;
  /** Applies a rate preset: its strategy parameters (where the strategy has them) and its schedule. */
  applyRatePreset(preset: RatePreset): void;
  /** Back to the defaults of the strategy, the objective and the schedule. */
  resetMaskingParams(): void;
  setStaticMasks(on: boolean, seed?: number): void;
  setTrain(patch: Partial<TrainSettings>): void;
  setSeed(seed: number): void;
  /** Replaces the whole experiment (a loaded run, a preset). */
  replace(config: ExperimentConfig): void;
  /** Reads settings from a URL hash (e.g. after the user edits the address bar). */
  loadHash(hash: string): void;
  dismissIgnored(): void;
}

function keepKnown(values: ParamValues | undefined, keys: readonly string[]): ParamValues | undefined {
  if (!values) return undefined;
  const out: Record<string, ParamValue> = {};
  for (const k of keys) if (k in values) out[k] = values[k];
  return Object.keys(out).length > 0 ? out : undefined;
}

function withMasking(c: ExperimentConfig, m: MaskingConfig): ExperimentConfig {
  const clean: MaskingConfig = { ...m };
  for (const k of ['strategyParams', 'objectiveParams', 'schedule'] as const)
    if (clean[k] === undefined) delete clean[k];
  return { ...c, masking: clean };
}

/**
 * The settings a page starts with: the URL hash when it has any, else localStorage, else the defaults. A lesson's
 * part of the hash ("lesson=2", src/lessons/route.ts) is not an experiment setting and is left out.
 */
export function initialExperiment(
  rawHash: string,
  stored: string | null,
): Pick<ExperimentStore, 'config' | 'source' | 'ignored'> {
  const hash = experimentPart(rawHash);
  if (hash.trim() !== '') {
    const d = decodeExperiment(hash);
    return { config: d.config, source: 'url', ignored: d.ignored };
  }
  if (stored) {
    const d = decodeExperiment(stored);
    return { config: d.config, source: 'storage', ignored: d.ignored.map((m) => `saved settings: ${m}`) };
  }
  return { config: defaultExperiment(), source: 'default', ignored: [] };
}

function readStorage(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null; // storage blocked (private mode, sandboxed frame): start from the defaults
  }
}

const startHash = typeof location !== 'undefined' ? experimentPart(location.hash) : '';

export const useExperimentStore = create<ExperimentStore>((set, get) => {
  const update = (f: (c: ExperimentConfig) => ExperimentConfig) => set({ config: f(get().config) });
  const setParam = (field: 'strategyParams' | 'objectiveParams' | 'schedule', key: string, value: ParamValue) =>
    update((c) => withMasking(c, { ...c.masking, [field]: { ...(c.masking[field] ?? {}), [key]: value } }));
  return {
    ...initialExperiment(startHash, startHash ? null : readStorage()),
    setCorpus: (corpus) => update((c) => ({ ...c, corpus })),
    setTokenizer: (spec) => update((c) => ({ ...c, tokenizer: { ...spec } })),
    setModel: (model) => update((c) => ({ ...c, model: { ...model } })),
    setStrategy: (id) =>
      update((c) => {
        const keys = getStrategy(id).params.map((p) => p.key);
        return withMasking(c, {
          ...c.masking,
          strategy: id,
          strategyParams: keepKnown(c.masking.strategyParams, keys),
        });
      }),
    setObjective: (id) =>
      update((c) => {
        const obj = getObjective(id);
        const keys = obj.params.map((p) => p.key);
        const m: MaskingConfig = {
          ...c.masking,
          objective: id,
          objectiveParams: keepKnown(c.masking.objectiveParams, keys),
        };
        if (obj.strategies && !obj.strategies.includes(m.strategy)) {
          m.strategy = obj.defaultStrategy;
          m.strategyParams = keepKnown(
            m.strategyParams,
            getStrategy(m.strategy).params.map((p) => p.key),
          );
        }
        return withMasking(c, m);
      }),
    setStrategyParam: (key, value) => setParam('strategyParams', key, value),
    setObjectiveParam: (key, value) => setParam('objectiveParams', key, value),
    setScheduleParam: (key, value) => setParam('schedule', key, value),
    applyRatePreset: (preset) =>
      update((c) => {
        const keys = getStrategy(c.masking.strategy).params.map((p) => p.key);
        const sp = { ...(c.masking.strategyParams ?? {}), ...keepKnown(preset.strategyParams, keys) };
        return withMasking(c, { ...c.masking, strategyParams: sp, schedule: { ...preset.schedule } });
      }),
    resetMaskingParams: () =>
      update((c) =>
        withMasking(c, { ...c.masking, strategyParams: undefined, objectiveParams: undefined, schedule: undefined }),
      ),
    setStaticMasks: (on, seed) =>
      update((c) => {
        const m: MaskingConfig = { ...c.masking, staticMasks: on };
        if (seed !== undefined) m.staticSeed = seed;
        return withMasking(c, m);
      }),
    setTrain: (patch) => update((c) => ({ ...c, train: { ...c.train, ...patch } })),
    setSeed: (seed) => update((c) => ({ ...c, seed })),
    replace: (config) => set({ config: structuredClone(config) }),
    loadHash: (hash) => {
      const d = decodeExperiment(experimentPart(hash));
      set({ config: d.config, source: 'url', ignored: d.ignored });
    },
    dismissIgnored: () => set({ ignored: [] }),
  };
});

/**
 * Keeps the URL hash and localStorage in step with the store, and the store with hashes the user types.
 * Returns a function that stops it. Call once from the page.
 */
export function syncExperimentWithPage(): () => void {
  let written = '';
  const write = (c: ExperimentConfig) => {
    const q = encodeExperiment(c);
    if (q === written) return;
    written = q;
    // An open lesson keeps its "lesson=N" in front of the settings.
    const full = joinHash(q, lessonFromHash(location.hash));
    if (location.hash.slice(1) !== full)
      history.replaceState(history.state, '', `${location.pathname}${location.search}#${full}`);
    try {
      localStorage.setItem(STORAGE_KEY, q);
    } catch {
      // storage full or blocked: the URL still carries the settings
    }
  };
  write(useExperimentStore.getState().config);
  const unsubscribe = useExperimentStore.subscribe((s, prev) => {
    if (s.config !== prev.config) write(s.config);
  });
  const onHash = () => {
    if (experimentPart(location.hash) === written) return;
    useExperimentStore.getState().loadHash(location.hash);
  };
  window.addEventListener('hashchange', onHash);
  return () => {
    unsubscribe();
    window.removeEventListener('hashchange', onHash);
  };
}
