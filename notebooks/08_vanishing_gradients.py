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
# $$\Big\lVert \frac{d\, \text{out}}{d h_\ell} \Big\rVert
#   = \sqrt{\textstyle\sum_{j} \big(d\, \text{out} / d h_{\ell, j}\big)^2}$$
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


def per_hidden_layer(g):
    return (g[0] / g[DEPTH - 1]) ** (1 / (DEPTH - 1))

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
sig, relu = signals["sigmoid"], signals["ReLU"]
assert abs(sig[DEPTH] - 1) < 1e-12 and abs(relu[DEPTH] - 1) < 1e-12, "1 at the output"
assert 0.18 < per_hidden_layer(sig) < 0.25, "sigmoid: about ×0.23 per hidden layer, near 0.25"
assert sig[0] < 1e-4, "sigmoid: layer 1 gets less than 0.01 % of the output's gradient"
assert per_hidden_layer(relu) > 0.7 and relu[0] > 0.1, "ReLU: the gradient keeps its size"

# %% [markdown]
# In the sigmoid network the gradient shrinks by a factor of about 4 per hidden layer (×0.23)
# — close to the 0.25 of the sigmoid's largest slope — and the first layer receives less than
# 0.01 % of it, so the first layers barely learn. With ReLU it keeps roughly its size. This is the
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
scores = {}
for name, h in histories.items():
    with mg.no_grad():
        scores[name] = [trained[name](x).data for x in X]
    print(f"{name:8s} final loss {h.loss[-1]:.3f}, accuracy {h.accuracy[-1]:.0%}, "
          f"scores of the 40 points from {min(scores[name]):+.3f} to {max(scores[name]):+.3f}")
g = histories["sigmoid"].grad_norms
ratio = [last / first for first, last in zip(g["layer1"], g["layer5"])]
print("sigmoid, layer 5's gradient norm ÷ layer 1's, at steps 1, 2, 3, 10, 20, 29 and 30:")
print("  " + "  ".join(f"{ratio[s - 1]:.{0 if ratio[s - 1] >= 10 else 1}f}×"
                       for s in (1, 2, 3, 10, 20, 29, 30)))
print(f"sigmoid, from step 2 to step 3: layer 5's norm falls {g['layer5'][1] / g['layer5'][2]:.0f}"
      f" times, layer 1's {g['layer1'][1] / g['layer1'][2]:.1f} times")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert all(300 < r < 3000 for r in ratio[:2]), "steps 1–2: hundreds of times less in layer 1"
assert 100 < g["layer5"][1] / g["layer5"][2] < 1000, "step 3: layer 5's drops about 300 times"
assert g["layer1"][1] / g["layer1"][2] < 2, "while layer 1's hardly changes"
assert all(2 < r < 40 for r in ratio[2:]), "steps 3–30: between 2.5 and 30 times less"
assert min(scores["sigmoid"]) > 0, "the sigmoid network calls every point +1"
assert histories["sigmoid"].accuracy[-1] <= 0.6, "and gets half of the points wrong"
relu_g = histories["ReLU"].grad_norms
spreads = [max(step) / min(step) for step in zip(*relu_g.values())]
assert max(spreads) < 5, "ReLU: every layer within a factor of 5 of the others, at every step"
assert histories["ReLU"].accuracy[-1] >= 0.9, "and the ReLU network learns"

# %% [markdown]
# Read the sigmoid plot from left to right (each epoch is one step here: the whole data set).
#
# - **Steps 1–2:** the first layer receives hundreds of times less gradient than the last
#   one (the ratios are printed under the plots), even with only 4 hidden layers.
# - **Step 3:** the gradients of the last layers drop at once, layer 5's by about 300 times,
#   while layer 1's, already tiny, hardly changes. Nothing broke in backpropagation: the
#   first two updates pushed the network into a state where it gives almost **the same
#   answer for every point** (printed: all 40 scores are positive, so it calls every point
#   class +1). The hinge loss pushes the scores of one class up and of the other down, and
#   since the network can barely tell the points apart, these pushes nearly cancel, so the
#   gradient coming back from the output is small.
# - **Steps 3–30:** the gradients creep back up, layer 1's staying between about 2.5 and
#   30 times below layer 5's, and after 30 epochs the network still gets half of the points
#   wrong, no better than guessing.
#
# In the ReLU network every layer receives a gradient of about the same size (within a
# factor of 5 of each other at every step), and it learns.

# %% [markdown]
# The playground shows the same thing while you train: here a deep sigmoid network (four hidden
# layers of 6 units) on the moons, after 60 steps of plain SGD (learning rate 0.1, 10 points
# per step). In the live widget, the panel "gradient norm per layer" puts the layers side by
# side on a log scale. The stored picture shows only the boundary and the losses, so below it
# the same norms are drawn from the playground's history with `plots.plot_grad_norms`.

# %%
deep = mg.playground(dataset="moons", layers=[6, 6, 6, 6], activation="sigmoid", lr=0.1,
                     optimizer="sgd", batch_size=10, seed=0)
deep.step(60)
deep

# %%
fig = plots.plot_grad_norms(deep.history, title="playground, sigmoid: gradient norm per layer")
fig.axes[0].legend(title="input → output", loc="upper left", bbox_to_anchor=(1.01, 1))
fig

# %%
def layer_ratios(pg):
    """Layer 5's gradient norm ÷ layer 1's, at every step of the playground's run."""
    norms = pg.history.grad_norms
    return [last / first for first, last in zip(norms["layer1"], norms["layer5"])]


def median_ratio(pg):
    """The median over the steps of layer 5's gradient norm ÷ layer 1's."""
    ratios = sorted(layer_ratios(pg))
    return ratios[len(ratios) // 2]


print(f"layer 5 ÷ layer 1, median over the 60 steps: {median_ratio(deep):.0f}×;  "
      f"training accuracy {deep.history.train_accuracy[-1]:.0%}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert median_ratio(deep) > 30, "the first layer's line sits far below the last one's"
assert sum(r > 10 for r in layer_ratios(deep)) >= 0.75 * 60, "at most steps"
assert deep.history.train_accuracy[-1] < 0.6, "and the network does not learn"
for act in ("relu", "tanh"):
    other = mg.playground(dataset="moons", layers=[6, 6, 6, 6], activation=act, lr=0.1,
                          optimizer="sgd", batch_size=10, seed=0)
    other.step(60)
    assert median_ratio(other) < 3, f"with {act} the lines come together"

# %% [markdown]
# Layer 1's line sits far below layer 5's at most steps (the upper lines jump because each
# step sees another batch of 10 points), and after 60 steps the network is still at chance.
# Switch the activation to ReLU or tanh and press **Reset**, and watch the lines come together.

# %% [markdown]
# ## 4. Exploding gradients
#
# The opposite happens when the factors are larger than 1. Take the ReLU network but draw its
# weights from $\mathcal{N}(0, 1)$ instead of He's $\mathcal{N}(0, 2/n_\text{in})$: each layer now
# *multiplies* the signal — and the gradient — by roughly $\sqrt{n_\text{in}/2} \approx 2.4$
# (measured below: about 2 per layer, and the first layer receives hundreds of times the
# output's gradient).


# %%
def too_large(fan_in, fan_out, rng):
    return rng.gauss(0.0, 1.0)


exploding = nn.MLP(2, [WIDTH] * DEPTH + [1], activation="relu", init=too_large, rng=0)
signals["ReLU, N(0, 1) weights"] = backward_signal(exploding, X[:10])
g_big = signals["ReLU, N(0, 1) weights"]
print(f"N(0, 1) weights: at layer 1 {g_big[0]:.3g} (×{per_hidden_layer(g_big):.2f} per hidden layer)")

fig, ax = plt.subplots(figsize=(7, 4))
for (name, g), marker in zip(signals.items(), "os^"):
    ax.plot(layers, g, marker=marker, label=name)
ax.set(yscale="log", xlabel=f"layer (1 = next to the input, {DEPTH + 1} = output)",
       ylabel="size of the gradient arriving", xticks=layers,
       title="Vanishing, healthy and exploding gradients")
ax.legend()
plt.show()

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert 1.5 < per_hidden_layer(g_big) < 3, "each layer multiplies the gradient by about 2"
assert abs(math.sqrt(WIDTH / 2) - 2.4) < 0.1, "√(n_in/2) ≈ 2.4"
assert g_big[0] > 100, "the first layer receives hundreds of times the output's gradient"

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
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.6))
ax1.plot(grid, f(grid), color="0.3")
end_of = {}
for x0, color in ((-2.0, "tab:green"), (0.3, "tab:red"), (2.0, "tab:red")):
    path = np.array(descend(x0))
    end_of[x0] = path[-1]
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

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(end_of[-2.0] + 1.30) < 0.01, "from -2: the global minimum near -1.30"
assert abs(end_of[0.3] - 1.13) < 0.01 and abs(end_of[2.0] - 1.13) < 0.01, "local one near 1.13"
assert f(end_of[-2.0]) < f(end_of[2.0]) - 1, "the local minimum is shallower"
assert abs(best + 1.30) < 0.01 and 0 < sum(e > 0 for e in ends) < len(ends), "restarts help"

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

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert descend(2.0, steps=80)[-1] > 1, "without momentum: the local minimum"
assert descend(2.0, steps=80, momentum=0.9)[-1] < -1, "with momentum 0.9: over the bump"

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
at_layer1, factor = {}, {}
for depth in (2, 4, 8, 12):
    net = nn.MLP(2, [WIDTH] * depth + [1], activation="sigmoid", rng=0)
    g = backward_signal(net, X[:10])  # g[depth] is the output (1), g[depth - 1] the last hidden
    per_layer = (g[0] / g[depth - 1]) ** (1 / (depth - 1))
    at_layer1[depth], factor[depth] = g[0], per_layer
    print(f"depth {depth:2d}: gradient at layer 1 = {g[0]:.2e}, "
          f"per sigmoid layer ×{per_layer:.2f}, output layer ×{g[depth - 1] / g[depth]:.2f}")
# The factor per sigmoid layer stays around 0.2 (0.18 to 0.24) whatever the depth, so the
# gradient at layer 1 falls 4 to 5 times for every layer added.

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert all(0.17 < v < 0.25 for v in factor.values()), "about 0.2 per sigmoid layer"
for d1, d2 in ((2, 4), (4, 8), (8, 12)):
    per_added = (at_layer1[d1] / at_layer1[d2]) ** (1 / (d2 - d1))
    assert 3.5 < per_added < 5.5, "4 to 5 times less per layer added"

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

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert total > 1 and abs(math.sqrt(sum(p.grad**2 for p in params)) - 1) < 1e-9, "norm 1 after"

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

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
ends_at = {mom: descend(2.0, steps=80, momentum=mom)[-1] for mom in (0.5, 0.8, 0.9, 0.95)}
assert ends_at[0.5] > 0 and ends_at[0.8] < 0 and ends_at[0.9] < 0 and ends_at[0.95] > 0
assert -2.1 < min(descend(2.0, steps=80, momentum=0.95)) < -2.0, "0.95 rolls as far as -2.04"

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
mg.check(q1, x.grad, hint="one factor of 2 per doubling, multiplied together",
         note=f"dy/dx = {x.grad:g}: gradients explode the same way, one factor per layer")

# %% [markdown]
# **2. Predict, then run.** At $x = 1$ the slope of `tanh` is $1 - \tanh(1)^2 \approx 0.42$. A
# gradient travels back through 5 `tanh` layers, each at $x = 1$ (ignore the weights): by
# what factor is it multiplied when it arrives?

# %%
q2 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = 0.0131  # 0.42⁵: about 1/77 of the gradient is left

# %% tags=["check"] jupyter={"source_hidden": true}
at_one = mg.Value(1.0)
at_one.tanh().backward()  # at_one.grad: the slope of tanh at 1
factor = at_one.grad**5
mg.check(q2, factor, rel_tol=0.01, hint="one factor of 1 − tanh(1)² per layer, multiplied",
         note=f"{factor:.3g}: about 1/{1 / factor:.0f} of the gradient arrives")

# %% [markdown]
# **3. Diagnose this loss curve.** Three small networks (2 → 8 → 1, on the two moons) were
# trained by gradient descent for 60 steps: one healthy, one with all its weights
# initialised close to 0, and one with a learning rate so large that every update
# overshoots and the numbers overflow. Which run **diverged** because of its learning rate?
# Answer `"A"`, `"B"` or `"C"`.
#
# (That is not the exploding gradient of section 4, where the weights are too large from the
# start and the gradient grows through the layers: here a sensible network blows up because
# each step is far too big.)

# %%
runs = training_runs(["healthy", "diverged", "init_plateau"], seed=1)
show_runs(runs, "Which run diverged because of its learning rate?")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
overflowed = [k for k, r in runs.items() if r.diverged_at is not None]
assert overflowed == [runs.which("diverged")], "exactly one run overflows"
plateau = runs[runs.which("init_plateau")]
assert plateau.losses[4] > 0.95 * plateau.losses[0], "the small-weights run starts flat"
assert plateau.losses[-1] < 0.6 * plateau.losses[0], "and then learns"

# %%
q3 = ...  # a letter

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = "C"

# %% tags=["check"] jupyter={"source_hidden": true}
mg.check(q3, runs.which("diverged"),
         hint="a divergent learning rate makes the loss shoot up within a few steps until the "
              "numbers overflow; a flat start that then falls is a plateau, not a divergence")


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
