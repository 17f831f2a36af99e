#!/usr/bin/env python3
"""Writes the bfloat16 fixture: a SwinV2 (timm) small enough to commit but with products deep enough
for runner's bfloat16 kernel (embed_dim 32, so depths 32-256), random non-trivial weights (as
make_parity.py), an input batch, the float32 logits and PyTorch's own
torch.autocast("cpu", dtype=torch.bfloat16) logits on the same weights and input. The test
(Tests/ModelsTests/SwinV2/SwinV2BFloat16Tests.swift) holds runner's bfloat16 error against the
float32 logits to at most PyTorch's.

    ../venv-torch/bin/python tools/make_bfloat16_golden.py
"""
import json
import pathlib

import timm
import torch
from safetensors.torch import save_file

from make_parity import OUT, randomise

CONFIG = dict(img_size=32, patch_size=2, in_chans=3, num_classes=10, embed_dim=32, depths=(2, 2),
              num_heads=(2, 4), window_size=4)


def main():
    model = timm.create_model("swinv2_tiny_window8_256", pretrained=False, drop_path_rate=0.0, **CONFIG)
    randomise(model)
    model.eval()
    x = torch.randn(4, 3, 32, 32, generator=torch.Generator().manual_seed(3))
    with torch.no_grad():
        logits = model(x)
        with torch.autocast("cpu", dtype=torch.bfloat16):
            autocast = model(x).float()
    error = ((autocast - logits).abs().max() / logits.abs().max()).item()
    tensors = {f"weights.{k}": (v.float() if v.is_floating_point() else v).contiguous() for k, v in model.state_dict().items()}
    tensors["input"] = x
    tensors["logits"] = logits
    tensors["logits_autocast"] = autocast
    config = {"family": "swinv2", "flavor": "timm", **CONFIG}
    path = OUT / "swinv2_timm_bfloat16.safetensors"
    save_file(tensors, str(path), metadata={"config": json.dumps(config), "autocast_error": f"{error:.6e}"})
    print(f"{path.name}: {path.stat().st_size} bytes; autocast max |Δlogit| / max |logit| = {error:.3e}")


if __name__ == "__main__":
    main()
