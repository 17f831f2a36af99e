#!/usr/bin/env python3
"""Writes parity fixtures for the model families: small configurations of timm's and torchvision's
networks with random (non-trivial) weights, an input batch, the logits, and the gradients of
sum(logits * upstream) with respect to the input and to every parameter, computed in float64.

One safetensors file per case in Tests/ModelsTests/Fixtures/:
  weights.<name>  the parameters and persistent buffers under the source's own names
  input           [B, C, H, W]
  upstream        [B, classes]
  logits          [B, classes]
  grad.input, grad.<name>
and the metadata entry "config" (JSON) naming the family and its hyper-parameters.

    ../venv-torch/bin/python tools/make_parity.py
"""
import json
import math
import pathlib

import torch
from safetensors.torch import save_file

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "ModelsTests" / "Fixtures"


def randomise(model):
    """Replace the initialisation (zero post-norms, tiny weights) with values that exercise every path."""
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for name, p in model.named_parameters():
            leaf = name.rsplit(".", 1)[-1]
            if "logit_scale" in name:
                p.copy_(math.log(10) + 0.3 * torch.randn(p.shape, generator=g))
            elif "norm" in name and leaf == "weight" or name.endswith("bn.weight"):
                p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
            elif leaf in ("bias", "q_bias", "v_bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            elif p.dim() >= 2:
                fan_in = p[0].numel()
                p.copy_(torch.randn(p.shape, generator=g) / math.sqrt(fan_in))
            else:
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
        for name, b in model.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(0.1 * torch.randn(b.shape, generator=g))
            elif name.endswith("running_var"):
                b.copy_(1 + 0.2 * torch.rand(b.shape, generator=g))


def export(name, model, config, batch, in_channels, size):
    """Eval logits (running statistics), then one train-mode forward (batch statistics) with the
    gradients of sum(logits_train * upstream) and the running statistics it leaves behind."""
    randomise(model)
    model = model.double()
    g = torch.Generator().manual_seed(2)
    x = torch.randn(batch, in_channels, size, size, generator=g, dtype=torch.float64)
    state = {k: v.detach().clone() for k, v in model.state_dict().items()}
    model.eval()
    with torch.no_grad():
        logits = model(x)
    model.train()
    x.requires_grad_(True)
    logits_train = model(x)
    upstream = torch.randn(logits_train.shape, generator=g, dtype=torch.float64)
    (logits_train * upstream).sum().backward()
    tensors = {f"weights.{k}": (v.float() if v.is_floating_point() else v).contiguous() for k, v in state.items()}
    tensors["input"] = x.detach().float()
    tensors["upstream"] = upstream.float()
    tensors["logits"] = logits.float()
    tensors["logits_train"] = logits_train.detach().float()
    tensors["grad.input"] = x.grad.float()
    for k, p in model.named_parameters():
        tensors[f"grad.{k}"] = p.grad.float()
    for k, b in model.named_buffers():
        if k.endswith("running_mean") or k.endswith("running_var"):
            tensors[f"after_train.{k}"] = b.detach().float().contiguous()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.safetensors"
    save_file(tensors, str(path), metadata={"config": json.dumps(config)})
    params = sum(p.numel() for p in model.parameters())
    print(f"{path.name}: {params} parameters, {path.stat().st_size} bytes")


def swinv2_cases():
    import timm
    import torchvision.models.swin_transformer as tv

    cases = [
        ("swinv2_timm_small", dict(img_size=32, patch_size=2, in_chans=3, num_classes=10, embed_dim=16,
                                   depths=(2, 2), num_heads=(2, 4), window_size=4)),
        ("swinv2_timm_padded", dict(img_size=40, patch_size=4, in_chans=1, num_classes=7, embed_dim=16,
                                    depths=(2, 2), num_heads=(2, 2), window_size=4, pretrained_window_sizes=(6, 3))),
    ]
    for name, kwargs in cases:
        model = timm.create_model("swinv2_tiny_window8_256", pretrained=False, drop_path_rate=0.0, **kwargs)
        export(name, model, {"family": "swinv2", "flavor": "timm", **kwargs}, 2, kwargs["in_chans"], kwargs["img_size"])

    kwargs = dict(patch_size=[4, 4], embed_dim=16, depths=[2, 2], num_heads=[2, 4], window_size=[4, 4],
                  stochastic_depth_prob=0.0, num_classes=10)
    model = tv.SwinTransformer(block=tv.SwinTransformerBlockV2, downsample_layer=tv.PatchMergingV2, **kwargs)
    export("swinv2_torchvision_padded", model,
           {"family": "swinv2", "flavor": "torchvision", "img_size": 40, "in_chans": 3, **kwargs}, 2, 3, 40)


def twins_cases():
    from timm.models.twins import Twins

    cases = [
        ("twins_svt_padded", dict(img_size=56, patch_size=4, in_chans=3, num_classes=10, embed_dims=[16, 32],
                                  depths=[2, 2], num_heads=[2, 4], mlp_ratios=[2, 2], sr_ratios=[2, 1], wss=[4, 4])),
        ("twins_pcpvt_small", dict(img_size=32, patch_size=4, in_chans=3, num_classes=10, embed_dims=[16, 32],
                                   depths=[2, 2], num_heads=[1, 2], mlp_ratios=[4, 4], sr_ratios=[4, 2])),
    ]
    for name, kwargs in cases:
        model = Twins(**kwargs)
        export(name, model, {"family": "twins", **kwargs}, 2, kwargs["in_chans"], kwargs["img_size"])


def resnet_cases():
    """torchvision's ResNet code at a small width: its own blocks and _make_layer, widths 8-64."""
    import torch.nn as nn
    import torchvision.models.resnet as tv

    for name, block, layers, classes in [("resnet_basic_small", tv.BasicBlock, [1, 2, 1, 1], 10),
                                         ("resnet_bottleneck_small", tv.Bottleneck, [1, 1, 2, 1], 7)]:
        model = tv.ResNet(block, [1, 1, 1, 1], num_classes=classes)
        width = 8
        model.inplanes = width
        model.conv1 = nn.Conv2d(3, width, kernel_size=7, stride=2, padding=3, bias=False)
        model.bn1 = nn.BatchNorm2d(width)
        model.layer1 = model._make_layer(block, width, layers[0])
        model.layer2 = model._make_layer(block, width * 2, layers[1], stride=2)
        model.layer3 = model._make_layer(block, width * 4, layers[2], stride=2)
        model.layer4 = model._make_layer(block, width * 8, layers[3], stride=2)
        model.fc = nn.Linear(width * 8 * block.expansion, classes)
        config = {"family": "resnet", "block": "basic" if block is tv.BasicBlock else "bottleneck", "layers": layers,
                  "width": width, "num_classes": classes, "in_chans": 3, "img_size": 33}
        export(name, model, config, 3, 3, 33)


def main():
    torch.manual_seed(0)
    swinv2_cases()
    twins_cases()
    resnet_cases()


if __name__ == "__main__":
    main()
