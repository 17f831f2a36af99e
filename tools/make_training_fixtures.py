#!/usr/bin/env python3
"""Writes Tests/TrainingTests/Fixtures/training.json: reference values for the Training module.

Run with the PyTorch venv and a checkout of MindCV's scheduler package (not vendored here):

    git -C <mindcv> show HEAD:mindcv/scheduler/dynamic_lr.py > /tmp/mcv/dynamic_lr.py
    git -C <mindcv> show HEAD:mindcv/scheduler/scheduler_factory.py > /tmp/mcv/scheduler_factory.py
    /work/venv-torch/bin/python tools/make_training_fixtures.py --mindcv-scheduler /tmp/mcv

What it records:
- optimizers: 5 steps of torch.optim (SGD, Adam, AdamW, RMSprop, Adagrad, NAdam) and timm
  (Lion, Lamb) on two parameter groups with fixed gradients and a per-step learning rate;
- clipping: torch.nn.utils.clip_grad_norm_ / clip_grad_value_;
- schedules: MindCV's own create_scheduler lists, torch schedulers where they coincide, and
  torchvision's LinearLR + CosineAnnealingLR per epoch;
- averaging: timm ModelEmaV2/V3 (with warm-up) and torch.optim.swa_utils.AveragedModel;
- metrics: top-1/top-5 counts with torch.topk;
- parameter groups: timm param_groups_weight_decay and torchvision set_weight_decay on a toy model.
"""
import argparse, json, math, sys, types, importlib.util
import torch, torch.nn as nn

torch.set_default_dtype(torch.float32)

parser = argparse.ArgumentParser()
parser.add_argument("--mindcv-scheduler", required=True)
parser.add_argument("--out", default="Tests/TrainingTests/Fixtures/training.json")
args = parser.parse_args()

# MindCV's scheduler package, loaded from its own files (relative import rewired).
package = types.ModuleType("mcvsched"); package.__path__ = [args.mindcv_scheduler]; sys.modules["mcvsched"] = package
for name in ["dynamic_lr", "scheduler_factory"]:
    spec = importlib.util.spec_from_file_location(f"mcvsched.{name}", f"{args.mindcv_scheduler}/{name}.py")
    module = importlib.util.module_from_spec(spec); sys.modules[f"mcvsched.{name}"] = module; spec.loader.exec_module(module)
create_scheduler = sys.modules["mcvsched.scheduler_factory"].create_scheduler

def flat(t): return [float(x) for x in t.detach().reshape(-1).tolist()]

generator = torch.Generator().manual_seed(7)
def randn(*shape, scale=1.0): return torch.randn(*shape, generator=generator) * scale

# ---------------------------------------------------------------- optimizers
shapes = {"w": [4, 9], "b": [5]}
initial = {"w": randn(4, 9), "b": randn(5)}
steps = 5
grads = [{"w": randn(4, 9, scale=0.5 + k), "b": randn(5, scale=0.3)} for k in range(steps)]
lrs = [0.1, 0.08, 0.05, 0.05, 0.02]
wd = {"w": 0.1, "b": 0.0}
lr_scale = {"w": 1.0, "b": 0.5}

import timm.optim
optimizer_cases = {
    "sgd": lambda g: torch.optim.SGD(g, lr=1),
    "sgd_momentum_dampening": lambda g: torch.optim.SGD(g, lr=1, momentum=0.9, dampening=0.1),
    "sgd_nesterov": lambda g: torch.optim.SGD(g, lr=1, momentum=0.9, nesterov=True),
    "adam": lambda g: torch.optim.Adam(g, lr=1, betas=(0.9, 0.999), eps=1e-8),
    "adamw": lambda g: torch.optim.AdamW(g, lr=1, betas=(0.85, 0.99), eps=1e-6),
    "rmsprop": lambda g: torch.optim.RMSprop(g, lr=1),
    "rmsprop_momentum_centered": lambda g: torch.optim.RMSprop(g, lr=1, alpha=0.9, eps=1e-6, momentum=0.8, centered=True),
    "adagrad": lambda g: torch.optim.Adagrad(g, lr=1, lr_decay=0.01, initial_accumulator_value=0.1),
    "nadam": lambda g: torch.optim.NAdam(g, lr=1),
    "lion": lambda g: timm.optim.Lion(g, lr=1, betas=(0.9, 0.99), foreach=False),
    "lamb": lambda g: timm.optim.Lamb(g, lr=1, foreach=False),
}
optimizers = {}
for case, make in optimizer_cases.items():
    params = {n: initial[n].clone().requires_grad_() for n in shapes}
    groups = [{"params": [params[n]], "weight_decay": wd[n], "name": n} for n in shapes]
    opt = make(groups)
    history = []
    for k in range(steps):
        for group in opt.param_groups:
            group["lr"] = lrs[k] * lr_scale[group["name"]]
        for n in shapes:
            params[n].grad = grads[k][n].clone()
        opt.step()
        history.append({n: flat(params[n]) for n in shapes})
    state = {}
    for n in shapes:
        for key, value in opt.state[params[n]].items():
            state[f"{n}.{key}"] = flat(torch.as_tensor(value, dtype=torch.float32))
    optimizers[case] = {"after_step": history, "state": state}

# ---------------------------------------------------------------- clipping
clip_params = [torch.zeros(4, 9, requires_grad=True), torch.zeros(5, requires_grad=True)]
clip_grads = [randn(4, 9, scale=2), randn(5, scale=3)]
for p, g in zip(clip_params, clip_grads): p.grad = g.clone()
norm = torch.nn.utils.clip_grad_norm_(clip_params, max_norm=5.0)
clipped_norm = [flat(p.grad) for p in clip_params]
for p, g in zip(clip_params, clip_grads): p.grad = g.clone()
inf_norm = torch.nn.utils.clip_grad_norm_(clip_params, max_norm=1.0, norm_type=float("inf"))
clipped_inf = [flat(p.grad) for p in clip_params]
for p, g in zip(clip_params, clip_grads): p.grad = g.clone()
torch.nn.utils.clip_grad_value_(clip_params, clip_value=1.5)
clipped_value = [flat(p.grad) for p in clip_params]
clipping = {"grads": [flat(g) for g in clip_grads], "norm": float(norm), "clipped_norm": clipped_norm,
            "inf_norm": float(inf_norm), "clipped_inf": clipped_inf, "clipped_value": clipped_value}

# ---------------------------------------------------------------- schedules
mindcv_cases = []
def mcv(**kw):
    lrs_ = create_scheduler(**kw)
    mindcv_cases.append({"args": kw, "lrs": [float(x) for x in lrs_]})
base = dict(steps_per_epoch=3, lr=0.1, min_lr=1e-3, num_epochs=12)
for stair in [False, True]:
    mcv(**base, scheduler="constant", warmup_epochs=2, warmup_factor=0.01, lr_epoch_stair=stair)
    mcv(**base, scheduler="cosine_decay", warmup_epochs=2, warmup_factor=0.0, decay_epochs=10, lr_epoch_stair=stair)
    mcv(**base, scheduler="cosine_decay", warmup_epochs=1, warmup_factor=0.1, decay_epochs=4, num_cycles=2,
        cycle_decay=0.5, lr_epoch_stair=stair)
    mcv(**base, scheduler="warmup_cosine_decay", warmup_epochs=3, warmup_factor=0.0, decay_epochs=12, lr_epoch_stair=stair)
    mcv(**base, scheduler="exponential_decay", warmup_epochs=0, decay_rate=0.8, lr_epoch_stair=stair)
    mcv(**base, scheduler="polynomial_decay", warmup_epochs=2, decay_rate=2.0, lr_epoch_stair=stair)
    mcv(**base, scheduler="step_decay", warmup_epochs=1, decay_epochs=3, decay_rate=0.5, lr_epoch_stair=stair)
    mcv(**base, scheduler="multi_step_decay", warmup_epochs=0, milestones=[2, 5, 9], decay_rate=0.3, lr_epoch_stair=stair)
mcv(**base, scheduler="one_cycle", warmup_epochs=0)
mcv(**base, scheduler="cyclic", warmup_epochs=0, num_cycles=3)
mcv(steps_per_epoch=7, lr=0.05, min_lr=1e-5, num_epochs=5, scheduler="cyclic", warmup_epochs=0, num_cycles=2)

def torch_lrs(make, count, per_step=True):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=0.1)
    sched = make(opt)
    out = []
    for _ in range(count):
        out.append(opt.param_groups[0]["lr"])
        opt.step(); sched.step()
    return out
S, E = 3, 12
torch_cases = {
    "exponential_per_epoch": torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.8), E),
    "step_per_epoch": torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5), E),
    "multistep_per_epoch": torch_lrs(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5, 9], gamma=0.3), E),
    "one_cycle_per_step": torch_lrs(lambda o: torch.optim.lr_scheduler.OneCycleLR(
        o, max_lr=0.1, total_steps=S * E, div_factor=25, final_div_factor=(0.1 / 25) / 1e-3, anneal_strategy="cos",
        cycle_momentum=False), S * E),
    "cyclic_per_step": torch_lrs(lambda o: torch.optim.lr_scheduler.CyclicLR(
        o, base_lr=1e-3, max_lr=0.1, step_size_up=int(S * E / 3 / 2), cycle_momentum=False), S * E),
}
def torchvision_lrs(lr, warmup, decay, method, epochs, lr_min):
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=lr)
    main = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=epochs - warmup, eta_min=lr_min)
    if method == "linear":
        w = torch.optim.lr_scheduler.LinearLR(opt, start_factor=decay, total_iters=warmup)
    else:
        w = torch.optim.lr_scheduler.ConstantLR(opt, factor=decay, total_iters=warmup)
    sched = torch.optim.lr_scheduler.SequentialLR(opt, schedulers=[w, main], milestones=[warmup])
    out = []
    for _ in range(epochs):
        out.append(opt.param_groups[0]["lr"])
        opt.step(); sched.step()
    return out
torchvision_cases = [
    {"lr": 1e-3, "warmup": 5, "decay": 0.01, "method": "linear", "epochs": 30, "lr_min": 1e-5,
     "lrs": torchvision_lrs(1e-3, 5, 0.01, "linear", 30, 1e-5)},
    {"lr": 0.5, "warmup": 3, "decay": 0.1, "method": "constant", "epochs": 10, "lr_min": 0.0,
     "lrs": torchvision_lrs(0.5, 3, 0.1, "constant", 10, 0.0)},
]

# ---------------------------------------------------------------- averaging
from timm.utils.model_ema import ModelEmaV2, ModelEmaV3
from torch.optim.swa_utils import AveragedModel
model = nn.Linear(3, 2)
with torch.no_grad():
    model.weight.copy_(randn(2, 3)); model.bias.copy_(randn(2))
snapshots = []
initial_model = {"weight": flat(model.weight), "bias": flat(model.bias)}
ema2, ema3 = ModelEmaV2(model, decay=0.9), ModelEmaV3(model, decay=0.99, use_warmup=True, warmup_gamma=1.0,
                                                       warmup_power=0.75, update_after_step=1)
swa = AveragedModel(model)
ema2_hist, ema3_hist, swa_hist = [], [], []
for k in range(1, 6):
    with torch.no_grad():
        model.weight.add_(randn(2, 3, scale=0.2)); model.bias.add_(randn(2, scale=0.2))
    snapshots.append({"weight": flat(model.weight), "bias": flat(model.bias)})
    ema2.update(model); ema3.update(model, step=k); swa.update_parameters(model)
    ema2_hist.append({"weight": flat(ema2.module.weight), "bias": flat(ema2.module.bias)})
    ema3_hist.append({"weight": flat(ema3.module.weight), "bias": flat(ema3.module.bias)})
    swa_hist.append({"weight": flat(swa.module.weight), "bias": flat(swa.module.bias)})
averaging = {"initial": initial_model, "snapshots": snapshots,
             "ema_v2": {"decay": 0.9, "after": ema2_hist},
             "ema_v3": {"decay": 0.99, "gamma": 1.0, "power": 0.75, "update_after_step": 1, "after": ema3_hist,
                        "decays": [ema3.get_decay(k) for k in range(0, 8)]},
             "swa": swa_hist}

# ---------------------------------------------------------------- metrics
logits = randn(16, 7)
labels = torch.randint(0, 7, (16,), generator=generator)
top5 = logits.topk(5, dim=1).indices
correct1 = int((top5[:, 0] == labels).sum()); correct5 = int((top5 == labels[:, None]).any(dim=1).sum())
metrics = {"logits": flat(logits), "labels": labels.tolist(), "top1": correct1, "top5": correct5}

# ---------------------------------------------------------------- parameter groups
class Toy(nn.Module):
    def __init__(self):
        super().__init__()
        self.patch_embed = nn.Module(); self.patch_embed.proj = nn.Conv2d(3, 8, 2); self.patch_embed.norm = nn.LayerNorm(8)
        self.absolute_pos_embed = nn.Parameter(torch.zeros(1, 4, 8))
        block = nn.Module(); attn = nn.Module()
        attn.qkv = nn.Linear(8, 24, bias=False); attn.q_bias = nn.Parameter(torch.zeros(8))
        attn.logit_scale = nn.Parameter(torch.zeros(2, 1, 1))
        attn.cpb_mlp = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2, bias=False))
        attn.relative_position_bias_table = nn.Parameter(torch.zeros(9, 2))
        block.attn = attn; block.norm1 = nn.LayerNorm(8); block.mlp = nn.Module(); block.mlp.fc1 = nn.Linear(8, 16)
        block.layer_scale = nn.Module(); block.layer_scale.gamma = nn.Parameter(torch.zeros(8))
        self.blocks = nn.Sequential(block)
        self.downsample = nn.Sequential(nn.Conv2d(8, 8, 1, bias=False), nn.BatchNorm2d(8))
        self.head = nn.Linear(8, 10)
toy = Toy()
names = {id(p): n for n, p in toy.named_parameters()}
from timm.optim import param_groups_weight_decay
timm_groups = [{"weight_decay": g["weight_decay"], "names": [names[id(p)] for p in g["params"]]}
               for g in param_groups_weight_decay(toy, 0.05, no_weight_decay_list=["absolute_pos_embed", "*cpb_mlp*",
                                                                                  "*logit_scale*", "*relative_position_bias_table*"])]
# torchvision's set_weight_decay lives in its references/ scripts, not in the installed package.
def set_weight_decay(model, weight_decay, norm_weight_decay=None, custom_keys_weight_decay=None):
    # torchvision references/classification/utils.py (v0.17+), unchanged apart from the return
    norm_classes = (nn.modules.batchnorm._BatchNorm, nn.LayerNorm, nn.GroupNorm, nn.modules.instancenorm._InstanceNorm, nn.LocalResponseNorm)
    params = {"other": [], "norm": []}
    params_weight_decay = {"other": weight_decay, "norm": norm_weight_decay}
    custom_keys = []
    if custom_keys_weight_decay is not None:
        for key, w in custom_keys_weight_decay:
            params[key] = []; params_weight_decay[key] = w; custom_keys.append(key)
    def _add_params(module, prefix=""):
        for name, p in module.named_parameters(recurse=False):
            if not p.requires_grad: continue
            is_custom_key = False
            for key in custom_keys:
                target_name = f"{prefix}.{name}" if prefix != "" and "." in key else name
                if key == target_name:
                    params[key].append(p); is_custom_key = True; break
            if not is_custom_key:
                if norm_weight_decay is not None and isinstance(module, norm_classes):
                    params["norm"].append(p)
                else:
                    params["other"].append(p)
        for child_name, child_module in module.named_children():
            _add_params(child_module, prefix=f"{prefix}.{child_name}" if prefix != "" else child_name)
    _add_params(model)
    return [{"key": key, "weight_decay": params_weight_decay[key], "names": [names[id(p)] for p in params[key]]}
            for key in params if len(params[key]) > 0]
tv_groups = set_weight_decay(toy, 0.05, norm_weight_decay=0.0,
                             custom_keys_weight_decay=[("bias", 0.0), ("class_token", 0.0), ("position_embedding", 0.0),
                                                       ("relative_position_bias_table", 0.0)])
groups = {"parameters": [{"name": n, "shape": list(p.shape)} for n, p in toy.named_parameters()],
          "timm": timm_groups, "torchvision": tv_groups}

fixture = {"optimizers": {"shapes": shapes, "initial": {n: flat(t) for n, t in initial.items()},
                          "grads": [{n: flat(t) for n, t in g.items()} for g in grads], "lrs": lrs,
                          "weight_decay": wd, "lr_scale": lr_scale, "cases": optimizers},
           "clipping": clipping,
           "schedules": {"mindcv": mindcv_cases, "torch": torch_cases, "torchvision": torchvision_cases},
           "averaging": averaging, "metrics": metrics, "groups": groups}
with open(args.out, "w") as f:
    json.dump(fixture, f, indent=None, separators=(",", ":"))
print("wrote", args.out)
