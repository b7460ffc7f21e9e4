"""PyTorch CPU peer baseline for `deno task bench`: the same MLP and ResNet-18 training steps.

Prints one JSON object per line: {"name": "pytorch_mlp" | "pytorch_resnet18", "backend": "pytorch-cpu", "samples_per_s": ...}.
`--threads N` sets PyTorch's intra-op thread count.
"""
import argparse
import json
import time

import torch
import torch.nn as nn


def basic_block(cin, cout, stride):
    body = nn.Sequential(
        nn.Conv2d(cin, cout, 3, stride, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(),
        nn.Conv2d(cout, cout, 3, 1, 1, bias=False), nn.BatchNorm2d(cout),
    )
    short = nn.Sequential() if stride == 1 and cin == cout else nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))
    return body, short


class ResNet18(nn.Module):
    def __init__(self, width=0.25, classes=10):
        super().__init__()
        c = [max(1, round(x * width)) for x in (64, 128, 256, 512)]
        self.stem = nn.Sequential(nn.Conv2d(3, c[0], 3, 1, 1, bias=False), nn.BatchNorm2d(c[0]), nn.ReLU())
        self.blocks = nn.ModuleList()
        cin = c[0]
        for stage, cout in enumerate(c):
            for block in range(2):
                stride = 2 if block == 0 and stage > 0 else 1
                self.blocks.append(nn.ModuleList(basic_block(cin, cout, stride)))
                cin = cout
        self.fc = nn.Linear(cin, classes)

    def forward(self, x):
        x = self.stem(x)
        for body, short in self.blocks:
            x = torch.relu(body(x) + short(x))
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(x, 1), 1))


def throughput(model, x, y, steps, warmup=3):
    opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    loss_fn = nn.CrossEntropyLoss()

    def step():
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(warmup):
        step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    return x.shape[0] * steps / (time.perf_counter() - start)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (default: PyTorch's choice)")
    args = parser.parse_args()
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    mlp = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    x, y = torch.randn(128, 784), torch.arange(128) % 10
    print(json.dumps({"name": "pytorch_mlp", "backend": "pytorch-cpu", "variant": f"torch {torch.__version__}, {torch.get_num_threads()} threads", "samples_per_s": throughput(mlp, x, y, args.steps)}))
    net = ResNet18()
    x, y = torch.randn(32, 3, 32, 32), torch.arange(32) % 10
    print(json.dumps({"name": "pytorch_resnet18", "backend": "pytorch-cpu", "variant": f"width 0.25, batch 32, {torch.get_num_threads()} threads", "samples_per_s": throughput(net, x, y, max(3, args.steps // 4))}))


if __name__ == "__main__":
    main()
