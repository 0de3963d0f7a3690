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
# # 05 · Loss and gradient descent
#
# **Goal:** measure how wrong a model is with a **loss**, and make it less wrong with **gradient
# descent**, in a training loop you write yourself: forward, loss, backward, update. Understand
# the division of labour: *backpropagation computes gradients; gradient descent uses them.*
#
# *Time: about 40 minutes. Prerequisites: lessons 01–04.*
#
# In this lesson you will
# 1. compare four loss functions and their gradients,
# 2. walk downhill on a one-parameter function,
# 3. write the training loop for a straight-line model by hand,
# 4. see what a too small and a too large learning rate do.

# %%
import random

import matplotlib.pyplot as plt

import microgrand as mg
from microgrand import losses

rng = random.Random(0)  # one seeded generator: the same numbers on every run

# %% [markdown]
# ## 1. A loss says how wrong we are
#
# A **loss** is a single number that is small when the predictions are good. Training means
# changing the parameters to make it smaller. Four common choices, for one prediction $p$ and a
# target $y$:
#
# | loss | formula | used for |
# |---|---|---|
# | mean squared error (`losses.mse`) | $(p - y)^2$ | regression |
# | mean absolute error (`losses.mae`) | $\lvert p - y\rvert$ | regression, robust to outliers |
# | hinge (`losses.hinge`) | $\max(0, 1 - y\,p)$, labels $y = \pm 1$ | classification (SVM) |
# | binary cross-entropy (`losses.binary_cross_entropy`) | $-\log \sigma(p)$ for $y = 1$ | classification |
#
# Below, the target is $y = 1$ and the prediction $p$ moves from $-3$ to $3$. The bottom row
# shows $d\,\text{loss}/dp$ from `backward()` (what `p.grad` holds): the signal that
# backpropagation will send into the model.

# %%
LOSSES = {
    "MSE": lambda p: losses.mse(p, 1.0),
    "MAE": lambda p: losses.mae(p, 1.0),
    "hinge": lambda p: losses.hinge(p, 1),
    "cross-entropy": lambda p: losses.binary_cross_entropy(p, 1, from_logits=True),
}
ps = [i / 20 for i in range(-60, 61)]
curves = {}  # name -> (losses, gradients), one of each per prediction in ps
fig, axes = plt.subplots(2, 4, figsize=(9.5, 4.4), sharex=True)
for col, (name, loss_fn) in enumerate(LOSSES.items()):
    values, grads = [], []
    for t in ps:
        p = mg.Value(t)
        loss = loss_fn(p)
        loss.backward()
        values.append(loss.data)
        grads.append(p.grad)
    curves[name] = (values, grads)
    axes[0, col].plot(ps, values)
    axes[0, col].set_title(name)
    axes[1, col].plot(ps, grads, color="tab:red")
    axes[1, col].set_xlabel("prediction p (target 1)")
    for ax in axes[:, col]:
        ax.axvline(1, color="grey", lw=0.5, ls="--")
        ax.axhline(0, color="grey", lw=0.5)
axes[0, 0].set_ylabel("loss")
axes[1, 0].set_ylabel("dloss/dp")
fig.tight_layout()
plt.show()

# %% [markdown]
# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
left = [i for i, t in enumerate(ps) if t < 1]  # predictions below the target
right = [i for i, t in enumerate(ps) if t > 1]
mse_g, mae_g, hinge_g, ce_g = (curves[n][1] for n in LOSSES)
assert all(abs(mse_g[i]) > abs(mse_g[i + 1]) for i in left[:-1]), "MSE's gradient shrinks near 1"
assert all(abs(abs(mae_g[i]) - 1) < 1e-12 for i in left + right), "MAE's gradient is always ±1"
assert all(curves["hinge"][0][i] == 0 and hinge_g[i] == 0 for i in right), "hinge is 0 past 1"
assert all(g < 0 for g in ce_g), "cross-entropy always pushes p up"
assert all(abs(ce_g[i]) > abs(ce_g[i + 1]) for i in range(len(ps) - 1)), "and more gently"

# %% [markdown]
# - **MSE** punishes big errors a lot (the square) and its gradient shrinks as we get close:
#   steps naturally get smaller near the answer.
# - **MAE** has a gradient of constant size ±1: it does not care *how* wrong, only in which
#   direction.
# - **Hinge** is exactly 0 once the score is beyond the margin ($p \ge 1$): correct and confident
#   examples stop contributing.
# - **Cross-entropy** (here on a raw score, `from_logits=True`) keeps pushing, more gently as the
#   prediction gets more confident.
#
# ## 2. Walking downhill
#
# The gradient points in the direction in which the loss **increases** fastest. So to decrease it,
# step the other way, by a small amount called the **learning rate** $\eta$:
#
# $$w \leftarrow w - \eta \, \frac{dL}{dw}$$
#
# Try it on $L(w) = (w - 3)^2 + 1$, starting at $w = -1$ with $\eta = 0.1$:

# %%
w = mg.Value(-1.0, label="w")
lr = 0.1
path = []
for _ in range(25):
    L = (w - 3) ** 2 + 1  # forward
    w.grad = 0.0  # forget the previous gradient
    L.backward()  # backpropagation: compute dL/dw
    path.append((w.data, L.data))
    w.data -= lr * w.grad  # gradient descent: use it

ws = [i / 10 for i in range(-20, 71)]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(ws, [(t - 3) ** 2 + 1 for t in ws], color="lightgrey", label="L(w)")
ax.plot([p[0] for p in path], [p[1] for p in path], "o-", ms=4, label="gradient descent")
ax.set_xlabel("w")
ax.set_ylabel("L")
ax.legend()
plt.show()
print(f"after {len(path)} steps: w = {w.data:.4f} (the minimum is at 3)")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
moves = [abs(b[0] - a[0]) for a, b in zip(path, path[1:])]
assert all(m1 > m2 for m1, m2 in zip(moves, moves[1:])), "every step is shorter than the last"
assert moves[0] > 50 * moves[-1], "big steps on the steep slope, tiny ones near the bottom"
assert abs(w.data - 3) < 0.02, "gradient descent ends next to the minimum at 3"

# %% [markdown]
# The steps are big where the slope is steep and get smaller near the bottom, where the gradient
# goes to 0. Notice the two separate jobs in the loop:
#
# - `L.backward()` is **backpropagation**: it only *computes* $dL/dw$.
# - `w.data -= lr * w.grad` is **gradient descent**: it *uses* the gradient to change $w$.
#
# Backpropagation is not a learning algorithm by itself; it is the efficient way to get the
# gradients that an optimiser (gradient descent, Adam, … lesson 07) needs.
#
# ## 3. A training loop, by hand
#
# Now a real (tiny) learning problem: points that lie roughly on a line $y = 2x + 1$. Our model is
# $\hat y = w x + b$ with two parameters, and the loss is the mean squared error over all points.

# %%
xs = [rng.uniform(-2, 2) for _ in range(30)]
ys = [2 * x + 1 + rng.gauss(0, 0.4) for x in xs]

w = mg.Value(rng.uniform(-1, 1), label="w")
b = mg.Value(0.0, label="b")
params = [w, b]


def model(x):
    return w * x + b


# one forward pass, drawn for the first two points only (the full graph has 30 of them).
# The inputs x1, x2, the targets y1, y2 and the predictions p1, p2 are labelled Values so that
# they can be told apart in the diagram; the loss is MSE written out: ((p1−y1)² + (p2−y2)²) / 2.
x_pts = [mg.Value(xs[i], label=f"x{i + 1}") for i in range(2)]
y_pts = [mg.Value(ys[i], label=f"y{i + 1}") for i in range(2)]
p_pts = [model(x) for x in x_pts]
for i, p in enumerate(p_pts):
    p.label = f"p{i + 1}"
small = mg.vsum([(p - y) ** 2 for p, y in zip(p_pts, y_pts)]) / 2
small.label = "loss"
assert abs(small.data - losses.mse(p_pts, [y.data for y in y_pts]).data) < 1e-12  # same as MSE
mg.draw(small, show=["data"], rankdir="TB", precision=2)

# %% [markdown]
# The loop has four lines that every training loop in every library has: **forward**, **loss**,
# **backward**, **update**. The update runs inside `mg.no_grad()` because it is bookkeeping, not
# part of the model's computation.
#
# Three words you will meet from now on:
#
# - An **epoch** is one pass over all the training data. Here each epoch is a single step,
#   because the loss uses all 30 points at once (*full-batch* gradient descent).
# - A **mini-batch** is a small random group of examples (say 32). With big data sets, each
#   step computes the loss and the gradient on one mini-batch only, so one epoch is many steps.
# - **Stochastic** ("random") gradient descent, **SGD**, is gradient descent on such random
#   mini-batches (originally one example at a time): each step's gradient is a noisy estimate
#   of the full one, much cheaper to compute. Libraries call the plain update rule "SGD" even
#   when the batch is the whole data set, as in lesson 06.

# %%
lr = 0.1
history = []
for epoch in range(60):  # increase for a better fit
    preds = [model(x) for x in xs]  # 1. forward
    loss = losses.mse(preds, ys)  # 2. loss
    mg.zero_grad(params)  # (reset: gradients add up across backward calls)
    loss.backward()  # 3. backward: compute dloss/dw and dloss/db
    with mg.no_grad():
        for p in params:  # 4. update: step downhill
            p.data -= lr * p.grad
    history.append(loss.data)

print(f"learned w = {w.data:.3f}, b = {b.data:.3f}  (data made with w = 2, b = 1)")
print(f"final loss {history[-1]:.3f}")
# the best any straight line can do: the least-squares line, in closed form (plain floats)
mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
w_best = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
best = sum((w_best * x + my - w_best * mx - y) ** 2 for x, y in zip(xs, ys)) / len(xs)
noise = sum((y - 2 * x - 1) ** 2 for x, y in zip(xs, ys)) / len(xs)
print(f"best straight line: loss {best:.3f}; variance of the noise in these 30 points {noise:.3f}")
fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.4))
axes[0].plot(history)
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("MSE loss")
axes[0].set_yscale("log")
axes[1].scatter(xs, ys, s=12, label="data")
axes[1].plot([-2, 2], [model(-2).data, model(2).data], color="tab:red", label="model")
axes[1].legend()
fig.tight_layout()
plt.show()

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(w.data - 2) < 0.1 and abs(b.data - 1) < 0.1, "the line found is close to 2x + 1"
assert history[-1] < 1.01 * best, "the loop ends within 1 % of the best straight line"
assert 0.17 < history[-1] < 0.21, "the loss levels off at about 0.19"
assert abs(history[-1] - history[-11]) < 0.01 * history[-1], "flat over the last 10 epochs"
assert 0.14 < 0.4**2 < noise < 0.21, "noise variance of the sample near 0.19, above 0.16"

# %% [markdown]
# The loss does not go to 0: the points are noisy, and no straight line passes through all of
# them. It levels off at about 0.19 (printed above), the best any straight line can do on
# these 30 points, close to the variance of the noise in them (we drew it with standard
# deviation 0.4, variance $0.4^2 = 0.16$; a sample of 30 is rarely exactly that).
#
# ## 4. The learning rate
#
# The learning rate is the most important knob of gradient descent. Run the same loop with
# several values:

# %%
def train_line(lr, epochs=40):
    """Fit w·x + b from the same start; return the loss curve and the path of (w, b)."""
    w, b = mg.Value(-1.0), mg.Value(3.5)
    curve, path = [], [(w.data, b.data)]
    for _ in range(epochs):
        loss = losses.mse([w * x + b for x in xs], ys)
        mg.zero_grad([w, b])
        loss.backward()
        with mg.no_grad():
            w.data -= lr * w.grad
            b.data -= lr * b.grad
        curve.append(loss.data)
        path.append((w.data, b.data))
        if loss.data > 1e6:  # diverged: stop before the numbers overflow
            break
    return curve, path


RATES = {0.01: "too small", 0.3: "good", 0.6: "large", 0.7: "too large"}
runs = {lr: train_line(lr) for lr in RATES}

fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.8))
for lr, (curve, _) in runs.items():
    axes[0].plot(curve, label=f"lr = {lr} ({RATES[lr]})")
axes[0].set_yscale("log")
axes[0].set_xlabel("epoch")
axes[0].set_ylabel("MSE loss")
axes[0].legend(fontsize=8)

# the loss surface over (w, b), computed with plain floats, and the path of each run
W = [-1.5 + 6 * i / 59 for i in range(60)]
B = [-1 + 5 * j / 59 for j in range(60)]
Z = [[sum((w_ * x + b_ - y) ** 2 for x, y in zip(xs, ys)) / len(xs) for w_ in W] for b_ in B]
axes[1].contour(W, B, Z, levels=[0.2, 0.4, 0.8, 1.6, 3.2, 6.4, 12.8, 25.6], colors="lightgrey")
for lr, (_, path) in runs.items():
    pw, pb = zip(*path[: 8 if lr == 0.7 else 25])
    axes[1].plot(pw, pb, "o-", ms=3, lw=1, label=f"lr = {lr}")
axes[1].set_xlim(W[0], W[-1])  # the too-large run leaves the picture
axes[1].set_ylim(B[0], B[-1])
axes[1].set_xlabel("w")
axes[1].set_ylabel("b")
axes[1].set_title("paths over the loss surface (first 25 steps; 8 for lr = 0.7)", fontsize=10)
axes[1].legend(fontsize=8)
fig.tight_layout()
plt.show()

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
small_c, good_c, large_c, huge_c = (runs[lr][0] for lr in RATES)
_, good_p, large_p, _ = (runs[lr][1] for lr in RATES)
assert small_c[-1] > 10 * good_c[-1], "lr 0.01 is far from done after 40 epochs"
assert good_c[10] < 1.05 * best, "lr 0.3 reaches the noise level within 10 epochs"

def turns(path, steps=10):
    """How often the step in b changes direction during the first `steps` steps."""
    moves = [b2 - b1 for (_, b1), (_, b2) in zip(path, path[1:steps + 1])]
    return sum(m1 * m2 < 0 for m1, m2 in zip(moves, moves[1:]))


assert turns(good_p) == 0 and turns(large_p) >= 6, "lr 0.6 zig-zags in b, lr 0.3 does not"
assert large_c[-1] < 1.01 * best and large_c[10] > 1.1 * good_c[10], "0.6 converges, slower"
assert huge_c[-1] > 1e4 * huge_c[0], "lr 0.7 explodes"

# %% [markdown]
# - **Too small** (0.01): every step is safe but tiny; after 40 epochs we are far from done.
# - **Good** (0.3): the loss drops quickly to the noise level; the path curves smoothly into
#   the bottom of the valley without zig-zagging.
# - **Large** (0.6): in the steep direction of the valley each step overshoots and lands on the
#   other side: the path **zig-zags**. It still converges, but more slowly.
# - **Too large** (0.7): each overshoot is bigger than the last; the loss explodes.
#
# There is no universal good value: it depends on the loss surface (how steep and curved it is).
# In practice you first try a few values spaced by factors of 3–10 (0.003, 0.01, 0.03, 0.1,
# 0.3, …), then look closer around the best, as we did here between 0.3 and 0.7.
#
# ## Exercises
#
# ### Exercise 1 — a different loss
# Train the line model with `losses.mae` instead of `losses.mse` (same data, 150 epochs, try
# `lr = 0.05`). Compare the learned $w$ and $b$ and the shape of the loss curve with the MSE
# run above.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
w2, b2 = mg.Value(-0.5), mg.Value(0.0)
curve = []
for _ in range(150):
    loss = losses.mae([w2 * x + b2 for x in xs], ys)
    mg.zero_grad([w2, b2])
    loss.backward()
    with mg.no_grad():
        for p in (w2, b2):
            p.data -= 0.05 * p.grad
    curve.append(loss.data)
print(f"MAE fit: w = {w2.data:.3f}, b = {b2.data:.3f}")
plt.plot(curve)
plt.xlabel("epoch")
plt.ylabel("MAE loss")
plt.show()
# MAE's gradient does not shrink near the answer (each point pulls with ±1, however close),
# so the parameters move by similar amounts every step: the loss falls along an almost
# straight line, and it takes about 60 epochs instead of about 10 to level off. The fit ends
# close to the MSE one (w ≈ 2, b ≈ 1); MAE minimises the absolute errors, so it is less
# pulled by the points farthest from the line.

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
def settled(curve):
    """The first epoch at which the loss is within 5 % of its final value."""
    return next(i for i, v in enumerate(curve) if v < 1.05 * curve[-1])


assert 50 <= settled(curve) <= 70 and 5 <= settled(history) <= 15, "about 60 against about 10"
drops = [a - b for a, b in zip(curve[:30], curve[1:31])]
assert max(drops) < 1.2 * min(drops), "MAE's loss falls along an almost straight line at first"
assert abs(w2.data - 2) < 0.1 and abs(b2.data - 1) < 0.1, "w ≈ 2, b ≈ 1"

# %% [markdown]
# ### Exercise 2 — where does it break?
# Using `train_line`, find (to two decimals) the smallest learning rate for which the loss after
# 40 epochs is **larger** than at the start. Why might it be close to the point where the loss
# started oscillating?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
for lr in [round(0.50 + 0.01 * k, 2) for k in range(30)]:
    curve, _ = train_line(lr)
    if curve[-1] > curve[0]:
        print("diverges from lr =", lr)
        break
# For a quadratic loss, gradient descent converges when lr < 2 / (largest curvature of the
# loss). Past that, every step overshoots by more than it corrects, so the error grows
# geometrically. Just below it, the steps already overshoot (oscillate) but shrink.

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert 0.6 <= lr <= 0.7, "the loss grows from a learning rate between 0.6 and 0.7"
assert train_line(round(lr - 0.01, 2))[0][-1] < train_line(round(lr - 0.01, 2))[0][0]

# %% [markdown]
# ### Exercise 3 — a one-neuron classifier
# Points with $x_1 + x_2 > 0$ have label 1, the others label 0. Train a single neuron
# $\hat p = \sigma(w_1 x_1 + w_2 x_2 + b)$ with `losses.binary_cross_entropy` (on probabilities)
# for 50 epochs with `lr = 0.5`, and report its accuracy on the training points.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
points = [(rng.uniform(-1, 1), rng.uniform(-1, 1)) for _ in range(40)]
labels = [1.0 if x1 + x2 > 0 else 0.0 for x1, x2 in points]
cw1, cw2, cb = mg.Value(0.1), mg.Value(-0.1), mg.Value(0.0)
for _ in range(50):
    probs = [(cw1 * x1 + cw2 * x2 + cb).sigmoid() for x1, x2 in points]
    loss = losses.binary_cross_entropy(probs, labels)
    mg.zero_grad([cw1, cw2, cb])
    loss.backward()
    with mg.no_grad():
        for p in (cw1, cw2, cb):
            p.data -= 0.5 * p.grad
with mg.no_grad():  # predictions of the trained neuron
    final = [(cw1 * x1 + cw2 * x2 + cb).sigmoid().data for x1, x2 in points]
correct = sum((p > 0.5) == (t == 1.0) for p, t in zip(final, labels))
print(f"loss {loss.data:.3f}, accuracy {correct}/{len(points)}")
print(f"w1 = {cw1.data:.2f}, w2 = {cw2.data:.2f}, b = {cb.data:.2f}")
# w1 ≈ w2 and b is small next to them: the boundary w1·x1 + w2·x2 + b = 0 is close to the
# true one, x1 + x2 = 0. The few mistakes are points right next to the line.

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(cw1.data - cw2.data) < 0.3 * abs(cw1.data) and abs(cb.data) < 0.2 * abs(cw1.data)
wrong = [pt for pt, p, t in zip(points, final, labels) if (p > 0.5) != (t == 1.0)]
assert len(wrong) <= 5 and all(abs(x1 + x2) < 0.3 for x1, x2 in wrong), "few, near the line"

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
# **1. Predict, then run.** One step of gradient descent on $L = (w - 3)^2$ from $w = 0$ with
# learning rate 0.1: where is $w$ after the step?

# %%
q1 = ...  # your prediction

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = 0.6

# %% tags=["check"] jupyter={"source_hidden": true}
w = mg.Value(0.0)
((w - 3) ** 2).backward()
with mg.no_grad():
    w.data -= 0.1 * w.grad
mg.check(q1, w.data, hint="dL/dw = 2(w − 3) at w = 0, and the step is −0.1 · dL/dw",
         note=f"w after one step: {w.data:.4g}")

# %% [markdown]
# **2.** On $L = (w - 3)^2$ each step multiplies the distance to 3 by $(1 - 2\eta)$. Above which
# learning rate $\eta$ does gradient descent stop converging?

# %%
q2 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = 1

# %% tags=["check"] jupyter={"source_hidden": true}
def distance_after(lr, steps=50):
    w = 0.0
    for _ in range(steps):
        w -= lr * 2 * (w - 3)
    return abs(w - 3)


# the learning rate at which |1 − 2η| reaches 1, found by bisection on distance_after
low, high = 0.5, 3.0
for _ in range(40):
    mid = (low + high) / 2
    low, high = (mid, high) if distance_after(mid) < 3 else (low, mid)
mg.check(q2, round(low, 6), hint="|1 − 2η| must stay below 1",
         note=f"just below it the distance after 50 steps is {distance_after(low - 0.01):.2g}, "
              f"just above it {distance_after(low + 0.01):.2g}")

# %% [markdown]
# **3. Diagnose this loss curve.** Three small networks (2 → 8 → 1, on the two moons) were
# trained by gradient descent for 60 steps. One is healthy, one has a learning rate that is
# far too small, and one has a sign error in the update (`p.data += lr * p.grad`). Which run
# has the **sign error**? Answer `"A"`, `"B"` or `"C"`.

# %%
runs = training_runs(["healthy", "sign_error", "lr_too_small"], seed=1)
show_runs(runs, "Which run has a sign error in the update?")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
climbs = [k for k, r in runs.items() if r.losses[-1] > 100 * r.losses[0]]
assert climbs == [runs.which("sign_error")], "exactly one run climbs: the sign error"
assert all(r.losses[-1] < r.losses[0] for k, r in runs.items() if k not in climbs), "others fall"

# %%
q3 = ...  # a letter

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = "C"

# %% tags=["check"] jupyter={"source_hidden": true}
mg.check(q3, runs.which("sign_error"),
         hint="a sign error walks uphill: the loss grows at every step, whatever the rate")


# %% [markdown]
# ## Summary
#
# - A **loss** turns "how wrong" into one number; its gradient with respect to each prediction
#   is the signal that starts the backward pass. MSE, MAE, hinge and cross-entropy send
#   different signals.
# - **Gradient descent** steps every parameter against its gradient: $w \leftarrow w - \eta\,
#   dL/dw$.
# - The training loop is always **forward → loss → zero_grad → backward → update**.
#   *Backpropagation computes the gradients; gradient descent uses them.*
# - The **learning rate** trades speed for stability: too small is slow, too large oscillates and
#   diverges.
# - Next lesson: the same loop trains a multi-layer network that draws curved decision
#   boundaries.
