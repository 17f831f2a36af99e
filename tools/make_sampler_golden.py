#!/usr/bin/env python3
"""Writes the repeated-augmentation orders the sampler test compares against
(Tests/DatasetsTests/Fixtures/sampler/repeated_augmentation.json).

For several (samples, repeats, world size) it records, per rank, the indices timm's
`RepeatAugSampler` yields over an unshuffled dataset with `selected_round=0`: the configuration
MindCV's `create_dataset` builds for `aug_repeats` (its own copy of the same sampler), which reads
⌈N / world⌉ indices a rank and epoch. With one repeat this is torch's `DistributedSampler` order.
The shuffle is left out because the runner draws its permutation from its own generator; the
repeating, padding, striding and count are what must agree.

    ../venv-torch/bin/python tools/make_sampler_golden.py     # torch, timm
"""
import json
import pathlib

import timm
from timm.data.distributed_sampler import RepeatAugSampler

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests/DatasetsTests/Fixtures/sampler/repeated_augmentation.json"

# (samples, repeats, world size): one process; padding that wraps the repeated list; a world larger
# than the dataset; repeats of 1 (plain sharding); a world that divides N·k exactly.
SETTINGS = [(10, 3, 1), (10, 3, 2), (7, 3, 4), (20, 2, 3), (3, 3, 8), (11, 1, 4), (12, 4, 3), (64, 3, 1)]


def main():
    cases = []
    for samples, repeats, world in SETTINGS:
        orders = []
        for rank in range(world):
            sampler = RepeatAugSampler(range(samples), num_replicas=world, rank=rank, shuffle=False,
                                       num_repeats=repeats, selected_round=0)
            sampler.set_epoch(0)
            order = list(iter(sampler))
            assert len(order) == len(sampler)
            orders.append(order)
        cases.append({"samples": samples, "repeats": repeats, "world": world, "orders": orders})
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({"timm": timm.__version__, "cases": cases}) + "\n")
    print(f"wrote {OUT} ({len(cases)} cases, timm {timm.__version__})")


if __name__ == "__main__":
    main()
