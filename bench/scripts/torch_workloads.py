#!/usr/bin/env python3
"""The four full-step workloads of `cladec bench`, in PyTorch, on the same networks and shapes:
classifier_train (SGD), cladec_train (decoder for layer -1 trained through the frozen classifier,
alpha 0.001), refae_train (encoder = the classifier's layers up to the logits, plus the decoder,
MSE), classifier_infer. Prints `name=... img/s` lines like `cladec bench` (median of repeats).

usage: torch_workloads.py THREADS BATCH STEPS REPEATS
"""
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

threads, batch, steps, repeats = (int(a) for a in sys.argv[1:5])
torch.set_num_threads(threads)
torch.manual_seed(0)
WIDTHS = [32, 64, 128, 128, 256, 256, 512, 512]
STRIDES = [2, 2, 1, 2, 1, 2, 1, 2]


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, 3, stride=stride, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(cout)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class Classifier(nn.Module):
    def __init__(self, channels=1, classes=10):
        super().__init__()
        cin = [channels] + WIDTHS[:-1]
        self.blocks = nn.ModuleList(Block(i, o, s) for i, o, s in zip(cin, WIDTHS, STRIDES))
        self.drop = nn.Dropout(0.5)
        self.pred = nn.Linear(512, classes)

    def forward(self, x):
        for b in self.blocks:
            x = b(x)
        return self.pred(self.drop(torch.flatten(x, 1)))


def decoder():
    layers = [nn.Linear(10, 64), nn.ReLU(), nn.Unflatten(1, (64, 1, 1))]
    ch = [64, 512, 256, 128, 64]
    for i in range(4):
        layers += [nn.ConvTranspose2d(ch[i], ch[i + 1], 4, 2, 1), nn.ReLU()]
    layers += [nn.ConvTranspose2d(64, 1, 4, 2, 1), nn.Sigmoid()]
    return nn.Sequential(*layers)


x = torch.rand(batch, 1, 32, 32)
y = torch.randint(0, 10, (batch,))
clf = Classifier()
opt = torch.optim.SGD(clf.parameters(), lr=0.01, momentum=0.9, weight_decay=1e-4)
frozen = Classifier().eval()
for p in frozen.parameters():
    p.requires_grad_(False)
dec = decoder()
dopt = torch.optim.Adam(dec.parameters(), lr=3e-4, weight_decay=1e-5)
ae = nn.Sequential(Classifier(), decoder())
aopt = torch.optim.Adam(ae.parameters(), lr=3e-4, weight_decay=1e-5)


def classifier_train():
    clf.train()
    opt.zero_grad()
    F.cross_entropy(clf(x), y).backward()
    opt.step()


def cladec_train():
    dopt.zero_grad()
    with torch.no_grad():
        act = frozen(x)
    rec = dec(act)
    loss = 0.999 * F.mse_loss(rec, x) + 0.001 * F.cross_entropy(frozen(rec), y)
    loss.backward()
    dopt.step()


def refae_train():
    ae.train()
    aopt.zero_grad()
    F.mse_loss(ae(x), x).backward()
    aopt.step()


def classifier_infer():
    clf.eval()
    with torch.no_grad():
        clf(x)


for name, f in [("classifier_train", classifier_train), ("cladec_train", cladec_train), ("refae_train", refae_train),
                ("classifier_infer", classifier_infer)]:
    for _ in range(max(3, steps)):
        f()
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(steps):
            f()
        rates.append(steps * batch / (time.perf_counter() - t0))
    rates.sort()
    print(f"{name}={rates[len(rates) // 2]:.1f} img/s", flush=True)
