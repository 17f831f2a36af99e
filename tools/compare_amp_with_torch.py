#!/usr/bin/env python3
"""runner's bfloat16 mixed precision side by side with PyTorch's autocast, in interleaved rounds:
for each network, `runner bench … --amp --json` then tools/torch_autocast_bench.py, ROUNDS times,
and the ratio of each pair (runner ÷ PyTorch) for training and evaluation img/s.

    ../venv-torch/bin/python tools/compare_amp_with_torch.py [--rounds 3] [--runner .build/release/runner] [--float32]

Networks: swinv2_tiny_window8_256 and twins_svt_small at batch 8, and the Fashion-MNIST
quickstart's SwinV2 at batch 128 (configs/quickstart_fashion_mnist.yaml). --float32 compares
float32 with float32 instead. Run it on an idle machine: the two peers share its cores in turn."""
import argparse, json, pathlib, re, statistics, subprocess, sys

root = pathlib.Path(__file__).resolve().parent.parent
parser = argparse.ArgumentParser()
parser.add_argument("--rounds", type=int, default=3)
parser.add_argument("--runner", default=str(root / ".build/release/runner"))
parser.add_argument("--steps", type=int, default=5)
parser.add_argument("--float32", action="store_true")
parser.add_argument("networks", nargs="*", default=["swinv2_tiny_window8_256", "twins_svt_small", "fashion_mnist"])
args = parser.parse_args()


def runner_rates(network):
    if network == "fashion_mnist":
        command = [args.runner, "bench", "-c", str(root / "configs/quickstart_fashion_mnist.yaml")]
    else:
        command = [args.runner, "bench", "--model", network, "--batch", "8"]
    command += ["--steps", str(args.steps), "--json"] + ([] if args.float32 else ["--amp"])
    result = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return result["train_img_s"], result["eval_img_s"], result.get("precision", "float32")


def torch_rates(network):
    command = [sys.executable, str(root / "tools/torch_autocast_bench.py"), "--model", network, "--steps", str(args.steps)]
    command += ["--float32"] if args.float32 else []
    line = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    match = re.search(r"eval ([0-9.]+) img/s train ([0-9.]+) img/s", line)
    return float(match.group(2)), float(match.group(1))


for network in args.networks:
    train_ratios, eval_ratios = [], []
    for round in range(1, args.rounds + 1):
        ours_train, ours_eval, precision = runner_rates(network)
        theirs_train, theirs_eval = torch_rates(network)
        train_ratios.append(ours_train / theirs_train)
        eval_ratios.append(ours_eval / theirs_eval)
        print(f"{network} round {round}: runner ({precision}) train {ours_train:.2f} eval {ours_eval:.2f} img/s; "
              f"PyTorch ({'float32' if args.float32 else 'bf16 autocast'}) train {theirs_train:.2f} eval {theirs_eval:.2f} img/s; "
              f"ratio train {train_ratios[-1]:.2f}x eval {eval_ratios[-1]:.2f}x", flush=True)
    print(f"{network}: median ratio train {statistics.median(train_ratios):.2f}x, eval {statistics.median(eval_ratios):.2f}x "
          f"(rounds: train {', '.join(f'{r:.2f}' for r in train_ratios)}; eval {', '.join(f'{r:.2f}' for r in eval_ratios)})",
          flush=True)
