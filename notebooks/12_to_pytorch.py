# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 12 · From microgrand to PyTorch
#
# **Goal:** write the same small network in microgrand, in NumPy matrices and in PyTorch, and
# check that all three compute *the same gradients* — so that everything you learned about
# backpropagation on scalars carries over to the tensors of a real deep-learning library.
#
# *Time: about 30 minutes. Prerequisites: lessons 01–06; some NumPy. PyTorch is optional: where it is not installed, each PyTorch cell
# prints a short message and skips, and the rest of the lesson still works.*
#
# In this lesson you will
# 1. build a 2 → 3 → 1 network out of scalar `Value`s and backpropagate through it,
# 2. write the **same** backward pass with matrices (this is what PyTorch does inside),
# 3. run the same model in PyTorch and compare gradients number by number,
# 4. translate a training loop line by line,
# 5. measure why frameworks record graphs and use tensors.

# %%
import random

import matplotlib.pyplot as plt
import numpy as np

import microgrand as mg

try:
    import torch

    HAVE_TORCH = True
except ImportError:  # PyTorch is optional for this lesson
    torch = None
    HAVE_TORCH = False

SKIP = "PyTorch is not installed; skipping (pip install torch to run this cell)"
print("PyTorch available:", HAVE_TORCH)

# %% [markdown]
# ## 1. The same words in two libraries
#
# PyTorch was designed around the same idea as microgrand: every operation records its inputs
# and its local derivatives, and `backward()` applies the chain rule from the output back to the
# inputs. Most names are the same.
#
# | idea | microgrand | PyTorch |
# |---|---|---|
# | a number that tracks gradients | `mg.Value(2.0)` | `torch.tensor(2.0, requires_grad=True)` |
# | its value | `v.data` | `t.item()` (or `t.detach()`) |
# | its gradient after backward | `v.grad` | `t.grad` |
# | run backpropagation | `loss.backward()` | `loss.backward()` |
# | gradients add up over calls | yes | yes |
# | reset gradients | `mg.zero_grad(params)` | `optimizer.zero_grad()` |
# | compute without a graph | `with mg.no_grad():` | `with torch.no_grad():` |
# | the recorded operation | `v.op`, `v.inputs` | `t.grad_fn`, `t.grad_fn.next_functions` |
#
# The big difference is **what one node holds**. In microgrand a node is one number. In
# PyTorch a node is a whole *tensor* (a vector, a matrix, a batch of images), and one
# operation such as a matrix product replaces thousands of scalar multiplications and additions.
# The chain rule is the same; it is just written with matrices.

# %% [markdown]
# ## 2. A small network out of scalars
#
# Four points of the XOR problem, with targets ±1, and a network with two inputs, three hidden
# `tanh` neurons and one `tanh` output. We write the starting weights down as plain lists so
# that all three versions can start from *exactly* the same numbers.

# %%
X = [[-1.0, -1.0], [-1.0, 1.0], [1.0, -1.0], [1.0, 1.0]]
Y = [-1.0, 1.0, 1.0, -1.0]  # XOR with labels ±1

rng = random.Random(11)  # fixed seed: the same weights every run
W1_init = [[round(rng.uniform(-1, 1), 2) for _ in range(2)] for _ in range(3)]  # 3 × 2
b1_init = [round(rng.uniform(-0.5, 0.5), 2) for _ in range(3)]  # 3
W2_init = [[round(rng.uniform(-1, 1), 2) for _ in range(3)]]  # 1 × 3
b2_init = [0.1]  # 1
print("W1 =", W1_init)
print("b1 =", b1_init)
print("W2 =", W2_init)
print("b2 =", b2_init)


# %% [markdown]
# Each weight becomes a `Value`. The parameters and the computation of each layer are created
# inside `mg.scope("layer1")` / `mg.scope("layer2")`, so diagrams can group them.

# %%
def make_params():
    """Fresh microgrand parameters from the lists above."""
    with mg.scope("layer1"):
        W1 = [[mg.Value(w, label=f"W1[{i},{j}]") for j, w in enumerate(row)]
              for i, row in enumerate(W1_init)]
        b1 = [mg.Value(b, label=f"b1[{i}]") for i, b in enumerate(b1_init)]
    with mg.scope("layer2"):
        W2 = [[mg.Value(w, label=f"W2[0,{j}]") for j, w in enumerate(W2_init[0])]]
        b2 = [mg.Value(b2_init[0], label="b2[0]")]
    return W1, b1, W2, b2


def parameters(params):
    """All 13 parameters in one flat list."""
    W1, b1, W2, b2 = params
    return [w for row in W1 for w in row] + b1 + [w for row in W2 for w in row] + b2


def forward(params, x):
    """The network's output for one input x (a list of two numbers)."""
    W1, b1, W2, b2 = params
    with mg.scope("layer1"):
        h = [mg.vsum([w * xi for w, xi in zip(row, x)] + [b]).tanh() for row, b in zip(W1, b1)]
    with mg.scope("layer2"):
        return mg.vsum([w * hj for w, hj in zip(W2[0], h)] + [b2[0]]).tanh()


def mse(params):
    """Mean squared error over the four points."""
    return mg.vsum([(forward(params, x) - y) ** 2 for x, y in zip(X, Y)]) / len(X)


params = make_params()
loss = mse(params)
loss.backward()
print(f"loss = {loss.data:.6f}")
print("graph size:", mg.Graph.of(loss).stats())

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert len(parameters(params)) == 13, "13 parameters"

# %% [markdown]
# Here is the graph for **one** training point (the full loss repeats it four times). The boxes
# are the two layers: every multiplication, sum and `tanh` is its own node. To keep the picture
# readable it shows only the structure (`show=()` leaves out the numbers; unnamed nodes get
# ids such as `n3`) and runs from top to bottom.

# %%
x_one = [mg.Value(v, label=f"x{i + 1}") for i, v in enumerate(X[1])]
y_one = mg.Value(Y[1], label="target")
one = (forward(make_params(), x_one) - y_one) ** 2
one.label = "loss"
one.backward()
mg.draw(one, show=(), rankdir="TB")

# %% [markdown]
# The same graph in the explorer: it opens at the two layers (the scopes); click one to see
# its operations, click a node for its value, gradient and chain-rule line, and press **Next**
# to step backward layer by layer. This is the picture to keep in mind when PyTorch turns each
# layer into one matrix operation.

# %%
mg.explore(one, rankdir="TB")

# %% [markdown]
# The gradients microgrand found, arranged like the weight matrices:

# %%
W1, b1, W2, b2 = params
grads_mg = {
    "W1": np.array([[w.grad for w in row] for row in W1]),
    "b1": np.array([b.grad for b in b1]),
    "W2": np.array([[w.grad for w in row] for row in W2]),
    "b2": np.array([b.grad for b in b2]),
}
for name, g in grads_mg.items():
    print(f"dL/d{name} =\n{np.round(g, 6)}")


# %% [markdown]
# ## 3. The same backward pass, written with matrices
#
# Put the four inputs in a 4 × 2 matrix $X$. The forward pass of the whole batch is
#
# $$Z_1 = X W_1^\top + b_1,\quad H = \tanh(Z_1),\quad Z_2 = H W_2^\top + b_2,\quad
#   O = \tanh(Z_2),\quad L = \tfrac{1}{N}\textstyle\sum (O - Y)^2 .$$
#
# Backpropagation goes through the same steps in reverse. Each line is the chain rule you
# used on scalars, applied to every entry at once:
#
# * $\partial L/\partial O = \tfrac{2}{N}(O - Y)$ — the derivative of the mean of squares,
# * $\partial L/\partial Z_2 = \partial L/\partial O \odot (1 - O^2)$ — `tanh`'s local
#   derivative, entry by entry ($\odot$ multiplies entry by entry),
# * $\partial L/\partial W_2 = (\partial L/\partial Z_2)^\top H$ — each weight collects a
#   contribution from **every** sample: the sum over the batch is the gradient accumulation
#   you saw when a node is used more than once,
# * $\partial L/\partial b_2$ = the column sums of $\partial L/\partial Z_2$,
# * $\partial L/\partial H = \partial L/\partial Z_2\, W_2$ — a hidden unit feeds the
#   output through its weight,
# * and the same three lines again for layer 1.

# %%
def numpy_loss_and_grads(W1, b1, W2, b2, X, Y):
    """Forward and backward pass of the 2-3-1 network, written with matrices."""
    X, Y = np.asarray(X), np.asarray(Y).reshape(-1, 1)
    N = len(X)
    # forward
    Z1 = X @ W1.T + b1
    H = np.tanh(Z1)
    Z2 = H @ W2.T + b2
    O = np.tanh(Z2)
    L = np.mean((O - Y) ** 2)
    # backward: the chain rule, one matrix line per step
    dO = 2 * (O - Y) / N
    dZ2 = dO * (1 - O**2)
    dW2 = dZ2.T @ H
    db2 = dZ2.sum(axis=0)
    dH = dZ2 @ W2
    dZ1 = dH * (1 - H**2)
    dW1 = dZ1.T @ X
    db1 = dZ1.sum(axis=0)
    return L, {"W1": dW1, "b1": db1, "W2": dW2, "b2": db2}


init = [np.array(W1_init), np.array(b1_init), np.array(W2_init), np.array(b2_init)]
L_np, grads_np = numpy_loss_and_grads(*init, X, Y)
print(f"loss: microgrand {loss.data:.12f}   matrices {L_np:.12f}")
for name in grads_mg:
    diff = np.abs(grads_mg[name] - grads_np[name]).max()
    print(f"max |difference| in dL/d{name}: {diff:.1e}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(loss.data - L_np) < 1e-12, "the same loss"
assert all(np.abs(grads_mg[k] - grads_np[k]).max() < 1e-12 for k in grads_mg), \
    "the same gradients, up to rounding"

# %% [markdown]
# The differences are at the level of floating-point rounding (about $10^{-16}$): the scalar
# graph and the matrix formulas are the same computation. Plotted against each other, all 13
# gradients sit on the diagonal.

# %%
flat_mg = np.concatenate([g.ravel() for g in grads_mg.values()])
flat_np = np.concatenate([g.ravel() for g in grads_np.values()])
names = [f"{k}[{','.join(map(str, i))}]" for k, g in grads_mg.items() for i in np.ndindex(g.shape)]

fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.8))
lim = 1.1 * np.abs(flat_mg).max()
ax1.plot([-lim, lim], [-lim, lim], color="0.8", lw=1, zorder=0)
ax1.scatter(flat_mg, flat_np, s=40, color="tab:blue")
ax1.set(xlabel="gradient from microgrand (scalar graph)",
        ylabel="gradient from the matrix formulas", title="13 parameters, same gradients",
        xlim=(-lim, lim), ylim=(-lim, lim), aspect="equal")
ax2.bar(range(len(names)), flat_mg, color="tab:blue")
ax2.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=8)
ax2.axhline(0, color="black", lw=0.8)
ax2.set(ylabel="dL/dparameter", title="the gradient of each parameter")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 4. The same model in PyTorch
#
# With PyTorch the forward pass is the matrix version, and `backward()` derives the backward
# pass for you — exactly as `loss.backward()` did in microgrand. We use `float64` (PyTorch's
# default is `float32`, which agrees only to about 7 digits).

# %%
if not HAVE_TORCH:
    print(SKIP)
else:
    f64 = torch.float64
    tX = torch.tensor(X, dtype=f64)
    tY = torch.tensor(Y, dtype=f64).reshape(-1, 1)
    tW1 = torch.tensor(W1_init, dtype=f64, requires_grad=True)
    tb1 = torch.tensor(b1_init, dtype=f64, requires_grad=True)
    tW2 = torch.tensor(W2_init, dtype=f64, requires_grad=True)
    tb2 = torch.tensor(b2_init, dtype=f64, requires_grad=True)

    tH = torch.tanh(tX @ tW1.T + tb1)
    tO = torch.tanh(tH @ tW2.T + tb2)
    tloss = ((tO - tY) ** 2).mean()
    tloss.backward()

    print(f"loss: microgrand {loss.data:.12f}   PyTorch {tloss.item():.12f}")
    for name, t in {"W1": tW1, "b1": tb1, "W2": tW2, "b2": tb2}.items():
        diff = np.abs(grads_mg[name] - t.grad.numpy()).max()
        print(f"max |difference| in dL/d{name}: {diff:.1e}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
if HAVE_TORCH:
    assert abs(loss.data - tloss.item()) < 1e-12, "PyTorch: the same loss"
    assert all(np.abs(grads_mg[k] - t.grad.numpy()).max() < 1e-12
               for k, t in {"W1": tW1, "b1": tb1, "W2": tW2, "b2": tb2}.items()), \
        "PyTorch: the same gradients, up to rounding"

# %% [markdown]
# PyTorch's graph is small: one node per *tensor* operation. Follow `grad_fn` from the loss
# back to the inputs and count them, then compare with microgrand's scalar graph.

# %%
if not HAVE_TORCH:
    print(SKIP)
else:
    def torch_nodes(fn, seen=None):
        """Names of the backward functions reachable from fn."""
        seen = set() if seen is None else seen
        if fn is None or fn in seen:
            return seen
        seen.add(fn)
        for nxt, _ in fn.next_functions:
            torch_nodes(nxt, seen)
        return seen

    found = torch_nodes(tloss.grad_fn)
    print(len(found), "PyTorch graph nodes:", sorted(type(f).__name__ for f in found))

print(mg.Graph.of(loss).stats()["operations"], "microgrand operation nodes for the same loss")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
if HAVE_TORCH:
    assert len(found) < 20 < mg.Graph.of(loss).stats()["operations"], "PyTorch's graph is much smaller"

# %% [markdown]
# ## 5. A training loop, line by line
#
# Now train: 200 steps of plain gradient descent with learning rate 0.5, first in microgrand
# (forward, loss, zero the gradients, backward, update), then with the matrix formulas.

# %%
STEPS, LR = 200, 0.5  # small and fast; increase STEPS for a lower final loss

params = make_params()
flat_params = parameters(params)
losses_mg = []
for step in range(STEPS):
    loss = mse(params)            # forward + loss
    mg.zero_grad(flat_params)     # gradients add up, so reset them first
    loss.backward()               # backward
    with mg.no_grad():            # update without recording a graph
        for p in flat_params:
            p.data -= LR * p.grad
    losses_mg.append(loss.data)

W1n, b1n, W2n, b2n = (a.copy() for a in init)
losses_np = []
for step in range(STEPS):
    L_np, g = numpy_loss_and_grads(W1n, b1n, W2n, b2n, X, Y)
    W1n -= LR * g["W1"]
    b1n -= LR * g["b1"]
    W2n -= LR * g["W2"]
    b2n -= LR * g["b2"]
    losses_np.append(L_np)

print(f"final loss: microgrand {losses_mg[-1]:.10f}   matrices {losses_np[-1]:.10f}")
print("predictions:", [round(forward(params, x).data, 3) for x in X], "targets:", Y)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert np.abs(np.array(losses_mg) - np.array(losses_np)).max() < 1e-9, "the same run, step by step"
assert all(abs(forward(params, x).data - y) < 0.1 for x, y in zip(X, Y)), "XOR is learned"

# %% [markdown]
# In PyTorch the model is a stack of modules, the parameters live inside them, and an optimizer
# does the update. Line for line it is the same loop:
#
# | step | microgrand (above) | PyTorch (below) |
# |---|---|---|
# | forward and loss | `loss = mse(params)` | `loss = F.mse_loss(model(tX), tY)` |
# | reset gradients | `mg.zero_grad(flat_params)` | `opt.zero_grad()` |
# | backward | `loss.backward()` | `loss.backward()` |
# | update | `p.data -= LR * p.grad` under `mg.no_grad()` | `opt.step()` |

# %%
losses_torch = None
if not HAVE_TORCH:
    print(SKIP)
else:
    import torch.nn.functional as F

    model = torch.nn.Sequential(
        torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1), torch.nn.Tanh()
    ).double()
    with torch.no_grad():  # start from the same numbers
        model[0].weight.copy_(torch.tensor(W1_init, dtype=torch.float64))
        model[0].bias.copy_(torch.tensor(b1_init, dtype=torch.float64))
        model[2].weight.copy_(torch.tensor(W2_init, dtype=torch.float64))
        model[2].bias.copy_(torch.tensor(b2_init, dtype=torch.float64))
    opt = torch.optim.SGD(model.parameters(), lr=LR)
    tX = torch.tensor(X, dtype=torch.float64)
    tY = torch.tensor(Y, dtype=torch.float64).reshape(-1, 1)
    losses_torch = []
    for step in range(STEPS):
        tloss = F.mse_loss(model(tX), tY)
        opt.zero_grad()
        tloss.backward()
        opt.step()
        losses_torch.append(tloss.item())
    print(f"final loss: microgrand {losses_mg[-1]:.10f}   PyTorch {losses_torch[-1]:.10f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
if HAVE_TORCH:
    assert np.abs(np.array(losses_mg) - np.array(losses_torch)).max() < 1e-9, "PyTorch: the same run"

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(losses_mg, lw=4, alpha=0.5, label="microgrand (scalars)")
ax.plot(losses_np, "--", color="black", lw=1.5, label="matrix formulas (NumPy)")
if losses_torch is not None:
    ax.plot(losses_torch, ":", color="tab:red", lw=2, label="PyTorch")
ax.set(xlabel="step", ylabel="mean squared error", yscale="log",
       title="The same training run, computed different ways")
ax.legend()
plt.show()

# %% [markdown]
# The curves lie on top of each other: same model, same gradients, same updates.

# %% [markdown]
# ## 6. Why frameworks are fast: record once, replay on numbers
#
# Every `Value` is a Python object: a multiplication in microgrand allocates an object, stores
# its inputs and local derivatives, and later Python's memory manager frees it again. That
# bookkeeping, not the arithmetic, is where the time goes. Let us measure it on *your* machine:
# the same full-batch step of a 2 → 16 → 16 → 1 network on 100 points, four ways.
#
# 1. **Eager**: build the graph of `Value`s and call `backward()`, as in every lesson so far.
# 2. **Recorded, on floats**: `mg.record` runs the step once, keeps only the *structure* of
#    the graph (which operation, which inputs), and then replays forward and backward on plain
#    lists of floats (`arrays=False`). This is the idea behind `torch.jit.trace` and
#    `jax.jit`: trace once, run many times. The gradients are the same numbers, bit for bit.
# 3. **Recorded, as arrays**: the same recording groups alike nodes (the same operation at the
#    same depth of the graph) and runs each group as a few NumPy array operations: gather the
#    inputs, one vector operation, add up the gradients. Still the same numbers, bit for bit;
#    this is what `mg.record` does when NumPy is installed.
# 4. **Tensors**: the same step written with NumPy matrices by hand, where one operation
#    handles a whole layer (what PyTorch does, in C++ or on a GPU).

# %%
import time

Xb, yb = mg.data.moons(100, noise=0.1, seed=0)
yb = mg.data.to_pm1(yb)
net = mg.MLP(2, [16, 16, 1], rng=0)
net_params = net.parameters()


def step_loss(X, y):
    """The demo's loss: hinge on every point plus a little L2."""
    scores = [net(x) for x in X]
    return mg.losses.hinge(scores, y) + 1e-4 * mg.losses.l2(net_params)


def seconds(fn, repeat=3):
    """Best of a few runs, in CPU seconds."""
    best = float("inf")
    for _ in range(repeat):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def eager():
    net.zero_grad()
    step_loss(Xb, yb).backward()


rec_floats = mg.record(step_loss, net_params, Xb, yb, arrays=False)  # runs once, keeps the structure
rec_arrays = mg.record(step_loss, net_params, Xb, yb)                # the same, replayed as arrays


def replay_floats():
    net.zero_grad()
    rec_floats(Xb, yb)


def replay_arrays():
    net.zero_grad()
    rec_arrays(Xb, yb)


eager()
g_eager = [p.grad for p in net_params]
replay_floats()
g_floats = [p.grad for p in net_params]
replay_arrays()
g_arrays = [p.grad for p in net_params]
print(f"{rec_floats.nodes} nodes; the same gradients:", g_eager == g_floats == g_arrays)

# The same network as matrices (NumPy): one operation per layer, for all 100 points at once.
W = [np.array([[n.w[i].data for i in range(len(n.w))] for n in layer.neurons])
     for layer in net.layers]
B = [np.array([n.b.data for n in layer.neurons]) for layer in net.layers]
Xa, ya = np.array(Xb), np.array(yb)


def matrices():
    h1 = np.maximum(Xa @ W[0].T + B[0], 0)
    h2 = np.maximum(h1 @ W[1].T + B[1], 0)
    s = (h2 @ W[2].T + B[2])[:, 0]
    d = -(ya * (1 - ya * s > 0)) / len(ya)          # d loss / d score
    g2 = (d[:, None] * W[2]) * (h2 > 0)
    g1 = (g2 @ W[1]) * (h1 > 0)
    return d @ h2, g2.T @ h1, g1.T @ Xa              # the weight gradients of each layer


times = {"eager Values": seconds(eager), "replay, floats": seconds(replay_floats),
         "replay, arrays": seconds(replay_arrays, repeat=10),
         "NumPy matrices": seconds(matrices, repeat=20)}
for name, t in times.items():
    print(f"{name:16s} {1000 * t:8.2f} ms   ({times['eager Values'] / t:7.1f}x faster than eager)")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert g_eager == g_floats == g_arrays, "both replays: the same gradients, bit for bit"
assert times["replay, floats"] < 0.8 * times["eager Values"], "the replay is faster than eager"
assert times["replay, arrays"] < times["replay, floats"] / 3, "arrays: several times faster again"
assert times["NumPy matrices"] < times["replay, floats"] / 20, "matrices: faster again, by far"
assert times["NumPy matrices"] < times["eager Values"] / 100, "orders of magnitude faster than eager"

# %% [markdown]
# The replay on floats is faster than the eager step (here by the factor printed above), with
# identical gradients; the replay as arrays is several times faster again, with the same
# numbers to the last bit, because the thousands of scalar nodes become a few dozen groups and
# the Python work per number goes away. The matrix version is faster than the eager step by
# orders of magnitude (a factor of well over 100): each operation is a whole layer. That is the
# step from here to PyTorch: keep the graph, but make each node a whole tensor from the start.
#
# The recording has a limit worth knowing: it is a trace of what ran. A Python `if` that looks
# at a `Value`'s number is decided once, while recording. microgrand remembers each such
# decision and checks it again on every replay, cheaply; when one would come out differently,
# the step is run eagerly, and if the graph really changed the replay raises
# `RecordMismatchError` naming the first node that differs, instead of silently replaying
# another graph.
#
# In training you rarely call `mg.record` yourself: `mg.fit(..., compiled=True)` records the
# batch loss once per batch size, with the examples *and* the labels as inputs of the
# recording, so that even shuffled mini-batches replay the same recording. It records only
# when enough steps of that size remain to pay for the recording, so it is never slower than
# eager training.

# %% [markdown]
# ## 7. What changes when you move to PyTorch
#
# * **Tensors, not scalars.** One PyTorch node is a whole array, so the graph has a handful of
#   nodes instead of one per multiplication, and the arithmetic runs in optimised C++ or GPU
#   code. microgrand's loss needs 19 operation nodes per sample, plus 2 for the mean (counted
#   below), so with 1,000 samples it would need about 19,000, while PyTorch's graph stays the
#   same size.
# %%
ops = {n: mg.Graph.of(mg.vsum([(forward(make_params(), x) - y) ** 2
                               for x, y in zip(X * n, Y * n)]) / (4 * n)).stats()["operations"]
       for n in (1, 2)}
per_sample = (ops[2] - ops[1]) / 4
print(f"4 samples: {ops[1]} operation nodes, 8 samples: {ops[2]}: {per_sample:g} per sample, "
      f"so 1,000 samples: {per_sample * 1000 + ops[1] - 4 * per_sample:,.0f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert ops[1] == 78 and per_sample == 19, "78 nodes for 4 samples, 19 more per sample"
assert abs(per_sample * 1000 + ops[1] - 4 * per_sample - 19_000) < 100, "about 19,000 for 1,000 samples"

# %% [markdown]
# * **Only leaves keep `.grad`.** PyTorch frees the gradients of intermediate tensors; call
#   `t.retain_grad()` before `backward()` to keep one (microgrand keeps all of them, so that
#   you can draw and step through them).
# * **`requires_grad`.** PyTorch records operations only on tensors that need gradients;
#   microgrand records every operation outside `no_grad()`.
# * **`float32` by default.** Expect agreement to about 7 significant digits unless you ask for
#   `float64`.
# * **The same semantics where it matters:** gradients *accumulate* across `backward()` calls
#   (so you zero them every step), `no_grad()` for updates and evaluation, and `backward()` on
#   a scalar loss.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — sum instead of mean
# Change the loss from the *mean* of the squared errors to their *sum*. Predict first: what
# happens to every gradient? Check your prediction with microgrand and with the matrix formulas
# (which single line of `numpy_loss_and_grads` changes?).

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: every gradient is multiplied by N = 4, because the sum is N times the mean.
# In the matrix version only the first backward line changes: dO = 2 * (O - Y)  (no / N).
p = make_params()
total = mg.vsum([(forward(p, x) - y) ** 2 for x, y in zip(X, Y)])
total.backward()
ratio = p[0][0][0].grad / grads_mg["W1"][0, 0]
print(f"dL/dW1[0,0] with sum / with mean = {ratio:.6f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(ratio - 4) < 1e-9, "the sum's gradients are 4 times the mean's"

# %% [markdown]
# ### Exercise 2 — a ReLU hidden layer
# Replace `tanh` in the hidden layer by ReLU, both in `forward` (use `.relu()`) and in the
# matrix version. Which line of the backward pass changes, and into what? Confirm that the two
# versions still agree.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: ReLU's local derivative is 1 where its input is positive and 0 elsewhere, so
#   dZ1 = dH * (1 - H**2)   becomes   dZ1 = dH * (Z1 > 0).
def forward_relu(params, x):
    W1, b1, W2, b2 = params
    h = [mg.vsum([w * xi for w, xi in zip(row, x)] + [b]).relu() for row, b in zip(W1, b1)]
    return mg.vsum([w * hj for w, hj in zip(W2[0], h)] + [b2[0]]).tanh()


p = make_params()
L_relu = mg.vsum([(forward_relu(p, x) - y) ** 2 for x, y in zip(X, Y)]) / len(X)
L_relu.backward()

W1a, b1a, W2a, b2a = init
Xa, Ya = np.array(X), np.array(Y).reshape(-1, 1)
Z1 = Xa @ W1a.T + b1a
H = np.maximum(Z1, 0)
O = np.tanh(H @ W2a.T + b2a)
dZ2 = 2 * (O - Ya) / len(Xa) * (1 - O**2)
dZ1 = (dZ2 @ W2a) * (Z1 > 0)
dW1 = dZ1.T @ Xa
diff = np.abs(np.array([[w.grad for w in row] for row in p[0]]) - dW1).max()
print(f"max |difference| in dL/dW1: {diff:.1e}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert diff < 1e-12, "the ReLU versions agree"

# %% [markdown]
# ### Exercise 3 — forgetting `zero_grad`
# Call `backward()` twice on the same loss without resetting the gradients. What happens to
# the gradient of `b2[0]`, in microgrand and in PyTorch? Why is this behaviour useful (hint:
# a batch too large to fit in memory at once)?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: the gradients add up, so after two calls they are twice as large — in both
# libraries. This is what lets you split a big batch into pieces, call backward() on each
# piece's loss and update once: the gradients of the pieces sum to the gradient of the batch.
p = make_params()
L2 = mse(p)
L2.backward()
once = p[3][0].grad
L2.backward()
print(f"microgrand: after one backward {once:.6f}, after two {p[3][0].grad:.6f}")
if not HAVE_TORCH:
    print(SKIP)
else:
    b = torch.tensor(b2_init, dtype=torch.float64, requires_grad=True)
    tW1 = torch.tensor(W1_init, dtype=torch.float64)
    tW2 = torch.tensor(W2_init, dtype=torch.float64)
    tb1 = torch.tensor(b1_init, dtype=torch.float64)
    tX = torch.tensor(X, dtype=torch.float64)
    tY = torch.tensor(Y, dtype=torch.float64).reshape(-1, 1)
    out = torch.tanh(torch.tanh(tX @ tW1.T + tb1) @ tW2.T + b)
    tl = ((out - tY) ** 2).mean()
    tl.backward(retain_graph=True)  # keep the graph so that we may call backward again
    first = b.grad.item()
    tl.backward()
    print(f"PyTorch:    after one backward {first:.6f}, after two {b.grad.item():.6f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(p[3][0].grad - 2 * once) < 1e-12, "two backward calls: twice the gradient"
if HAVE_TORCH:
    assert abs(b.grad.item() - 2 * first) < 1e-12 and abs(first - once) < 1e-12, "in PyTorch too"

# %% [markdown]
# ## Check yourself
#
# Three questions. Write your answer in place of the `...` and run the cell below it:
# `mg.check` says ✓ or ✗ (with a hint). Your teacher's copy of the lesson has the answers.
# This section runs on its own: it needs nothing from the cells above.

# %%
import microgrand as mg
from microgrand.selfcheck import show_runs, training_runs

# %% [markdown]
# **1. Predict, then run.** A layer with 2 inputs and 3 outputs has a weight matrix $W$ of
# shape $3 \times 2$. What shape is $dL/dW$? (A list, rows then columns.)

# %%
q1 = ...  # your prediction

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = [3, 2]

# %% tags=["check"] jupyter={"source_hidden": true}
import numpy as np

W = np.zeros((3, 2))
grad_W = np.outer(np.ones(3), np.ones(2))  # δ (3 numbers) times the input (2 numbers)
mg.check(q1, list(grad_W.shape), hint="the gradient of a parameter has the parameter's shape")

# %% [markdown]
# **2.** The same 4 examples with the **sum** of their losses instead of the **mean**: by what
# factor do the gradients change?

# %%
q2 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = 4

# %% tags=["check"] jupyter={"source_hidden": true}
w = mg.Value(1.0)
xs = [1.0, 2.0, 3.0, 4.0]
mg.vsum([(w * x - 1) ** 2 for x in xs]).backward()
g_sum = w.grad
w.grad = 0.0
(mg.vsum([(w * x - 1) ** 2 for x in xs]) / 4).backward()
mg.check(q2, g_sum / w.grad, hint="the mean divides by the number of examples")

# %% [markdown]
# **3. Diagnose this loss curve.** A training loop was translated three times, and two of the
# translations have a bug: one forgot `optimizer.zero_grad()`, one updates with `+=` instead of
# `-=`. Below, the loss of each loop training the same small network from the same start.
# Which loop is right?

# %%
runs = training_runs(["healthy", "sign_error", "forgot_zero_grad"], seed=12)
show_runs(runs, "Which loop is right?")

# %%
q3 = ...  # a letter: "A", "B" or "C"

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = "A"

# %% tags=["check"] jupyter={"source_hidden": true}
mg.check(q3, runs.which("healthy"),
         hint="a correct loop makes the loss fall steadily; piled-up gradients make it swing, a wrong sign makes it climb")


# %% [markdown]
# ## Summary
#
# * PyTorch's `backward()` is the algorithm you have been stepping through: local derivatives
#   recorded in the forward pass, combined by the chain rule from the loss back to the inputs.
# * Written with matrices, backpropagation through a layer is three lines: the error at the
#   layer's output times the input (weights), summed over the batch (bias), times the weights
#   (for the layer below).
# * The training loop is the same four steps in both libraries: forward and loss, zero the
#   gradients, backward, update.
# * When a gradient in a big model puzzles you, shrink the model and check it against a version
#   whose graph you can draw — that is what microgrand is for.
