#!/usr/bin/env python3
"""Writes two fixtures for the recipe pieces (optimizer, parameter groups, schedule, clipping,
accumulation, averaging), all computed by real torch / torchvision / timm code paths:

Tests/TrainerTests/Fixtures/recipe_parity.safetensors — 50 training steps of a tiny timm SwinV2
(timm's initialisation under torch.manual_seed(0), every block's norm1/norm2 weight set to 1), in
float64 from the float32 initial weights, on 80 fixed images (no shuffling: step k of an epoch takes
samples [k*B, (k+1)*B)), for four cases: sgd, adamw_cosine, adamw_batch16, adamw_accumulate2.
  weights.<timm name>        initial state_dict, float32 (SwinV2 keeps its buffers non-persistent)
  data.images, data.labels   float32 [80,3,16,16], int32 [80]
  <case>.losses, <case>.lrs  float64 [50]: the loss before the update and the rate used by the step
  <case>.final.<timm name>   float32 parameters after the 50 steps
  metadata "config" (model kwargs) and "cases" (JSON list of the settings and parameter groups)

Tests/TrainerTests/Fixtures/torch_recipes.json — golden values:
  swalr: torch.optim.swa_utils.SWALR rates after 0..9 steps (also after a cosine base schedule);
  update_bn: torch.optim.swa_utils.update_bn on a BatchNorm2d over three batches of sizes 4, 2, 3;
  ema_torchvision: references/classification train.py's EMA decay adjustment and its EMA update
                   sequence (AveragedModel with an EMA avg fn, use_buffers=True, warm-up resets);
  weight_decay_groups_swin_v2_t: torchvision's set_weight_decay on torchvision's swin_v2_t.

    /work/venv-torch/bin/python tools/make_recipe_parity.py
"""
import copy
import json
import pathlib
import re

import timm
import torch
import torch.nn as nn
import torchvision
from safetensors.torch import save_file
from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR
from torch.optim.swa_utils import SWALR, AveragedModel, update_bn

ROOT = pathlib.Path(__file__).resolve().parent.parent
PARITY = ROOT / "Tests" / "TrainerTests" / "Fixtures" / "recipe_parity.safetensors"
RECIPES = ROOT / "Tests" / "TrainerTests" / "Fixtures" / "torch_recipes.json"

NORM_CLASSES = (nn.modules.batchnorm._BatchNorm, nn.LayerNorm, nn.GroupNorm,
                nn.modules.instancenorm._InstanceNorm, nn.LocalResponseNorm)
TV_CUSTOM_KEYS = [("bias", 0.0), ("class_token", 0.0), ("position_embedding", 0.0),
                  ("relative_position_bias_table", 0.0)]  # train.py: --bias-weight-decay 0 --transformer-embedding-decay 0


def with_position_bias_keys(model, custom_keys, decay=0.0):
    """The runner's transformer_embedding_decay also covers Swin V2's counterparts of the
    relative-position table — its continuous position bias MLP (cpb_mlp) and logit_scale —
    which torchvision's three keys miss. Expressed in set_weight_decay's own terms: one dotted
    (full-name) key per such parameter, after torchvision's keys, so `bias` still wins first."""
    names = [n for n, _ in model.named_parameters() if "cpb_mlp" in n or n.endswith("logit_scale")]
    return custom_keys + [(n, decay) for n in names]


def set_weight_decay(model, weight_decay, norm_weight_decay=None, custom_keys_weight_decay=None, local_alias=None):
    """torchvision references/classification/utils.py::set_weight_decay (>= 0.15), rule for rule:
    per module, its own parameters (recurse=False); the first custom key equal to the local name
    (or, for a key with a dot, to the full name) wins; else norm modules go to "norm" when
    norm_weight_decay is set; else "other". Groups in order other, norm, custom keys; empty ones
    dropped. Returns [(key, weight_decay, [(full name, parameter)])].
    `local_alias` renames local names before matching: timm's q_bias/v_bias are the two halves of
    torchvision's qkv.bias, so the runner matches them as `bias` (torchvision's Swin V2 decays no bias)."""
    params = {"other": [], "norm": []}
    decay = {"other": weight_decay, "norm": norm_weight_decay}
    for key, wd in custom_keys_weight_decay or []:
        params[key] = []; decay[key] = wd

    def add(module, prefix=""):
        for name, p in module.named_parameters(recurse=False):
            if not p.requires_grad:
                continue
            full = f"{prefix}.{name}" if prefix else name
            local = (local_alias or {}).get(name, name)
            target = lambda key: full if prefix != "" and "." in key else local
            key = next((k for k, _ in custom_keys_weight_decay or [] if k == target(k)), None)
            if key is None:
                key = "norm" if norm_weight_decay is not None and isinstance(module, NORM_CLASSES) else "other"
            params[key].append((full, p))
        for child_name, child in module.named_children():
            add(child, f"{prefix}.{child_name}" if prefix else child_name)

    add(model)
    return [(key, decay[key], params[key]) for key in params if params[key]]


# ================================================================ file 1: training parity
MODEL_KWARGS = dict(pretrained=False, img_size=16, patch_size=2, in_chans=3, num_classes=5, embed_dim=16,
                    depths=(1, 1), num_heads=(2, 2), window_size=4, drop_path_rate=0.0, drop_rate=0.0)
torch.manual_seed(0)
base = timm.create_model("swinv2_tiny_window8_256", **MODEL_KWARGS)
with torch.no_grad():
    for name, p in base.named_parameters():
        if re.search(r"\.blocks\.\d+\.norm[12]\.weight$", name):
            p.fill_(1.0)  # timm zero-initialises the res-post-norms
initial = {k: v.detach().clone().contiguous() for k, v in base.state_dict().items()}
assert all(v.dtype == torch.float32 for v in initial.values())

g = torch.Generator().manual_seed(3)
images = torch.randn(80, 3, 16, 16, generator=g)
labels = torch.randint(0, 5, (80,), generator=g)

ADAMW = dict(optimizer="AdamW", lr=1e-3, betas=[0.9, 0.999], eps=1e-8, weight_decay=0.05, norm_weight_decay=0.0,
             custom_keys_weight_decay=TV_CUSTOM_KEYS)
warmup_cosine = lambda T_max: dict(kind="SequentialLR(LinearLR, CosineAnnealingLR, milestones=[2]) stepped per epoch",
                                   warmup_epochs=2, warmup_start_factor=0.01, T_max=T_max, eta_min=1e-5)
CASES = [
    dict(name="sgd", batch_size=8, accumulation=1, epochs=5, label_smoothing=0.0, clip_grad_norm=None,
         optimizer=dict(optimizer="SGD", lr=0.05, momentum=0.9, nesterov=False, weight_decay=1e-4),
         schedule=dict(kind="constant")),
    dict(name="adamw_cosine", batch_size=8, accumulation=1, epochs=5, label_smoothing=0.1, clip_grad_norm=5.0,
         optimizer=ADAMW, schedule=warmup_cosine(T_max=5 - 2)),
    dict(name="adamw_batch16", batch_size=16, accumulation=1, epochs=10, label_smoothing=0.1, clip_grad_norm=5.0,
         optimizer=ADAMW, schedule=warmup_cosine(T_max=10 - 2)),
]
CASES.append(dict(CASES[2], name="adamw_accumulate2", accumulation=2))


def train(case):
    model = copy.deepcopy(base).double().train()
    x, y = images.double(), labels
    opt_cfg, sched_cfg = case["optimizer"], case["schedule"]
    if opt_cfg["optimizer"] == "SGD":
        opt = torch.optim.SGD(model.parameters(), lr=opt_cfg["lr"], momentum=opt_cfg["momentum"],
                              nesterov=opt_cfg["nesterov"], weight_decay=opt_cfg["weight_decay"])
        scheduler, groups = None, None
    else:
        grouped = set_weight_decay(model, opt_cfg["weight_decay"], opt_cfg["norm_weight_decay"],
                                   with_position_bias_keys(model, TV_CUSTOM_KEYS),
                                   local_alias={"q_bias": "bias", "v_bias": "bias"})
        groups = {key: [n for n, _ in ps] for key, _, ps in grouped}
        case["group_weight_decay"] = {key: wd for key, wd, _ in grouped}
        opt = torch.optim.AdamW([{"params": [p for _, p in ps], "weight_decay": wd} for _, wd, ps in grouped],
                                lr=opt_cfg["lr"], betas=tuple(opt_cfg["betas"]), eps=opt_cfg["eps"])
        warm = LinearLR(opt, start_factor=sched_cfg["warmup_start_factor"], total_iters=sched_cfg["warmup_epochs"])
        main = CosineAnnealingLR(opt, T_max=sched_cfg["T_max"], eta_min=sched_cfg["eta_min"])
        scheduler = SequentialLR(opt, schedulers=[warm, main], milestones=[sched_cfg["warmup_epochs"]])
    criterion = nn.CrossEntropyLoss(label_smoothing=case["label_smoothing"])
    B, A = case["batch_size"], case["accumulation"]
    losses, lrs = [], []
    for _ in range(case["epochs"]):
        for k in range(80 // B):
            rates = {group["lr"] for group in opt.param_groups}
            assert len(rates) == 1
            lrs.append(rates.pop())
            opt.zero_grad(set_to_none=True)
            total = 0.0
            for m in range(A):
                s = slice(k * B + m * (B // A), k * B + (m + 1) * (B // A))
                loss = criterion(model(x[s]), y[s]) / A
                loss.backward()
                total += loss.item()
            losses.append(total)
            if case["clip_grad_norm"] is not None:
                nn.utils.clip_grad_norm_(model.parameters(), case["clip_grad_norm"])
            opt.step()
        if scheduler is not None:
            scheduler.step()
    case.update(steps=len(losses), steps_per_epoch=80 // B, groups=groups)
    return torch.tensor(losses, dtype=torch.float64), torch.tensor(lrs, dtype=torch.float64), \
        {n: p.detach().clone() for n, p in model.named_parameters()}


tensors = {f"weights.{k}": v for k, v in initial.items()}
tensors["data.images"] = images.contiguous()
tensors["data.labels"] = labels.to(torch.int32)
results = {}
for case in CASES:
    losses, lrs, final = train(case)
    results[case["name"]] = (losses, lrs, final)
    tensors[f"{case['name']}.losses"], tensors[f"{case['name']}.lrs"] = losses, lrs
    tensors.update({f"{case['name']}.final.{n}": p.float().contiguous() for n, p in final.items()})
    print(f"{case['name']:18s} loss {losses[0]:.10f} -> {losses[-1]:.10f}   lr {lrs[0]:.3e} .. {lrs[-1]:.3e}")

(l16, r16, f16), (lacc, racc, facc) = results["adamw_batch16"], results["adamw_accumulate2"]
rel = lambda a, b: ((a - b).abs().max() / b.abs().max().clamp_min(1e-300)).item()
worst_loss = rel(lacc, l16)
worst_weight = max(rel(facc[n], f16[n]) for n in f16)
print(f"accumulate2 vs batch16: worst relative loss difference {worst_loss:.3e}, weights {worst_weight:.3e}, "
      f"lrs equal {torch.equal(racc, r16)}")
assert worst_loss < 1e-9 and worst_weight < 1e-9 and torch.equal(racc, r16)

timm_groups = CASES[1]["groups"]
print("timm SwinV2 groups:", {k: len(v) for k, v in timm_groups.items()},
      "| q_bias/v_bias in", sorted({k for k, v in timm_groups.items() for n in v if n.endswith(("q_bias", "v_bias"))}),
      "| logit_scale in", sorted({k for k, v in timm_groups.items() for n in v if n.endswith("logit_scale")}))
config = dict(model="swinv2_tiny_window8_256", kwargs={k: list(v) if isinstance(v, tuple) else v
                                                       for k, v in MODEL_KWARGS.items()},
              seed=0, init="timm default, then every block's norm1.weight and norm2.weight set to 1.0",
              dtype="float64 training from the float32 initial weights", data_seed=3,
              data="torch.Generator().manual_seed(3): images randn(80,3,16,16), labels randint(0,5,(80,))",
              order="no shuffling; step k of every epoch uses samples [k*B, (k+1)*B)",
              state_dict_note="state_dict holds only parameters: k_bias, relative_coords_table and "
                              "relative_position_index are non-persistent buffers",
              loss_note="losses are the mean over the step's batch before the update (accumulation: sum of micro/2)",
              lr_note="lrs are param_groups[0]['lr'] used by the step (all groups equal); schedulers step per epoch",
              accumulate_vs_batch16=dict(worst_relative_loss=worst_loss, worst_relative_weight=worst_weight))
PARITY.parent.mkdir(parents=True, exist_ok=True)
save_file(tensors, str(PARITY), metadata={"config": json.dumps(config), "cases": json.dumps(CASES)})
print(f"wrote {PARITY.relative_to(ROOT)}: {PARITY.stat().st_size} bytes, {len(tensors)} tensors")


# ================================================================ file 2: torch recipe goldens
def swalr_case(strategy, anneal_epochs, swa_lr, lr, base_steps=0, count=10):
    opt = torch.optim.SGD([nn.Parameter(torch.zeros(1))], lr=lr)
    if base_steps:
        base_schedule = CosineAnnealingLR(opt, T_max=10, eta_min=0)
        for _ in range(base_steps):
            opt.step(); base_schedule.step()
    start = opt.param_groups[0]["lr"]
    swalr = SWALR(opt, swa_lr=swa_lr, anneal_epochs=anneal_epochs, anneal_strategy=strategy)
    lrs = []
    for _ in range(count):
        lrs.append(opt.param_groups[0]["lr"]); opt.step(); swalr.step()
    return {"strategy": strategy, "anneal_epochs": anneal_epochs, "swa_lr": swa_lr, "initial_lr": start, "lrs": lrs}


swalr = [swalr_case(*c) for c in [("cos", 3, 0.05, 0.5), ("linear", 5, 0.01, 0.2), ("cos", 1, 0.1, 0.4),
                                  ("linear", 0, 0.02, 0.3)]]
swalr[3]["note"] = ("torch accepts anneal_epochs=0 (only negative values raise); get_lr uses max(1, step) and "
                    "divides by max(1, anneal_epochs), so the rate is swa_lr already after construction")
after = swalr_case("cos", 3, 0.05, 0.5, base_steps=4, count=7)
after.update(name="after_base", base="CosineAnnealingLR(T_max=10, eta_min=0) on lr 0.5, stepped 4 times",
             base_lr=0.5, note="initial_lr is the rate the base schedule had reached: SWALR anneals from the "
                               "optimizer's current lr, not from the group's initial_lr")
swalr.append(after)
for c in swalr:
    print(f"SWALR {c['strategy']:6s} anneal {c['anneal_epochs']} swa {c['swa_lr']} from {c['initial_lr']:.6g}:",
          [round(v, 6) for v in c["lrs"]])

# update_bn: running statistics restarted, then the cumulative (momentum None) average over the batches.
g = torch.Generator().manual_seed(11)
spec = [(4, 1.0, 0.5), (2, 0.5, -1.0), (3, 2.0, 2.0)]  # (batch size, scale, shift)
batches = [torch.randn(n, 3, 5, 5, generator=g, dtype=torch.float64) * s + t for n, s, t in spec]
bn = nn.BatchNorm2d(3).double()
with torch.no_grad():
    bn.running_mean.fill_(0.3); bn.running_var.fill_(2.0); bn.num_batches_tracked.fill_(7)
model = nn.Sequential(bn)
update_bn(batches, model)
means = [b.mean(dim=(0, 2, 3)) for b in batches]
variances = [b.var(dim=(0, 2, 3), unbiased=True) for b in batches]
assert torch.allclose(bn.running_mean, sum(means) / 3) and torch.allclose(bn.running_var, sum(variances) / 3)
update_bn_fixture = dict(
    model="nn.Sequential(nn.BatchNorm2d(3)), float64", batch_shapes=[list(b.shape) for b in batches],
    scale_shift=[[s, t] for _, s, t in spec], inputs=[b.reshape(-1).tolist() for b in batches],
    initial_running_mean=[0.3] * 3, initial_running_var=[2.0] * 3, initial_num_batches_tracked=7,
    running_mean=bn.running_mean.tolist(), running_var=bn.running_var.tolist(),
    num_batches_tracked=int(bn.num_batches_tracked), momentum_after=bn.momentum,
    batch_means=[m.tolist() for m in means], batch_vars_unbiased=[v.tolist() for v in variances],
    note="update_bn resets the statistics and uses momentum None (cumulative average): the result is the plain "
         "mean over batches of each batch's mean and unbiased variance, not weighted by batch size")
print("update_bn running_mean", [round(v, 6) for v in update_bn_fixture["running_mean"]],
      "running_var", [round(v, 6) for v in update_bn_fixture["running_var"]])


# torchvision references/classification: utils.ExponentialMovingAverage and train.py's use of it.
class ExponentialMovingAverage(AveragedModel):
    def __init__(self, model, decay, device="cpu"):
        def ema_avg(avg_model_param, model_param, num_averaged):
            return decay * avg_model_param + (1 - decay) * model_param
        super().__init__(model, device, ema_avg, use_buffers=True)


def adjusted_decay(batch_size, world_size, steps, epochs, decay):
    adjust = world_size * batch_size * steps / epochs
    alpha = min(1.0, (1.0 - decay) * adjust)
    return dict(batch_size=batch_size, world_size=world_size, steps=steps, epochs=epochs, decay=decay,
                adjusted=1.0 - alpha)


adjusted = [adjusted_decay(*c) for c in [(128, 8, 32, 300, 0.99998), (64, 1, 32, 600, 0.99998),
                                         (128, 1, 1, 10, 0.999), (32, 1, 4, 2, 0.9)]]
g = torch.Generator().manual_seed(5)
toy = nn.Module(); toy.w = nn.Parameter(torch.randn(6, generator=g, dtype=torch.float64))
initial_w = toy.w.detach().tolist()
ema = ExponentialMovingAverage(toy, decay=0.7)
STEPS, WARMUP, EPOCHS, BATCHES = 2, 1, 3, 5
sequence, updates, resets = [], [], []
for epoch in range(EPOCHS):
    for i in range(BATCHES):
        with torch.no_grad():
            toy.w.copy_(torch.randn(6, generator=g, dtype=torch.float64))  # the "optimizer step"
        updated = i % STEPS == 0
        if updated:
            ema.update_parameters(toy); updates.append([epoch, i])
            if epoch < WARMUP:
                ema.n_averaged.fill_(0); resets.append([epoch, i])
        sequence.append(dict(epoch=epoch, batch=i, w=toy.w.detach().tolist(), ema=ema.module.w.detach().tolist(),
                             updated=updated, n_averaged=int(ema.n_averaged)))
ema_fixture = dict(
    adjusted_decays=adjusted, formula="adjust = world_size*batch_size*model_ema_steps/epochs; "
                                      "alpha = min(1, (1-decay)*adjust); decay = 1-alpha",
    decay=0.7, model_ema_steps=STEPS, lr_warmup_epochs=WARMUP, epochs=EPOCHS, batches_per_epoch=BATCHES,
    initial_w=initial_w, updating_batches=updates, n_averaged_reset_after=resets, sequence=sequence,
    note="after batch i of epoch e: if i % steps == 0: update_parameters (copies when n_averaged == 0, else "
         "decay*ema + (1-decay)*w), then if e < warmup_epochs: n_averaged = 0; so the first update after warm-up "
         "copies too")
print("EMA adjusted decays", [round(a["adjusted"], 8) for a in adjusted], "updates at", updates)

# torchvision's own Swin V2 recipe groups on torchvision.models.swin_v2_t (random init).
swin = torchvision.models.swin_v2_t()
grouped = set_weight_decay(swin, 0.05, norm_weight_decay=0.0,
                           custom_keys_weight_decay=with_position_bias_keys(swin, TV_CUSTOM_KEYS))
where = {n: (key, wd) for key, wd, ps in grouped for n, _ in ps}
parameters = [dict(name=n, group=where[n][0], weight_decay=where[n][1], shape=list(p.shape),
                   module=type(swin.get_submodule(n.rsplit(".", 1)[0])).__name__) for n, p in swin.named_parameters()]
assert len(where) == len(parameters)
sizes = {key: dict(weight_decay=wd, parameters=len(ps), elements=sum(p.numel() for _, p in ps)) for key, wd, ps in grouped}
kinds = {}
for item in parameters:  # name with the block indices as '#', and the owning module's class
    kinds.setdefault(re.sub(r"[.]\d+(?=[.])", ".#", item["name"]) + f" ({item['module']})", set()).add(item["group"])
print("swin_v2_t groups", sizes)
for kind, found in kinds.items():
    print(f"  {kind:45s} -> {', '.join(sorted(found))}")
tv_fixture = dict(model="torchvision.models.swin_v2_t() random init", weight_decay=0.05, norm_weight_decay=0.0,
                  custom_keys_weight_decay=TV_CUSTOM_KEYS, position_bias_keys="one dotted key per cpb_mlp / logit_scale parameter, decay 0",
                  group_order=[key for key, _, _ in grouped],
                  groups=sizes, parameters=parameters)

RECIPES.parent.mkdir(parents=True, exist_ok=True)
with open(RECIPES, "w") as f:
    json.dump({"swalr": swalr, "update_bn": update_bn_fixture, "ema_torchvision": ema_fixture,
               "weight_decay_groups_swin_v2_t": tv_fixture}, f, separators=(",", ":"))
print(f"wrote {RECIPES.relative_to(ROOT)}: {RECIPES.stat().st_size} bytes")
