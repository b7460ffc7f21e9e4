"""PyTorch reference of the reproduction's own workload, for `deno task bench --only workload`.

Trains runs of the `cpu` NC-dynamics configuration as a PyTorch user would on this machine: an MLP
784-256-256-256-10 with batch norm before each ReLU, SGD with momentum, weight decay and gradient
clipping, the step schedule, validation after every epoch, and at the evaluation epochs the training
split's and test set's accuracy and loss with NC1-NC4 of the features and NC1, NC2 of the class means
and CDNV of every hidden layer (torch.linalg). The spec file written by `bench/bench.ts` gives the
recipe, the learning rate of every epoch, the evaluation epochs and each run's loss, seed and data
indices, so both sides train the same configuration on the same images.

`--runs 0,2,4` trains those runs of the spec in this process, one after the other, with one thread.
Prints one JSON line: {"runs": n, "epochs": total epochs trained, "seconds": wall time}.
"""
import argparse
import gzip
import json
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load(spec):
    d = spec["dataDir"]
    train_x = read_idx(f"{d}/train-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    train_y = read_idx(f"{d}/train-labels-idx1-ubyte.gz").astype(np.int64)
    test_x = read_idx(f"{d}/t10k-images-idx3-ubyte.gz").reshape(-1, 784).astype(np.float32) / 255
    test_y = read_idx(f"{d}/t10k-labels-idx1-ubyte.gz").astype(np.int64)
    norm = lambda x: torch.from_numpy((x - spec["mean"]) / spec["std"])
    return norm(train_x), torch.from_numpy(train_y), norm(test_x), torch.from_numpy(test_y)


class Mlp(nn.Module):
    def __init__(self, width, depth, classes=10):
        super().__init__()
        layers, fan_in = [], 784
        for _ in range(depth):
            layers.append(nn.Sequential(nn.Linear(fan_in, width), nn.BatchNorm1d(width), nn.ReLU()))
            fan_in = width
        self.hidden = nn.ModuleList(layers)
        self.classifier = nn.Linear(width, classes)

    def forward(self, x, keep=False):
        kept = []
        for layer in self.hidden:
            x = layer(x)
            kept.append(x)
        return self.classifier(x), kept if keep else None


def loss_fn(spec, logits, y):
    name = spec["name"]
    if name == "ce":
        return nn.functional.cross_entropy(logits, y)
    if name == "ls":
        return nn.functional.cross_entropy(logits, y, label_smoothing=spec["alpha"])
    if name == "mse":
        target = nn.functional.one_hot(y, logits.shape[1]).float() * spec["M"]
        return ((logits - target) ** 2).mean()
    log_p = nn.functional.log_softmax(logits, 1).gather(1, y[:, None])[:, 0]
    return (-(1 - log_p.exp()) ** spec["gamma"] * log_p).mean()


def collapse(features, y, classes, W=None):
    """NC1 (and NC2, NC3 against W, and NC4 when W is given) as the reference code computes them."""
    mean = features.mean(0)
    means = torch.stack([features[y == k].mean(0) for k in range(classes)])
    centred = means - mean
    within = sum(((features[y == k] - means[k]).T @ (features[y == k] - means[k])) for k in range(classes))
    sigma_w = within / features.shape[0]
    sigma_b = centred.T @ centred / classes
    nc1 = torch.trace(sigma_w @ torch.linalg.pinv(sigma_b)).item() / classes
    gram = centred @ centred.T
    etf = lambda G: (G / torch.linalg.norm(G) - (torch.eye(classes) - 1 / classes) / (classes - 1) ** 0.5).norm().item()
    out = {"nc1": nc1, "nc2_means": etf(gram)}
    if W is not None:
        out["nc2"] = etf(W @ W.T)
        out["nc3"] = (W / W.norm() - centred / centred.norm()).norm().item()
    dist = torch.cdist(means, means)
    var = torch.stack([((features[y == k] - means[k]) ** 2).sum(1).mean() for k in range(classes)])
    out["cdnv"] = ((var[:, None] + var[None, :]) / (2 * dist ** 2 + torch.eye(classes)))[~torch.eye(classes, dtype=bool)].mean().item()
    return out


@torch.no_grad()
def evaluate(model, x, y, spec, batch=8192, keep=False):
    model.eval()
    logits, kept = [], [[] for _ in model.hidden]
    for i in range(0, x.shape[0], batch):
        out, hidden = model(x[i:i + batch], keep)
        logits.append(out)
        if keep:
            for j, h in enumerate(hidden):
                kept[j].append(h)
    logits = torch.cat(logits)
    model.train()
    scores = ((logits.argmax(1) == y).float().mean().item(), loss_fn(spec, logits, y).item())
    return scores, [torch.cat(k) for k in kept] if keep else None


def train(spec, run, data):
    train_x, train_y, test_x, test_y = data
    torch.manual_seed(run["seed"])
    xi = torch.tensor(run["trainIndices"], dtype=torch.long)
    vi = torch.tensor(run["valIndices"], dtype=torch.long)
    x, y, vx, vy = train_x[xi], train_y[xi], train_x[vi], train_y[vi]
    model = Mlp(spec["width"], spec["depth"])
    opt = torch.optim.SGD(model.parameters(), lr=spec["lrs"][0], momentum=spec["momentum"], weight_decay=spec["weightDecay"])
    for epoch, lr in enumerate(spec["lrs"], start=1):
        for group in opt.param_groups:
            group["lr"] = lr
        order = torch.randperm(x.shape[0])
        for i in range(0, x.shape[0], spec["batchSize"]):
            idx = order[i:i + spec["batchSize"]]
            opt.zero_grad()
            loss = loss_fn(run["loss"], model(x[idx])[0], y[idx])
            loss.backward()
            nn.utils.clip_grad_norm_(model.parameters(), spec["clipNorm"])
            opt.step()
        evaluate(model, vx, vy, run["loss"])
        if epoch in spec["evalEpochs"]:
            _, hidden = evaluate(model, x, y, run["loss"], keep=True)
            collapse(hidden[-1], y, 10, model.classifier.weight.detach())
            for h in hidden:
                collapse(h, y, 10)
            evaluate(model, test_x, test_y, run["loss"])
    return len(spec["lrs"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--spec", required=True)
    parser.add_argument("--runs", required=True, help="indices of the spec's runs, comma-separated")
    args = parser.parse_args()
    torch.set_num_threads(1)
    spec = json.load(open(args.spec))
    data = load(spec)
    start = time.perf_counter()
    runs = [spec["runs"][int(i)] for i in args.runs.split(",") if i != ""]
    epochs = sum(train(spec, run, data) for run in runs)
    print(json.dumps({"runs": len(runs), "epochs": epochs, "seconds": time.perf_counter() - start}))


if __name__ == "__main__":
    main()
