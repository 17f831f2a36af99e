"""Peak resident memory of PyTorch eager training one network, for the memory row of the README's
performance table (../shared/bench/torch_reference.py gives the img/s, not the memory).

  python3 tools/torch_peak_memory.py swinv2_tiny_window8_256 256 [batch] [steps]
  python3 tools/torch_peak_memory.py twins_svt_small 224

Same step as the peer benchmark: random data, label-smoothed cross-entropy, AdamW, default
threads; one eval forward first, as there. Prints the process's peak RSS in MiB (ru_maxrss),
comparable with `runner bench --json`'s peak_rss_mib. Needs torch and timm (a venv outside the repo)."""
import resource, sys
import timm, torch

name, resolution = sys.argv[1], int(sys.argv[2])
batch = int(sys.argv[3]) if len(sys.argv) > 3 else 8
steps = int(sys.argv[4]) if len(sys.argv) > 4 else 3
torch.manual_seed(0)
model = timm.create_model(name)
x, y = torch.randn(batch, 3, resolution, resolution), torch.randint(0, 1000, (batch,))
model.eval()
with torch.no_grad():
    model(x)
model.train()
optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=0.05)
loss_function = torch.nn.CrossEntropyLoss(label_smoothing=0.1)
for _ in range(steps):
    optimizer.zero_grad(set_to_none=True)
    loss_function(model(x), y).backward()
    optimizer.step()
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"{name}: peak RSS {peak:.0f} MiB (batch {batch}, {resolution} px, {steps} AdamW steps, threads {torch.get_num_threads()})")
