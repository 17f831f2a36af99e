#!/usr/bin/env python3
"""Writes the golden outputs the augmentation tests compare against (Tests/DatasetsTests/Fixtures/augment/).

Three small fixture images are made here deterministically and saved as PNG: `a.png` (32x24 RGB, full
range with edges and texture), `b.png` (20x16 grey) and `c.png` (24x24 RGB, narrow histogram, square
so that PIL's 90-degree rotations take their transpose shortcut). Each case applies one operation the
way the peers do it — timm's `auto_augment` functions, torchvision's `_apply_op`, Pillow — and the
outputs are stacked, one case per band of rows, into `<image>_golden.png`; `golden.json` lists the
cases in order with their arguments. Besides images it records timm's level-to-argument table, the
policies timm builds from its `auto_augment` strings, torchvision's TrivialAugmentWide magnitude bins
and timm's random-erasing boxes for scripted random draws.

    ../venv-torch/bin/python tools/make_augment_golden.py      # torch, torchvision, timm, Pillow
"""
import json
import math
import pathlib
import random

import numpy as np
import PIL
import timm
import timm.data.auto_augment as taa
import torch
import torchvision
from PIL import Image
from timm.data.random_erasing import RandomErasing
from torchvision.transforms import InterpolationMode
from torchvision.transforms import autoaugment as tva

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "DatasetsTests" / "Fixtures" / "augment"
FILL = (124, 116, 104)  # timm: round(255 * IMAGENET_DEFAULT_MEAN)
PIL_FILTERS = {"nearest": Image.NEAREST, "bilinear": Image.BILINEAR, "bicubic": Image.BICUBIC}
TV_FILTERS = {"nearest": InterpolationMode.NEAREST, "bilinear": InterpolationMode.BILINEAR,
              "bicubic": InterpolationMode.BICUBIC}


def make_fixtures():
    y, x = np.mgrid[0:24, 0:32].astype(np.float64)
    texture = ((x * 37 + y * 91) % 13) - 6
    r = x * 8 + y * 1.5 + texture
    g = 250 - y * 9 - x * 1.2 + texture
    b = ((x - 20) ** 2 + (y - 9) ** 2) * 0.9
    a = np.stack([r, g, b], axis=-1)
    a[4:9, 3:11] = (250, 20, 60)  # a saturated block with hard edges
    a[15:22, 20:23] = (0, 0, 255)
    a[18, 2:14] = (255, 255, 255)
    a = np.clip(np.rint(a), 0, 255).astype(np.uint8)

    y, x = np.mgrid[0:16, 0:20].astype(np.float64)
    grey = 40 + x * 6 + y * 4 + ((x * 5 + y * 3) % 7) * 3
    grey[5:11, 6:9] = 210
    grey = np.clip(np.rint(grey), 0, 255).astype(np.uint8)

    y, x = np.mgrid[0:24, 0:24].astype(np.float64)
    c = np.stack([60 + x * 3 + (y % 3), 20 + y * 2.5 + (x % 4), 100 + (x + y) * 2.4], axis=-1)
    c[6:10, 14:20] = (140, 90, 220)
    c = np.clip(np.rint(c), 0, 255).astype(np.uint8)
    return {"a": Image.fromarray(a, "RGB"), "b": Image.fromarray(grey, "L"), "c": Image.fromarray(c, "RGB")}


def spec(op, **args):
    return {"op": op, **args}


def pil_op(image, op):
    """Applies one op spec with Pillow through timm's own functions (affine ops take a fixed filter)."""
    kind = op["op"]
    kw = {}
    if "interpolation" in op:
        fill = tuple(op["fill"]) if image.mode == "RGB" else op["fill"][0]
        kw = dict(resample=PIL_FILTERS[op["interpolation"]], fillcolor=fill)
    table = {
        "identity": lambda: image.copy(),
        "autoContrast": lambda: taa.auto_contrast(image),
        "equalize": lambda: taa.equalize(image),
        "invert": lambda: taa.invert(image),
        "posterize": lambda: taa.posterize(image, op["bits"]),
        "solarize": lambda: taa.solarize(image, op["threshold"]),
        "solarizeAdd": lambda: taa.solarize_add(image, op["add"], thresh=op["threshold"]),
        "color": lambda: taa.color(image, op["factor"]),
        "contrast": lambda: taa.contrast(image, op["factor"]),
        "brightness": lambda: taa.brightness(image, op["factor"]),
        "sharpness": lambda: taa.sharpness(image, op["factor"]),
        "gaussianBlur": lambda: taa.gaussian_blur(image, op["radius"]),
        "rotate": lambda: taa.rotate(image, op["degrees"], **kw),
        "shearX": lambda: taa.shear_x(image, op["factor"], **kw),
        "shearY": lambda: taa.shear_y(image, op["factor"], **kw),
        "translateX": lambda: taa.translate_x_abs(image, op["pixels"], **kw),
        "translateY": lambda: taa.translate_y_abs(image, op["pixels"], **kw),
        "affine": lambda: image.transform(image.size, Image.AFFINE, tuple(op["matrix"]), **kw),
    }
    return table[kind]()


def op_cases():
    """(image, spec) pairs: every op family at a few arguments and each filter."""
    cases = []
    filters = ["nearest", "bilinear", "bicubic"]
    fill = list(FILL)
    for bits in [0, 1, 4, 8]:
        cases.append(("a", spec("posterize", bits=bits)))
    for threshold in [0, 128, 200.5, 256]:
        cases.append(("a", spec("solarize", threshold=threshold)))
    cases += [("a", spec("solarizeAdd", add=30, threshold=128)), ("a", spec("solarizeAdd", add=110, threshold=128))]
    cases += [("a", spec(name)) for name in ["identity", "autoContrast", "equalize", "invert"]]
    for name, factors in [("color", [0.0, 1.9]), ("contrast", [0.55, 1.9]), ("brightness", [0.1, 1.45]),
                          ("sharpness", [0.1, 1.73])]:
        cases += [("a", spec(name, factor=f)) for f in factors]
    for f in filters:
        cases.append(("a", spec("rotate", degrees=17.3, interpolation=f, fill=fill)))
        cases.append(("a", spec("shearX", factor=0.27, interpolation=f, fill=fill)))
        cases.append(("a", spec("shearY", factor=-0.21, interpolation=f, fill=fill)))
        cases.append(("a", spec("translateX", pixels=5.4, interpolation=f, fill=fill)))
        cases.append(("a", spec("translateY", pixels=-7.2, interpolation=f, fill=fill)))
    cases += [("a", spec("rotate", degrees=d, interpolation="bilinear", fill=fill)) for d in [-29.7, 90, 180]]
    cases += [("a", spec("gaussianBlur", radius=r)) for r in [0.1, 0.8, 2.0]]

    cases += [("b", spec(name)) for name in ["autoContrast", "equalize", "invert"]]
    cases += [("b", spec("posterize", bits=3)), ("b", spec("solarize", threshold=100)),
              ("b", spec("solarizeAdd", add=45, threshold=128)), ("b", spec("color", factor=0.3)),
              ("b", spec("contrast", factor=0.4)), ("b", spec("brightness", factor=1.6)),
              ("b", spec("sharpness", factor=1.9)), ("b", spec("gaussianBlur", radius=1.3))]
    for f in filters:
        cases.append(("b", spec("rotate", degrees=-23.0, interpolation=f, fill=[77])))
    cases.append(("b", spec("shearX", factor=-0.3, interpolation="bicubic", fill=[77])))

    cases += [("c", spec(name)) for name in ["autoContrast", "equalize"]]
    cases += [("c", spec("contrast", factor=1.3)), ("c", spec("sharpness", factor=0.5))]
    for d, f in [(90, "nearest"), (270, "bilinear"), (180, "bicubic"), (-90, "bilinear"), (45, "bicubic")]:
        cases.append(("c", spec("rotate", degrees=d, interpolation=f, fill=fill)))
    return cases


def no_negation(fn):
    saved = taa._randomly_negate
    taa._randomly_negate = lambda v: v
    try:
        return fn()
    finally:
        taa._randomly_negate = saved


def level_table():
    """timm's level-to-argument functions (negation switched off) at a few magnitudes."""
    table = []
    hparams = dict(taa._HPARAMS_DEFAULT, translate_pct=0.45)
    for name, fn in taa.LEVEL_TO_ARG.items():
        if fn is None:
            continue
        for magnitude in [0, 1, 2.5, 5, 7, 9, 10]:
            args = no_negation(lambda: fn(magnitude, hparams))
            table.append({"kind": name, "magnitude": magnitude, "args": [float(v) for v in args]})
    return table


def timm_op_cases(images):
    """timm AugmentOps at fixed magnitudes with a fixed filter: the end-to-end op at a level."""
    cases = []
    for name, magnitude, interp, pct in [("Rotate", 9, "bilinear", 0.45), ("ShearX", 9, "bicubic", 0.45),
                                         ("ShearY", 6, "nearest", 0.45), ("TranslateXRel", 9, "nearest", 0.45),
                                         ("TranslateYRel", 7, "bilinear", 0.3), ("PosterizeIncreasing", 9, "", 0.45),
                                         ("Posterize", 7, "", 0.45), ("SolarizeIncreasing", 6, "", 0.45),
                                         ("SolarizeAdd", 9, "", 0.45), ("ColorIncreasing", 9, "", 0.45),
                                         ("ContrastIncreasing", 4, "", 0.45), ("BrightnessIncreasing", 8, "", 0.45),
                                         ("SharpnessIncreasing", 5, "", 0.45), ("Desaturate", 10, "", 0.45),
                                         ("GaussianBlur", 4, "", 0.45)]:
        hparams = dict(img_mean=FILL, translate_pct=pct, interpolation=PIL_FILTERS[interp or "bilinear"])
        op = taa.AugmentOp(name, prob=1.0, magnitude=magnitude, hparams=hparams)
        out = no_negation(lambda: op(images["a"]))
        cases.append(("a", {"timm": name, "magnitude": magnitude, "interpolation": interp or "bilinear",
                            "translatePercent": pct, "fill": list(FILL)}, out))
    return cases


def trivial_cases(images):
    """torchvision's TrivialAugmentWide ops at fixed bins and signs, through its own `_apply_op`."""
    cases = []
    space = tva.TrivialAugmentWide()._augmentation_space(31)
    for name, index, negate, interp in [("Identity", 0, False, "bilinear"), ("ShearX", 20, True, "bilinear"),
                                        ("ShearY", 30, False, "nearest"), ("TranslateX", 17, True, "bilinear"),
                                        ("TranslateY", 9, False, "nearest"), ("Rotate", 23, False, "bilinear"),
                                        ("Rotate", 11, True, "nearest"), ("Brightness", 13, True, "bilinear"),
                                        ("Color", 29, False, "bilinear"), ("Contrast", 7, True, "bilinear"),
                                        ("Sharpness", 30, False, "bilinear"), ("Posterize", 27, False, "bilinear"),
                                        ("Solarize", 3, False, "bilinear"), ("AutoContrast", 0, False, "bilinear"),
                                        ("Equalize", 0, False, "bilinear"), ("ShearX", 12, False, "bicubic")]:
        magnitudes, signed = space[name]
        magnitude = float(magnitudes[index].item()) if magnitudes.ndim > 0 else 0.0
        if signed and negate:
            magnitude *= -1.0
        out = tva._apply_op(images["a"], name, magnitude, interpolation=TV_FILTERS[interp], fill=None)
        cases.append(("a", {"trivial": name, "bin": index, "negate": negate, "magnitude": magnitude,
                            "interpolation": interp}, out))
    # float32 values in their shortest form (a Float read from it is the same float32)
    bins = {name: [float(str(np.float32(v))) for v in (m.tolist() if m.ndim > 0 else [m.item()])]
            for name, (m, _) in space.items()}
    return cases, bins


def augmix_cases(images):
    """timm's AugMix mixing with fixed chains (each chain one op, applied `depth` times) and weights."""
    cases = []
    hparams = dict(img_mean=FILL, interpolation=Image.BILINEAR)
    for blended, weights, m in [(False, [0.2, 0.3, 0.5], 0.7), (True, [0.6, 0.1, 0.3], 0.45)]:
        ops = [taa.AugmentOp("Equalize", prob=1.0, magnitude=5, hparams=hparams)]
        aug = taa.AugMixAugment(ops, alpha=1.0, width=3, depth=1, blended=blended)
        w32, m32 = np.float32(weights), np.float32(m)
        out = aug._apply_blended(images["a"], w32, m32) if blended else aug._apply_basic(images["a"], w32, m32)
        cases.append(("a", {"augmix": "blended" if blended else "basic", "chainOp": "equalize",
                            "weights": weights, "m": m}, out))
    return cases


def describe(transform):
    """What timm built from a string: the policy's structure, for the parser's tests. Every op of one
    policy shares its magnitude noise, clip and translate fraction, so they are stated once."""
    ops = transform.ops if not isinstance(transform, taa.AutoAugment) else [o for sub in transform.policy for o in sub]
    first = ops[0]
    std = first.magnitude_std
    # JSON has no infinity: uniform sampling is written as the string "Infinity"
    shared = {"magnitudeStd": "Infinity" if math.isinf(std) else std, "magnitudeMax": first.magnitude_max,
              "translatePercent": first.hparams.get("translate_pct", 0.45)}
    assert all(o.magnitude_std == first.magnitude_std and o.magnitude_max == first.magnitude_max for o in ops)

    def op(o):
        return [o.name, o.prob, o.magnitude]
    if isinstance(transform, taa.RandAugment):
        weights = None if transform.choice_weights is None else [float(w) for w in transform.choice_weights]
        return {"kind": "rand", "layers": transform.num_layers, "ops": [op(o) for o in transform.ops],
                "weights": weights, **shared}
    if isinstance(transform, taa.AutoAugment):
        return {"kind": "auto", "subPolicies": [[op(o) for o in sub] for sub in transform.policy], **shared}
    return {"kind": "augmix", "alpha": transform.alpha, "width": transform.width, "depth": transform.depth,
            "blended": transform.blended, "ops": [op(o) for o in transform.ops], **shared}


def timm_policies():
    strings = ["rand-m9-mstd0.5-inc1", "rand-m9-n2-mstd0.5", "rand-m7-n3-p0.7-mmax12", "rand-m10-mstd101",
               "rand-m9-tweights", "rand-m6-t3a", "rand-m8-inc1-t3aw", "original", "originalr", "v0", "v0r", "3a",
               "original-mstd0.5", "augmix-m5-w4-d2", "augmix-m3-a0.5-b1", "augmix-mstd0"]
    out = {}
    for s in strings:
        hparams = dict(translate_const=100, img_mean=FILL)
        if s.startswith("rand"):
            t = taa.rand_augment_transform(s, hparams)
        elif s.startswith("augmix"):
            hparams["translate_pct"] = 0.3
            t = taa.augment_and_mix_transform(s, hparams)
        else:
            t = taa.auto_augment_transform(s, hparams)
        out[s] = describe(t)
    return out


def erasing_cases():
    """timm's RandomErasing boxes for scripted draws: random.random/uniform/randint replaced by a list of U(0, 1)."""
    cases = []
    scripts = [
        (24, 32, 0.25, [0.1, 0.5, 0.5, 0.3, 0.7]),
        (24, 32, 0.25, [0.9]),  # skipped: U > p
        (24, 32, 1.0, [0.999, 0.999, 0.2, 0.6, 0.4, 0.9, 0.0, 1 - 1e-9]),
        (16, 16, 1.0, [0.0] + [0.999, 0.0] * 10),  # every attempt too tall: nothing erased
        (10, 10, 1.0, [0.0, 0.0, 0.5, 0.5, 0.5]),
        (7, 9, 1.0, [0.2, 0.37, 0.81, 0.99, 0.01]),
    ]
    for height, width, probability, draws in scripts:
        stream = iter(draws)

        def uniform(a, b):
            return a + (b - a) * next(stream)

        def randint(a, b):
            return a + int(next(stream) * (b - a + 1))

        saved = random.random, random.uniform, random.randint
        random.random, random.uniform, random.randint = (lambda: next(stream)), uniform, randint
        try:
            img = torch.full((3, height, width), 7.0)
            RandomErasing(probability=probability, min_area=0.02, max_area=1 / 3, min_aspect=0.3, mode="const",
                          device="cpu")(img)
        finally:
            random.random, random.uniform, random.randint = saved
        erased = (img[0] == 0).nonzero()
        box = None
        if len(erased):
            top, left = erased.min(0).values.tolist()
            bottom, right = erased.max(0).values.tolist()
            box = [top, left, bottom - top + 1, right - left + 1]
        cases.append({"height": height, "width": width, "probability": probability, "draws": draws, "box": box})
    return cases


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    images = make_fixtures()
    for name, image in images.items():
        image.save(OUT / f"{name}.png", optimize=True)
    rows = {name: [] for name in images}
    cases = []
    for image_name, op in op_cases():
        out = pil_op(images[image_name], op)
        cases.append({"image": image_name, "row": len(rows[image_name]), **op})
        rows[image_name].append(np.asarray(out))
    trivial, bins = trivial_cases(images)
    for image_name, description, out in timm_op_cases(images) + trivial + augmix_cases(images):
        cases.append({"image": image_name, "row": len(rows[image_name]), **description})
        rows[image_name].append(np.asarray(out))
    for name, outputs in rows.items():
        mode = images[name].mode
        Image.fromarray(np.concatenate(outputs, axis=0), mode).save(OUT / f"{name}_golden.png", optimize=True)
    golden = {
        "versions": {"timm": timm.__version__, "torchvision": torchvision.__version__, "torch": torch.__version__,
                     "pillow": PIL.__version__},
        "cases": cases,
        "levels": level_table(),
        "trivialBins": bins,
        "policies": timm_policies(),
        "erasing": erasing_cases(),
    }
    (OUT / "golden.json").write_text(json.dumps(golden, separators=(",", ":"), allow_nan=False) + "\n")
    total = sum(p.stat().st_size for p in OUT.iterdir())
    print(f"{len(cases)} image cases, {total} bytes in {OUT}")


if __name__ == "__main__":
    main()
