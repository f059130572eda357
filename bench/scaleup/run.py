"""Runs the scale-up bundles bench/scaleup/prepare.ts wrote (dist-bench/scaleup) with `accelerate launch train.py` on
this machine (one GPU, fp32, one process), a few hundred steps each, and records per bundle: the step-0 agreement
with MaskLab's golden loss, the first losses against MaskLab's own curve (the tiny bundles), the loss curve, the
held-out evaluations, tokens/s, the time spent in the Python collator, the GPU and the versions. One JSON object:
OUT/trainpy.json, and the last line of stdout (bench/device.sh's part "trainpy").

    python3 bench/scaleup/run.py [--bundles dist-bench/scaleup] [--steps 200] [--out bench/results/scaleup]
        [--launcher auto|accelerate|python] [--budget 140] [--only span-mlm-tiny,...]

--launcher python runs `python train.py` (no accelerate CLI), e.g. on a CPU with the test stand-ins of
src/session/scaleup/standins on PYTHONPATH, to check this command end to end without a GPU.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--bundles", default="dist-bench/scaleup")
    p.add_argument("--steps", type=int, default=200)
    p.add_argument("--eval-every", type=int, default=100)
    p.add_argument("--out", default="bench/results/scaleup")
    p.add_argument("--launcher", choices=("auto", "accelerate", "python"), default="auto")
    p.add_argument("--budget", type=float, default=600.0,
                   help="seconds for all bundles: each gets an equal share of what is left before it is stopped")
    p.add_argument("--only", default="", help="comma-separated bundle names")
    return p.parse_args()


def launcher(kind):
    """The command prefix that runs train.py: Accelerate's launcher on one process in fp32, or plain python."""
    accelerate = shutil.which("accelerate")
    if kind == "accelerate" or (kind == "auto" and accelerate):
        if not accelerate:
            raise SystemExit("no `accelerate` command on this machine")
        return [accelerate, "launch", "--num_processes", "1", "--num_machines", "1", "--mixed_precision", "no",
                "--dynamo_backend", "no"]
    return [sys.executable]


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def run_bundle(b, args, prefix, out, timeout):
    """One bundle: train.py for --steps steps; its figures, or why it has none."""
    folder = os.path.join(args.bundles, b["name"])
    run_out = os.path.abspath(os.path.join(out, b["name"]))
    cmd = prefix + ["train.py", "--steps", str(args.steps), "--eval-every", str(args.eval_every), "--out", run_out]
    t0 = time.time()
    sys.stderr.write("== %s: %s\n" % (b["name"], " ".join(cmd)))
    proc = subprocess.Popen(cmd, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        log, _ = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        log, _ = proc.communicate()
        return {"name": b["name"], "stopped": "past its %.0f s" % timeout, "seconds": time.time() - t0,
                "log_tail": log[-2000:]}
    sys.stderr.write(log[-1500:] + "\n")
    result = {"name": b["name"], "model": b["model"], "objective": b["objective"], "strategy": b["strategy"],
              "command": " ".join(cmd), "rc": proc.returncode, "seconds": time.time() - t0}
    if proc.returncode != 0:
        result["log_tail"] = log[-3000:]
        return result
    with open(os.path.join(run_out, "summary.json"), encoding="utf-8") as f:
        summary = json.load(f)
    rows = read_jsonl(os.path.join(run_out, "metrics.jsonl"))
    losses = [r["loss"] for r in rows if "loss" in r]
    result.update({
        "golden_step0": summary.get("golden"),
        "losses": losses,
        "evals": [r for r in rows if "eval_loss" in r],
        "tokens_per_s": summary["tokens_per_s"], "ms_per_step": summary["ms_per_step"],
        "collate_seconds": summary["collate_seconds"], "train_seconds": summary["seconds"],
        "device": summary["device"], "device_name": summary["device_name"], "versions": summary["versions"],
    })
    curve = b.get("masklab_curve")
    if curve:
        n = min(len(curve), len(losses))
        diffs = [abs(losses[i] - curve[i]) for i in range(n)]
        result["vs_masklab_curve"] = {"steps": n, "max_abs_diff": max(diffs) if diffs else None,
                                      "max_rel_diff": max(d / abs(curve[i]) for i, d in enumerate(diffs)) if diffs else None,
                                      "masklab_adapter": b.get("masklab_adapter")}
    return result


def main():
    args = parse_args()
    with open(os.path.join(args.bundles, "manifest.json"), encoding="utf-8") as f:
        manifest = json.load(f)
    only = [x for x in args.only.split(",") if x]
    prefix = launcher(args.launcher)
    os.makedirs(args.out, exist_ok=True)
    results = []
    todo = [b for b in manifest["bundles"] if not only or b["name"] in only]
    deadline = time.time() + args.budget
    for i, b in enumerate(todo):
        missing = [r["file"] for r in b.get("regenerate", []) if not os.path.exists(os.path.join(args.bundles, b["name"], r["file"]))]
        if missing:
            results.append({"name": b["name"], "skipped": "weights not written yet: node dist-bench/scaleupWeights.mjs %s"
                            % args.bundles})
            continue
        results.append(run_bundle(b, args, prefix, args.out, max(1.0, (deadline - time.time()) / (len(todo) - i))))
        r = results[-1]
        g = r.get("golden_step0") or {}
        sys.stderr.write("== %s: rc %s, step-0 |diff| %s, %s tokens/s\n"
                         % (b["name"], r.get("rc"), g.get("diff"), round(r.get("tokens_per_s", 0))))
    report = {"part": "trainpy", "steps": args.steps, "launcher": prefix[0], "bundles": results}
    with open(os.path.join(args.out, "trainpy.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=1)
    print(json.dumps(report))


if __name__ == "__main__":
    main()
