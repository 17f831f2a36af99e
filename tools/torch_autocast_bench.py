"""Peer throughput for runner's bfloat16 mixed precision: PyTorch eager on this CPU under
torch.autocast("cpu", dtype=torch.bfloat16) — what a timm or torchvision user on a processor with
AVX512-BF16 runs for --amp — on the networks `runner bench --model NAME --amp` measures, random
data, AdamW + label-smoothed cross-entropy (as ../shared/bench/torch_reference.py), default threads.

  python3 tools/torch_autocast_bench.py [--model NAME] [--batch B] [--steps S] [--float32]

NAME: swinv2_tiny_window8_256, twins_svt_small or fashion_mnist (the quickstart's small SwinV2 at
32 px, batch 128 unless --batch); all three by default. --float32 runs without autocast. Prints
one line per network with eval and train img/s. Alternate it with `runner bench --model NAME
--batch B --amp` in the same session and compare the ratios of interleaved rounds.

Needs torch and timm (pip install into a virtual environment outside the project)."""
import argparse, contextlib, time
import torch, timm
from timm.models.swin_transformer_v2 import SwinTransformerV2

parser = argparse.ArgumentParser()
parser.add_argument("--model", choices=["swinv2_tiny_window8_256", "twins_svt_small", "fashion_mnist"])
parser.add_argument("--batch", type=int)
parser.add_argument("--steps", type=int, default=5)
parser.add_argument("--float32", action="store_true")
args = parser.parse_args()
torch.manual_seed(0)


def autocast():
    if args.float32:
        return contextlib.nullcontext()
    return torch.autocast("cpu", dtype=torch.bfloat16)


def run(name, model, res, batch, chans=3, classes=1000):
    x = torch.randn(batch, chans, res, res); y = torch.randint(0, classes, (batch,))
    model.eval()
    with torch.no_grad(), autocast():
        model(x); model(x)
        t = time.perf_counter()
        for _ in range(args.steps): model(x)
        ev = batch * args.steps / (time.perf_counter() - t)
    model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
    lossf = torch.nn.CrossEntropyLoss(label_smoothing=0.1)

    def step():
        opt.zero_grad(set_to_none=True)
        with autocast():
            loss = lossf(model(x), y)
        loss.backward(); opt.step()
    step(); step()
    t = time.perf_counter()
    for _ in range(args.steps): step()
    tr = batch * args.steps / (time.perf_counter() - t)
    precision = "float32" if args.float32 else "bf16 autocast"
    print(f"{name}: {precision} eval {ev:.2f} img/s train {tr:.2f} img/s (batch {batch}, {res}px, threads {torch.get_num_threads()})", flush=True)


if args.model in (None, "swinv2_tiny_window8_256"):
    run("swinv2_tiny_window8_256", timm.create_model("swinv2_tiny_window8_256"), 256, args.batch or 8)
if args.model in (None, "twins_svt_small"):
    run("twins_svt_small", timm.create_model("twins_svt_small"), 224, args.batch or 8)
if args.model in (None, "fashion_mnist"):
    run("fashion_mnist (SwinV2 32 px, patch 4, dim 64, depths 2-4, heads 2-4, window 4)",
        SwinTransformerV2(img_size=32, patch_size=4, in_chans=1, num_classes=10, embed_dim=64, depths=(2, 4),
                          num_heads=(2, 4), window_size=4), 32, args.batch or 128, chans=1, classes=10)
