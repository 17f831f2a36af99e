"""Forward FLOPs of one image as PyTorch counts them (torch.utils.flop_counter.FlopCounterMode:
every matrix product, batched product, convolution and fused attention, multiply-adds counted
twice; element-wise work not counted), for the expectations in
Tests/ModelsTests/Registry/ModelFLOPsTests.swift and beside `runner bench`'s forward_gflops.

  python3 tools/count_flops.py

Needs torch, torchvision and timm (a venv outside the repo). Prints one line per network: name,
input side, total FLOPs as an integer, and the share of each aten op."""
import torch, torchvision, timm
from torch.utils.flop_counter import FlopCounterMode
from timm.models.swin_transformer_v2 import SwinTransformerV2


def count(name, model, side, channels=3):
    model.eval()
    with torch.no_grad(), FlopCounterMode(display=False) as counter:
        model(torch.randn(1, channels, side, side))
    by_op = {str(op).removeprefix("aten."): flops for op, flops in counter.get_flop_counts()["Global"].items()}
    shares = ", ".join(f"{op} {flops / 1e9:.4f}" for op, flops in sorted(by_op.items()))
    print(f"{name} {side}px: {counter.get_total_flops()} FLOPs ({shares} GFLOPs)")


count("swinv2_tiny_window8_256", timm.create_model("swinv2_tiny_window8_256"), 256)
count("twins_svt_small", timm.create_model("twins_svt_small"), 224)
count("twins_pcpvt_small", timm.create_model("twins_pcpvt_small"), 224)
count("swin_v2_t", torchvision.models.swin_v2_t(), 256)
count("resnet50", torchvision.models.resnet50(), 224)
# The Fashion-MNIST recipes' SwinV2 (configs/quickstart_fashion_mnist.yaml).
count("swinv2 fashion-mnist (32px, 1 channel, patch 4, dim 64, depths 2-4, heads 2-4, window 4)",
      SwinTransformerV2(img_size=32, patch_size=4, in_chans=1, num_classes=10, embed_dim=64, depths=(2, 4),
                        num_heads=(2, 4), window_size=4), 32, channels=1)
