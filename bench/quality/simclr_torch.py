"""The PyTorch reference of bench/quality/quality.ts: SimCLR on the same images and pool.

Encoder conv3x3(32)-relu-maxpool2, conv3x3(64)-relu-maxpool2, conv3x3(128)-relu, global average
pool (Pretext's convEncoder); projection head dense(128)-relu-dense(64); NT-Xent; Adam with a
linear warmup (first 10% of an epoch's worth, at most one epoch) and cosine decay over the
planned steps. Views: the usual MNIST recipe, a random affine (rotation within +-15 degrees,
shift within +-10% of the side, zoom 0.7-1, zero fill) via affine_grid/grid_sample, then
Gaussian noise (std 0.1) on half the views, clipped to [0, 1]. The time budget becomes a step
count from a measured step time, as on the Pretext side. Writes the encoder's features of every
image (float32, row-major) to --features and prints one JSON line.
"""
import argparse
import json
import math
import time

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


def encoder():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
        nn.Conv2d(64, 128, 3, padding=1), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
    )


def augment(x, generator):
    b = x.shape[0]
    angle = (torch.rand(b, generator=generator) * 2 - 1) * math.radians(15)
    scale = 0.7 + 0.3 * torch.rand(b, generator=generator)
    shift = (torch.rand(b, 2, generator=generator) * 2 - 1) * 0.2  # 10% of the side in [-1, 1] units
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    # affine_grid maps output to input coordinates: the inverse of rotate-scale-shift.
    theta = torch.stack([
        torch.stack([cos, -sin, -(cos * shift[:, 0] - sin * shift[:, 1])], 1),
        torch.stack([sin, cos, -(sin * shift[:, 0] + cos * shift[:, 1])], 1),
    ], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    views = F.grid_sample(x, grid, mode='bilinear', padding_mode='zeros', align_corners=False)
    on = (torch.rand(b, 1, 1, 1, generator=generator) < 0.5).float()
    noise = torch.randn(x.shape, generator=generator) * 0.1 * on
    return (views + noise).clamp(0, 1)


def nt_xent(z1, z2, temperature):
    z = F.normalize(torch.cat([z1, z2]), dim=1)
    n = z1.shape[0]
    sim = z @ z.T / temperature
    sim.fill_diagonal_(-1e9)
    targets = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(sim, targets)


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--images'); p.add_argument('--pool'); p.add_argument('--features')
    p.add_argument('--n', type=int); p.add_argument('--seconds', type=float)
    p.add_argument('--seed', type=int); p.add_argument('--batch', type=int)
    p.add_argument('--lr', type=float); p.add_argument('--threads', type=int)
    p.add_argument('--temperature', type=float, default=0.2)
    p.add_argument('--epochs', type=int, help='fixed epochs instead of the time budget')
    p.add_argument('--head-bn', action='store_true',
                   help="batch norm in the projection head's hidden layer (as Pretext's headBatchNorm)")
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    generator = torch.Generator().manual_seed(a.seed)
    images = torch.from_numpy(np.fromfile(a.images, dtype=np.float32).reshape(a.n, 1, 28, 28).copy())
    pool = torch.from_numpy(np.fromfile(a.pool, dtype=np.int32).astype(np.int64))
    data = images[pool]
    enc = encoder()
    hidden = [nn.Linear(128, 128, bias=False), nn.BatchNorm1d(128, eps=1e-3)] if a.head_bn \
        else [nn.Linear(128, 128)]
    model = nn.Sequential(enc, *hidden, nn.ReLU(), nn.Linear(128, 64))
    # Keras' initialisers, as on the Pretext side: He normal convolutions, Glorot uniform
    # dense layers, zero biases (PyTorch's defaults start from much smaller weights).
    for layer in model.modules():
        if isinstance(layer, nn.Conv2d):
            nn.init.kaiming_normal_(layer.weight, nonlinearity='relu')
            nn.init.zeros_(layer.bias)
        elif isinstance(layer, nn.Linear):
            nn.init.xavier_uniform_(layer.weight)
            if layer.bias is not None:
                nn.init.zeros_(layer.bias)
    optimizer = torch.optim.Adam(model.parameters(), lr=a.lr)

    def step(batch, lr):
        for group in optimizer.param_groups:
            group['lr'] = lr
        v1, v2 = augment(batch, generator), augment(batch, generator)
        z = model(torch.cat([v1, v2]))
        loss = nt_xent(z[:len(batch)], z[len(batch):], a.temperature)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        return loss.item()

    # Step time with lr 0 (no update), then the budget as a step count.
    probe = data[:a.batch]
    times = []
    for i in range(8):
        started = time.perf_counter()
        step(probe, 0.0)
        if i >= 3:
            times.append(time.perf_counter() - started)
    step_s = sorted(times)[len(times) // 2]
    # A fresh optimiser: the timing steps must not leave Adam moments behind.
    optimizer = torch.optim.Adam(model.parameters(), lr=a.lr)
    per_epoch = math.ceil(len(data) / a.batch)
    epochs = a.epochs or max(1, round(a.seconds / step_s / per_epoch))
    total = epochs * per_epoch
    warmup = max(1, round(min(1, epochs / 10) * per_epoch))
    started = time.perf_counter()
    done = 0
    for epoch in range(epochs):
        order = torch.randperm(len(data), generator=generator)
        for start in range(0, len(data), a.batch):
            t = done
            lr = a.lr * (t + 1) / warmup if t < warmup else \
                a.lr * 0.5 * (1 + math.cos(math.pi * (t - warmup) / max(1, total - warmup)))
            step(data[order[start:start + a.batch]], lr)
            done += 1
    seconds = time.perf_counter() - started
    enc.eval()
    with torch.no_grad():
        features = torch.cat([enc(images[i:i + 1024]) for i in range(0, a.n, 1024)])
    features.numpy().astype(np.float32).tofile(a.features)
    print(json.dumps({'steps': done, 'seconds': seconds, 'dim': features.shape[1],
                      'torch': torch.__version__}))


if __name__ == '__main__':
    main()
