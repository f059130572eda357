"""The MaskLab benchmark model shapes trained in PyTorch, for a side-by-side with `node dist-bench/train.mjs` on
the same GPU: Hugging Face's BertForMaskedLM when transformers is installed, else an equivalent module written
here (same tensors and math as src/engine/reference/model.ts: post-LN BERT, gelu_new, tied decoder).

Two heads: "gathered" runs the MLM head on the ~15% target rows only, as MaskLab does; "full" computes
full-vocabulary logits as BertForMaskedLM(labels=...) does (the reference figures in issue 9 are "full").
Modes: eager, torch.compile, and torch.compile with CUDA graphs (mode="reduce-overhead"). fp32 with
torch.backends.cuda.matmul.allow_tf32 = False (matmul precision "highest"). AdamW (fused when available), clip 1.0.

    python3 bench/pytorch/bench.py --config tiny,mini,small --modes eager,compile,cudagraphs --json
Prints a table; with --json the last stdout line is one JSON object; writes bench/results/pytorch-<device>.json.
"""
import argparse
import json
import math
import os
import statistics
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    # Same shapes as bench/train.ts.
    "tiny": dict(L=2, C=64, NH=2, F=256, T=64, V=2048, B=16),
    "mini": dict(L=4, C=256, NH=4, F=1024, T=128, V=8192, B=32),
    "small": dict(L=6, C=512, NH=8, F=2048, T=128, V=8192, B=32),
}
TARGET_RATE = 0.15
MASK_ID = 4
FIRST_WORD = 5


def gelu_new(x):
    return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


class Layer(nn.Module):
    def __init__(self, C, NH, Fw, eps):
        super().__init__()
        self.NH = NH
        self.qkv = nn.Linear(C, 3 * C)
        self.proj = nn.Linear(C, C)
        self.ln1 = nn.LayerNorm(C, eps=eps)
        self.fc = nn.Linear(C, Fw)
        self.fc_proj = nn.Linear(Fw, C)
        self.ln2 = nn.LayerNorm(C, eps=eps)

    def forward(self, x, key_mask):
        B, T, C = x.shape
        q, k, v = self.qkv(x).split(C, dim=2)
        shape = (B, T, self.NH, C // self.NH)
        q, k, v = (t.view(shape).transpose(1, 2) for t in (q, k, v))
        # key_mask: (B, 1, 1, T) additive, -inf-like on padding keys (as BERT's extended attention mask).
        att = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(C // self.NH) + key_mask, dim=-1)
        a = (att @ v).transpose(1, 2).reshape(B, T, C)
        h1 = self.ln1(self.proj(a) + x)
        return self.ln2(self.fc_proj(gelu_new(self.fc(h1))) + h1)


class MaskLabBert(nn.Module):
    """BertForMaskedLM's computation, written out; used when transformers is not installed."""

    def __init__(self, L, C, NH, F, T, V, eps=1e-12):
        super().__init__()
        self.wte = nn.Embedding(V, C)
        self.wpe = nn.Embedding(T, C)
        self.wtt = nn.Embedding(2, C)
        self.emb_ln = nn.LayerNorm(C, eps=eps)
        self.layers = nn.ModuleList(Layer(C, NH, F, eps) for _ in range(L))
        self.head = nn.Linear(C, C)
        self.head_ln = nn.LayerNorm(C, eps=eps)
        self.decoder_b = nn.Parameter(torch.zeros(V))
        for m in self.modules():
            if isinstance(m, (nn.Linear, nn.Embedding)):
                nn.init.normal_(m.weight, std=0.02)
            if isinstance(m, nn.Linear):
                nn.init.zeros_(m.bias)

    def encode(self, ids, valid):
        B, T = ids.shape
        pos = torch.arange(T, device=ids.device)
        x = self.emb_ln(self.wte(ids) + self.wpe(pos)[None] + self.wtt.weight[0])
        key_mask = ((1.0 - valid[:, None, None, :].float()) * torch.finfo(torch.float32).min)
        for layer in self.layers:
            x = layer(x, key_mask)
        return x

    def logits(self, h):
        return self.head_ln(gelu_new(self.head(h))) @ self.wte.weight.t() + self.decoder_b


class HfBert(nn.Module):
    """Hugging Face BertForMaskedLM with MaskLab's settings (gelu_new, no dropout, absolute positions)."""

    def __init__(self, L, C, NH, F, T, V):
        super().__init__()
        from transformers import BertConfig, BertForMaskedLM

        cfg = BertConfig(vocab_size=V, hidden_size=C, num_hidden_layers=L, num_attention_heads=NH, intermediate_size=F,
                         hidden_act="gelu_new", hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0,
                         max_position_embeddings=T, type_vocab_size=2, layer_norm_eps=1e-12, pad_token_id=0,
                         attn_implementation="eager")
        self.m = BertForMaskedLM(cfg)

    def encode(self, ids, valid):
        return self.m.bert(input_ids=ids, attention_mask=valid).last_hidden_state

    def logits(self, h):
        return self.m.cls(h)


def make_batch(cfg, gen, device):
    B, T, V = cfg["B"], cfg["T"], cfg["V"]
    ids = torch.randint(FIRST_WORD, V, (B, T), generator=gen)
    ids[:, 0], ids[:, -1] = 2, 3
    valid = torch.ones(B, T, dtype=torch.long)
    k = max(1, round(TARGET_RATE * (T - 2)))
    pos = torch.stack([torch.randperm(T - 2, generator=gen)[:k] + 1 for _ in range(B)])
    flat = (pos + torch.arange(B)[:, None] * T).reshape(-1)
    targets = ids.reshape(-1)[flat].clone()
    ids.view(-1)[flat] = MASK_ID
    labels = torch.full((B * T,), -100, dtype=torch.long)
    labels[flat] = targets
    return [t.to(device) for t in (ids, valid, flat, targets, labels)]


def step_fn(model, opt, head):
    def step(ids, valid, flat, targets, labels):
        h = model.encode(ids, valid)
        C = h.shape[-1]
        if head == "gathered":
            loss = F.cross_entropy(model.logits(h.reshape(-1, C)[flat]), targets)
        else:
            logits = model.logits(h)
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels, ignore_index=-100)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        opt.zero_grad(set_to_none=False)
        return loss.detach()

    return step


def bench_one(name, mode, head, args, device):
    cfg = CONFIGS[name]
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)
    shape = {k: cfg[k] for k in ("L", "C", "NH", "F", "T", "V")}
    model = (HfBert(**shape) if args.impl == "hf" else MaskLabBert(**shape)).to(device)
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    kwargs = dict(lr=1e-4, betas=(0.9, 0.999), eps=1e-8)
    try:
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], fused=True, **kwargs)
    except (RuntimeError, TypeError):
        opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}], **kwargs)
    step = step_fn(model, opt, head)
    if mode == "compile":
        step = torch.compile(step)
    elif mode == "cudagraphs":
        step = torch.compile(step, mode="reduce-overhead")
    batches = [make_batch(cfg, gen, device) for _ in range(4)]
    t0 = time.perf_counter()
    for i in range(args.warmup):
        step(*batches[i % 4])
    torch.cuda.synchronize()
    setup = time.perf_counter() - t0
    times = []
    for _ in range(args.repeats):
        t = time.perf_counter()
        for i in range(args.steps):
            loss = step(*batches[i % 4])
        torch.cuda.synchronize()
        times.append((time.perf_counter() - t) * 1000 / args.steps)
    ms = statistics.median(times)
    tokens = cfg["B"] * cfg["T"]
    return dict(config=name, mode=mode, head=head, impl=args.impl, ms_per_step=ms, tokens_per_s=tokens / (ms / 1000),
                repeats_ms=times, warmup_s=setup, last_loss=float(loss), params=sum(p.numel() for p in model.parameters()))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--config", default="tiny,mini,small")
    ap.add_argument("--modes", default="eager,compile,cudagraphs")
    ap.add_argument("--heads", default="gathered,full")
    ap.add_argument("--impl", choices=["auto", "hf", "plain"], default="auto")
    ap.add_argument("--warmup", type=int, default=10)
    ap.add_argument("--steps", type=int, default=50)
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="bench/results")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not torch.cuda.is_available():
        raise SystemExit("bench.py needs a CUDA GPU")
    if args.impl == "auto":
        try:
            import transformers  # noqa: F401

            args.impl = "hf"
        except ImportError:
            args.impl = "plain"
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    device = torch.device("cuda")
    results = []
    for name in args.config.split(","):
        for head in args.heads.split(","):
            for mode in args.modes.split(","):
                r = bench_one(name, mode, head, args, device)
                results.append(r)
                print(f"{name:6} {head:9} {mode:11} {r['ms_per_step']:9.3f} ms/step {r['tokens_per_s']:12.0f} tokens/s", flush=True)
    out = dict(tool="bench/pytorch/bench.py", device=torch.cuda.get_device_name(), torch=torch.__version__, impl=args.impl,
               date=time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), results=results)
    os.makedirs(args.out, exist_ok=True)
    slug = "".join(c if c.isalnum() else "-" for c in out["device"].lower()).strip("-")
    with open(os.path.join(args.out, f"pytorch-{slug}.json"), "w") as f:
        json.dump(out, f, indent=1)
    if args.json:
        print(json.dumps(out))


if __name__ == "__main__":
    main()
