#!/usr/bin/env python3
"""Builds an ImageNet-like image folder of real photographs for the data-loading benchmarks:
OUT/train/<class>/*.JPEG and OUT/val/<class>/*.JPEG, JPEGs of about 500 × 375 (some portrait,
some 500 × 333 or 500 × 400), 4:2:0, quality 85–96, like ImageNet's.

The photographs are scikit-image's bundled samples (`pip install scikit-image`; nothing is
downloaded at run time). Each class starts from one photograph; each file is a different random
crop of it (a quarter to all of its area, the aspect drawn around the target's), scaled to the
target size, sometimes mirrored, with a small brightness and colour change, so the files are
distinct; a little sensor-like noise gives them the detail of camera pictures (files of 40–100
KB, 64 KB on average; ImageNet's average about 110 KB). Seeded: the same command writes the same
bytes.

    ../venv-torch/bin/python tools/make_image_folder.py /tmp/imagefolder --train 40 --val 10

The folder is generated data: do not commit it.
"""
import argparse
import pathlib

import numpy as np
from PIL import Image, ImageEnhance

# Colour photographs bundled with scikit-image (skimage.data), one class each; grey ones are
# tinted so that every class is RGB like ImageNet's.
SOURCES = ["astronaut", "chelsea", "coffee", "rocket", "hubble_deep_field", "immunohistochemistry",
           "camera", "moon", "brick", "grass", "gravel", "coins", "clock", "page", "text", "cell"]
SIZES = [(500, 375), (500, 375), (500, 375), (500, 333), (375, 500), (500, 400), (333, 500), (500, 357)]


def photographs():
    import skimage.data
    found = []
    for name in SOURCES:
        loader = getattr(skimage.data, name, None)
        if loader is None:
            continue
        try:
            array = np.asarray(loader())
        except Exception:   # a sample that would need a download
            continue
        if array.dtype != np.uint8:
            array = (255 * (array - array.min()) / max(1e-9, float(array.max() - array.min()))).astype(np.uint8)
        if array.ndim == 2:   # grey: tinted, so that its colour planes differ
            array = np.clip(np.stack([array * 1.0, array * 0.9 + 10, array * 0.75 + 20], axis=-1), 0, 255).astype(np.uint8)
        found.append((name, Image.fromarray(array[..., :3], "RGB")))
    return found


def variant(photo, rng):
    """A random crop of `photo`, resized to a drawn ImageNet-like size, flipped and tinted."""
    width, height = SIZES[rng.integers(len(SIZES))]
    aspect = width / height * np.exp(rng.uniform(-0.15, 0.15))
    area = photo.width * photo.height * rng.uniform(0.25, 1.0)
    w = int(min(photo.width, round(np.sqrt(area * aspect))))
    h = int(min(photo.height, round(np.sqrt(area / aspect))))
    left = int(rng.integers(0, photo.width - w + 1))
    top = int(rng.integers(0, photo.height - h + 1))
    image = photo.crop((left, top, left + w, top + h)).resize((width, height), Image.BICUBIC)
    if rng.random() < 0.5:
        image = image.transpose(Image.FLIP_LEFT_RIGHT)
    image = ImageEnhance.Brightness(image).enhance(rng.uniform(0.8, 1.2))
    image = ImageEnhance.Color(image).enhance(rng.uniform(0.8, 1.2))
    noisy = np.asarray(image, dtype=np.float32) + rng.normal(0, rng.uniform(3, 8), (height, width, 3))
    return Image.fromarray(np.clip(noisy + 0.5, 0, 255).astype(np.uint8), "RGB")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out", type=pathlib.Path)
    parser.add_argument("--classes", type=int, default=10)
    parser.add_argument("--train", type=int, default=40, help="training images per class")
    parser.add_argument("--val", type=int, default=10, help="validation images per class")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    photos = photographs()
    if len(photos) < args.classes:
        raise SystemExit(f"only {len(photos)} sample photographs found for {args.classes} classes")
    total = 0
    for index, (name, photo) in enumerate(photos[:args.classes]):
        for split, count in [("train", args.train), ("val", args.val)]:
            folder = args.out / split / f"n{index:08d}_{name}"
            folder.mkdir(parents=True, exist_ok=True)
            for i in range(count):
                image = variant(photo, rng)
                image.save(folder / f"{name}_{i:04d}.JPEG", quality=int(rng.integers(85, 97)), subsampling=2)
                total += 1
    print(f"wrote {total} JPEGs in {args.classes} classes under {args.out}")


if __name__ == "__main__":
    main()
