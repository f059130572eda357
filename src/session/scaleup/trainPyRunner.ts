// Runs a scale-up bundle's train.py from Node for the checks (trainpy.gpu.test.ts, bench/scaleup): finds a python3
// that imports torch (MASKLAB_PYTHON, Debian's /usr/bin/python3, or python3 on the PATH), puts the transformers and
// accelerate stand-ins (standins/, never in the bundle) first on PYTHONPATH, launches one process or N as torchrun
// does (gloo on the CPU), and reads back the per-step losses train.py wrote.
import { spawn, spawnSync } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const STANDINS = new URL('./standins', import.meta.url).pathname;

/** The python3 to use, or why there is none (each candidate's failure to import torch). */
export function torchPython(): { python?: string; version?: string; why?: string } {
  const candidates = [process.env.MASKLAB_PYTHON, '/usr/bin/python3', 'python3'].filter(
    (p): p is string => !!p && (p.includes('/') ? existsSync(p) : true),
  );
  const probe =
    'import sys, torch, torch.distributed as d; assert d.is_available(); print(sys.version.split()[0], "torch", torch.__version__)';
  const failures: string[] = [];
  for (const python of candidates) {
    const r = spawnSync(python, ['-c', probe], {
      encoding: 'utf8',
      env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' },
    });
    if (r.status === 0) return { python, version: `${python}: Python ${r.stdout.trim()}` };
    const last = (r.stderr || String(r.error ?? '')).trim().split('\n').pop();
    failures.push(`${python}: ${last}`);
  }
  return {
    why: `no python3 here imports torch with torch.distributed (${failures.join('; ')}); Debian: apt-get install python3-torch, or set MASKLAB_PYTHON`,
  };
}

export interface TrainPyResult {
  /** Training loss of each step run, in order. */
  losses: number[];
  /** The step train.py started at (0, or the trained step it continued from). */
  firstStep: number;
  /** The held-out evaluations it wrote. */
  evals: { step: number; eval_loss: number; eval_accuracy: number }[];
  /** stdout and stderr. */
  log: string;
  /** Its output folder (metrics, masklab-runs.json, model/). */
  out: string;
}

/** The environment train.py runs in: the stand-ins first, one thread per process, no Accelerate settings inherited. */
export function trainPyEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(env)) if (k.startsWith('ACCELERATE_')) delete env[k];
  return {
    ...env,
    PYTHONPATH: [STANDINS, process.env.PYTHONPATH].filter(Boolean).join(':'),
    PYTHONDONTWRITEBYTECODE: '1',
    OMP_NUM_THREADS: '1',
    ...extra,
  };
}

/** A TCP port free on this machine now (the process group's rendezvous). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * Runs `train.py args` in a bundle folder on `processes` processes. Beyond one, each gets the environment torchrun
 * and `accelerate launch` give their workers (RANK, WORLD_SIZE, LOCAL_RANK, MASTER_ADDR, MASTER_PORT): Debian's
 * torch 1.13 torchrun itself fails under Python 3.11 (AttributeError in its redirects parsing). When one process
 * fails, the others (waiting in a collective) are stopped.
 */
export async function trainPy(
  python: string,
  dir: string,
  args: string[],
  name: string,
  processes = 1,
  env: Record<string, string> = {},
): Promise<TrainPyResult> {
  const out = join(dir, 'runs', name);
  const port = String(await freePort());
  const logs: string[] = Array.from({ length: processes }, () => '');
  const children = logs.map((_, rank) => {
    const dist: Record<string, string> =
      processes > 1
        ? {
            RANK: String(rank),
            LOCAL_RANK: String(rank),
            WORLD_SIZE: String(processes),
            LOCAL_WORLD_SIZE: String(processes),
            MASTER_ADDR: '127.0.0.1',
            MASTER_PORT: port,
          }
        : {};
    const c = spawn(python, ['train.py', ...args, '--out', out], { cwd: dir, env: trainPyEnv({ ...env, ...dist }) });
    c.stdout.on('data', (d: Buffer) => (logs[rank] += d.toString()));
    c.stderr.on('data', (d: Buffer) => (logs[rank] += d.toString()));
    return c;
  });
  const codes = await Promise.all(
    children.map(
      (c) =>
        new Promise<number | null>((resolve) =>
          c.on('close', (code) => {
            if (code !== 0) for (const o of children) if (o.exitCode === null && o.pid) o.kill();
            resolve(code);
          }),
        ),
    ),
  );
  const log = logs.map((l, r) => (processes > 1 ? `[rank ${r}]\n${l}` : l)).join('\n');
  if (codes.some((c) => c !== 0))
    throw new Error(
      `train.py ${args.join(' ')} on ${processes} processes exited ${codes.join(', ')}:\n${log.slice(-6000)}`,
    );
  const rows = readFileSync(join(out, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, number>);
  const steps = rows.filter((x) => 'loss' in x);
  return {
    losses: steps.map((x) => x.loss),
    firstStep: steps[0]?.step ?? -1,
    evals: rows.filter((x) => 'eval_loss' in x) as unknown as TrainPyResult['evals'],
    log,
    out,
  };
}
