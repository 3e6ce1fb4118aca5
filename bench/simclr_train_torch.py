"""The PyTorch side of the end-to-end row of bench/simclr-step.ts: a plain SimCLR training loop
for a fixed wall-clock time on the images px.train gets, with the same model, views and batch.

The encoder, views (affine via affine_grid/grid_sample + Gaussian noise) and NT-Xent come from
bench/quality/simclr_torch.py, so both benches compare against one PyTorch recipe. Each step:
a shuffled batch, two views, one forward over both, backward, Adam (warmup + cosine over the
steps planned from the first ones, as px.train's budget does), and one loss read-back
(`loss.item()`, as a training loop logs it). Prints one JSON line: steps, seconds, samples/s.

    python simclr_train_torch.py --images F32 --n N --seconds S --batch B --threads T
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'quality'))
from simclr_torch import augment, encoder, nt_xent  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--images'); p.add_argument('--n', type=int)
    p.add_argument('--seconds', type=float); p.add_argument('--batch', type=int)
    p.add_argument('--threads', type=int); p.add_argument('--lr', type=float, default=1e-3)
    p.add_argument('--seed', type=int, default=0)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    generator = torch.Generator().manual_seed(a.seed)
    data = torch.from_numpy(np.fromfile(a.images, dtype=np.float32).reshape(a.n, 1, 28, 28).copy())
    model = nn.Sequential(encoder(), nn.Linear(128, 128), nn.ReLU(), nn.Linear(128, 64))
    optimizer = torch.optim.Adam(model.parameters(), lr=a.lr)
    per_epoch = math.ceil(len(data) / a.batch)
    planned, warmup = None, per_epoch

    def lr_at(t):
        if t < warmup:
            return a.lr * (t + 1) / warmup
        total = planned or 10 * per_epoch
        return a.lr * 0.5 * (1 + math.cos(math.pi * min(1, (t - warmup) / max(1, total - warmup))))

    started = time.perf_counter()
    done = 0
    while True:
        order = torch.randperm(len(data), generator=generator)
        # Full batches only, as px.train's epochs are.
        for start in range(0, len(data) - a.batch + 1, a.batch):
            if time.perf_counter() - started >= a.seconds:
                seconds = time.perf_counter() - started
                print(json.dumps({'steps': done, 'seconds': seconds,
                                  'samples_per_s': done * a.batch / seconds,
                                  'threads': torch.get_num_threads(), 'torch': torch.__version__}))
                return
            batch = data[order[start:start + a.batch]]
            for group in optimizer.param_groups:
                group['lr'] = lr_at(done)
            v1, v2 = augment(batch, generator), augment(batch, generator)
            z = model(torch.cat([v1, v2]))
            loss = nt_xent(z[:len(batch)], z[len(batch):], 0.2)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            loss.item()
            done += 1
            if done == 5:
                # Plan the schedule from the first steps' speed, as a time budget does.
                planned = max(done + 1, round(a.seconds / ((time.perf_counter() - started) / done)))


if __name__ == '__main__':
    main()
