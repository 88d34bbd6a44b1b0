#!/usr/bin/env python3
"""PyTorch reference for ./style4j-bench network: the same work as style4j's SameDiff graph.

VGG-16 or VGG-19 convolution trunk to relu5_1 (or SqueezeNet 1.1 features to fire9) with random,
frozen weights; one forward pass and the backward pass to the image (sum-of-squares loss on
the deepest tap); median seconds of N timed passes after one warm-up.

Usage: /usr/bin/python3 pytorch_trunk.py vgg16|vgg19|squeezenet SIZE ITERATIONS THREADS
Prints one line: RESULT <median seconds>. Needs Debian's python3-torch (no torchvision).
"""
import statistics
import sys
import time

import torch
import torch.nn as nn


def vgg_to_relu5_1(convs_per_block):
    layers, channels = [], 3
    for block, (width, count) in enumerate(zip([64, 128, 256, 512, 512], convs_per_block + [1])):
        for _ in range(count):
            layers += [nn.Conv2d(channels, width, 3, padding=1), nn.ReLU()]
            channels = width
        if block < 4:
            layers.append(nn.MaxPool2d(2, 2))
    return nn.Sequential(*layers)


class Fire(nn.Module):
    def __init__(self, cin, squeeze, expand):
        super().__init__()
        self.squeeze = nn.Sequential(nn.Conv2d(cin, squeeze, 1), nn.ReLU())
        self.e1 = nn.Sequential(nn.Conv2d(squeeze, expand, 1), nn.ReLU())
        self.e3 = nn.Sequential(nn.Conv2d(squeeze, expand, 3, padding=1), nn.ReLU())

    def forward(self, x):
        s = self.squeeze(x)
        return torch.cat([self.e1(s), self.e3(s)], 1)


def squeezenet_to_fire9():
    pool = lambda: nn.MaxPool2d(3, 2, ceil_mode=True)
    return nn.Sequential(nn.Conv2d(3, 64, 3, stride=2), nn.ReLU(), pool(),
                         Fire(64, 16, 64), Fire(128, 16, 64), pool(),
                         Fire(128, 32, 128), Fire(256, 32, 128), pool(),
                         Fire(256, 48, 192), Fire(384, 48, 192), Fire(384, 64, 256), Fire(512, 64, 256))


def main():
    network, size, iterations, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = {"vgg16": lambda: vgg_to_relu5_1([2, 2, 3, 3]), "vgg19": lambda: vgg_to_relu5_1([2, 2, 4, 4]),
             "squeezenet": squeezenet_to_fire9}[network]()
    for p in model.parameters():
        p.requires_grad_(False)
    image = torch.rand(1, 3, size, size, requires_grad=True)

    def step():
        image.grad = None
        loss = model(image).pow(2).sum()
        loss.backward()
        return image.grad

    step()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    print(f"RESULT {statistics.median(times)}")


if __name__ == "__main__":
    main()
