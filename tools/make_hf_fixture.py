#!/usr/bin/env python3
"""Writes the Hugging Face (transformers) SwinV2 fixture: a tiny `Swinv2ForImageClassification` with
random (non-trivial) weights, saved the way transformers saves it, plus an input batch and its logits.

Tests/ModelsTests/Fixtures/swinv2_hf_tiny/
  model.safetensors      the state dict under transformers' names (`swinv2.encoder.layers.0.blocks.1.attention.self.query.weight`, …)
  config.json            transformers' config, with `id2label` (read by `runner predict` for class names)
  expected.safetensors   input [B, 3, H, W], logits [B, classes] (eval mode); metadata "config" (JSON,
                         timm's keyword names) for building the same network in Swift

As a check of the name mapping the Swift loader implements (SwinV2HuggingFaceNames.swift), the
same weights are mapped onto timm's names here too, loaded into timm with strict=True, and the
logits compared.

    ../venv-torch/bin/python tools/make_hf_fixture.py
"""
import json
import pathlib
import re
import sys

import torch
from safetensors.torch import save_file

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from make_parity import randomise  # noqa: E402

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "ModelsTests" / "Fixtures" / "swinv2_hf_tiny"
LABELS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]


def hf_to_timm(state):
    """transformers' Swinv2ForImageClassification names → timm's (the mapping the Swift loader implements)."""
    out, qkv = {}, {}
    for k, v in state.items():
        k = k.removeprefix("swinv2.")
        m = re.fullmatch(r"encoder\.layers\.(\d+)\.blocks\.(\d+)\.(.*)", k)
        if m:
            s, b, rest = m.groups()
            p = f"layers.{s}.blocks.{b}."
            for hf, timm_name in [("layernorm_before.", "norm1."), ("layernorm_after.", "norm2."),
                                  ("intermediate.dense.", "mlp.fc1."), ("output.dense.", "mlp.fc2."),
                                  ("attention.output.dense.", "attn.proj."),
                                  ("attention.self.continuous_position_bias_mlp.", "attn.cpb_mlp."),
                                  ("attention.self.logit_scale", "attn.logit_scale"),
                                  ("attention.self.query.bias", "attn.q_bias"), ("attention.self.value.bias", "attn.v_bias")]:
                if rest.startswith(hf):
                    out[p + timm_name + rest[len(hf):]] = v
                    break
            else:
                part = re.fullmatch(r"attention\.self\.(query|key|value)\.weight", rest)
                assert part, k
                qkv.setdefault(p + "attn.qkv.weight", {})[part.group(1)] = v
            continue
        m = re.fullmatch(r"encoder\.layers\.(\d+)\.downsample\.(.*)", k)
        if m:
            out[f"layers.{int(m.group(1)) + 1}.downsample.{m.group(2)}"] = v
            continue
        k = (k.replace("embeddings.patch_embeddings.projection.", "patch_embed.proj.")
             .replace("embeddings.norm.", "patch_embed.norm.").replace("classifier.", "head.fc."))
        out[re.sub(r"^layernorm\.", "norm.", k)] = v
    for k, parts in qkv.items():
        out[k] = torch.cat([parts["query"], parts["key"], parts["value"]], 0)
    return out


def main():
    import timm
    from transformers import Swinv2Config, Swinv2ForImageClassification

    torch.manual_seed(0)
    config = Swinv2Config(image_size=32, patch_size=4, num_channels=3, embed_dim=16, depths=[2, 1], num_heads=[2, 2],
                          window_size=4, num_labels=10, id2label=dict(enumerate(LABELS)),
                          label2id={name: i for i, name in enumerate(LABELS)})
    model = Swinv2ForImageClassification(config).eval()
    randomise(model)
    g = torch.Generator().manual_seed(2)
    x = torch.randn(2, 3, 32, 32, generator=g)
    with torch.no_grad():
        logits = model(x).logits

    timm_kwargs = dict(img_size=32, patch_size=4, in_chans=3, num_classes=10, embed_dim=16, depths=[2, 1],
                       num_heads=[2, 2], window_size=4)
    reference = timm.create_model("swinv2_tiny_window8_256", pretrained=False, **timm_kwargs).eval()
    reference.load_state_dict(hf_to_timm(model.state_dict()), strict=True)
    with torch.no_grad():
        error = (reference(x) - logits).abs().max().item()
    print(f"timm with the mapped names: max |Δlogit| = {error:.2e}")
    assert error < 1e-5

    OUT.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(OUT, safe_serialization=True)
    save_file({"input": x.contiguous(), "logits": logits.contiguous()}, str(OUT / "expected.safetensors"),
              metadata={"config": json.dumps({"family": "swinv2", "flavor": "timm", **timm_kwargs})})
    for path in sorted(OUT.iterdir()):
        print(f"{path.relative_to(OUT.parent.parent)}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
