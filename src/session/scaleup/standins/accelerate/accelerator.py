"""accelerate.Accelerator over plain torch.distributed, as accelerate does it for one process, several CPU processes
(gloo) and several GPUs (NCCL), launched by torchrun or `accelerate launch` (both set RANK, WORLD_SIZE, LOCAL_RANK).
Settings not passed as arguments come from the environment `accelerate launch` fills from `accelerate config` and
its flags: ACCELERATE_MIXED_PRECISION, ACCELERATE_GRADIENT_ACCUMULATION_STEPS, ACCELERATE_USE_CPU."""
import contextlib
import functools
import os

import torch
import torch.distributed as dist

PRECISIONS = ("no", "fp8", "fp16", "bf16")


def _env_flag(name):
    return os.environ.get(name, "false").lower() in ("1", "true", "yes")


class AcceleratedOptimizer(torch.optim.Optimizer):
    """The optimizer, its state moved to the device; step through the GradScaler under fp16."""

    def __init__(self, optimizer, device, scaler=None):
        self.optimizer, self.scaler = optimizer, scaler
        state = optimizer.state_dict()
        optimizer.load_state_dict(_move(state, device))

    state = property(lambda self: self.optimizer.state)
    param_groups = property(lambda self: self.optimizer.param_groups)
    defaults = property(lambda self: self.optimizer.defaults)

    def state_dict(self):
        return self.optimizer.state_dict()

    def load_state_dict(self, state_dict):
        self.optimizer.load_state_dict(state_dict)

    def zero_grad(self, set_to_none=None):
        self.optimizer.zero_grad(set_to_none=True if set_to_none is None else set_to_none)

    def step(self, closure=None):
        if self.scaler is not None:
            self.scaler.step(self.optimizer, closure)
            self.scaler.update()
        else:
            self.optimizer.step(closure)


def _move(obj, device):
    if isinstance(obj, dict):
        return type(obj)({k: _move(v, device) for k, v in obj.items()})
    if isinstance(obj, (list, tuple)):
        return type(obj)(_move(v, device) for v in obj)
    return obj.to(device) if isinstance(obj, torch.Tensor) else obj


class Accelerator:
    def __init__(self, device_placement=True, mixed_precision=None, gradient_accumulation_steps=1, cpu=False, **kwargs):
        if mixed_precision is None:
            mixed_precision = os.environ.get("ACCELERATE_MIXED_PRECISION", "no")
        mixed_precision = str(mixed_precision).lower()
        if mixed_precision not in PRECISIONS:
            raise ValueError("Unknown mixed_precision mode: %s. Choose between %s" % (mixed_precision, list(PRECISIONS)))
        if gradient_accumulation_steps == 1:
            gradient_accumulation_steps = int(os.environ.get("ACCELERATE_GRADIENT_ACCUMULATION_STEPS", 1))
        self.gradient_accumulation_steps = gradient_accumulation_steps
        self.mixed_precision = mixed_precision
        cpu = cpu or _env_flag("ACCELERATE_USE_CPU")
        self.num_processes = int(os.environ.get("WORLD_SIZE", 1))
        self.process_index = int(os.environ.get("RANK", 0))
        self.local_process_index = int(os.environ.get("LOCAL_RANK", 0))
        cuda = torch.cuda.is_available() and not cpu
        self.device = torch.device("cuda", self.local_process_index) if cuda else torch.device("cpu")
        if cuda:
            torch.cuda.set_device(self.device)
        self.backend = None
        if self.num_processes > 1:
            self.backend = "nccl" if cuda else "gloo"
            if not dist.is_initialized():
                dist.init_process_group(self.backend)
        self.distributed_type = ("MULTI_GPU" if cuda else "MULTI_CPU") if self.num_processes > 1 else "NO"
        self.device_placement = device_placement
        self.scaler, self.native_amp = None, False
        if mixed_precision == "fp16":
            if self.device.type == "cpu":
                raise ValueError("fp16 mixed precision requires a device in ('cuda', ...) (not 'cpu').")
            self.native_amp, self.scaler = True, torch.cuda.amp.GradScaler()
        elif mixed_precision == "bf16":
            self.native_amp = True
        elif mixed_precision == "fp8":
            raise ValueError("fp8 needs transformer-engine or torchao: not in this stand-in")
        self._models, self._optimizers = [], []

    @property
    def is_main_process(self):
        return self.process_index == 0

    @property
    def is_local_main_process(self):
        return self.local_process_index == 0

    def print(self, *args, **kwargs):
        if self.is_local_main_process:
            print(*args, **kwargs)

    def prepare(self, *args):
        out = []
        for obj in args:
            if isinstance(obj, torch.nn.Module):
                out.append(self.prepare_model(obj))
            elif isinstance(obj, torch.optim.Optimizer):
                out.append(AcceleratedOptimizer(obj, self.device if self.device_placement else "cpu", self.scaler))
                self._optimizers.append(out[-1])
            else:
                out.append(obj)
        return out[0] if len(out) == 1 else tuple(out)

    def prepare_model(self, model):
        self._models.append(model)
        if self.device_placement:
            model = model.to(self.device)
        if self.native_amp:
            dtype = torch.float16 if self.mixed_precision == "fp16" else torch.bfloat16
            forward = model.forward
            model._original_forward = forward

            @functools.wraps(forward)
            def autocast_forward(*a, **k):
                with torch.autocast(device_type=self.device.type, dtype=dtype):
                    out = forward(*a, **k)
                return _to_fp32(out)

            model.forward = autocast_forward
        if self.num_processes > 1:
            ids = [self.local_process_index] if self.device.type == "cuda" else None
            model = torch.nn.parallel.DistributedDataParallel(model, device_ids=ids, output_device=ids[0] if ids else None)
        return model

    def unwrap_model(self, model, keep_fp32_wrapper=True):
        while isinstance(model, torch.nn.parallel.DistributedDataParallel):
            model = model.module
        if not keep_fp32_wrapper and hasattr(model, "_original_forward"):
            model.forward = model._original_forward
        return model

    def no_sync(self, model):
        return model.no_sync() if isinstance(model, torch.nn.parallel.DistributedDataParallel) else contextlib.nullcontext()

    def backward(self, loss, **kwargs):
        loss = loss / self.gradient_accumulation_steps
        if self.scaler is not None:
            self.scaler.scale(loss).backward(**kwargs)
        else:
            loss.backward(**kwargs)

    def unscale_gradients(self, optimizer=None):
        if self.scaler is not None:
            for opt in [optimizer] if optimizer is not None else self._optimizers:
                self.scaler.unscale_(opt.optimizer if isinstance(opt, AcceleratedOptimizer) else opt)

    def clip_grad_norm_(self, parameters, max_norm, norm_type=2):
        self.unscale_gradients()
        return torch.nn.utils.clip_grad_norm_(parameters, max_norm, norm_type=norm_type)

    def gather(self, tensor):
        """accelerate.utils.gather over torch.distributed: all_gather_into_tensor, except over gloo (no such op),
        where all_gather into a list and a concatenation along the first dimension."""
        if self.num_processes == 1:
            return tensor
        if tensor.ndim == 0:
            tensor = tensor.clone()[None]
        tensor = tensor.contiguous()
        if self.backend != "gloo":
            out = torch.empty(self.num_processes * tensor.numel(), dtype=tensor.dtype, device=self.device)
            dist.all_gather_into_tensor(out, tensor)
            return out.view(-1, *tensor.size()[1:])
        parts = [torch.empty_like(tensor) for _ in range(self.num_processes)]
        dist.all_gather(parts, tensor)
        return torch.cat(parts, dim=0)

    def reduce(self, tensor, reduction="sum", scale=1.0):
        t = tensor.clone()
        if self.num_processes > 1:
            dist.all_reduce(t, dist.ReduceOp.MAX if reduction == "max" else dist.ReduceOp.SUM)
        if reduction == "mean":
            t /= self.num_processes
        return t

    def wait_for_everyone(self):
        if self.num_processes > 1:
            dist.barrier()

    def end_training(self):
        if self.num_processes > 1 and dist.is_initialized():
            dist.destroy_process_group()


def _to_fp32(out):
    if isinstance(out, torch.Tensor):
        return out.float() if out.dtype in (torch.float16, torch.bfloat16) else out
    if isinstance(out, dict):
        for k in list(out.keys()):
            out[k] = _to_fp32(out[k])
            if hasattr(out, k):
                object.__setattr__(out, k, out[k])
        return out
    if isinstance(out, (list, tuple)):
        return type(out)(_to_fp32(v) for v in out)
    return out
