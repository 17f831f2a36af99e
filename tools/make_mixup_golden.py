#!/usr/bin/env python3
"""Writes the golden mixup / cutmix batches the trainer's tests compare against
(Tests/TrainerTests/Fixtures/mixup.json).

One small batch (4 images, 3 x 8 x 6, seeded floats; labels with one pair of equal classes; 5
classes; label smoothing 0.1) goes through timm's `Mixup` in batch mode once per case, with the
random draws scripted: `np.random.rand`, `np.random.beta` and `np.random.randint` are replaced by
functions that hand out the case's values in order, and timm's `cutmix_bbox_and_lam` and
`mixup_target` are wrapped to record what they return and receive, so the fixture holds timm's
mixed images, soft targets, cutmix box and corrected lambda for known draws. Each case lists those draws (the
uniforms for "mix at all?" and "cutmix or mixup?", the Beta draw, the box centre) so the Swift test
can rebuild the same mix.

    ../venv-torch/bin/python tools/make_mixup_golden.py       # torch, numpy, timm
"""
import json
import pathlib

import numpy as np
import timm
import timm.data.mixup as tm
import torch
from timm.data.mixup import Mixup, cutmix_bbox_and_lam, mixup_target

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/TrainerTests/Fixtures/mixup.json"
SHAPE = (4, 3, 8, 6)
LABELS = [2, 0, 4, 2]
CLASSES = 5
SMOOTHING = 0.1

# name, mixup alpha, cutmix alpha, uniforms, beta draw, box centre (row, column) or None
CASES = [
    ("mixup chosen by the switch", 0.8, 1.0, [0.0, 0.9], 0.7, None),
    ("mixup alone", 0.8, 0.0, [0.3], 0.25, None),
    ("cutmix inside the image, odd cut", 0.8, 1.0, [0.0, 0.1], 0.6, (3, 4)),
    ("cutmix clipped at a corner", 0.0, 1.0, [0.5], 0.3, (0, 5)),
    ("cutmix clipped at the bottom edge", 0.0, 1.0, [0.2], 0.5, (7, 2)),
    ("lambda 1 leaves the batch unmixed", 0.8, 0.0, [0.0], 1.0, None),
]


class Script:
    """Replaces numpy's global draws with queues of given values."""

    def __init__(self, uniforms, beta, centre):
        self.uniforms = list(uniforms)
        self.betas = [beta]
        self.integers = list(centre) if centre else []

    def rand(self, *size):
        assert not size, "batch mode draws scalars"
        return self.uniforms.pop(0)

    def beta(self, a, b, size=None):
        assert size is None
        return self.betas.pop(0)

    def randint(self, low, high=None, size=None):
        value = self.integers.pop(0)
        assert low <= value < high, (low, value, high)
        return value

    def install(self):
        np.random.rand, np.random.beta, np.random.randint = self.rand, self.beta, self.randint

    def finished(self):
        return not (self.uniforms or self.betas or self.integers)


def main():
    generator = torch.Generator().manual_seed(18)
    images = torch.randn(SHAPE, generator=generator)
    labels = torch.tensor(LABELS)
    saved = np.random.rand, np.random.beta, np.random.randint
    seen = {}

    def recording_bbox(*args, **kwargs):
        box, lam = cutmix_bbox_and_lam(*args, **kwargs)
        seen["box"] = [int(v) for v in box]
        return box, lam

    def recording_target(target, num_classes, lam=1.0, smoothing=0.0, *rest):
        seen["lambda"] = float(lam)
        return mixup_target(target, num_classes, lam, smoothing, *rest)

    def floats(tensor):
        """float32 values in their shortest decimal form (they read back to the same float32)."""
        return [float(str(np.float32(v))) for v in tensor.flatten().tolist()]

    cases = []
    for name, mixup_alpha, cutmix_alpha, uniforms, beta, centre in CASES:
        seen.clear()
        script = Script(uniforms, beta, centre)
        script.install()
        tm.cutmix_bbox_and_lam, tm.mixup_target = recording_bbox, recording_target
        try:
            mixer = Mixup(mixup_alpha=mixup_alpha, cutmix_alpha=cutmix_alpha, prob=1.0, switch_prob=0.5,
                          mode="batch", correct_lam=True, label_smoothing=SMOOTHING, num_classes=CLASSES)
            mixed, targets = mixer(images.clone(), labels.clone())
        finally:
            np.random.rand, np.random.beta, np.random.randint = saved
            tm.cutmix_bbox_and_lam, tm.mixup_target = cutmix_bbox_and_lam, mixup_target
        assert script.finished(), f"{name}: draws left over"
        cases.append({
            "name": name, "mixup_alpha": mixup_alpha, "cutmix_alpha": cutmix_alpha,
            "uniforms": uniforms, "beta": beta, "centre": list(centre) if centre else None,
            "box": seen.get("box"), "lambda": seen["lambda"],
            "images": floats(mixed), "targets": floats(targets),
        })
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "timm": timm.__version__, "torch": torch.__version__,
        "shape": list(SHAPE), "labels": LABELS, "classes": CLASSES, "label_smoothing": SMOOTHING,
        "images": floats(images), "cases": cases,
    }) + "\n")
    print(f"wrote {OUT} ({len(cases)} cases, timm {timm.__version__})")


if __name__ == "__main__":
    main()
