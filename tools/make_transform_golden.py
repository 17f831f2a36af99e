#!/usr/bin/env python3
"""Writes the photographs' transform fixtures (Tests/DatasetsTests/Fixtures/transforms/): small
deterministic images and what Pillow, torchvision and timm make of them, for
Tests/DatasetsTests/Transforms. Run with the venv that has them:

    ../venv-torch/bin/python tools/make_transform_golden.py
    ../venv-torch/bin/python tools/make_transform_golden.py --probe PHOTO.jpg DIR   # a real photograph

The probe mode writes DIR/probe.json and PNGs for one photograph (not committed): torchvision's
resized_crop of Pillow's full decode for 224 px training crops and timm's 224 px evaluation crop,
for `RUNNER_JPEG_PROBE=DIR` in ReducedScaleJPEGTests (exactness, reduced-scale error, timing).

Outputs that are images are PNG files (8-bit, exact); float outputs are little-endian float32
`.bin` files; geometry and the list of cases are in `cases.json`.

Random draws are fed, not sampled: each case lists uniforms u in [0, 1) and the Python `random`
functions timm calls are replaced by ones that consume them, with the conventions the Swift side
uses: uniform(a, b) = a + (b − a)·u (Python's own formula), randint(a, b) = a + int(u·(b − a + 1)),
choice(s) = s[int(u·len(s))], random() = u.
"""
import json
import math
import pathlib
import random

import numpy as np
from PIL import Image
import torchvision.transforms.functional as TF
from timm.data import transforms as timm_transforms
from timm.data.transforms_factory import transforms_imagenet_eval

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "DatasetsTests" / "Fixtures" / "transforms"

FILTERS = {
    "nearest": Image.Resampling.NEAREST,
    "box": Image.Resampling.BOX,
    "bilinear": Image.Resampling.BILINEAR,
    "hamming": Image.Resampling.HAMMING,
    "bicubic": Image.Resampling.BICUBIC,
    "lanczos": Image.Resampling.LANCZOS,
}


def textured(h, w, seed):
    """Smooth gradients, a sine grating, sharp-edged blocks and a little noise: every filter's
    ringing, clipping and edge handling shows, and PNG still compresses it."""
    rng = np.random.RandomState(seed)
    y, x = np.mgrid[0:h, 0:w].astype(np.float64)
    r = 255 * x / (w - 1)
    g = 128 + 120 * np.sin(x * 0.9 + y * 0.35)
    b = 255 * ((x // 6 + y // 5) % 2)
    b[h // 3: h // 2, :] = 255 - 255 * y[h // 3: h // 2, :] / h
    image = np.stack([r, g, b], axis=-1) + rng.randint(-3, 4, size=(h, w, 3))
    image[h // 4: h // 4 + 5, w // 2: w // 2 + 7] = [255, 0, 255]
    return np.clip(image, 0, 255).astype(np.uint8)


class Draws:
    """Feeds a fixed list of uniforms to the `random` functions timm calls."""

    def __init__(self, uniforms):
        self.uniforms = list(uniforms)
        self.used = 0

    def next(self):
        u = self.uniforms[self.used]
        self.used += 1
        return u

    def __enter__(self):
        self.saved = (random.uniform, random.randint, random.choice, random.random)
        random.uniform = lambda a, b: a + (b - a) * self.next()
        random.randint = lambda a, b: a + int(self.next() * (b - a + 1))
        random.choice = lambda s: s[int(self.next() * len(s))]
        random.random = self.next
        return self

    def __exit__(self, *_):
        random.uniform, random.randint, random.choice, random.random = self.saved


def save_png(array, name):
    Image.fromarray(array).save(OUT / name, optimize=True)
    return name


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    for old in OUT.iterdir():
        old.unlink()
    photo = Image.fromarray(textured(48, 64, 1), "RGB")
    photo.save(OUT / "photo.png", optimize=True)
    grey = Image.fromarray(textured(30, 40, 2)[..., 1], "L")
    grey.save(OUT / "grey.png", optimize=True)
    # A larger JPEG for the reduced-scale and region decoding (4:2:0, as most photographs).
    big = Image.fromarray(np.kron(textured(60, 80, 3), np.ones((2, 2, 1), np.uint8)), "RGB")
    big.save(OUT / "photo.jpg", quality=75, subsampling=2)
    cases = {"resize": [], "resized_crop": [], "rrc_params": [], "rrc": [], "eval": [], "normalize": []}

    # Image.resize as torchvision calls it (reducing_gap None), up, down, mixed, and with a box.
    for name, f in FILTERS.items():
        for i, (w, h, box) in enumerate([(67, 50, None), (23, 17, None), (50, 52, None), (30, 20, (5.5, 3.25, 50.0, 40.5))]):
            for source, tag in [(photo, "photo"), (grey, "grey")]:
                if (tag == "grey" or name == "hamming") and i != 1 or tag == "grey" and name in ("nearest", "hamming"):
                    continue
                out = source.resize((w, h), f, box=box)
                file = save_png(np.asarray(out), f"resize_{tag}_{name}_{i}.png")
                cases["resize"].append({"source": f"{tag}.png", "filter": name, "width": w, "height": h,
                                        "box": list(box) if box else None, "expected": file})

    # torchvision's resized_crop (crop, then resize): the crop's edges clamp the filter.
    for name, f in FILTERS.items():
        top, left, ch, cw = 7, 11, 30, 41
        out = TF.resized_crop(photo, top, left, ch, cw, [24, 24], TF.InterpolationMode(name) if name != "hamming"
                              else TF.InterpolationMode.HAMMING)
        file = save_png(np.asarray(out), f"resized_crop_{name}.png")
        cases["resized_crop"].append({"filter": name, "top": top, "left": left, "height": ch, "width": cw,
                                      "size": 24, "expected": file})

    # timm's RandomResizedCropAndInterpolation.get_params on fixed draws, including the fallback.
    rng = np.random.RandomState(7)
    settings = [((0.08, 1.0), (3 / 4, 4 / 3)), ((0.5, 1.0), (0.2, 5.0)), ((0.9, 1.0), (3.0, 4.0)),
                ((0.95, 1.0), (0.1, 0.2)), ((1.0, 1.0), (1.0, 1.0))]
    for (scale, ratio) in settings:
        for (h, w) in [(48, 64), (375, 500), (28, 28)]:
            for _ in range(2):
                uniforms = rng.uniform(size=22).tolist()
                with Draws(uniforms) as draws:
                    i, j, ch, cw = timm_transforms.RandomResizedCropAndInterpolation.get_params(
                        Image.new("RGB", (w, h)), scale, ratio)
                    used = draws.used
                cases["rrc_params"].append({"height": h, "width": w, "scale": list(scale), "ratio": list(ratio),
                                            "uniforms": uniforms[:used], "crop": [i, j, ch, cw]})

    # The whole random resized crop, interpolation 'random' (timm's choice of bilinear/bicubic).
    for k, interpolation in enumerate(["random", "random", "bicubic", "nearest"]):
        uniforms = rng.uniform(size=23).tolist()
        transform = timm_transforms.RandomResizedCropAndInterpolation(32, scale=(0.25, 1.0), interpolation=interpolation)
        with Draws(uniforms) as draws:
            out = transform(photo)
            used = draws.used
        file = save_png(np.asarray(out), f"rrc_{k}.png")
        cases["rrc"].append({"size": 32, "scale": [0.25, 1.0], "ratio": [3 / 4, 4 / 3], "interpolation": interpolation,
                             "uniforms": uniforms[:used], "expected": file})

    # timm's evaluation transform: shorter side to floor(size / crop_pct), centre crop.
    for k, (source, tag, size, crop_pct, interpolation) in enumerate([
            (photo, "photo", 32, 0.875, "bicubic"), (photo, "photo", 40, 1.0, "bilinear"),
            (photo, "photo", 45, 0.9, "bilinear"), (grey, "grey", 24, 0.875, "bicubic"),
            (photo.transpose(Image.Transpose.TRANSPOSE), "photo_t", 33, 0.95, "lanczos")]):
        transform = transforms_imagenet_eval(img_size=size, crop_pct=crop_pct, interpolation=interpolation,
                                             use_prefetcher=True)
        out = source
        for step in transform.transforms:
            if type(step).__name__ in ("Resize", "CenterCrop"):
                out = step(out)
        file = save_png(np.asarray(out), f"eval_{k}.png")
        cases["eval"].append({"source": tag, "size": size, "crop_pct": crop_pct, "interpolation": interpolation,
                              "expected": file})

    # MindCV's normalisation (0–255 statistics, float32) of a resized crop, written [C, H, W],
    # flipped horizontally and not.
    mean = [0.485 * 255, 0.456 * 255, 0.406 * 255]
    std = [0.229 * 255, 0.224 * 255, 0.225 * 255]
    source = np.asarray(Image.open(OUT / cases["resized_crop"][4]["expected"]))
    for flip in [True]:
        pixels = source[:, ::-1] if flip else source
        mindcv = (pixels.astype(np.float32) - np.float32(mean)) / np.float32(std)
        name = f"normalize_{'flip' if flip else 'plain'}"
        np.ascontiguousarray(mindcv.transpose(2, 0, 1)).astype("<f4").tofile(OUT / f"{name}.bin")
        cases["normalize"].append({"source": cases["resized_crop"][4]["expected"], "mean": mean, "std": std,
                                   "horizontal_flip": flip, "expected": f"{name}.bin"})

    # The JPEG's size as Pillow reads it.
    decoded = Image.open(OUT / "photo.jpg").convert("RGB")
    cases["jpeg"] = {"file": "photo.jpg", "height": decoded.height, "width": decoded.width, "crops": []}
    # Pillow's full decode, crop and resize: the reference for decoding at reduced scale.
    for k, (top, left, ch, cw, size, name) in enumerate([(10, 20, 96, 128, 24, "bilinear"), (10, 20, 96, 128, 12, "bicubic"),
                                                         (3, 7, 110, 71, 30, "bilinear"), (0, 0, 120, 160, 40, "bicubic")]):
        out = TF.resized_crop(decoded, top, left, ch, cw, [size, size], TF.InterpolationMode(name))
        file = save_png(np.asarray(out), f"jpeg_crop_{k}.png")
        cases["jpeg"]["crops"].append({"top": top, "left": left, "height": ch, "width": cw, "size": size,
                                       "filter": name, "expected": file})
    (OUT / "cases.json").write_text(json.dumps(cases, separators=(",", ":")) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"wrote {len(list(OUT.iterdir()))} files, {total / 1024:.1f} KiB")


def probe(photo_path, directory):
    """References for one real photograph: random 224 px crops (scale 0.08–1) and the eval crop."""
    directory = pathlib.Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    decoded = Image.open(photo_path).convert("RGB")
    rng = np.random.RandomState(11)
    crops = []
    for k in range(12):
        with Draws(rng.uniform(size=22).tolist()):
            top, left, h, w = timm_transforms.RandomResizedCropAndInterpolation.get_params(decoded, (0.08, 1.0), (3 / 4, 4 / 3))
        name = "bilinear" if k % 2 == 0 else "bicubic"
        out = TF.resized_crop(decoded, top, left, h, w, [224, 224], TF.InterpolationMode(name))
        Image.fromarray(np.asarray(out)).save(directory / f"crop_{k}.png")
        crops.append({"top": top, "left": left, "height": h, "width": w, "size": 224, "filter": name, "expected": f"crop_{k}.png"})
    transform = transforms_imagenet_eval(img_size=224, crop_pct=0.875, interpolation="bicubic", use_prefetcher=True)
    out = decoded
    for step in transform.transforms:
        if type(step).__name__ in ("Resize", "CenterCrop"):
            out = step(out)
    Image.fromarray(np.asarray(out)).save(directory / "eval.png")
    (directory / "probe.json").write_text(json.dumps({"file": str(pathlib.Path(photo_path).resolve()), "height": decoded.height,
                                                      "width": decoded.width, "crops": crops}))
    print("wrote", directory)


if __name__ == "__main__":
    import sys
    if len(sys.argv) == 4 and sys.argv[1] == "--probe":
        probe(sys.argv[2], sys.argv[3])
    else:
        main()
