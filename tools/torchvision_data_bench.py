#!/usr/bin/env python3
"""The PyTorch peer of `runner bench data`: images per second of torchvision's ImageFolder with
timm's `create_transform` for a recipe's training transforms (random resized crop, flips, colour
jitter, the auto_augment policy in timm's spelling, random erasing, normalisation, with the recipe's sizes, interpolation and statistics), through a
DataLoader with the same number of worker processes and batch size, shuffled, drop_last.

Timing starts after the first batch (worker start-up excluded) and covers whole batches until
`--seconds` have passed; the loader is persistent across epochs, as runner's is.

    ../venv-torch/bin/python tools/torchvision_data_bench.py -c RECIPE --set data_dir=/tmp/imagefolder \\
        --workers 2 [--seconds 10] [--json]
"""
import argparse
import json
import os
import time

import torch
import yaml
from timm.data import create_transform
from torchvision.datasets import ImageFolder


def recipe(path, overrides):
    with open(path) as file:
        config = yaml.safe_load(file) or {}
    for item in overrides:
        key, _, value = item.partition("=")
        config[key] = yaml.safe_load(value)
    return config


def timm_policy(policy):
    """MindCV's auto_augment spellings in timm's (the options after the name are the same)."""
    if not policy:
        return None
    name, _, options = policy.partition("-")
    name = {"randaug": "rand", "autoaug": "original", "autoaugr": "originalr"}.get(name, name)
    return name + ("-" + options if options else "")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-c", "--config", required=True)
    parser.add_argument("--set", action="append", default=[], dest="overrides")
    parser.add_argument("--workers", type=int, default=None, help="default: the recipe's num_parallel_workers")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    config = recipe(args.config, args.overrides)
    # MindCV's defaults for the keys a recipe may leave out.
    size = config.get("image_resize", 224)
    mean = [m / 255 for m in config.get("mean", [123.675, 116.28, 103.53])]
    std = [s / 255 for s in config.get("std", [58.395, 57.12, 57.375])]
    jitter = config.get("color_jitter", 0.4)
    transform = create_transform(
        input_size=size, is_training=True, scale=tuple(config.get("scale", [0.08, 1.0])),
        ratio=tuple(config.get("ratio", [0.75, 1.333])), hflip=config.get("hflip", 0.5), vflip=config.get("vflip", 0.0),
        color_jitter=tuple(jitter) if isinstance(jitter, list) else jitter,
        auto_augment=timm_policy(config.get("auto_augment")), interpolation=config.get("interpolation", "bilinear"),
        mean=tuple(mean), std=tuple(std), re_prob=config.get("re_prob", 0.0))
    root = os.path.join(config.get("data_dir", "./"), config.get("train_split", "train"))
    dataset = ImageFolder(root, transform=transform)
    workers = args.workers if args.workers is not None else config.get("num_parallel_workers", 8)
    batch = config.get("batch_size", 128)
    torch.manual_seed(config.get("seed", 42))
    loader = torch.utils.data.DataLoader(dataset, batch_size=batch, shuffle=True, num_workers=workers, drop_last=True,
                                         persistent_workers=workers > 0)
    images, start, seconds = 0, None, 0.0
    while seconds < args.seconds:
        for data, _ in loader:
            if start is None:
                start = time.perf_counter()
                continue
            images += data.shape[0]
            seconds = time.perf_counter() - start
            if seconds >= args.seconds:
                break
    result = {"img_s": images / seconds, "images": images, "seconds": seconds, "workers": workers, "batch_size": batch,
              "image_size": size, "files": len(dataset), "transform": str(transform).replace("\n", " ")}
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        print(f"torchvision ImageFolder + timm transforms: {result['img_s']:.1f} img/s ({images} images in "
              f"{seconds:.2f} s, {workers} workers, batch {batch}, {size} px)")


if __name__ == "__main__":
    main()
