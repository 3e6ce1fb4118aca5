"""The PyTorch side of bench/method-steps.ts: each method's training step on the same model, loss
and optimiser as Pretext's default task, so the two frameworks do the same arithmetic.

    python method_steps_torch.py BATCH STEPS WARMUP THREADS INPUTS_JSON METHOD [METHOD ...]
    METHOD: moco | byol | masked-image | mlm | scarf | series-contrastive; the image methods
    also with -cl (channels-last memory format, often faster for these small convolutions)

INPUTS_JSON (written by method-steps.ts) holds the inputs the Pretext side trains on: MNIST
images, MLM's token ids (how many real tokens there are sets how many are masked), the movies
table's rows and column groups (SCARF corrupts whole groups), sensor windows, and the
vocabulary's size and special ids; the same data makes the first steps' losses comparable.
Views are given pre-made, as on the Pretext side; masking and corruption run inside the step
at Pretext's rates. Adam at 1e-3 with tfjs's epsilon 1e-7. Prints one JSON line per method with
its trainable parameter count, which the caller checks against Pretext's, and its first loss.

Layouts follow PyTorch (NCHW images, NCL windows); the layer shapes, widths and activations
match Pretext's convEncoder, conv1dEncoder (TensorFlow's 'same' padding, which pads more on the
right for strided convolutions), mlpEncoder and transformerEncoder (pre-layer-norm, exact-erf
GELU, layer norm epsilon 1e-6), and the heads the tasks build. Initial weights are PyTorch's
defaults: a step's arithmetic does not depend on them.
"""
import copy
import json
import math
import sys
import time

import torch
from torch import nn
import torch.nn.functional as F

from simclr_step_torch import encoder as conv_encoder, nt_xent

LEARNING_RATE = 1e-3


def images(inputs, batch):
    """The first `batch` images, NHWC as tfjs holds them, as NCHW."""
    x = torch.tensor(inputs['images'][:batch], dtype=torch.float32)
    return x.permute(0, 3, 1, 2).contiguous()


def js_round(x):
    """Math.round: halves go up (Python's round() goes to the even neighbour)."""
    return int(math.floor(x + 0.5))


def mlp(sizes, relu_last=False):
    """dense layers of the given sizes, ReLU between them (Pretext's projection heads)."""
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2 or relu_last:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def ema_copy(model):
    """A frozen copy with the same weights (the momentum target)."""
    target = copy.deepcopy(model)
    for p in target.parameters():
        p.requires_grad_(False)
    return target


@torch.no_grad()
def ema_update(target, online, tau):
    for t, o in zip(target.parameters(), online.parameters()):
        t.mul_(tau).add_(o, alpha=1 - tau)


class Moco:
    """MoCo v2 as Pretext's moco(): query encoder + head trained; key copies updated by EMA after
    the step; InfoNCE against a queue of 4096 keys where empty slots are masked out."""

    def __init__(self, batch, inputs, queue_size=4096, dim=64, temperature=0.2, momentum=0.99):
        self.encoder, self.head = conv_encoder(False), mlp([128, 128, 64])
        self.key_encoder, self.key_head = ema_copy(self.encoder), ema_copy(self.head)
        self.queue = torch.zeros(queue_size, dim)
        self.pointer, self.filled = 0, 0
        self.temperature, self.momentum = temperature, momentum
        self.views = images(inputs, batch)
        self.pending = None

    def parameters(self):
        return [*self.encoder.parameters(), *self.head.parameters()]

    def loss(self):
        q = F.normalize(self.head(self.encoder(self.views)), dim=1)
        with torch.no_grad():
            k = F.normalize(self.key_head(self.key_encoder(self.views)), dim=1)
        self.pending = k
        positive = (q * k).sum(1, keepdim=True)
        negative = q @ self.queue.T
        empty = torch.arange(self.queue.shape[0]) >= self.filled
        negative = negative - empty.float().unsqueeze(0) * 1e9
        logits = torch.cat([positive, negative], 1) / self.temperature
        return F.cross_entropy(logits, torch.zeros(q.shape[0], dtype=torch.long))

    @torch.no_grad()
    def after_step(self, step):
        ema_update(self.key_encoder, self.encoder, self.momentum)
        ema_update(self.key_head, self.head, self.momentum)
        keys, n, size = self.pending, self.pending.shape[0], self.queue.shape[0]
        slots = (torch.arange(n) + self.pointer) % size
        self.queue[slots] = keys
        self.pointer = (self.pointer + n) % size
        self.filled = min(size, self.filled + n)


def byol_loss(p, z):
    cos = (F.normalize(p, dim=1, eps=1e-12) * F.normalize(z, dim=1, eps=1e-12)).sum(1)
    return (2 - 2 * cos).mean()


class Byol:
    """BYOL as Pretext's byol(): both views through the online encoder + projector + predictor
    and the EMA target (encoder + projector), symmetric 2 - 2 cos loss, EMA 0.99 after the step."""

    def __init__(self, batch, inputs, tau=0.99):
        self.encoder = conv_encoder(False)
        self.projector, self.predictor = mlp([128, 256, 64]), mlp([64, 256, 64])
        self.target_encoder = ema_copy(self.encoder)
        self.target_projector = ema_copy(self.projector)
        self.tau, self.n = tau, batch
        self.views = images(inputs, batch).repeat(2, 1, 1, 1)

    def parameters(self):
        modules = [self.encoder, self.projector, self.predictor]
        return [p for m in modules for p in m.parameters()]

    def loss(self):
        online = self.predictor(self.projector(self.encoder(self.views)))
        with torch.no_grad():
            target = self.target_projector(self.target_encoder(self.views))
        n = self.n
        return byol_loss(online[:n], target[n:]) + byol_loss(online[n:], target[:n])

    def after_step(self, step):
        ema_update(self.target_encoder, self.encoder, self.tau)
        ema_update(self.target_projector, self.projector, self.tau)


class MaskedImage:
    """Pretext's maskedImage(): hide round(0.5 x 49) of the 4x4 patches per image (a seeded random
    ranking in Pretext, here torch.rand + topk), encode, decode 128-256-784 sigmoid, MSE on the
    hidden pixels only."""

    def __init__(self, batch, inputs, patch=4, ratio=0.5):
        self.encoder = conv_encoder(False)
        self.decoder = nn.Sequential(mlp([128, 256, 784]), nn.Sigmoid())
        self.patch, self.images = patch, images(inputs, batch)
        self.hidden = max(1, js_round(ratio * (28 // patch) ** 2))

    def parameters(self):
        return [*self.encoder.parameters(), *self.decoder.parameters()]

    def loss(self):
        n, side = self.images.shape[0], 28 // self.patch
        scores = torch.rand(n, side * side)
        threshold = scores.topk(self.hidden, dim=1).values[:, -1:]
        grid = (scores >= threshold).float().reshape(n, 1, side, side)
        mask = grid.repeat_interleave(self.patch, 2).repeat_interleave(self.patch, 3)
        visible = self.images * (1 - mask)
        reconstruction = self.decoder(self.encoder(visible)).reshape(n, 1, 28, 28)
        squared = (reconstruction - self.images) ** 2 * mask
        return squared.sum() / torch.clamp(mask.sum(), min=1)

    def after_step(self, step):
        pass


class LayerNorm(nn.LayerNorm):
    def __init__(self, dim):
        super().__init__(dim, eps=1e-6)


class Block(nn.Module):
    """Pre-layer-norm transformer block with Pretext's SelfAttention (q, k, v, output
    projections with biases, padded keys blocked) and a GELU feed-forward layer."""

    def __init__(self, dim, heads, ffn):
        super().__init__()
        self.heads = heads
        self.norm1, self.norm2 = LayerNorm(dim), LayerNorm(dim)
        self.query, self.key, self.value, self.output = (nn.Linear(dim, dim) for _ in range(4))
        self.ffn = nn.Sequential(nn.Linear(dim, ffn), nn.GELU(), nn.Linear(ffn, dim))

    def forward(self, x, blocked):
        b, length, dim = x.shape
        h = self.norm1(x)

        def split(t):  # [batch, length, dim] -> [batch, heads, length, head dim]
            return t.reshape(b, length, self.heads, dim // self.heads).transpose(1, 2)

        q, k, v = split(self.query(h)), split(self.key(h)), split(self.value(h))
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=blocked)
        x = x + self.output(context.transpose(1, 2).reshape(b, length, dim))
        return x + self.ffn(self.norm2(x))


class Mlm:
    """Pretext's mlm() on transformerEncoder() defaults: token + learned position embeddings,
    2 blocks (dim 64, 4 heads, ffn 128), final layer norm; BERT's head (dense 64 GELU, layer
    norm, dense to the vocabulary) on the chosen positions only; 15% of real tokens chosen, of
    those 80% [MASK], 10% a random token, 10% kept."""

    def __init__(self, batch, inputs, dim=64, layers=2, heads=4, rate=0.15):
        self.vocab = inputs['vocab_size']
        self.mask_id, self.special = inputs['mask_id'], inputs['num_special']
        self.ids = torch.tensor(inputs['token_ids'][:batch], dtype=torch.long)
        length = self.ids.shape[1]
        self.embedding = nn.Embedding(self.vocab, dim)
        self.position = nn.Parameter(torch.randn(length, dim) * 0.02)
        self.blocks = nn.ModuleList(Block(dim, heads, 2 * dim) for _ in range(layers))
        self.norm = LayerNorm(dim)
        self.head = nn.Sequential(
            nn.Linear(dim, dim), nn.GELU(), LayerNorm(dim), nn.Linear(dim, self.vocab)
        )
        self.rate, self.dim = rate, dim

    def parameters(self):
        modules = [self.embedding, *self.blocks, self.norm, self.head]
        return [self.position, *(p for m in modules for p in m.parameters())]

    def loss(self):
        ids, real = self.ids, self.ids >= self.special
        chosen = real & (torch.rand(ids.shape) < self.rate)
        action = torch.rand(ids.shape)
        random_ids = torch.randint(self.special, self.vocab, ids.shape)
        masked = torch.where(chosen & (action < 0.8), self.mask_id, ids)
        masked = torch.where(chosen & (action >= 0.8) & (action < 0.9), random_ids, masked)
        # [batch, 1, 1, length]: -1e9 at padded keys, as Pretext's SelfAttention.
        blocked = ((masked != 0).float() - 1).mul(1e9)[:, None, None, :]
        x = self.embedding(masked) + self.position
        for block in self.blocks:
            x = block(x, blocked)
        states = self.norm(x).reshape(-1, self.dim)
        positions = chosen.reshape(-1).nonzero().squeeze(1)
        logits = self.head(states[positions])
        return F.cross_entropy(logits, ids.reshape(-1)[positions])

    def after_step(self, step):
        pass


class Scarf:
    """Pretext's scarf() with mlpEncoder([256, 256]) on the movies table: exactly round(0.6 x G)
    column groups per row replaced by the same columns of one other row of the batch per group,
    encoder + head 256-256-64 over rows and corrupted rows, NT-Xent at temperature 1."""

    def __init__(self, batch, inputs, rate=0.6, temperature=1.0):
        self.rows = torch.tensor(inputs['table_rows'][:batch], dtype=torch.float32)
        self.groups = torch.tensor(inputs['groups'], dtype=torch.long)
        features = self.rows.shape[1]
        self.group_count = int(self.groups.max()) + 1
        self.k = min(self.group_count, max(1, js_round(rate * self.group_count)))
        self.encoder = mlp([features, 256, 256], relu_last=True)
        self.head = mlp([256, 256, 64])
        self.temperature = temperature

    def parameters(self):
        return [*self.encoder.parameters(), *self.head.parameters()]

    def corrupt(self, rows):
        n, f = rows.shape
        g = self.group_count
        picked = torch.rand(n, g).neg().topk(self.k, dim=1).indices
        group_mask = torch.zeros(n, g).scatter_(1, picked, 1.0)
        offset = torch.clamp(torch.floor(torch.rand(n, g) * (n - 1)), max=n - 2).long()
        donor = (torch.arange(n).unsqueeze(1) + 1 + offset) % n
        mask = group_mask[:, self.groups].bool()
        drawn = rows.reshape(-1)[donor[:, self.groups] * f + torch.arange(f)]
        return torch.where(mask, drawn, rows)

    def loss(self):
        n = self.rows.shape[0]
        z = self.head(self.encoder(torch.cat([self.rows, self.corrupt(self.rows)])))
        return nt_xent(z[:n], z[n:], self.temperature)

    def after_step(self, step):
        pass


class SameConv1d(nn.Conv1d):
    """Conv1d with TensorFlow's 'same' padding (the extra pad of a strided conv on the right)."""

    def forward(self, x):
        length, k, s = x.shape[-1], self.kernel_size[0], self.stride[0]
        pad = max((math.ceil(length / s) - 1) * s + k - length, 0)
        return super().forward(F.pad(x, (pad // 2, pad - pad // 2)))


class SeriesContrastive:
    """Pretext's seriesContrastive() on conv1dEncoder([64, 3]) defaults: conv1d 32/64/64, kernel 5,
    strides 1/2/2, ReLU, average and max over time concatenated; head 128-128-64; NT-Xent 0.2."""

    def __init__(self, batch, inputs, channels=3):
        layers, cin = [], channels
        for i, f in enumerate([32, 64, 64]):
            layers += [SameConv1d(cin, f, 5, stride=2 if i > 0 else 1), nn.ReLU()]
            cin = f
        self.encoder = nn.Sequential(*layers)
        self.head = mlp([128, 128, 64])
        self.n = batch
        windows = torch.tensor(inputs['windows'][:batch], dtype=torch.float32)
        self.views = windows.permute(0, 2, 1).contiguous().repeat(2, 1, 1)

    def parameters(self):
        return [*self.encoder.parameters(), *self.head.parameters()]

    def loss(self):
        h = self.encoder(self.views)
        z = self.head(torch.cat([h.mean(2), h.amax(2)], 1))
        return nt_xent(z[: self.n], z[self.n :], 0.2)

    def after_step(self, step):
        pass


TASKS = {
    'moco': Moco,
    'byol': Byol,
    'masked-image': MaskedImage,
    'mlm': Mlm,
    'scarf': Scarf,
    'series-contrastive': SeriesContrastive,
}


def build(method, batch, inputs):
    if method not in TASKS:
        raise SystemExit(f'unknown method {method!r}')
    return TASKS[method](batch, inputs)


def to_channels_last(task):
    """The task's modules and image tensors in channels-last memory format."""
    for name, value in vars(task).items():
        if isinstance(value, nn.Module):
            value.to(memory_format=torch.channels_last)
        elif isinstance(value, torch.Tensor) and value.dim() == 4:
            setattr(task, name, value.contiguous(memory_format=torch.channels_last))


def run(method, batch, steps, warmup, inputs):
    torch.manual_seed(0)
    task = build(method.removesuffix('-cl'), batch, inputs)
    if method.endswith('-cl'):
        to_channels_last(task)
    params = task.parameters()
    optimizer = torch.optim.Adam(params, lr=LEARNING_RATE, eps=1e-7)
    times, first_loss = [], None
    for i in range(warmup + steps):
        started = time.perf_counter()
        optimizer.zero_grad(set_to_none=True)
        loss = task.loss()
        loss.backward()
        optimizer.step()
        task.after_step(i + 1)
        value = loss.item()
        if not math.isfinite(value):
            raise SystemExit(f'{method}: loss is {value} at step {i}')
        if i == 0:
            first_loss = value
        if i >= warmup:
            times.append((time.perf_counter() - started) * 1000)
    return sum(p.numel() for p in params), times, first_loss


def main():
    batch, steps, warmup, threads = (int(a) for a in sys.argv[1:5])
    with open(sys.argv[5]) as f:
        inputs = json.load(f)
    torch.set_num_threads(threads)
    for method in sys.argv[6:]:
        params, times, first_loss = run(method, batch, steps, warmup, inputs)
        print(json.dumps({
            "method": method,
            "torch": torch.__version__,
            "threads": torch.get_num_threads(),
            "batch": batch,
            "params": params,
            "times_ms": times,
            "first_loss": first_loss,
        }), flush=True)


if __name__ == "__main__":
    main()
