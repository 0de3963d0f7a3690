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
# # 08 · Vanishing and exploding gradients, and local minima
#
# **Goal:** measure how big the gradient is in each layer of a deep network, see why it
# *vanishes* in deep sigmoid networks and *explodes* with badly scaled weights, and see what a
# loss landscape with a local minimum does to gradient descent — and how restarts and momentum
# help.
#
# *Time: about 40 minutes. Prerequisites: lessons 01–07 (backpropagation, MLPs, initialization).*
#
# In this lesson you will
# 1. see why the gradient reaching the first layer is a product of one factor per layer,
# 2. measure the gradient in every layer of deep sigmoid and ReLU networks,
# 3. make gradients explode with badly scaled weights,
# 4. meet a loss landscape with a local minimum, and escape it with restarts and momentum.
#
# Backpropagation multiplies. The gradient reaching the first layer of a network is a product
# of one factor per layer: a weight times the local derivative of an activation. Multiply many
# numbers smaller than 1 and the product vanishes; many larger than 1 and it explodes.

# %%
import math
import random

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import microgrand as mg
from microgrand import data, losses, nn, optim, plots
from microgrand.train import fit

# %% [markdown]
# ## 1. The local derivatives that get multiplied
#
# The largest slope of the sigmoid is $\sigma'(0) = 0.25$; for `tanh` it is 1, for ReLU it is
# exactly 1 for every positive input. Every sigmoid layer therefore multiplies the gradient by
# at most 0.25: it shrinks it by a factor of **at least** 4 (before the weights are taken into
# account).

# %%
xs = np.linspace(-5, 5, 201)
sig = 1 / (1 + np.exp(-xs))
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(xs, sig * (1 - sig), label="sigmoid′(x), at most 0.25")
ax.plot(xs, 1 - np.tanh(xs) ** 2, label="tanh′(x), at most 1")
ax.plot(xs, (xs > 0).astype(float), label="ReLU′(x): 0 or 1")
ax.set(xlabel="x", ylabel="local derivative", title="How much each activation passes back")
ax.legend()
plt.show()

# %% [markdown]
# ## 2. Gradient size, layer by layer
#
# Build two deep networks of the same shape — 8 hidden layers of 12 units — one with sigmoid
# activations and one with ReLU, both with the standard initialization (Xavier for sigmoid, He
# for ReLU). Feed in an example, call `backward()` on the output, and measure how big the
# gradient is when it *arrives* at each layer's outputs $h_\ell$:
#
# $$\Big\lVert \frac{\partial\, \text{out}}{\partial h_\ell} \Big\rVert
#   = \sqrt{\textstyle\sum_{j} \big(\partial\, \text{out} / \partial h_{\ell, j}\big)^2}$$
#
# averaged over ten examples of the two-moons data. At the output it is 1 by definition; the
# question is what is left of it after travelling back through the layers.

# %%
X, y01 = data.moons(n=40, noise=0.1, seed=0)
y = data.to_pm1(y01)  # the hinge loss wants labels -1 / +1
DEPTH, WIDTH = 8, 12


def backward_signal(model, X):
    """Average size of d(output)/d(layer outputs) for each layer, over the examples X."""
    sizes = [0.0] * len(model.layers)
    for x in X:
        h, outputs = x, []
        for layer in model.layers:  # the forward pass, keeping every layer's outputs
            h = layer.outputs(h)
            outputs.append(h)
        h[0].backward()
        for k, hs in enumerate(outputs):
            sizes[k] += math.sqrt(sum(v.grad**2 for v in hs)) / len(X)
    return sizes


nets = {
    "sigmoid": nn.MLP(2, [WIDTH] * DEPTH + [1], activation="sigmoid", rng=0),
    "ReLU": nn.MLP(2, [WIDTH] * DEPTH + [1], activation="relu", rng=0),
}
signals = {name: backward_signal(net, X[:10]) for name, net in nets.items()}

layers = np.arange(1, DEPTH + 2)
fig, ax = plt.subplots(figsize=(7, 4))
for (name, g), marker in zip(signals.items(), "os"):
    ax.plot(layers, g, marker=marker, label=name)
ax.set(yscale="log", xlabel=f"layer (1 = next to the input, {DEPTH + 1} = output)",
       ylabel="size of the gradient arriving", xticks=layers,
       title="How much gradient reaches each layer")
ax.legend()
plt.show()
for name, g in signals.items():
    # from the last hidden layer (index DEPTH - 1) back to the first: DEPTH - 1 hidden layers,
    # leaving out the linear output layer, whose factor is a weight and no activation
    hidden = (g[0] / g[DEPTH - 1]) ** (1 / (DEPTH - 1))
    print(f"{name:8s} at layer 1: {g[0]:.2g}   (per hidden layer: ×{hidden:.2f}; "
          f"output layer: ×{g[DEPTH - 1] / g[DEPTH]:.2f})")

# %% [markdown]
# In the sigmoid network the gradient shrinks by a factor of about 4 per hidden layer (×0.23)
# — close to the 0.25 of the sigmoid's largest slope — and the first layer receives less than
# 0.01 % of it,
# so the first layers barely learn. With ReLU it keeps roughly its size. This is the
# **vanishing gradient** problem, and the reason deep networks use ReLU-like activations.
#
# ## 3. Watching it during training
#
# `fit` records the gradient norm of every layer at every step (`history.grad_norms`). Train
# both networks for a few epochs and plot these norms over time.

# %%
EPOCHS = 30  # small so the lesson runs fast; increase for better results
histories, trained = {}, {}
for name, act in (("sigmoid", "sigmoid"), ("ReLU", "relu")):
    model = nn.MLP(2, [WIDTH] * 4 + [1], activation=act, rng=1)
    opt = optim.Adam(model.parameters(), lr=0.02)
    histories[name] = fit(model, X, y, loss="hinge", optimizer=opt, epochs=EPOCHS,
                             progress=False)
    trained[name] = model

for name, h in histories.items():
    display(plots.plot_grad_norms(h, title=f"{name}: gradient norm per layer during training"))
for name, h in histories.items():
    with mg.no_grad():
        scores = [trained[name](x).data for x in X]
    print(f"{name:8s} final loss {h.loss[-1]:.3f}, accuracy {h.accuracy[-1]:.0%}, "
          f"scores of the 40 points from {min(scores):+.3f} to {max(scores):+.3f}")

# %% [markdown]
# Read the sigmoid plot from left to right (each epoch is one step here: the whole data set).
#
# - **Steps 1–2:** the first layer receives about a thousandth of the gradient of the last
#   layer (about $10^{-3}$ against 1), even with only 4 hidden layers.
# - **Step 3:** every layer's gradient drops at once, by up to 300 times. Nothing broke in
#   backpropagation: the first two updates pushed the network into a state where it gives
#   almost **the same answer for every point** (printed below: all 40 scores are positive, so
#   it calls every point class +1). The hinge loss pushes the scores of one class up and of the
#   other down, and since the network can barely tell the points apart, these pushes nearly
#   cancel, so every gradient is small.
# - **Steps 3–30:** the gradients creep back up, but layer 1 still gets 10–30 times less
#   than layer 5, and after 30 epochs the network still gets half of the points wrong, no
#   better than guessing.
#
# In the ReLU network every layer receives a gradient of about the same size, and it learns.

# %% [markdown]
# The playground shows the same thing while you train: here a deep sigmoid network (four hidden
# layers) on the moons. The panel "gradient norm per layer" puts the layers side by side on a
# log scale: the first layers' lines sit far below the last one's. Switch the activation to
# ReLU or tanh and press **Reset**, and watch the lines come together.

# %%
deep = mg.playground(dataset="moons", layers=[6, 6, 6, 6], activation="sigmoid", lr=0.1,
                     optimizer="sgd", seed=0)
deep.step(60)
deep

# %% [markdown]
# ## 4. Exploding gradients
#
# The opposite happens when the factors are larger than 1. Take the ReLU network but draw its
# weights from $\mathcal{N}(0, 1)$ instead of He's $\mathcal{N}(0, 2/n_\text{in})$: each layer now
# *multiplies* the signal — and the gradient — by roughly $\sqrt{n_\text{in}/2} \approx 2.4$.


# %%
def too_large(fan_in, fan_out, rng):
    return rng.gauss(0.0, 1.0)


exploding = nn.MLP(2, [WIDTH] * DEPTH + [1], activation="relu", init=too_large, rng=0)
signals["ReLU, N(0, 1) weights"] = backward_signal(exploding, X[:10])

fig, ax = plt.subplots(figsize=(7, 4))
for (name, g), marker in zip(signals.items(), "os^"):
    ax.plot(layers, g, marker=marker, label=name)
ax.set(yscale="log", xlabel=f"layer (1 = next to the input, {DEPTH + 1} = output)",
       ylabel="size of the gradient arriving", xticks=layers,
       title="Vanishing, healthy and exploding gradients")
ax.legend()
plt.show()

# %% [markdown]
# With exploding gradients a single update can throw the weights far away, and the loss jumps
# or becomes `nan`. Remedies: a careful initialization (He, Xavier), smaller learning rates,
# **gradient clipping** (rescale the gradient when its norm is too large), and normalization
# layers.
#
# ## 5. Local minima
#
# A neural network's loss is not a simple bowl. Here is a one-dimensional landscape with two
# valleys:
#
# $$f(x) = x^4 - 3x^2 + x .$$
#
# Its global minimum is near $x = -1.30$, and a shallower **local minimum** sits near
# $x = 1.13$. Gradient descent only sees the local slope, so where it ends depends on where it
# starts.


# %%
def f(x):
    return x**4 - 3 * x**2 + x


def descend(x0, steps=60, lr=0.02, momentum=0.0):
    x = mg.Value(x0, label="x")
    opt = optim.SGD([x], lr=lr, momentum=momentum)
    path = [x.data]
    for _ in range(steps):
        loss = f(x)
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append(x.data)
    return path


grid = np.linspace(-2.2, 2.2, 300)
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
ax1.plot(grid, f(grid), color="0.3")
for x0, color in ((-2.0, "tab:green"), (0.3, "tab:red"), (2.0, "tab:red")):
    path = np.array(descend(x0))
    ax1.plot(path, f(path), "o-", ms=3, color=color, alpha=0.8, label=f"start {x0:+.1f}")
ax1.set(xlabel="x", ylabel="f(x)", title="Plain gradient descent from three starts", ylim=(-4, 6))
ax1.legend()

rng = random.Random(7)
starts = [rng.uniform(-2, 2) for _ in range(20)]
ends = [descend(x0)[-1] for x0 in starts]
ax2.plot(grid, f(grid), color="0.3")
ax2.scatter(starts, [f(s) for s in starts], marker="x", color="0.5", label="20 random starts")
ax2.scatter(ends, [f(e) for e in ends], color="tab:blue", zorder=3, label="where each ended")
best = min(ends, key=f)
ax2.scatter([best], [f(best)], s=200, facecolor="none", edgecolor="black", lw=2,
            label="best of the restarts")
ax2.set(xlabel="x", title="Random restarts: keep the best", ylim=(-4, 6))
ax2.legend()
fig.tight_layout()
plt.show()
print(f"{sum(e < 0 for e in ends)} of {len(ends)} restarts reached the global minimum; "
      f"best x = {best:.3f}, f = {f(best):.3f}")

# %% [markdown]
# **Restarts** run gradient descent several times from random points and keep the best
# result. **Momentum** gives gradient descent inertia: a heavy ball that arrives fast enough
# rolls over the bump between the valleys. Starting at $x = 2$ (which plain descent takes to the
# local minimum):

# %%
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(grid, f(grid), color="0.3")
for mom, color in ((0.0, "tab:red"), (0.9, "tab:blue")):
    path = np.array(descend(2.0, steps=80, momentum=mom))
    ax.plot(path, f(path), "o-", ms=3, color=color, alpha=0.7,
            label=f"momentum {mom}: ends at x = {path[-1]:.2f}")
ax.set(xlabel="x", ylabel="f(x)", ylim=(-4, 6), title="Momentum can roll over a bump")
ax.legend()
plt.show()

# %% [markdown]
# Momentum is not a guarantee (with too little it stops in the first valley; with too much it
# can overshoot the good one too), but together with the noise of mini-batches it is one reason
# why large networks rarely get stuck. In high dimensions, most critical points of a network's
# loss are *saddle points* rather than bad local minima, and most local minima are about as good
# as each other.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — how deep before it vanishes?
# For sigmoid MLPs with 2, 4, 8 and 12 hidden layers (width 12), compute the size of the
# gradient arriving at layer 1 with `backward_signal`. How does it change with depth? Roughly
# what factor per layer?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: it falls geometrically with depth. Between layer 1 and the last hidden layer the
# gradient passes back through depth − 1 sigmoid layers, each multiplying it by at most 0.25
# (times a weight); the linear output layer multiplies it by its weights only, with no
# sigmoid slope, so it is left out of the per-layer factor and printed on its own.
for depth in (2, 4, 8, 12):
    net = nn.MLP(2, [WIDTH] * depth + [1], activation="sigmoid", rng=0)
    g = backward_signal(net, X[:10])  # g[depth] is the output (1), g[depth - 1] the last hidden
    per_layer = (g[0] / g[depth - 1]) ** (1 / (depth - 1))
    print(f"depth {depth:2d}: gradient at layer 1 = {g[0]:.2e}, "
          f"per sigmoid layer ×{per_layer:.2f}, output layer ×{g[depth - 1] / g[depth]:.2f}")
# The factor per sigmoid layer stays around 0.2 (0.18 to 0.24) whatever the depth, so the
# gradient at layer 1 falls 4 to 5 times for every layer added.

# %% [markdown]
# ### Exercise 2 — gradient clipping
# Clip the gradient of the exploding network: after `backward()`, if the norm of *all*
# gradients together exceeds 1, rescale every gradient so that the total norm is exactly 1.
# Check the norm after clipping.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
params = exploding.parameters()
exploding.zero_grad()
losses.hinge([exploding(x) for x in X], y).backward()
total = math.sqrt(sum(p.grad**2 for p in params))
if total > 1.0:
    for p in params:
        p.grad *= 1.0 / total
print(f"norm before clipping {total:.3g}, after {math.sqrt(sum(p.grad**2 for p in params)):.3g}")

# %% [markdown]
# ### Exercise 3 — how much momentum?
# Starting from $x = 2$, try momentum 0.5, 0.8, 0.9 and 0.95 (learning rate 0.02, 80 steps).
# Which values escape the local minimum? Which end in the global one?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: 0.5 is too little; it stops in the local valley. 0.8 and 0.9 roll over the bump
# and settle in the global minimum. 0.95 is too much: it rolls through the global valley (as
# far as x = -2.04), back over the bump, and ends up swinging around the local minimum.
for mom in (0.5, 0.8, 0.9, 0.95):
    end = descend(2.0, steps=80, momentum=mom)[-1]
    where = "global" if end < 0 else "local"
    print(f"momentum {mom}: ends at x = {end:+.3f} ({where} minimum)")

# %% [markdown]
# ## Check yourself
#
# Three questions. Write your answer in place of the `...` and run the cell below it:
# `mg.check` says ✓ or ✗ (with a hint). The answers are in the collapsed cells.
# This section runs on its own: it needs nothing from the cells above.

# %%
import microgrand as mg
from microgrand.selfcheck import show_curves, training_curve

# %% [markdown]
# **1. Predict, then run.** Start from $x$ and double it ten times: $y = 2 \cdot 2 \cdots 2 \cdot x$.
# What is $dy/dx$?

# %%
q1 = ...  # your prediction

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = 1024

# %% tags=["check"] jupyter={"source_hidden": true}
x = mg.Value(0.1)
y = x
for _ in range(10):
    y = 2 * y
y.backward()
print("dy/dx =", x.grad)
mg.check(q1, x.grad, hint="one factor of 2 per layer: 2¹⁰ — gradients explode the same way")

# %% [markdown]
# **2.** The sigmoid's slope is at most 0.25. By a factor of **at least** how much does each
# sigmoid layer shrink the gradient (ignoring the weights)?

# %%
q2 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = 4

# %% tags=["check"] jupyter={"source_hidden": true}
mg.check(q2, 1 / 0.25, hint="multiplying by at most 0.25 divides by at least …")

# %% [markdown]
# **3. Diagnose this loss curve.** Which run's gradients **explode** — each step overshoots
# further than the last? Answer `"A"`, `"B"` or `"C"`.

# %%
q3 = ...  # a letter

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = "B"

# %% tags=["check"] jupyter={"source_hidden": true}
curves = {"A": training_curve(0.005), "B": training_curve(0.3), "C": training_curve(0.1)}
show_curves(curves, "Which one explodes?")
mg.check(q3, "B", hint="exploding: w overshoots 1.5 further at every step (zig-zag), and the loss grows by a constant factor")


# %% [markdown]
# ## Summary
#
# * The gradient of an early layer is a **product** of one factor per later layer. Factors
#   below 1 make it **vanish** (deep sigmoid networks), factors above 1 make it **explode**
#   (weights too large).
# * ReLU passes gradients back unchanged where it is active, and He/Xavier initialization keeps
#   the factors near 1: that is what makes deep networks trainable.
# * Measure instead of guessing: gradient norms per layer (`history.grad_norms`) show at a
#   glance which layers learn.
# * Gradient descent finds *a* minimum, not necessarily the best one; restarts and momentum
#   help it escape shallow valleys.
