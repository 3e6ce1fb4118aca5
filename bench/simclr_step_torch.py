"""The PyTorch side of bench/simclr-step.ts: the same SimCLR step on the same model and batch.

Model: conv3x3(32)-relu-maxpool2, conv3x3(64)-relu-maxpool2, conv3x3(128)-relu, global average
pool (Pretext's convEncoder defaults; with --bn a BatchNorm2d after each conv, which then has
no bias, as in Pretext), projection head dense(128)-relu-dense(64), NT-Xent at temperature 0.2,
Adam 1e-3. Both views are given (augmentation is timed separately on the tfjs side), so the
two frameworks do identical arithmetic. Prints one JSON line per variant.

    python simclr_step_torch.py BATCH STEPS THREADS VARIANT [VARIANT ...]
    VARIANT: plain | bn | resnet | resnet-bn, each optionally with -cl (channels-last memory
    format), or matmul (a 2048^2 matmul's GFLOP/s, the machine's practical peak)

The ResNet variants mirror Pretext's resnetEncoder defaults (stem conv3x3(16), one basic block
per stage at widths 16/32/64, strided 1x1 shortcuts, global average pool) with the projection
head 64-64-64 that simclr() builds on its 64 features.
"""
import json
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F


def encoder(bn):
    def stage(cin, cout):
        layers = [nn.Conv2d(cin, cout, 3, padding=1, bias=not bn)]
        if bn:
            layers.append(nn.BatchNorm2d(cout, momentum=0.1, eps=1e-5))
        return layers + [nn.ReLU()]

    return nn.Sequential(
        *stage(1, 32), nn.MaxPool2d(2),
        *stage(32, 64), nn.MaxPool2d(2, ceil_mode=True),
        *stage(64, 128),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
    )


class Block(nn.Module):
    """Pretext's resnetEncoder block: conv3x3-relu-conv3x3 + shortcut (strided 1x1 when the
    shape changes), then relu; with bn, a BatchNorm2d after each conv (which has no bias)."""

    def __init__(self, cin, cout, stride, bn):
        super().__init__()
        def conv(ci, co, k, s):
            c = nn.Conv2d(ci, co, k, stride=s, padding=k // 2, bias=not bn)
            return nn.Sequential(c, nn.BatchNorm2d(co, momentum=0.1, eps=1e-5)) if bn else c
        self.branch = nn.Sequential(conv(cin, cout, 3, stride), nn.ReLU(), conv(cout, cout, 3, 1))
        self.shortcut = conv(cin, cout, 1, stride) if stride != 1 or cin != cout else nn.Identity()

    def forward(self, x):
        return F.relu(self.branch(x) + self.shortcut(x))


def resnet(bn, widths=(16, 32, 64)):
    stem = [nn.Conv2d(1, widths[0], 3, padding=1, bias=not bn)]
    if bn:
        stem.append(nn.BatchNorm2d(widths[0], momentum=0.1, eps=1e-5))
    blocks, cin = [], widths[0]
    for s, w in enumerate(widths):
        blocks.append(Block(cin, w, 2 if s > 0 else 1, bn))
        cin = w
    return nn.Sequential(*stem, nn.ReLU(), *blocks, nn.AdaptiveAvgPool2d(1), nn.Flatten())


def nt_xent(z1, z2, temperature):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    sim = z @ z.T / temperature
    sim.fill_diagonal_(-1e9)
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def run(batch, steps, variant):
    torch.manual_seed(0)
    bn = '-bn' in variant or variant.startswith('bn')
    channels_last = variant.endswith('-cl')
    if variant.startswith('resnet'):
        model = nn.Sequential(resnet(bn), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 64))
    else:
        model = nn.Sequential(encoder(bn), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 64))
    views = torch.rand(2 * batch, 1, 28, 28)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
        views = views.contiguous(memory_format=torch.channels_last)
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)

    def step():
        optimizer.zero_grad(set_to_none=True)
        z = model(views)
        loss = nt_xent(z[:batch], z[batch:], 0.2)
        loss.backward()
        optimizer.step()
        return loss.item()

    for _ in range(3):
        step()
    times = []
    for _ in range(steps):
        started = time.perf_counter()
        step()
        times.append((time.perf_counter() - started) * 1000)
    return times


def matmul_gflops(n=2048, reps=5):
    a, b = torch.rand(n, n), torch.rand(n, n)
    a @ b
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - started)
    return 2 * n ** 3 / min(times) / 1e9


def main():
    batch, steps, threads = (int(a) for a in sys.argv[1:4])
    torch.set_num_threads(threads)
    for variant in sys.argv[4:]:
        if variant == 'matmul':
            print(json.dumps({"variant": variant, "gflops": matmul_gflops()}), flush=True)
            continue
        print(json.dumps({
            "variant": variant,
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "batch": batch,
            "times_ms": run(batch, steps, variant),
        }), flush=True)


if __name__ == "__main__":
    main()
