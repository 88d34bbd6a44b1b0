#!/usr/bin/env python3
"""The README's first command, done by PyTorch: the peer for `./style4j-bench readme`.

SqueezeNet 1.1 (the shared .pth weights), 256 px, content fire4 (weight 100), style relu1,
fire2 .. fire5 weighted 1000, 300, 100, 10, 1 (style weight 3e4, Gram matrices F F^T / (C H W),
mean squared difference), neural-style's total variation (half the squared right and down
differences on the 0-255 scale, weight 1e-5), random start, torch.optim.LBFGS with history
100, a strong-Wolfe line search and 300 iterations: the losses of style4j's command line.
Images are resized with Pillow's bicubic filter (style4j has its own), so the losses agree
in size, not digit for digit.

Prints one line after the marker "PYTORCH_README " with: seconds from interpreter start to
the first evaluation, seconds of optimisation, the final loss, peak resident memory (MB).

Run with Debian's python3-torch:
  /usr/bin/python3 pytorch_readme.py CONTENT STYLE WEIGHTS.pth [SIZE] [ITERATIONS]
"""
import resource
import sys
import time

START = time.time()

import numpy as np  # noqa: E402
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402
from PIL import Image  # noqa: E402


class Fire(nn.Module):
    def __init__(self, inputs, squeeze, expand1x1, expand3x3):
        super().__init__()
        self.squeeze = nn.Conv2d(inputs, squeeze, 1)
        self.expand1x1 = nn.Conv2d(squeeze, expand1x1, 1)
        self.expand3x3 = nn.Conv2d(squeeze, expand3x3, 3, padding=1)

    def forward(self, x):
        x = torch.relu(self.squeeze(x))
        return torch.cat([torch.relu(self.expand1x1(x)), torch.relu(self.expand3x3(x))], 1)


def squeezenet_features(weights):
    """torchvision's squeezenet1_1 features up to fire5 (indices 0-7), weights loaded by key."""
    features = nn.Sequential(
        nn.Conv2d(3, 64, 3, stride=2), nn.ReLU(), nn.MaxPool2d(3, 2, ceil_mode=True),
        Fire(64, 16, 64, 64), Fire(128, 16, 64, 64), nn.MaxPool2d(3, 2, ceil_mode=True),
        Fire(128, 32, 128, 128), Fire(256, 32, 128, 128))
    state = torch.load(weights, map_location="cpu")
    features.load_state_dict({k[len("features."):]: v for k, v in state.items()
                              if k.startswith("features.") and int(k.split(".")[1]) <= 7})
    for p in features.parameters():
        p.requires_grad_(False)
    return features.eval()


TAPS = {1: "relu1", 3: "fire2", 4: "fire3", 6: "fire4", 7: "fire5"}
MEAN = torch.tensor([0.485, 0.456, 0.406]).view(1, 3, 1, 1)
STD = torch.tensor([0.229, 0.224, 0.225]).view(1, 3, 1, 1)


def taps(features, image):
    out = {}
    x = (image - MEAN) / STD
    for i, layer in enumerate(features):
        x = layer(x)
        if i in TAPS:
            out[TAPS[i]] = x
    return out


def gram(f):
    _, c, h, w = f.shape
    flat = f.view(c, h * w)
    return flat @ flat.t() / (c * h * w)


def load(path, size):
    image = Image.open(path).convert("RGB")
    scale = size / max(image.size)
    image = image.resize((round(image.size[0] * scale), round(image.size[1] * scale)), Image.BICUBIC)
    return torch.from_numpy(np.asarray(image, dtype=np.float32) / 255).permute(2, 0, 1).unsqueeze(0).contiguous()


def main():
    content_path, style_path, weights = sys.argv[1:4]
    size = int(sys.argv[4]) if len(sys.argv) > 4 else 256
    iterations = int(sys.argv[5]) if len(sys.argv) > 5 else 300
    features = squeezenet_features(weights)
    content = load(content_path, size)
    style = load(style_path, size)
    with torch.no_grad():
        content_target = taps(features, content)["fire4"]
        style_targets = {k: gram(v) for k, v in taps(features, style).items()}
    style_weights = {"relu1": 1000, "fire2": 300, "fire3": 100, "fire4": 10, "fire5": 1}
    torch.manual_seed(42)
    image = torch.rand_like(content).requires_grad_(True)
    optimizer = torch.optim.LBFGS([image], lr=1, max_iter=iterations, history_size=100,
                                  line_search_fn="strong_wolfe")
    first = [None]
    last = [0.0]

    def closure():
        if first[0] is None:
            first[0] = time.time()
        optimizer.zero_grad()
        t = taps(features, image)
        loss = 100 * torch.mean((t["fire4"] - content_target) ** 2)
        loss = loss + 3e4 * sum(w * torch.mean((gram(t[k]) - style_targets[k]) ** 2)
                                for k, w in style_weights.items())
        x = image[0] * 255
        dx = x[:, :-1, :-1] - x[:, :-1, 1:]
        dy = x[:, :-1, :-1] - x[:, 1:, :-1]
        loss = loss + 1e-5 * 0.5 * (torch.sum(dx ** 2) + torch.sum(dy ** 2))
        loss.backward()
        last[0] = loss.item()
        return loss

    optimizer.step(closure)
    end = time.time()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"PYTORCH_README {first[0] - START:.2f} {end - first[0]:.2f} {last[0]:.2f} {peak_mb:.0f}")


if __name__ == "__main__":
    main()
