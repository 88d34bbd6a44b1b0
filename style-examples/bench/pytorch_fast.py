#!/usr/bin/env python3
"""PyTorch reference for ./style4j-bench fast: the same work as style4j's fast-style network.

The transformer is Johnson et al.'s as style4j builds it (TransformerNetwork): reflection-padded
9x9 and 3x3 convolutions, two stride-2 stages, residual blocks, nearest x2 upsampling + 3x3
convolution, instance normalisation (affine, eps 1e-5, no bias before it), sigmoid output.

  apply WIDTH SIZE ITERATIONS THREADS        one forward pass on a 1 x 3 x SIZE x SIZE image
  train WIDTH SIZE BATCH ITERATIONS THREADS  one training step: transformer forward, SqueezeNet 1.1
      features (frozen, to fire5) on the output and the photos, content MSE on fire4, Gram style
      losses on relu1, fire2..fire5 (C^2-normalised, targets constant), TV, backward, Adam step

Prints one line: RESULT <median seconds> <parameter count>. Needs Debian's python3-torch only.
"""
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

from pytorch_trunk import Fire  # the same fire module as the network benchmark


class ConvLayer(nn.Module):
    def __init__(self, cin, cout, kernel, stride=1, norm=True, relu=True):
        super().__init__()
        self.pad = nn.ReflectionPad2d(kernel // 2)
        self.conv = nn.Conv2d(cin, cout, kernel, stride, bias=not norm)
        self.norm = nn.InstanceNorm2d(cout, affine=True) if norm else None
        self.relu = relu

    def forward(self, x):
        x = self.conv(self.pad(x))
        if self.norm is not None:
            x = self.norm(x)
        return F.relu(x) if self.relu else x


class Residual(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.a = ConvLayer(channels, channels, 3)
        self.b = ConvLayer(channels, channels, 3, relu=False)

    def forward(self, x):
        return x + self.b(self.a(x))


class Up(nn.Module):
    def __init__(self, cin, cout):
        super().__init__()
        self.conv = ConvLayer(cin, cout, 3)

    def forward(self, x):
        return self.conv(F.interpolate(x, scale_factor=2, mode="nearest"))


def transformer(w, blocks=5):
    return nn.Sequential(ConvLayer(3, w, 9), ConvLayer(w, 2 * w, 3, 2), ConvLayer(2 * w, 4 * w, 3, 2),
                         *[Residual(4 * w) for _ in range(blocks)], Up(4 * w, 2 * w), Up(2 * w, w),
                         ConvLayer(w, 3, 9, norm=False, relu=False), nn.Sigmoid())


class SqueezeTaps(nn.Module):
    """SqueezeNet 1.1 features to fire5, returning relu1, fire2, fire3, fire4, fire5."""

    def __init__(self):
        super().__init__()
        pool = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)
        self.relu1 = nn.Sequential(nn.Conv2d(3, 64, 3, stride=2), nn.ReLU())
        self.fire2 = nn.Sequential(pool(), Fire(64, 16, 64))
        self.fire3 = Fire(128, 16, 64)
        self.fire4 = nn.Sequential(pool(), Fire(128, 32, 128))
        self.fire5 = Fire(256, 32, 128)

    def forward(self, x):
        taps = [self.relu1(x)]
        for stage in (self.fire2, self.fire3, self.fire4, self.fire5):
            taps.append(stage(taps[-1]))
        return taps


def gram(f):
    n, c, h, w = f.shape
    flat = f.reshape(n, c, h * w)
    return flat @ flat.transpose(1, 2) / (h * w)


def median_time(step, iterations):
    step()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    mode = sys.argv[1]
    torch.manual_seed(0)
    if mode == "apply":
        width, size, iterations, threads = (int(a) for a in sys.argv[2:6])
        torch.set_num_threads(threads)
        net = transformer(width).eval()
        image = torch.rand(1, 3, size, size)

        def step():
            with torch.no_grad():
                return net(image)
    else:
        width, size, batch, iterations, threads = (int(a) for a in sys.argv[2:7])
        torch.set_num_threads(threads)
        net = transformer(width)
        loss_net = SqueezeTaps()
        for p in loss_net.parameters():
            p.requires_grad_(False)
        mean = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
        std = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)
        style_weights = [1000.0, 300.0, 100.0, 10.0, 1.0]
        with torch.no_grad():
            targets = [gram(t) for t in loss_net((torch.rand(1, 3, size, size) - mean) / std)]
        optimiser = torch.optim.Adam(net.parameters(), lr=1e-3)
        photos = torch.rand(batch, 3, size, size)

        def step():
            optimiser.zero_grad()
            out = net(photos)
            taps = loss_net((out - mean) / std)
            with torch.no_grad():
                content_target = loss_net((photos - mean) / std)[3]
            content = 100 * F.mse_loss(taps[3], content_target)
            style = sum(w * ((gram(t) - g) ** 2).mean() / t.shape[1] ** 2
                        for w, t, g in zip(style_weights, taps, targets)) * 3e4
            tv = 1e-5 * 255 * 255 / batch * 0.5 * (((out[:, :, 1:, :] - out[:, :, :-1, :]) ** 2).sum()
                                                  + ((out[:, :, :, 1:] - out[:, :, :, :-1]) ** 2).sum())
            (content + style + tv).backward()
            optimiser.step()
    seconds = median_time(step, iterations)
    print(f"RESULT {seconds} {sum(p.numel() for p in net.parameters())}")


if __name__ == "__main__":
    main()
