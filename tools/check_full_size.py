#!/usr/bin/env python3
"""Checks full-size networks against timm, torchvision and Hugging Face transformers with random
weights, through the runner binary: the PyTorch model's weights (under its own names) and an input
batch go to safetensors files, `runner predict --input … --logits-out …` computes the logits, and the
two are compared.

Then the other direction: for each case whose canonical names are the source's own (timm, and
torchvision's ResNet), `runner train` makes a one-step checkpoint of the full-size network, which must
load into the PyTorch model with `load_state_dict(strict=True)` and give the logits `runner predict`
gives with it.

    ../venv-torch/bin/python tools/check_full_size.py [--runner .build/release/runner] [CASE …]

With --amp, bfloat16 instead: the PyTorch model under torch.autocast("cpu", dtype=torch.bfloat16)
and `runner predict --amp`, each compared with PyTorch's float32 logits on the same weights and
input; runner's bfloat16 error must not exceed PyTorch's own (needs AVX512-BF16).
"""
import argparse
import pathlib
import subprocess
import sys
import tempfile

import torch
from safetensors.torch import load_file, save_file

def hf_swinv2_tiny_window8_256():
    """transformers' Swinv2ForImageClassification configured as timm's swinv2_tiny_window8_256."""
    from transformers import Swinv2Config, Swinv2ForImageClassification
    config = Swinv2Config(image_size=256, patch_size=4, num_channels=3, embed_dim=96, depths=[2, 2, 6, 2],
                          num_heads=[3, 6, 12, 24], window_size=8, mlp_ratio=4.0, qkv_bias=True, drop_path_rate=0.0,
                          pretrained_window_sizes=[0, 0, 0, 0], num_labels=1000)
    return Swinv2ForImageClassification(config)


def hf_resnet50():
    """transformers' ResNetForImageClassification with the microsoft/resnet-50 architecture."""
    from transformers import ResNetConfig, ResNetForImageClassification
    return ResNetForImageClassification(ResNetConfig(embedding_size=64, hidden_sizes=[256, 512, 1024, 2048],
                                                     depths=[3, 4, 6, 3], layer_type="bottleneck", num_labels=1000))


CASES = {
    # case: (runner name, source, builder, input size, weights format, checkpoint goes back into the source)
    "swinv2_tiny_window8_256": ("swinv2_tiny_window8_256", "timm",
                                lambda: __import__("timm").create_model("swinv2_tiny_window8_256"), 256, "timm", True),
    "swin_v2_t": ("swin_v2_t", "torchvision", lambda: __import__("torchvision").models.swin_v2_t(), 256, "torchvision", False),
    "twins_svt_small": ("twins_svt_small", "timm", lambda: __import__("timm").create_model("twins_svt_small"), 224, "timm", True),
    "twins_pcpvt_small": ("twins_pcpvt_small", "timm", lambda: __import__("timm").create_model("twins_pcpvt_small"), 224, "timm", True),
    "resnet50": ("resnet50", "torchvision", lambda: __import__("torchvision").models.resnet50(), 224, "torchvision", True),
    "hf_swinv2_tiny_window8_256": ("swinv2_tiny_window8_256", "transformers", hf_swinv2_tiny_window8_256, 256, "hf", False),
    "hf_resnet50": ("resnet50", "transformers", hf_resnet50, 224, "hf", False),
}

# A recipe for one training step of a full-size network on synthetic images (the checkpoint check).
ONE_STEP_RECIPE = """\
model: {model}
num_classes: 1000
in_channels: 3
image_resize: {size}
dataset: synthetic
num_samples: 2
batch_size: 2
epoch_size: 1
opt: adamw
lr: 0.0001
warmup_epochs: 0
decay_epochs: 1
val_while_train: False
"""


def perturb(model):
    """Random weights that exercise every path (the stock init zeroes SwinV2's post-norms)."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith(("norm1.weight", "norm2.weight", "layernorm_before.weight", "layernorm_after.weight")):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
        for name, b in model.named_buffers():
            if name.endswith("running_var"):
                b.copy_(1 + 0.1 * torch.rand(b.shape, generator=g))


def logits_of(model, x):
    """Eval logits of a timm/torchvision model or a transformers one (which returns an output object)."""
    with torch.no_grad():
        out = model(x)
    return out.logits if hasattr(out, "logits") else out


def runner_logits(args, name, weights, fmt, x, tmp, amp=False):
    """`runner predict --input x --logits-out …` under `weights`; (logits, None) or (None, error text)."""
    save_file({"input": x.contiguous()}, str(tmp / "input.safetensors"))
    command = [args.runner, "predict", "--model", name, "--weights", str(weights), "--weights-format", fmt,
               "--input", str(tmp / "input.safetensors"), "--logits-out", str(tmp / "logits.safetensors")]
    if amp:
        command.append("--amp")
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        return None, result.stderr
    return load_file(str(tmp / "logits.safetensors"))["logits"], None


def compare(ours, expected):
    error = ((ours - expected).abs().max() / expected.abs().max()).item()
    agree = (ours.argmax(-1) == expected.argmax(-1)).all().item()
    return error, agree, error < 1e-4 and agree


def check_weights_in(args, case, x, tmp):
    """The source's random weights → runner predict; logits compared. True when they agree."""
    name, source, build, size, fmt, _ = CASES[case]
    torch.manual_seed(0)
    model = build().eval()
    perturb(model)
    expected = logits_of(model, x)
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(tmp / "weights.safetensors"), metadata={"format": "pt"})
    ours, failure = runner_logits(args, name, tmp / "weights.safetensors", fmt, x, tmp)
    if failure is not None:
        print(f"{case}: runner failed:\n{failure}")
        return False
    error, agree, ok = compare(ours, expected)
    absolute = (ours - expected).abs().max().item()
    print(f"{case}: {name} vs {source} ({fmt} names): max |Δlogit| / max |logit| = {error:.2e} "
          f"(max |Δlogit| {absolute:.2e}, max |logit| {expected.abs().max().item():.2f}), top-1 agrees: {agree}  "
          f"{'ok' if ok else 'MISMATCH'}")
    return ok


def check_bfloat16(args, case, x, tmp):
    """bfloat16 against float32 on the same weights and input: PyTorch's autocast, then runner --amp.
    True when runner's error is at most PyTorch's."""
    name, source, build, size, fmt, _ = CASES[case]
    torch.manual_seed(0)
    model = build().eval()
    perturb(model)
    expected = logits_of(model, x)
    with torch.autocast("cpu", dtype=torch.bfloat16):
        theirs = logits_of(model, x).float()
    state = {k: v.contiguous() for k, v in model.state_dict().items()}
    save_file(state, str(tmp / "weights.safetensors"), metadata={"format": "pt"})
    ours, failure = runner_logits(args, name, tmp / "weights.safetensors", fmt, x, tmp, amp=True)
    if failure is not None:
        print(f"{case}: runner predict --amp failed:\n{failure}")
        return False
    their_error, their_agree, _ = compare(theirs, expected)
    our_error, our_agree, _ = compare(ours, expected)
    mean_theirs = ((theirs - expected).abs().mean() / expected.abs().mean()).item()
    mean_ours = ((ours - expected).abs().mean() / expected.abs().mean()).item()
    ok = our_error <= their_error
    print(f"{case}: bfloat16 vs float32 logits, max |Δlogit| / max |logit| (mean |Δ| / mean |logit|): "
          f"PyTorch autocast {their_error:.2e} ({mean_theirs:.2e}, top-1 agrees {their_agree}), "
          f"runner --amp {our_error:.2e} ({mean_ours:.2e}, top-1 agrees {our_agree})  {'ok' if ok else 'LARGER'}")
    return ok


def check_checkpoint_out(args, case, x, tmp):
    """runner's own checkpoint → the source's model with strict=True; logits compared."""
    name, source, build, size, fmt, _ = CASES[case]
    (tmp / "one-step.yaml").write_text(ONE_STEP_RECIPE.format(model=name, size=size))
    result = subprocess.run([args.runner, "train", "-c", "one-step.yaml"], capture_output=True, text=True, cwd=tmp)
    runs = sorted((tmp / "runs").glob("*/last.safetensors"))
    if result.returncode != 0 or not runs:
        print(f"{case}: runner train failed:\n{result.stderr[-2000:]}")
        return False
    checkpoint = runs[-1]
    model = build().eval()
    try:
        model.load_state_dict(load_file(str(checkpoint)), strict=True)
    except RuntimeError as error:
        print(f"{case}: runner's checkpoint does not load into {source} strictly: {error}")
        return False
    expected = logits_of(model, x)
    ours, failure = runner_logits(args, name, checkpoint, fmt, x, tmp)
    if failure is not None:
        print(f"{case}: runner predict on its own checkpoint failed:\n{failure}")
        return False
    error, agree, ok = compare(ours, expected)
    print(f"{case}: runner checkpoint → {source} load_state_dict(strict=True): loaded; "
          f"max |Δlogit| / max |logit| = {error:.2e}, top-1 agrees: {agree}  {'ok' if ok else 'MISMATCH'}")
    return ok


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", default=".build/release/runner")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--no-checkpoints", action="store_true", help="skip the runner → PyTorch checkpoint check")
    parser.add_argument("--amp", action="store_true", help="compare bfloat16 errors instead (PyTorch autocast vs runner --amp)")
    parser.add_argument("cases", nargs="*", default=list(CASES))
    args = parser.parse_args()
    args.runner = str(pathlib.Path(args.runner).resolve())
    failures = 0
    for case in args.cases:
        size = CASES[case][3]
        x = torch.randn(args.batch, 3, size, size, generator=torch.Generator().manual_seed(1))
        if args.amp:
            with tempfile.TemporaryDirectory() as tmp:
                failures += not check_bfloat16(args, case, x, pathlib.Path(tmp))
            continue
        with tempfile.TemporaryDirectory() as tmp:
            failures += not check_weights_in(args, case, x, pathlib.Path(tmp))
        if CASES[case][5] and not args.no_checkpoints:
            with tempfile.TemporaryDirectory() as tmp:
                failures += not check_checkpoint_out(args, case, x, pathlib.Path(tmp))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
