#!/usr/bin/env python3
"""Random cases computed by PyTorch for bench/torch-fuzz.sh to compare the engine against
(org.cladec.bench.TorchFuzz): convolutions, transposed convolutions and batch norms, and, fewer,
dense layers, matrix products, pooling and the losses.

The shapes are drawn so that every kernel path of the engine gets cases: single input channels,
pixel products (planes of at most 64 pixels, 16+ input and 32+ output channels), the dense form
(planes no bigger than the kernel), im2col products with stride phases, transposed convolutions
with output padding, channel counts around the vector widths, and batches around the 64-image
chunks. Inputs are float32 values; PyTorch computes in float64 from them. Gradients are those of
L = sum(out * dout) for a stored random dout.

usage: torch_fuzz.py SEED CASES OUT
OUT: an 8-byte little-endian header length, a JSON list of cases (kind, stride, padding,
output_padding, bias, relu, and each tensor's name and shape, in file order), then every tensor's
float32 values, little-endian, row-major.
"""
import json
import random
import sys

import torch
import torch.nn.functional as F

seed, count, out_path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
random.seed(seed)
torch.manual_seed(seed)
MAX_FLOATS = 3_000_000


def rnd(*shape, scale=1.0):
    """Uniform in [-scale, scale), rounded to float32 and held in float64."""
    return ((torch.rand(*shape, dtype=torch.float64) * 2 - 1) * scale).float().double()


def backward(out):
    """Back-propagates L = sum(out * dout) for a random dout, which it returns."""
    dout = rnd(*out.shape)
    (out * dout).sum().backward()
    return dout


def near_kink(pre):
    """Whether a ReLU input lies so near 0 that float32 rounding may put it on the other side
    (then the engine's mask and PyTorch's differ in that element, and its gradient flips: right
    both ways, and no use as a check)."""
    return bool((pre.detach().abs() < 1e-5 * max(1.0, pre.detach().abs().max().item())).any())


def draw_other(kind):
    """A dense layer, a matrix product, a pooling or a loss: the GEMM and the element-wise paths."""
    cfg = dict(kind=kind, stride=[1, 1], padding=[0, 0], output_padding=[0, 0], bias=False, relu=False)
    n = random.choice([1, 2, 3, 7, 16, 17, 33, 64, 65, 128, 130])
    if kind in ("linear", "matmul"):
        k, m = random.choice([1, 3, 15, 16, 17, 100, 513, 1024, 2049]), random.choice([1, 5, 10, 16, 31, 64, 129, 512])
        if n * k * m > 40_000_000:
            return None
        x = rnd(n, k).requires_grad_()
        w = rnd(*((k, m) if kind == "matmul" else (m, k)), scale=0.5).requires_grad_()
        cfg["bias"] = kind == "linear" and random.random() < 0.7
        b = rnd(m).requires_grad_() if cfg["bias"] else None
        o = x @ w if kind == "matmul" else F.linear(x, w, b)  # matmul: x (n, k) · w (k, m)
        t = dict(x=x, w=w, out=o, dout=backward(o), dx=x.grad, dw=w.grad)
        if b is not None:
            t.update(b=b, db=b.grad)
        return cfg, t
    if kind in ("max_pool", "avg_pool"):
        c, h = random.choice([1, 3, 16, 17, 33]), random.randint(1, 20)
        k = random.randint(1, min(4, h))
        s, p = random.randint(1, 3), random.randint(0, k // 2)
        cfg.update(kernel=k, stride=[s, s], padding=[p, p])
        x = rnd(min(n, 9), c, h, h).requires_grad_()
        o = F.max_pool2d(x, k, s, p) if kind == "max_pool" else F.avg_pool2d(x, k, s, p, count_include_pad=True)
        return cfg, dict(x=x, out=o, dout=backward(o), dx=x.grad)
    # the losses, a scalar out (as a 1-vector; dout is its weight)
    if kind == "cross_entropy":
        classes = random.choice([1, 2, 10, 17, 100, 1000])
        x = (rnd(n, classes) * 8).requires_grad_()
        labels = torch.randint(0, classes, (n,))
        o = F.cross_entropy(x, labels)
        t = dict(x=x, labels=labels.double())
    else:
        size = random.choice([1, 7, 16, 100, 1025, 70_000])
        if kind == "mse":
            x, y = rnd(size).requires_grad_(), rnd(size)
            o = F.mse_loss(x, y)
        else:
            x = (torch.rand(size, dtype=torch.float64) * 0.98 + 0.01).float().double().requires_grad_()
            y = torch.rand(size, dtype=torch.float64).float().double()
            o = F.binary_cross_entropy(x, y)
        t = dict(x=x, target=y)
    o = o.reshape(1)
    t.update(out=o, dout=backward(o), dx=x.grad)
    return cfg, t


def draw():
    """One case's configuration and tensors, or None when the draw is out of range."""
    kind = random.choice(["conv", "conv", "conv_transpose", "conv_bn_relu", "batch_norm", "other"])
    if kind == "other":
        return draw_other(random.choice(["linear", "linear", "matmul", "max_pool", "avg_pool",
                                         "cross_entropy", "mse", "bce"]))
    small = random.random() < 0.6  # small planes: pixel products and the dense form
    n = random.choice([1, 2, 3, 5, 7, 8, 9, 17, 63, 64, 65, 66, 67, 130] if small else [1, 2, 3, 5, 9])
    c = random.choice([1, 2, 3, 15, 16, 17, 31, 32, 33, 48, 64, 65, 128])
    oc = random.choice([1, 3, 5, 15, 16, 17, 31, 32, 33, 47, 48, 64, 96, 129])
    kh = random.choice([1, 2, 3, 3, 3, 4, 4, 5])
    kw = kh if random.random() < 0.8 else random.choice([1, 2, 3, 4, 5])
    sh = random.choice([1, 1, 2, 2, 3])
    sw = sh if random.random() < 0.8 else random.choice([1, 2, 3])
    ph = random.randint(0, kh - 1)
    pw = ph if random.random() < 0.7 else random.randint(0, kw - 1)
    side = 9 if small else 40
    h = random.randint(1, side)
    w = h if random.random() < 0.7 else random.randint(1, side)
    if n * c * h * w > MAX_FLOATS or c * oc * kh * kw > MAX_FLOATS:
        return None
    cfg = dict(kind=kind, stride=[sh, sw], padding=[ph, pw], output_padding=[0, 0], bias=False, relu=False)
    x = rnd(n, c, h, w).requires_grad_()
    if kind == "batch_norm":
        if n * h * w < 8:
            # with a few values per channel their spread can be as small as float32's rounding of
            # the mean, and float32 and float64 statistics part ways: ill-conditioned, not wrong
            return None
        cfg["relu"] = random.random() < 0.5
        x = (x.detach() * 3 + 1).requires_grad_()  # a mean and spread far from 0 and 1
        g, b = rnd(c).requires_grad_(), rnd(c).requires_grad_()
        rm, rv = torch.zeros(c, dtype=torch.float64), torch.ones(c, dtype=torch.float64)
        o = F.batch_norm(x, rm, rv, g, b, True, 0.1, 1e-5)  # updates rm, rv in place
        if cfg["relu"]:
            if near_kink(o):
                return None
            o = F.relu(o)
        return cfg, dict(x=x, gamma=g, beta=b, out=o, dout=backward(o), dx=x.grad, dgamma=g.grad,
                         dbeta=b.grad, running_mean=rm, running_var=rv)
    if kind == "conv_transpose":
        oph = random.randint(0, sh - 1) if random.random() < 0.4 else 0  # PyTorch: < stride
        opw = random.randint(0, sw - 1) if random.random() < 0.4 else 0
        oh, ow = (h - 1) * sh - 2 * ph + kh + oph, (w - 1) * sw - 2 * pw + kw + opw
        wt = rnd(c, oc, kh, kw, scale=0.5).requires_grad_()
        cfg["output_padding"] = [oph, opw]
    else:
        oh, ow = (h + 2 * ph - kh) // sh + 1, (w + 2 * pw - kw) // sw + 1
        wt = rnd(oc, c, kh, kw, scale=0.5).requires_grad_()
    if oh < 1 or ow < 1 or n * oc * oh * ow > MAX_FLOATS:
        return None
    if kind == "conv_bn_relu":  # eval-mode batch norm and ReLU folded into the convolution
        if sh != sw or ph != pw:
            return None  # F.conv2dBatchNormRelu takes square stride and padding
        rm, rv, g, b = rnd(oc, scale=0.3), rnd(oc).abs() + 0.5, rnd(oc), rnd(oc)
        o = F.batch_norm(F.conv2d(x, wt, None, stride=sh, padding=ph), rm, rv, g, b, False, 0.1, 1e-5)
        if near_kink(o):
            return None
        o = F.relu(o)
        return cfg, dict(x=x, w=wt, running_mean=rm, running_var=rv, gamma=g, beta=b, out=o,
                         dout=backward(o), dx=x.grad)
    cfg["bias"] = random.random() < 0.5
    bias = rnd(oc).requires_grad_() if cfg["bias"] else None
    if kind == "conv":
        o = F.conv2d(x, wt, bias, stride=(sh, sw), padding=(ph, pw))
    else:
        o = F.conv_transpose2d(x, wt, bias, stride=(sh, sw), padding=(ph, pw), output_padding=(oph, opw))
    t = dict(x=x, w=wt, out=o, dout=backward(o), dx=x.grad, dw=wt.grad)
    if bias is not None:
        t.update(b=bias, db=bias.grad)
    return cfg, t


cases, blobs = [], []
while len(cases) < count:
    drawn = draw()
    if drawn is None:
        continue
    cfg, tensors = drawn
    cfg["tensors"] = []
    for name, v in tensors.items():
        v = v.detach().to(torch.float32).contiguous()
        cfg["tensors"].append(dict(name=name, shape=list(v.shape)))
        blobs.append(v.numpy().astype("<f4").tobytes())
    cases.append(cfg)
header = json.dumps(cases).encode()
with open(out_path, "wb") as f:
    f.write(len(header).to_bytes(8, "little"))
    f.write(header)
    for b in blobs:
        f.write(b)
