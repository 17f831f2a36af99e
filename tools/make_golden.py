#!/usr/bin/env python3
"""Writes the PyTorch golden values the engine's tests compare against.

Each case stores its float32 inputs and parameters, the output, an upstream gradient and the
gradients of every input and parameter, computed by PyTorch in float64 from the float32 values, as
JSON in Tests/TensorEngineTests/Fixtures/. Fixtures stay small (a few KB each).

    python3 -m venv ../venv-torch && ../venv-torch/bin/pip install torch numpy
    ../venv-torch/bin/python tools/make_golden.py
"""
import json
import math
import pathlib

import torch
import torch.nn.functional as F

OUT = pathlib.Path(__file__).resolve().parent.parent / "Tests" / "TensorEngineTests" / "Fixtures"


def tensor_json(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "values": [float(f"{v:.9g}") for v in t.reshape(-1).tolist()]}  # 9 digits round-trip float32


def run_case(inputs, fn, attrs=None):
    """inputs: name -> float32 tensor. fn(**float64 leaves) -> output tensor."""
    leaves = {k: v.detach().to(torch.float64).requires_grad_(True) for k, v in inputs.items()}
    out = fn(**leaves)
    upstream = torch.randn(out.shape, dtype=torch.float32)
    out.backward(upstream.to(torch.float64))
    case = {"attrs": attrs or {}, "tensors": {k: tensor_json(v) for k, v in inputs.items()}}
    case["tensors"]["output"] = tensor_json(out)
    case["tensors"]["upstream"] = tensor_json(upstream)
    for k, leaf in leaves.items():
        case["tensors"]["grad_" + k] = tensor_json(leaf.grad)
    return case


def layer_norm_cases():
    cases = {}
    for name, shape in [("rows_c12", (2, 5, 12)), ("rows_c96", (3, 96)), ("odd_c7", (4, 7))]:
        c = shape[-1]
        inputs = {"x": torch.randn(shape) * 2 + 0.5, "weight": torch.randn(c), "bias": torch.randn(c)}
        cases[name] = run_case(inputs, lambda x, weight, bias: F.layer_norm(x, (x.shape[-1],), weight, bias, 1e-5),
                               {"epsilon": 1e-5})
    return cases


def softmax_cases():
    cases = {}
    for name, shape, scale in [("rows_10", (3, 7, 10), 1.0), ("rows_64", (4, 64), 3.0), ("rows_1", (5, 1), 1.0)]:
        inputs = {"x": torch.randn(shape) * scale}
        cases[name] = run_case(inputs, lambda x: F.softmax(x, dim=-1))
        cases["log_" + name] = run_case(inputs, lambda x: F.log_softmax(x, dim=-1))
    return cases


def gelu_cases():
    x = torch.cat([torch.linspace(-6, 6, 97), torch.randn(64) * 3])
    return {"exact": run_case({"x": x}, lambda x: F.gelu(x))}


def conv_cases():
    specs = [
        # name, N, C, H, W, O, kh, kw, stride, padding, groups
        ("general_s2_p1", 2, 4, 9, 7, 6, 3, 3, (2, 2), (1, 1), 1),
        ("general_5x3_s1_p0", 1, 3, 8, 10, 4, 5, 3, (1, 1), (0, 1), 1),
        ("grouped_g2", 2, 4, 6, 6, 6, 3, 3, (1, 1), (1, 1), 2),
        ("depthwise_s1", 2, 5, 7, 9, 5, 3, 3, (1, 1), (1, 1), 5),
        ("depthwise_s2", 1, 6, 8, 7, 6, 3, 3, (2, 2), (1, 1), 6),
        ("patchify_k4", 2, 3, 16, 12, 8, 4, 4, (4, 4), (0, 0), 1),
        ("pointwise_1x1", 2, 6, 5, 5, 4, 1, 1, (1, 1), (0, 0), 1),
    ]
    cases = {}
    for name, n, c, h, w, o, kh, kw, stride, padding, groups in specs:
        inputs = {"x": torch.randn(n, c, h, w), "weight": torch.randn(o, c // groups, kh, kw) * 0.3,
                  "bias": torch.randn(o)}
        cases[name] = run_case(
            inputs,
            lambda x, weight, bias, stride=stride, padding=padding, groups=groups:
                F.conv2d(x, weight, bias, stride=stride, padding=padding, groups=groups),
            {"stride": list(stride), "padding": list(padding), "groups": groups})
    return cases


def attention_cases():
    """A multi-head scaled-dot self-attention block, as in ViT/Swin: qkv projection, softmax of
    q·kᵀ/√d plus a relative-position bias gathered from a table, then the output projection."""
    b, l, c, heads = 2, 6, 8, 2
    d = c // heads
    table_size = 11
    index = torch.randint(0, table_size, (l, l))
    inputs = {
        "x": torch.randn(b, l, c),
        "qkv_weight": torch.randn(3 * c, c) * 0.3, "qkv_bias": torch.randn(3 * c) * 0.1,
        "proj_weight": torch.randn(c, c) * 0.3, "proj_bias": torch.randn(c) * 0.1,
        "bias_table": torch.randn(table_size, heads) * 0.5,
    }

    def block(x, qkv_weight, qkv_bias, proj_weight, proj_bias, bias_table):
        qkv = F.linear(x, qkv_weight, qkv_bias).reshape(b, l, 3, heads, d).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]
        bias = bias_table[index.reshape(-1)].reshape(l, l, heads).permute(2, 0, 1)
        attn = F.softmax(q @ k.transpose(-2, -1) * d ** -0.5 + bias, dim=-1)
        y = (attn @ v).transpose(1, 2).reshape(b, l, c)
        return F.linear(y, proj_weight, proj_bias)

    case = run_case(inputs, block, {"heads": heads, "scale": d ** -0.5})
    case["attrs"]["index"] = [int(i) for i in index.reshape(-1).tolist()]
    return {"window_block": case}


def write_safetensors_sample():
    """A small file in the formats timm and Hugging Face checkpoints use, for the reader's test."""
    from safetensors.torch import save_file
    tensors = {
        "weight_f32": torch.arange(6, dtype=torch.float32).reshape(2, 3) / 4,
        "weight_f16": torch.tensor([1.5, -2.25, 65504.0], dtype=torch.float16),
        "weight_bf16": torch.tensor([[3.0, -0.5]], dtype=torch.bfloat16),
        "relative_position_index": torch.tensor([[0, 1], [2, 3]], dtype=torch.int64),
        "scalar": torch.tensor(7.0),
    }
    path = OUT / "sample.safetensors"
    save_file(tensors, str(path), metadata={"format": "pt"})
    print(f"{path.name}: {path.stat().st_size} bytes")


def main():
    torch.manual_seed(0)
    OUT.mkdir(parents=True, exist_ok=True)
    families = {"layer_norm": layer_norm_cases, "softmax": softmax_cases, "gelu": gelu_cases,
                "conv2d": conv_cases, "attention": attention_cases}
    for family, make in families.items():
        path = OUT / f"{family}.json"
        path.write_text(json.dumps({"generator": "tools/make_golden.py", "torch": torch.__version__,
                                    "cases": make()}, separators=(",", ":")) + "\n")
        print(f"{path.relative_to(OUT.parent.parent.parent)}: {path.stat().st_size} bytes")
    write_safetensors_sample()


if __name__ == "__main__":
    main()
