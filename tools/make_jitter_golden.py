#!/usr/bin/env python3
"""Writes the colour-jitter goldens (Tests/DatasetsTests/Fixtures/augment/jitter.json): torchvision's
`adjust_brightness`, `adjust_contrast`, `adjust_saturation` and `adjust_hue` on PIL images — what
`ColorJitter` applies, in the order and with the factors it drew — for scripted factors and orders,
on the augmentation fixtures `a.png` (RGB), `b.png` (grey) and `c.png` (RGB).

    ../venv-torch/bin/python tools/make_jitter_golden.py      # torchvision, Pillow
"""
import json
import pathlib

import numpy as np
import PIL
import torchvision
import torchvision.transforms.functional as F
from PIL import Image

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "DatasetsTests" / "Fixtures" / "augment"
ADJUST = {"brightness": F.adjust_brightness, "contrast": F.adjust_contrast,
          "saturation": F.adjust_saturation, "hue": F.adjust_hue}

# (image, [(adjustment, factor), ...]) in the order applied.
CASES = [
    ("a", [("brightness", 1.37)]), ("a", [("brightness", 0.61)]), ("a", [("contrast", 1.29)]),
    ("a", [("contrast", 0.55)]), ("a", [("saturation", 1.4)]), ("a", [("saturation", 0.23)]),
    ("a", [("hue", 0.13)]), ("a", [("hue", -0.27)]), ("a", [("hue", 0.5)]), ("c", [("hue", -0.06)]),
    ("a", [("contrast", 1.2), ("hue", 0.07), ("brightness", 0.8), ("saturation", 1.3)]),
    ("c", [("saturation", 0.7), ("brightness", 1.25), ("hue", -0.41), ("contrast", 0.9)]),
    ("b", [("brightness", 1.3), ("contrast", 0.7), ("saturation", 1.5), ("hue", 0.2)]),
]


def main():
    images = {name: Image.open(OUT / f"{name}.png") for name in "abc"}
    cases = []
    for name, steps in CASES:
        image = images[name]
        for adjustment, factor in steps:
            image = ADJUST[adjustment](image, factor)
        cases.append({"image": name, "steps": [[a, f] for a, f in steps],
                      "pixels": np.asarray(image, dtype=np.uint8).reshape(-1).tolist()})
    versions = {"torchvision": torchvision.__version__, "Pillow": PIL.__version__}
    (OUT / "jitter.json").write_text(json.dumps({"versions": versions, "cases": cases}, separators=(",", ":")) + "\n")
    print(f"wrote {len(cases)} cases to {OUT / 'jitter.json'}")


if __name__ == "__main__":
    main()
