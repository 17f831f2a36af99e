#!/usr/bin/env python3
"""Writes small PNG and JPEG files and the pixels Pillow decodes from them, for the decoder's tests
(Tests/DatasetsTests/Fixtures/). Run with the venv that has Pillow:

    ../venv-torch/bin/python tools/make_image_fixtures.py
"""
import json
import pathlib

import numpy as np
from PIL import Image

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "DatasetsTests" / "Fixtures"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    h, w = 12, 16
    y, x = np.mgrid[0:h, 0:w]
    rgb = np.stack([x * 16, y * 20, (x + y) * 8], axis=-1).astype(np.uint8)
    expected = {}

    Image.fromarray(rgb, "RGB").save(OUT / "rgb.png")
    Image.fromarray(rgb, "RGB").convert("P", palette=Image.ADAPTIVE, colors=16).save(OUT / "palette.png")
    Image.fromarray(np.concatenate([rgb, np.full((h, w, 1), 200, np.uint8)], axis=-1), "RGBA").save(OUT / "alpha.png")
    Image.fromarray((y * 4000 + x * 100).astype(np.uint16)).save(OUT / "gray16.png")
    Image.fromarray(rgb, "RGB").save(OUT / "rgb.jpg", quality=95)

    for name in ["rgb.png", "palette.png", "rgb.jpg", "gray16.png"]:
        image = Image.open(OUT / name)
        expected[name] = {"height": h, "width": w,
                          "rgb": np.asarray(image.convert("RGB")).reshape(-1).tolist(),
                          "gray": np.asarray(image.convert("L")).reshape(-1).tolist() if image.mode != "I;16" else None}
    # Pillow's convert("RGB") drops the alpha channel.
    expected["alpha.png"] = {"height": h, "width": w,
                             "rgb": np.asarray(Image.open(OUT / "alpha.png").convert("RGB")).reshape(-1).tolist(), "gray": None}
    (OUT / "images.json").write_text(json.dumps(expected, separators=(",", ":")) + "\n")
    print("wrote", sorted(p.name for p in OUT.iterdir()))


if __name__ == "__main__":
    main()
