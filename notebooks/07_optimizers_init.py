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
# # 07 · Optimizers and initialization
#
# **Goal:** compare four ways of *using* gradients — SGD, momentum, RMSProp and Adam — on the
# same problems, and see why the *starting* weights (Xavier/He initialization versus a bad
# choice) decide whether a network can learn at all.
#
# *Time: about 40 minutes. Prerequisites: lessons 01–06 (gradient descent, training an MLP).*
#
# In this lesson you will
# 1. race SGD, momentum, RMSProp and Adam down a narrow valley and watch their paths,
# 2. race them again on a small network,
# 3. look inside a deep network at initialization: too small, Xavier, too large,
# 4. see why weights must start random.
#
# Backpropagation gives us the gradient. An **optimizer** decides what step to take with it.
# Plain gradient descent steps straight downhill: $\theta \leftarrow \theta - \eta\, g$. The
# others remember something about earlier gradients:
#
# | optimizer | update (per parameter) | idea |
# |---|---|---|
# | SGD | $\theta \leftarrow \theta - \eta g$ | step downhill |
# | momentum | $v \leftarrow \mu v + g$, $\ \theta \leftarrow \theta - \eta v$ | a heavy ball: keep going in a consistent direction |
# | RMSProp | $s \leftarrow \alpha s + (1-\alpha) g^2$, $\ \theta \leftarrow \theta - \eta\, g/(\sqrt{s}+\epsilon)$ | divide by the typical size of this parameter's gradient |
# | Adam | momentum **and** RMSProp, with a bias correction for the first steps | both ideas together |

# %%
import math
import random

import matplotlib.pyplot as plt
import numpy as np

import microgrand as mg
from microgrand import data, nn, optim, plots
from microgrand.train import fit

# %% [markdown]
# ## 1. A long, narrow valley
#
# Start with a function of just two numbers, $f(x, y) = 0.1\,x^2 + 2\,y^2$. Its minimum is at
# $(0, 0)$, but the valley is 20 times steeper across ($y$) than along ($x$) — like the loss of
# a real network, where some weights matter much more than others. Each optimizer starts at the
# same point and takes 60 steps.

# %%
def valley(x, y):
    return 0.1 * x**2 + 2 * y**2


def run(make_optimizer, steps=60, start=(-4.5, 1.5)):
    """Minimise the valley from `start`; returns the path of (x, y) and the losses."""
    x, y = mg.Value(start[0], label="x"), mg.Value(start[1], label="y")
    opt = make_optimizer([x, y])
    path, losses = [(x.data, y.data)], []
    for _ in range(steps):
        loss = valley(x, y)
        opt.zero_grad()
        loss.backward()
        opt.step()
        path.append((x.data, y.data))
        losses.append(loss.data)
    return np.array(path), losses


optimizers = {
    "SGD (lr 0.45)": lambda p: optim.SGD(p, lr=0.45),
    "momentum (lr 0.2, μ 0.6)": lambda p: optim.SGD(p, lr=0.2, momentum=0.6),
    "RMSProp (lr 0.1)": lambda p: optim.RMSProp(p, lr=0.1),
    "Adam (lr 0.3)": lambda p: optim.Adam(p, lr=0.3),
}
results = {name: run(make) for name, make in optimizers.items()}

# %%
gx, gy = np.meshgrid(np.linspace(-5, 1.5, 200), np.linspace(-2, 2, 200))
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.9), gridspec_kw={"width_ratios": [1.4, 1]})
ax1.contour(gx, gy, valley(gx, gy), levels=np.geomspace(0.01, 10, 14), colors="0.75",
            linewidths=0.8)
for (name, (path, losses)), color in zip(results.items(), plt.cm.tab10.colors):
    ax1.plot(path[:, 0], path[:, 1], "-o", ms=2.5, lw=1.2, color=color, label=name)
    ax2.plot(losses, color=color, label=name)
ax1.plot(0, 0, "k*", ms=12)
ax1.set(xlabel="x", ylabel="y", title="Paths on f(x, y) = 0.1x² + 2y²", aspect="equal")
ax1.legend(fontsize=8, loc="lower right")
ax2.set(xlabel="step", ylabel="f", yscale="log", title="Loss per step")
fig.tight_layout()
plt.show()

arrived = {}  # the step from which each optimizer stays within 0.1 of the minimum
for name, (path, losses) in results.items():
    distance = np.hypot(path[:, 0], path[:, 1])
    inside = [k for k in range(len(distance)) if (distance[k:] < 0.1).all()]
    arrived[name] = inside[0] if inside else None
    when = f"from step {inside[0]}" if inside else "never for good"
    print(f"{name:25s} within 0.1 of the minimum: {when:15s} f after 60 steps: {losses[-1]:.1e}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
sgd, mom, rms, adam = results.values()
n_sgd, n_mom, n_rms, n_adam = arrived.values()
assert 38 <= n_sgd <= 44 and 28 <= n_mom <= 34 and 22 <= n_rms <= 28, "about 41, 31 and 25 steps"
assert n_adam is None, "Adam does not settle within 0.1 in 60 steps"
sgd_y_moves = np.diff(sgd[0][:10, 1])
assert all(a * b < 0 for a, b in zip(sgd_y_moves, sgd_y_moves[1:])), "SGD zig-zags across y"
assert rms[1][-1] < min(sgd[1][-1], mom[1][-1]), "RMSProp's loss ends lowest"
adam_x = adam[0][:, 0]
assert all(0.25 < b - a < 0.31 for a, b in zip(adam_x[:10], adam_x[1:11])), "steps of about 0.3"
assert 2.5 < adam_x[0] / adam_x[10] < 3.5, "while the gradient along x (0.2·x) falls to a third"
assert 0.7 < adam_x.max() < 0.95, "Adam overshoots to x ≈ 0.8"
rises = sum(b > a for a, b in zip(adam[1][15:], adam[1][16:]))
assert rises >= 10, "Adam's loss goes up again and again"
assert 1e-3 < adam[1][-1] < 3e-2, "Adam ends near 1e-2"
assert all(1e-9 < r[1][-1] < 1e-4 for r in (sgd, mom, rms)), "the others end at 1e-4 to 1e-8"

# %% [markdown]
# What to notice:
#
# * **SGD** needs a learning rate small enough for the steep direction ($y$), so it zig-zags
#   across the valley and crawls along it: it takes 41 steps to come within 0.1 of the minimum
#   for good (printed under the picture).
# * **Momentum** accumulates the small but consistent gradient along the valley and picks up
#   speed, while the alternating pushes across the valley partly cancel: within 0.1 after 31
#   steps, with a smaller learning rate than SGD's.
# * **RMSProp** divides each gradient by its typical size, so $x$ and $y$ take steps of similar
#   length: it heads almost straight for the minimum (25 steps) and its loss ends lowest.
# * **Adam** combines both ideas, and here it does **worst** of the four. Its first ten steps
#   along $x$ are all about `lr` = 0.3 long, although the gradient along $x$ falls to a third
#   meanwhile: the length of Adam's step hardly depends on the size of the gradient. Its
#   momentum carries it on: it overshoots the minimum to $x \approx 0.8$, turns, and circles
#   back. Its loss falls and rises again several times, and after 60 steps
#   is still near $10^{-2}$, while the others are at $10^{-4}$ to $10^{-8}$. A smaller learning
#   rate, or one lowered over time, fixes that. Adam is not the winner on every problem; it is
#   the usual first choice because it works reasonably well on most problems with little tuning
#   (section 2 shows it on a network).
#
# Too much momentum overshoots like a heavy ball rolling past the bottom of a bowl: try
# `optim.SGD(p, lr=0.05, momentum=0.9)` in the `optimizers` dictionary above and watch the path
# swing.
#
# Every one of them gets its gradients from the same `backward()`: the optimizers differ only
# in what they do with them.

# %% [markdown]
# ## 2. The same race on a neural network
#
# Now a real problem: classify the two moons with a small MLP. Every run starts from the *same*
# initial weights (same seed) and sees the same data; only the optimizer changes.

# %%
X, y01 = data.moons(n=60, noise=0.1, seed=0)
y = data.to_pm1(y01)  # the hinge loss wants labels -1 / +1
EPOCHS = 40  # small so the lesson runs fast; increase for better results


def train_with(make_optimizer):
    model = nn.MLP(2, [8, 8, 1], activation="relu", rng=6)
    opt = make_optimizer(model.parameters())
    return fit(model, X, y, loss="hinge", optimizer=opt, epochs=EPOCHS, progress=False)


race = {
    "SGD (lr 0.1)": lambda p: optim.SGD(p, lr=0.1),
    "momentum (lr 0.1, μ 0.9)": lambda p: optim.SGD(p, lr=0.1, momentum=0.9),
    "RMSProp (lr 0.01)": lambda p: optim.RMSProp(p, lr=0.01),
    "Adam (lr 0.05)": lambda p: optim.Adam(p, lr=0.05),
}
histories = {name: train_with(make) for name, make in race.items()}
for name, h in histories.items():
    print(f"{name:26s} final loss {h.loss[-1]:.4f}   accuracy {h.accuracy[-1]:.0%}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
final = {name.split(" (")[0]: h.loss[-1] for name, h in histories.items()}
assert max(final["RMSProp"], final["Adam"]) < final["momentum"] < final["SGD"], "the ranking"
sgd_loss = histories["SGD (lr 0.1)"].loss
assert final["SGD"] > 1.5 * final["momentum"], "SGD ends far above the others"
assert sgd_loss[-11] > 1.1 * sgd_loss[-1], "and is still going down: not done"

# %%
fig, ax = plt.subplots(figsize=(7, 3.8))
for name, h in histories.items():
    ax.plot(h.loss, label=name)
ax.set(xlabel="epoch", ylabel="hinge loss", title="Four optimizers, same network, same start")
ax.legend()
plt.show()

# %% [markdown]
# Here the adaptive optimizers, RMSProp and Adam, reach the lowest loss in 40 epochs, momentum
# beats plain SGD, and SGD is still far from done. The ranking depends on the learning rates
# and on the problem: a fair comparison gives each optimizer its own tuned learning rate.

# %% [markdown]
# Run the race yourself in the playground. It is stored here after 300 steps of Adam (learning
# rate 0.03, 10 points per step) on 200 spiral points, 70 % for training and 30 % held out as a
# test set (the hollow circles), with a 2 → 8 → 8 → 1 ReLU network: the boundary follows the
# arms. Switch the optimizer to SGD, momentum or RMSProp (and press **Reset** to start from
# the very same weights), change the learning rate, and compare the loss curves. Click a
# weight to see how its last update was made, Adam's m and v included.

# %%
SETTINGS = dict(dataset="spirals", layers=[8, 8], activation="relu", lr=0.03, batch_size=10,
                seed=0, record_every=30)  # a replay frame every 30 steps
race = mg.playground(optimizer="adam", **SETTINGS)
race.step(300)
race

# %% [markdown]
# The same 300 steps with plain SGD, same start, same learning rate:

# %%
sgd_race = mg.playground(optimizer="sgd", **SETTINGS)
sgd_race.step(300)
for name, pg in (("Adam", race), ("SGD", sgd_race)):
    h = pg.history
    print(f"{name:5s} after {h.steps[-1]} steps: training accuracy {h.train_accuracy[-1]:.0%}, "
          f"test accuracy {h.test_accuracy[-1]:.0%}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
a, s_ = race.history, sgd_race.history
assert race.config["n"] == 200 and race.config["test_fraction"] == 0.3
assert a.train_accuracy[-1] >= 0.9 and a.test_accuracy[-1] >= 0.9, "Adam fits the spirals"
assert s_.train_accuracy[-1] < 0.8 and s_.test_accuracy[-1] < 0.8, "SGD is far behind"

# %% [markdown]
# With the same learning rate, SGD's steps are too small for this problem: after 300 steps
# it has not found the spiral yet. Give it a larger learning rate in the playground and see
# how close it gets.

# %% [markdown]
# ## 3. Initialization: where the weights start
#
# Gradients flow backwards through the same weights that the forward pass uses. If the weights
# are too small, the signal shrinks layer after layer (and so does the gradient); if they are
# too large, `tanh` and `sigmoid` saturate, their derivative is almost 0, and again the gradient
# dies. Good initializations pick the scale so that the signal keeps roughly the same size
# through the layers:
#
# * **Xavier (Glorot)**: variance $\frac{2}{n_\text{in} + n_\text{out}}$, for `tanh`/`sigmoid`;
# * **He (Kaiming)**: variance $\frac{2}{n_\text{in}}$, for ReLU (which zeroes half its inputs).
#
# Let us look inside a deep `tanh` network (6 layers of 32 units) at its first forward pass:
# the distribution of each layer's outputs for three initializations.

# %%
def small(fan_in, fan_out, rng):
    return rng.gauss(0.0, 0.01)


def large(fan_in, fan_out, rng):
    return rng.gauss(0.0, 1.0)


inits = {"too small: N(0, 0.01²)": small, "Xavier": "xavier_normal", "too large: N(0, 1)": large}
rng = random.Random(0)
inputs = [[rng.gauss(0, 1) for _ in range(16)] for _ in range(30)]

fig, axes = plt.subplots(len(inits), 6, figsize=(9.5, 5), sharey="row")
spread = {}  # name -> per layer: (standard deviation, fraction of units beyond ±0.9)
for row, (name, init) in enumerate(inits.items()):
    model = nn.MLP(16, [32] * 6, activation="tanh", output_activation="tanh", init=init, rng=1)
    with mg.no_grad():
        acts = [[] for _ in model.layers]
        for x in inputs:
            h = x
            for k, layer in enumerate(model.layers):
                h = layer.outputs(h)
                acts[k] += [v.data for v in h]
    spread[name] = [(np.std(a), np.mean(np.abs(a) > 0.9)) for a in acts]
    for k, a in enumerate(acts):
        ax = axes[row, k]
        ax.hist(a, bins=np.linspace(-1, 1, 41), color=plt.cm.tab10(row))
        ax.set_xticks([-1, 0, 1])
        ax.set_yticks([])
        if row == 0:
            ax.set_title(f"layer {k + 1}")
    axes[row, 0].set_ylabel(name.replace(": ", ":\n"), fontsize=9)
fig.suptitle("tanh outputs per layer at initialization")
fig.tight_layout()
plt.show()

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
tiny, xavier, huge = spread.values()
assert all(a[0] > 10 * b[0] for a, b in zip(tiny, tiny[1:])), "too small: each layer shrinks"
assert tiny[-1][0] < 1e-6, "too small: the last layer's outputs are all but 0"
assert all(f > 0.7 for _, f in huge), "too large: most units sit beyond ±0.9"
assert all(0.2 < sd < 0.7 and f < 0.1 for sd, f in xavier), "Xavier keeps a healthy spread"

# %% [markdown]
# * **Too small:** the outputs collapse towards 0 layer after layer. The gradient flowing back is
#   multiplied by the same tiny weights, so it collapses too.
# * **Too large:** almost every unit sits at −1 or +1, where `tanh` is flat: its local derivative
#   $1 - \tanh^2$ is nearly 0, and backpropagation multiplies the gradient by it.
# * **Xavier:** the outputs keep a healthy spread in every layer.
#
# What this does to learning — a smaller network (3 layers of 10 `tanh` units) trained on the
# moons with each initialization. With only 10 inputs per unit, $\mathcal{N}(0, 1)$ is just
# 3 times Xavier's scale and saturates far fewer units than in the 32-unit network above, so
# for this network "too large" is $\mathcal{N}(0, 5^2)$, which saturates it at least as much
# (the fractions of units beyond ±0.9, printed below).

# %%
def much_too_large(fan_in, fan_out, rng):
    return rng.gauss(0.0, 5.0)


def saturated(model, points):
    """The fraction of hidden tanh units beyond ±0.9, over the given points."""
    with mg.no_grad():
        outs = []
        for x in points:
            h = x
            for layer in model.layers[:-1]:
                h = layer.outputs(h)
                outs += [abs(v.data) > 0.9 for v in h]
    return sum(outs) / len(outs)


def net10(init):
    return nn.MLP(2, [10, 10, 10, 1], activation="tanh", init=init, rng=3)


sat = {"32 units, N(0, 1)": np.mean([f for _, f in spread["too large: N(0, 1)"]]),
       "10 units, N(0, 1)": saturated(net10(large), X),
       "10 units, N(0, 5²)": saturated(net10(much_too_large), X)}
print("  ".join(f"{k}: {v:.0%} saturated" for k, v in sat.items()))

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
s32, s10, s10_5 = sat.values()
assert s10 < s32 - 0.2, "N(0, 1) saturates the 10-unit network far less"
assert s10_5 >= s32, "N(0, 5²) saturates it at least as much as N(0, 1) the 32-unit one"
assert 2.5 < 1 / math.sqrt(2 / (10 + 10)) < 3.5, "N(0, 1) is about 3 times Xavier's scale"

# %%
train_inits = {"too small: N(0, 0.01²)": small, "Xavier": "xavier_normal",
               "too large: N(0, 5²)": much_too_large}
init_histories, init_models = {}, {}
for name, init in train_inits.items():
    model = net10(init)
    opt = optim.Adam(model.parameters(), lr=0.02)
    init_histories[name] = fit(model, X, y, loss="hinge", optimizer=opt, epochs=EPOCHS,
                                  progress=False)
    init_models[name] = model

fig, ax = plt.subplots(figsize=(6.5, 3.6))
for name, h in init_histories.items():
    ax.plot(h.loss, label=f"{name}: {h.accuracy[-1]:.0%}")
ax.set(xlabel="epoch", ylabel="hinge loss", title="Same network and optimizer")
ax.legend(fontsize=8, title="final training accuracy", title_fontsize=8)
plt.show()
fig, axes = plt.subplots(1, 3, figsize=(9.5, 3.3))
for ax, (name, model) in zip(axes, init_models.items()):
    plots.plot_decision_boundary(model, X, y, ax=ax, title=name, resolution=40)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8, frameon=False)
fig.tight_layout()
plt.show()
first_grad = init_histories["too small: N(0, 0.01²)"].grad_norms["layer1"][0]
print(f"too small: gradient norm of layer 1 at the first step {first_grad:.1e}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
small_h, xavier_h, large_h = init_histories.values()
assert all(v > 0.99 for v in small_h.loss[:4]), "too small: the loss sits at 1 at first"
assert small_h.loss[12] < 0.9, "then it falls, within about 10 epochs"
assert first_grad < 1e-3, "the first gradients are tiny"
assert xavier_h.loss[3] < xavier_h.loss[0] - 0.2, "Xavier learns from the first epoch"
assert xavier_h.accuracy[-1] >= 0.95, "Xavier fits the moons"
assert large_h.loss[-1] > 3 * xavier_h.loss[-1], "too large stays far above Xavier"

# %% [markdown]
# * **Too small:** the output is almost 0 for every point, so the hinge loss sits at 1: a
#   plateau. The gradients are tiny (printed above), and the loss starts to fall within about
#   10 epochs only because Adam divides each gradient by its typical size, which magnifies
#   tiny gradients. Try plain SGD (`optim.SGD(model.parameters(), lr=0.1)`): each step moves a
#   weight by 0.1 × its gradient. What happens to the plateau?
# * **Xavier** learns from the first epoch and ends with a smooth boundary around the moons.
# * **Too large** starts with most `tanh` units at −1 or +1. Each saturated unit is an on/off
#   switch with a sharp edge, so the network cuts the plane into many random pieces (the
#   jagged boundary), and the gradient reaching the first layers passes through those flat
#   `tanh` ends and can barely move the edges. Its loss stays far above Xavier's.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — momentum by hand
# Implement momentum yourself on the valley function: keep a velocity `v` for each parameter,
# `v = mu * v + grad`, `p.data -= lr * v`. Check that your path is *exactly* the path of
# `optim.SGD(params, lr=0.2, momentum=0.6)`.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
x, y_ = mg.Value(-4.5), mg.Value(1.5)
vel = [0.0, 0.0]
mine = [(x.data, y_.data)]
for _ in range(60):
    loss = valley(x, y_)
    mg.zero_grad([x, y_])
    loss.backward()
    with mg.no_grad():
        for i, p in enumerate((x, y_)):
            vel[i] = 0.6 * vel[i] + p.grad
            p.data -= 0.2 * vel[i]
    mine.append((x.data, y_.data))
reference = results["momentum (lr 0.2, μ 0.6)"][0]
print("largest difference from optim.SGD:", np.abs(np.array(mine) - reference).max())

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert np.abs(np.array(mine) - reference).max() < 1e-12, "the same path as optim.SGD"

# %% [markdown]
# ### Exercise 2 — a learning rate for each optimizer
# Plain SGD diverges on the valley if the learning rate is above 0.5. Why 0.5? (Hint: look at
# the update of $y$ alone: $y \leftarrow y - \eta \cdot 4y$.) Try `lr=0.55` and look at the
# path. Does Adam with `lr=0.55` diverge too?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: the y-update multiplies y by (1 - 4·lr). For lr > 0.5 that factor is below -1, so
# |y| grows every step. Adam's step size is about lr whatever the gradient's size, so it does
# not blow up; it just wanders around the minimum at a distance of about lr.
after = {}
for name, make in {"SGD lr 0.55": lambda p: optim.SGD(p, lr=0.55),
                   "Adam lr 0.55": lambda p: optim.Adam(p, lr=0.55)}.items():
    path, losses = run(make, steps=30)
    after[name] = losses[-1]
    print(f"{name}: loss after 30 steps {losses[-1]:.3g}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert after["SGD lr 0.55"] > 1e3 and after["Adam lr 0.55"] < 0.1, "SGD diverges, Adam does not"

# %% [markdown]
# ### Exercise 3 — all weights equal
# Initialize every weight of a small MLP to the same number (for example with an initializer
# that always returns 0.5). Train it a few epochs and look at the weights of the first layer's
# neurons. Why are all the neurons still identical? (This is why we initialize *randomly*.)

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: identical neurons compute identical outputs, so backpropagation gives them identical
# gradients, and identical updates keep them identical forever: the layer acts like 1 neuron.
def constant(fan_in, fan_out, rng):
    return 0.5


model = nn.MLP(2, [4, 1], activation="tanh", init=constant, rng=0)
fit(model, X, y, loss="hinge", optimizer=optim.SGD(model.parameters(), lr=0.05),
       epochs=5, progress=False)
for k, neuron in enumerate(model.layers[0].neurons):
    print(f"neuron {k + 1}: weights {[round(w.data, 4) for w in neuron.w]}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
rows = [[w.data for w in neuron.w] + [neuron.b.data] for neuron in model.layers[0].neurons]
assert all(r == rows[0] for r in rows) and rows[0][0] != 0.5, "trained, and still identical"

# %% [markdown]
# ## Check yourself
#
# Three questions. Write your answer in place of the `...` and run the cell below it:
# `mg.check` says ✓ or ✗ (with a hint). Your teacher's copy of the lesson has the answers.
# This section runs on its own: it needs nothing from the cells above.

# %%
import random

import microgrand as mg
from microgrand import init, optim
from microgrand.selfcheck import show_runs, training_runs

# %% [markdown]
# **1. Predict, then run.** Momentum SGD with `lr=0.1`, `momentum=0.9` on $L = w$ (the gradient
# is always 1), from $w = 0$: where is $w$ after **two** steps?

# %%
q1 = ...  # your prediction

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = -0.29

# %% tags=["check"] jupyter={"source_hidden": true}
w = mg.Value(0.0)
opt = optim.SGD([w], lr=0.1, momentum=0.9)
for _ in range(2):
    opt.zero_grad()
    (w * 1.0).backward()
    opt.step()
mg.check(q1, w.data, hint="v = μ·v + g at each step (v starts at 0), then w moves by −lr · v",
         note=f"w after two steps: {w.data:.4g}")

# %% [markdown]
# **2.** Xavier initialization draws weights with variance $2/(n_\text{in} + n_\text{out})$. What
# is it for a layer with 10 inputs and 10 outputs?

# %%
q2 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = 0.1

# %% tags=["check"] jupyter={"source_hidden": true}
class OneStd(random.Random):
    """A generator whose normal draws are always one standard deviation above the mean."""

    def gauss(self, mu=0.0, sigma=1.0):
        return mu + sigma


std = init.xavier_normal(10, 10, OneStd())  # the standard deviation the library uses
mg.check(q2, std**2, hint="put n_in and n_out into the formula", note=f"standard deviation {std:.3f}")

# %% [markdown]
# **3. Diagnose this loss curve.** Three small networks (2 → 8 → 1, on the two moons) were
# trained by gradient descent for 60 steps. One is healthy, one has a learning rate far too
# small, and one forgot `zero_grad()`, so every step's gradient is added to all the earlier
# ones. Which run forgot `zero_grad()`? Answer `"A"`, `"B"` or `"C"`.

# %%
runs = training_runs(["healthy", "forgot_zero_grad", "lr_too_small"], seed=2)
show_runs(runs, "Which run forgot zero_grad()?")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
def ups(run):
    return sum(b > a for a, b in zip(run.losses, run.losses[1:]))


assert [k for k, r in runs.items() if ups(r) > 10] == [runs.which("forgot_zero_grad")], (
    "only the run without zero_grad swings up and down")

# %%
q3 = ...  # a letter

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = "B"

# %% tags=["check"] jupyter={"source_hidden": true}
mg.check(q3, runs.which("forgot_zero_grad"),
         hint="piled-up gradients keep pushing after the minimum: like a ball without "
              "friction, the loss falls, then swings back up, again and again")


# %% [markdown]
# ## Summary
#
# * Backpropagation computes the gradient; the **optimizer** turns it into a step. Momentum
#   remembers the direction, RMSProp rescales each parameter, Adam does both.
# * The best learning rate depends on the optimizer: compare optimizers each with a tuned rate.
# * **Initialization** sets the scale of the signal and of the gradient. Xavier (for tanh and
#   sigmoid) and He (for ReLU) keep it steady through the layers. Too small leaves the network
#   on a plateau where the gradient is almost 0; too large saturates the units, which hurts more
#   the deeper and wider the network.
# * Start random, never all equal: identical neurons receive identical gradients.
