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
# # 04 · A neuron
#
# **Goal:** build an artificial neuron (weights, a bias and an activation function), compare the
# four common activation functions and their derivatives, and follow the gradient through a
# neuron to see how each weight learns from its input.
#
# *Time: about 35 minutes. Prerequisites: lessons 01–03.*
#
# In this lesson you will
# 1. write a neuron with `mg.Value`s, then with `microgrand.nn.Neuron`,
# 2. plot tanh, sigmoid, ReLU and leaky ReLU with their derivatives (computed by `backward()`),
# 3. follow the backward pass through a neuron, then work out its gradients yourself,
# 4. see when a neuron stops learning (saturation, "dead" ReLUs).

# %%
import math
import random

import matplotlib.pyplot as plt

import microgrand as mg
from microgrand.nn import Neuron

# %% [markdown]
# ## 1. What a neuron computes
#
# A neuron takes inputs $x_1, \dots, x_n$, multiplies each by a **weight** $w_i$, adds a **bias**
# $b$ and passes the sum through an **activation function** $\varphi$:
#
# $$o = \varphi\Big(\sum_i w_i x_i + b\Big)$$
#
# The weights say how much each input matters (and with which sign), the bias shifts the
# threshold, and the activation makes the neuron *non-linear*: without it, stacking neurons
# would only ever compute straight lines.

# %%
x = [mg.Value(2.0, label="x1"), mg.Value(-1.0, label="x2")]
w = [mg.Value(0.5, label="w1"), mg.Value(-1.5, label="w2")]
b = mg.Value(-1.0, label="b")

products = [wi * xi for wi, xi in zip(w, x)]
for p, wi, xi in zip(products, w, x):
    p.label = f"{wi.label}·{xi.label}"
n = mg.vsum(products + [b])  # one Σ node for the weighted sum
n.label = "n"
o = n.tanh()
o.label = "o"
print(f"n = {n.data},  o = tanh(n) = {o.data:.4f}")


def named_locals(root):
    """Each edge's local derivative as a note that names its input, e.g. ∂/∂w1 = 2.00."""
    graph = mg.Graph.of(root)
    notes = {}
    for edge in graph.edges:
        name = graph.node(edge.src).label
        name = f"({name})" if "·" in name else name
        notes[(edge.src, edge.dst, edge.position)] = f"∂/∂{name} = {edge.local:.2f}"
    return notes


mg.draw(o, show=["data"], edge_notes=named_locals(o), rankdir="TB", precision=2)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert n.data == 1.5 and abs(o.data - math.tanh(1.5)) < 1e-12, "n = 1.5, o = 0.9051"
assert all(v == 1.0 for v in n.local_grads), "Σ: every local derivative is 1"
assert [p.local_grads[0] for p in products] == [xi.data for xi in x], "∂(w·x)/∂w = x"

# %% [markdown]
# `mg.vsum` adds many Values as **one** `Σ` node (instead of a chain of `+` nodes), which keeps
# the diagram readable. Its local derivative with respect to each input is 1. Each edge names
# the input its local derivative is for: $\partial/\partial w_1 = 2.00$ is
# $\partial(w_1 x_1)/\partial w_1 = x_1$, a weight's local derivative is the input it
# multiplies.
#
# ## 2. Activation functions side by side
#
# The four activations you will meet most often:
#
# | name | formula | derivative |
# |---|---|---|
# | tanh | $\tanh(x)$ | $1 - \tanh(x)^2$ |
# | sigmoid | $\sigma(x) = 1/(1 + e^{-x})$ | $\sigma(x)(1 - \sigma(x))$ |
# | ReLU | $\max(0, x)$ | $1$ if $x > 0$ else $0$ |
# | leaky ReLU | $x$ if $x > 0$ else $\alpha x$ | $1$ if $x > 0$ else $\alpha$ |
#
# Rather than trusting the table, we let microgrand compute each derivative: for every point $x$
# on a grid, build the one-node graph, call `backward()` and read `x.grad`.

# %%
ACTIVATIONS = {
    "tanh": lambda v: v.tanh(),
    "sigmoid": lambda v: v.sigmoid(),
    "ReLU": lambda v: v.relu(),
    "leaky ReLU (α = 0.1)": lambda v: v.leaky_relu(0.1),
}
grid = [i / 20 for i in range(-100, 101)]  # -5 … 5


def value_and_derivative(act, t):
    v = mg.Value(t)
    out = act(v)
    out.backward()
    return out.data, v.grad


slopes = {}  # name: the derivative at every grid point
fig, axes = plt.subplots(2, 4, figsize=(10, 4.6), sharex=True)
for col, (name, act) in enumerate(ACTIVATIONS.items()):
    ys, dys = zip(*(value_and_derivative(act, t) for t in grid))
    slopes[name] = dys
    axes[0, col].plot(grid, ys, color="tab:blue")
    axes[0, col].set_title(name)
    axes[1, col].plot(grid, dys, color="tab:red")
    axes[1, col].set_xlabel("x")
    for ax in axes[:, col]:
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
axes[0, 0].set_ylabel("φ(x)")
axes[1, 0].set_ylabel("φ′(x)  (from backward)")
fig.tight_layout()
plt.show()

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
far = [i for i, t in enumerate(grid) if abs(t) >= 4]
assert abs(max(slopes["sigmoid"]) - 0.25) < 1e-12 and abs(max(slopes["tanh"]) - 1) < 1e-12
assert all(slopes[k][i] < 0.02 for k in ("tanh", "sigmoid") for i in far), "flat far from 0"
assert all(d == (1.0 if t > 0 else 0.0) for t, d in zip(grid, slopes["ReLU"]) if t != 0)
assert all(d == (1.0 if t > 0 else 0.1) for t, d in zip(grid, slopes["leaky ReLU (α = 0.1)"])
           if t != 0), "leaky ReLU lets α = 0.1 through"

# %% [markdown]
# What to notice:
#
# - **tanh** and **sigmoid** are smooth S-curves. Far from 0 they are flat, so their derivative is
#   almost 0 there: a neuron whose sum $n$ is large in size is **saturated** and passes back almost
#   no gradient. The sigmoid's derivative is at most 0.25, tanh's at most 1.
# - **ReLU** passes the gradient unchanged for $x > 0$ and blocks it completely for $x < 0$.
#   It is cheap and does not saturate on the positive side, which is why deep networks use it.
# - **leaky ReLU** lets a small gradient $\alpha$ through for $x < 0$, so a neuron can recover.
#
# A quick check that `backward()` agrees with the formulas in the table at a few points:

# %%
agree = []
for t in (-2.0, -0.5, 0.3, 1.7):
    th = mg.Value(t).tanh().data
    sg = mg.Value(t).sigmoid().data
    d_tanh = value_and_derivative(ACTIVATIONS["tanh"], t)[1]
    d_sigmoid = value_and_derivative(ACTIVATIONS["sigmoid"], t)[1]
    agree += [abs(d_tanh - (1 - th**2)), abs(d_sigmoid - sg * (1 - sg))]
    print(f"x = {t:5.1f}:  tanh' {d_tanh:.6f} (formula {1 - th**2:.6f})   "
          f"sigmoid' {d_sigmoid:.6f} (formula {sg * (1 - sg):.6f})")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert max(agree) < 1e-12, "backward() agrees with the table"

# %% [markdown]
# ## 3. The gradient of a weight
#
# Back to our neuron. By the chain rule,
#
# $$\frac{do}{dw_i} = \varphi'(n) \cdot x_i, \qquad
#   \frac{do}{db} = \varphi'(n).$$
#
# (A straight **d** for the total derivative, what `.grad` holds, as in lesson 02: each is the
# activation's local derivative $\partial o/\partial n = \varphi'(n)$ times the local
# derivative of $n$ with respect to the weight, $\partial n/\partial w_i = x_i$.)
#
# The gradient of a weight is **the activation's slope times the input the weight multiplies**.
# Let us check it on the neuron above:

# %%
o.backward()
slope = 1 - o.data**2  # tanh'(n)
for wi, xi in zip(w, x):
    print(f"d(o)/d{wi.label} = {wi.grad:.6f}   φ'(n)·{xi.label} = {slope * xi.data:.6f}")
print(f"d(o)/db  = {b.grad:.6f}   φ'(n)      = {slope:.6f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert all(abs(wi.grad - slope * xi.data) < 1e-12 for wi, xi in zip(w, x))
assert abs(b.grad - slope) < 1e-12

# %% [markdown]
# The backward pass of this neuron as chain-rule lines: the gradient starts at $o$, is
# multiplied by $\tanh'(n)$ on the way into $n$, and the `Σ` node hands the same gradient to
# every one of its inputs, where each product node multiplies it by the *other* factor. As in
# lesson 02, $do/dx$ (straight d) is the total derivative, what `.grad` holds, and
# $\partial n/\partial x$ (curly ∂) is the local derivative of one operation:

# %%
mg.explain(o)

# %% [markdown]
# ## 4. A neuron from the library
#
# `microgrand.nn.Neuron` packages the same computation. Its weights start random (drawn from the
# generator you pass as `rng`, so the notebook is reproducible) and its bias at 0. All the nodes it
# creates are tagged with its name, so the diagram draws them inside one box. (We name its
# weighted sum `n`, the input of tanh: `out.inputs[0]`.) After `backward()`, each weight's
# gradient is again $\tanh'(n)\,x_i$:

# %%
neuron = Neuron(3, activation="tanh", rng=random.Random(0))
print(neuron)
print("parameters:", [(p.label, round(p.data, 3)) for p in neuron.parameters()])
inputs = [mg.Value(1.0, label="x1"), mg.Value(-2.0, label="x2"), mg.Value(0.5, label="x3")]
out = neuron(inputs)
out.label = "o"
out.inputs[0].label = "n"
out.backward()
for wi, xi in zip(neuron.w, inputs):
    print(f"d(o)/d{wi.label} = {wi.grad:+.4f}   tanh'(n)·{xi.label} = {(1 - out.data**2) * xi.data:+.4f}")
mg.draw(out, show=["data"], rankdir="TB", precision=2)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert all(abs(wi.grad - (1 - out.data**2) * xi.data) < 1e-12 for wi, xi in zip(neuron.w, inputs))
assert neuron.b.data == 0.0, "the bias starts at 0"

# %% [markdown]
# ### Your turn: the gradients of a neuron
# Before reading on, work out the gradients of a neuron with one input,
# $o = \tanh(w x + b)$ with $x = 2$, $w = 0.5$ and $b = \operatorname{atanh}(0.5) - 1 \approx -0.451$,
# from the output backwards. Type each gradient into its box and press Enter; the **Hint**
# button shows the chain-rule product for a node, with the numbers you already have right.

# %%
x = mg.Value(2.0, label="x")
w = mg.Value(0.5, label="w")
b = mg.Value(math.atanh(0.5) - 1.0, label="b")
wx = w * x
wx.label = "w·x"
n = wx + b
n.label = "n"
o = n.tanh()
o.label = "o"
o.backward()
mg.quiz(o, precision=3, reveal=False)

# %% [markdown]
# Done? The player steps through the backward pass of the same neuron, one node at a time, and
# ends with every gradient filled in: compare them with yours.

# %%
mg.step(o, rankdir="TB", precision=3)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(b.data + 0.451) < 5e-4, "b ≈ -0.451, as the quiz's text says"
assert abs(o.data - 0.5) < 1e-12 and abs(n.grad - 0.75) < 1e-12, "o = 0.5, tanh'(n) = 0.75"
assert abs(w.grad - 0.75 * x.data) < 1e-12 and abs(x.grad - 0.75 * w.data) < 1e-12
assert abs(b.grad - n.grad) < 1e-12 and abs(wx.grad - n.grad) < 1e-12

# %% [markdown]
# Now drag the inputs in the live view and watch how each gradient depends on them: the
# gradient of $w$ is always $\tanh'(n)$ times $x$, so it follows $x$ (and is 0 when $x = 0$).

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
for x_value in (0.0, 1.0, -3.0):
    x_, w_, b_ = mg.Value(x_value), mg.Value(0.5), mg.Value(b.data)
    o_ = (w_ * x_ + b_).tanh()
    o_.backward()
    assert abs(w_.grad - (1 - o_.data**2) * x_value) < 1e-12, "do/dw = tanh'(n) · x"

# %%
mg.live(o, rankdir="TB", precision=3)

# %% [markdown]
# ## 5. When a neuron stops learning
#
# The size of the gradients that reach the weights depends on $\varphi'(n)$. Take a neuron with
# one input $x_1 = 2$ and weight $w_1 = 0.5$, move its weighted sum $n$ with the bias, and plot
# $do/dw_1 = \varphi'(n) \cdot 2$ for each activation:

# %%
STYLE = {"ReLU": dict(lw=4, alpha=0.5), "leaky ReLU (α = 0.1)": dict(ls="--")}  # both visible
learns = {}  # name: (sums, gradients of w1)
fig, ax = plt.subplots(figsize=(7, 3.5))
for name, act in ACTIVATIONS.items():
    sums, grads = [], []
    for bias in grid:
        w1 = mg.Value(0.5)
        n = w1 * 2.0 + bias  # input x1 = 2, so n = 1 + bias
        act(n).backward()
        sums.append(n.data)
        grads.append(w1.grad)
    learns[name] = (sums, grads)
    ax.plot(sums, grads, label=name, **STYLE.get(name, {}))
ax.set_xlabel("the neuron's weighted sum n (moved by changing the bias)")
ax.set_ylabel("do/dw1  (input x1 = 2)")
ax.legend(fontsize=8)
ax.set_title("how much the weight w1 learns, as the neuron's sum moves", fontsize=10)
plt.show()

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
for name in ("tanh", "sigmoid"):
    sums, grads = learns[name]
    assert all(g < 0.05 * max(grads) for s_, g in zip(sums, grads) if abs(s_) >= 5), "far: almost 0"
sums, grads = learns["ReLU"]
assert all(g == 0.0 for s_, g in zip(sums, grads) if s_ < 0), "dead ReLU: exactly 0"
sums, grads = learns["leaky ReLU (α = 0.1)"]
assert all(abs(g - 0.1 * 2) < 1e-12 for s_, g in zip(sums, grads) if s_ < 0), "a trickle: α · x1"

# %% [markdown]
# - With **tanh** or **sigmoid**, a neuron whose sum is far from 0 gets almost no gradient: it
#   learns very slowly. That is one reason why inputs are scaled and weights initialised small
#   (lesson 07).
# - With **ReLU**, a neuron whose sum is negative for every input gets exactly zero gradient and
#   never changes again: a **dead ReLU**. Leaky ReLU keeps a trickle of gradient.
#
# ## Exercises
#
# ### Exercise 1 — softplus is a smooth ReLU
# `v.softplus()` computes $\log(1 + e^x)$. Plot it next to ReLU, and plot its derivative (from
# `backward()`) next to the sigmoid. What do you notice?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
fig, axes = plt.subplots(1, 2, figsize=(9, 3))
sp = [value_and_derivative(lambda v: v.softplus(), t) for t in grid]
axes[0].plot(grid, [y for y, _ in sp], label="softplus")
axes[0].plot(grid, [max(0.0, t) for t in grid], "--", label="ReLU")
axes[1].plot(grid, [d for _, d in sp], label="softplus′ (backward)")
axes[1].plot(grid, [mg.Value(t).sigmoid().data for t in grid], "--", label="sigmoid")
for ax in axes:
    ax.legend(fontsize=8)
plt.show()
# The derivative of softplus IS the sigmoid: the two curves on the right coincide.

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert max(abs(d - mg.Value(t).sigmoid().data) for (_, d), t in zip(sp, grid)) < 1e-12

# %% [markdown]
# ### Exercise 2 — a dead ReLU
# Make a `Neuron(2, activation="relu", rng=1)` and set its bias to $-10$ (`neuron.b.data = -10.0`).
# Feed it `[1.0, 1.0]`, call `backward()` and print every parameter's gradient. Then do the same
# with `activation="leaky_relu"`. Which one can still learn?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
for activation in ("relu", "leaky_relu"):
    cell = Neuron(2, activation=activation, rng=1)
    cell.b.data = -10.0
    y = cell([1.0, 1.0])
    y.backward()
    print(activation, {p.label: p.grad for p in cell.parameters()})
# ReLU: all gradients are 0 (the sum is negative, relu' = 0): gradient descent cannot move it.
# Leaky ReLU: small non-zero gradients (α · input, with nn's default α = 0.01), so the neuron
# can come back to life.

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
dead, leaky = (Neuron(2, activation=a, rng=1) for a in ("relu", "leaky_relu"))
for cell in (dead, leaky):
    cell.b.data = -10.0
    cell([1.0, 1.0]).backward()
assert all(p.grad == 0 for p in dead.parameters())
assert all(abs(p.grad - 0.01) < 1e-12 for p in leaky.parameters()), "α · input = 0.01"

# %% [markdown]
# ### Exercise 3 — by hand, then check
# A sigmoid neuron has $w = (1, -2)$, $b = 0.5$ and gets the input $x = (0.5, 0.25)$. Compute
# $n$, $o = \sigma(n)$ and $do/dw_1$ with pencil and paper (use
# $\sigma' = \sigma(1-\sigma)$), then check with microgrand and `mg.gradcheck`.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# n = 1·0.5 + (-2)·0.25 + 0.5 = 0.5, o = σ(0.5) ≈ 0.6225,
# do/dw1 = σ(0.5)(1 − σ(0.5)) · x1 ≈ 0.2350 · 0.5 ≈ 0.1175
w1, w2, b = mg.Value(1.0, label="w1"), mg.Value(-2.0, label="w2"), mg.Value(0.5, label="b")


def sigmoid_neuron(w1, w2, b):
    return (w1 * 0.5 + w2 * 0.25 + b).sigmoid()


o = sigmoid_neuron(w1, w2, b)
o.backward()
print(f"o = {o.data:.4f}, d(o)/dw1 = {w1.grad:.4f}")
print(mg.gradcheck(sigmoid_neuron, [w1, w2, b]))

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(o.data - 0.6225) < 5e-5 and abs(w1.grad - 0.1175) < 5e-5

# %% [markdown]
# ## Check yourself
#
# Three questions. Write your answer in place of the `...` and run the cell below it:
# `mg.check` says ✓ or ✗ (with a hint). Your teacher's copy of the lesson has the answers.
# This section runs on its own: it needs nothing from the cells above.

# %%
import microgrand as mg

# %% [markdown]
# **1. Predict, then run.** A ReLU neuron with weights $(1, -2)$, bias $0.5$ and input
# $(1, 1)$: what is its output?

# %%
q1 = ...  # your prediction

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = 0

# %% tags=["check"] jupyter={"source_hidden": true}
x1, x2 = 1.0, 1.0
w1, w2, b = mg.Value(1.0), mg.Value(-2.0), mg.Value(0.5)
out = (w1 * x1 + w2 * x2 + b).relu()
mg.check(q1, out.data, hint="the sum is 1 − 2 + 0.5 = −0.5, and ReLU of a negative number is 0")

# %% [markdown]
# **2.** What is the slope of the sigmoid at 0, $\sigma'(0)$?

# %%
q2 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = 0.25

# %% tags=["check"] jupyter={"source_hidden": true}
z = mg.Value(0.0)
z.sigmoid().backward()
mg.check(q2, z.grad, hint="σ′(z) = σ(z)(1 − σ(z)) and σ(0) = 0.5")

# %% [markdown]
# **3.** In the neuron of question 1, what is the gradient of the output with respect to $w_1$?

# %%
q3 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = 0

# %% tags=["check"] jupyter={"source_hidden": true}
x1, x2 = 1.0, 1.0
w1, w2, b = mg.Value(1.0), mg.Value(-2.0), mg.Value(0.5)
(w1 * x1 + w2 * x2 + b).relu().backward()
mg.check(q3, w1.grad, hint="ReLU is flat for negative sums: its local derivative is 0, so nothing flows back (a dead ReLU)")


# %% [markdown]
# ## Summary
#
# - A neuron computes $\varphi(\sum_i w_i x_i + b)$: a weighted sum, then a non-linear
#   activation.
# - By the chain rule, $do/dw_i = \varphi'(n)\,x_i$: a weight learns in
#   proportion to its input and to the slope of the activation.
# - tanh and sigmoid **saturate** (tiny slope for large $|n|$); ReLU passes gradients unchanged
#   for $n > 0$ but blocks them for $n < 0$ (dead neurons); leaky ReLU keeps a small slope.
# - `microgrand.nn.Neuron` packages the computation; its nodes are grouped in diagrams.
# - Next lesson: a **loss** tells the neuron how wrong it is, and gradient descent uses the
#   gradients to make it less wrong.
