"""The PyTorch side of bench/simclr-step.ts: the same SimCLR step on the same model and batch.

Model: conv3x3(32)-relu-maxpool2, conv3x3(64)-relu-maxpool2, conv3x3(128)-relu, global average
pool (Pretext's convEncoder defaults), projection head dense(128)-relu-dense(64), NT-Xent at
temperature 0.2, Adam 1e-3. Both views are given (augmentation is timed separately on the
tfjs side), so the two frameworks do identical arithmetic. Prints one JSON line.
"""
import json
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F


def encoder():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
    )


def nt_xent(z1, z2, temperature):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    sim = z @ z.T / temperature
    sim.fill_diagonal_(-1e9)
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def main():
    batch, steps, threads = (int(a) for a in sys.argv[1:4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = nn.Sequential(encoder(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 64))
    optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
    views = torch.rand(2 * batch, 1, 28, 28)

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
    times.sort()
    print(json.dumps({
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "median_ms": times[len(times) // 2],
        "min_ms": times[0],
    }))


if __name__ == "__main__":
    main()
