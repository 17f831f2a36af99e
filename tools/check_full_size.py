#!/usr/bin/env python3
"""Checks full-size networks against timm and torchvision with random weights, through the runner
binary: the PyTorch model's weights and an input batch go to safetensors files, `runner predict
--input … --logits-out …` computes the logits, and the two are compared.

    ../venv-torch/bin/python tools/check_full_size.py [--runner .build/release/runner] [MODEL …]
"""
import argparse
import pathlib
import subprocess
import sys
import tempfile

import torch
from safetensors.torch import load_file, save_file

CASES = {
    # runner name: (source, builder, input size, weights format)
    "swinv2_tiny_window8_256": ("timm", lambda: __import__("timm").create_model("swinv2_tiny_window8_256"), 256, "timm"),
    "swin_v2_t": ("torchvision", lambda: __import__("torchvision").models.swin_v2_t(), 256, "torchvision"),
    "twins_svt_small": ("timm", lambda: __import__("timm").create_model("twins_svt_small"), 224, "timm"),
    "twins_pcpvt_small": ("timm", lambda: __import__("timm").create_model("twins_pcpvt_small"), 224, "timm"),
    "resnet50": ("torchvision", lambda: __import__("torchvision").models.resnet50(), 224, "torchvision"),
}


def perturb(model):
    """Random weights that exercise every path (the stock init zeroes SwinV2's post-norms)."""
    g = torch.Generator().manual_seed(0)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm1.weight") or name.endswith("norm2.weight"):
                p.copy_(1 + 0.1 * torch.randn(p.shape, generator=g))
        for name, b in model.named_buffers():
            if name.endswith("running_var"):
                b.copy_(1 + 0.1 * torch.rand(b.shape, generator=g))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runner", default=".build/release/runner")
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("models", nargs="*", default=list(CASES))
    args = parser.parse_args()
    failures = 0
    for name in args.models:
        source, build, size, fmt = CASES[name]
        torch.manual_seed(0)
        model = build().eval()
        perturb(model)
        x = torch.randn(args.batch, 3, size, size)
        with torch.no_grad():
            expected = model(x)
        with tempfile.TemporaryDirectory() as tmp:
            tmp = pathlib.Path(tmp)
            state = {k: v.contiguous() for k, v in model.state_dict().items()}
            save_file(state, str(tmp / "weights.safetensors"))
            save_file({"input": x.contiguous()}, str(tmp / "input.safetensors"))
            command = [args.runner, "predict", "--model", name, "--weights", str(tmp / "weights.safetensors"),
                       "--weights-format", fmt, "--input", str(tmp / "input.safetensors"),
                       "--logits-out", str(tmp / "logits.safetensors")]
            result = subprocess.run(command, capture_output=True, text=True)
            if result.returncode != 0:
                print(f"{name}: runner failed:\n{result.stderr}")
                failures += 1
                continue
            ours = load_file(str(tmp / "logits.safetensors"))["logits"]
        error = ((ours - expected).abs().max() / expected.abs().max()).item()
        agree = (ours.argmax(-1) == expected.argmax(-1)).all().item()
        status = "ok" if error < 1e-4 and agree else "MISMATCH"
        failures += status != "ok"
        print(f"{name} vs {source}: max |Δlogit| / max |logit| = {error:.2e}, top-1 agrees: {agree}  {status}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
