// Keeping final weights with saved runs (fake-indexeddb): the keeper asks the worker for a finished run's weights
// only with the setting on, stores what comes back next to the run, keeps the note across later saves, deletes
// the files with the run, and leaves them out of the JSON export.
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { createStore } from 'zustand/vanilla';
import { RunStore } from './runStore';
import type { FromWorker, ToWorker } from '../worker/protocol';
import { createKeepWeightsStore, keepFinishedWeights } from './keepWeights';
import { createRunsStore } from './runs';
import { fakeLiveRun, fakeRecord } from '../session/runsTesting';
import type { LiveRun } from '../session/records';

async function settle(): Promise<void> {
  for (let i = 0; i < 40; i++) await new Promise((r) => setImmediate(r));
}

function setup(keep: boolean) {
  const factory = new IDBFactory();
  const runs = createRunsStore(() => RunStore.open(factory));
  const training = createStore<{ run?: LiveRun }>(() => ({}));
  const setting = createKeepWeightsStore();
  setting.setState({ keep });
  const sent: ToWorker[] = [];
  const listeners = new Set<(m: FromWorker) => void>();
  const stop = keepFinishedWeights({
    training,
    runs,
    setting,
    send: (m) => sent.push(m),
    onMessage: (f) => {
      listeners.add(f);
      return () => listeners.delete(f);
    },
  });
  const reply = (m: FromWorker) => listeners.forEach((f) => f(m));
  return { factory, runs, training, setting, sent, reply, stop };
}

const bytes = (n: number) => new Uint8Array(n).map((_, i) => i % 251) as Uint8Array<ArrayBuffer>;

describe('keeping final weights', () => {
  it("asks for a finished run's weights and keeps them next to the run", async () => {
    const { factory, runs, training, sent, reply, setting, stop } = setup(true);
    await runs.getState().save(fakeRecord('r1', 5, { state: 'training' }));
    const live = fakeLiveRun('r1', 5);
    training.setState({ run: live });
    expect(sent).toEqual([]);
    training.setState({ run: { ...live, state: 'done' } });
    training.setState({ run: { ...live, state: 'done', msPerStep: 1 } });
    expect(sent).toEqual([{ type: 'keep-weights', runId: 'r1' }]);
    const files = [
      { name: 'config.json', bytes: bytes(10) },
      { name: 'model.safetensors', bytes: bytes(1000) },
    ];
    reply({ type: 'exported', runId: 'r1', step: 5, format: 'huggingface', files, keep: true });
    await settle();
    expect(setting.getState().error).toBeUndefined();
    expect(runs.getState().runs[0].weights).toEqual({ format: 'huggingface', step: 5, bytes: 1010 });
    const got = await runs.getState().weightFiles('r1');
    expect(got?.map((f) => [f.name, f.bytes.byteLength])).toEqual([
      ['config.json', 10],
      ['model.safetensors', 1000],
    ]);
    expect(Array.from(got![1].bytes.slice(0, 5))).toEqual([0, 1, 2, 3, 4]);

    // A later save of the run (the persister) keeps the note; the JSON export leaves it out; delete removes the files.
    await runs.getState().save(fakeRecord('r1', 5));
    const db = await RunStore.open(factory);
    expect((await db.list())[0].weights?.bytes).toBe(1010);
    expect(await runs.getState().exportJson()).not.toContain('"weights"');
    await runs.getState().remove('r1');
    expect(await db.getWeights('r1')).toBeUndefined();
    stop();
  });

  it('never asks for the weights of a diverged run (nor a failed or stopped one)', async () => {
    const { training, sent, stop } = setup(true);
    const live = fakeLiveRun('r3', 5);
    training.setState({ run: live });
    for (const state of ['diverged', 'failed', 'stopped'] as const) training.setState({ run: { ...live, state } });
    expect(sent).toEqual([]);
    training.setState({ run: { ...live, state: 'done' } });
    expect(sent).toEqual([{ type: 'keep-weights', runId: 'r3' }]);
    stop();
  });

  it('does nothing with the setting off, and says why when the run is gone', async () => {
    const off = setup(false);
    const live = fakeLiveRun('r2', 3);
    off.training.setState({ run: live });
    off.training.setState({ run: { ...live, state: 'done' } });
    expect(off.sent).toEqual([]);
    off.stop();

    const on = setup(true);
    on.training.setState({ run: live });
    on.training.setState({ run: { ...live, state: 'done' } });
    on.reply({
      type: 'exported',
      runId: 'r2',
      step: 0,
      format: 'checkpoint',
      files: [],
      keep: true,
      error: 'This run is no longer on the GPU.',
    });
    await settle();
    expect(on.setting.getState().error).toContain('no longer on the GPU');
    // Weights for a run that is not saved are not written anywhere.
    expect(
      await (await RunStore.open(on.factory)).putWeights('nope', 'checkpoint', 1, [{ name: 'x', bytes: bytes(4) }]),
    ).toBeUndefined();
    on.stop();
  });
});
