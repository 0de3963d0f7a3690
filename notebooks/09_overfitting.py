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
# # 09 · Overfitting and regularization
#
# **Goal:** recognise overfitting — a network that is perfect on its training data and worse
# on new data — and reduce it with three tools: **early stopping** on a validation set, an
# **L2 penalty** on the weights (weight decay) and **dropout**.
#
# *Time: about 40 minutes. Prerequisites: lessons 01–06 (training an MLP with `train.fit`).*
#
# In this lesson you will
# 1. make a big network memorise a small noisy data set (100 % training accuracy) and see it
#    do worse on new data,
# 2. split off a **validation set** and stop training when it stops improving (early stopping),
# 3. shrink the weights with an **L2 penalty**,
# 4. switch neurons off at random while training with **dropout** (`nn.Dropout`).
#
# A network with many parameters can fit its training data *too* well: it learns the noise
# along with the pattern, and does worse on new data. We can only see this by keeping data
# aside that the network never trains on. We keep two such sets:
#
# * a **validation set**, which we look at *during* training to make decisions (when to stop,
#   which λ to use);
# * a **test set**, which we look at only once, at the very end, for an honest score. Any data
#   used to make decisions is no longer "new": the score on it flatters the model.

# %%
import matplotlib.pyplot as plt
import numpy as np

import microgrand as mg
from microgrand import data, losses, nn, optim, plots
from microgrand.train import EarlyStopping, fit

# %% [markdown]
# ## 1. A small, noisy data set
#
# Twenty training points from the two moons with a lot of noise (many points lie on the "wrong"
# side of the true boundary), 40 validation points and 300 test points from the same source.

# %%
NOISE = 0.3
X_train, y_train = data.moons(20, noise=NOISE, seed=3)
X_val, y_val = data.moons(40, noise=NOISE, seed=5)
X_test, y_test = data.moons(300, noise=NOISE, seed=4)
y_train, y_val, y_test = data.to_pm1(y_train), data.to_pm1(y_val), data.to_pm1(y_test)
print(len(X_train), "training,", len(X_val), "validation,", len(X_test), "test points")

fig, ax = plt.subplots(figsize=(5.5, 3.8))
for X, y, marker, size, name in ((X_test, y_test, ".", 10, "test"),
                                 (X_train, y_train, "o", 45, "training")):
    colours = ["tab:orange" if t > 0 else "tab:blue" for t in y]
    ax.scatter([p[0] for p in X], [p[1] for p in X], c=colours, marker=marker, s=size,
               alpha=0.35 if name == "test" else 1.0, edgecolors="white", linewidths=0.5)
ax.set(title="20 training points (large) and the test points (small, faint)", aspect="equal")
plt.show()

# %% [markdown]
# ## 2. A big network memorises them
#
# The network: $2 \to 16 \to 16 \to 1$ with ReLU, **337 parameters for 20 points**. It is
# written as a small `Module` with a **dropout** layer after each hidden layer (section 5);
# with `p = 0` those layers do nothing. After every 5 epochs a `callback` measures the
# accuracy on the training and the validation points.

# %%
EPOCHS = 100  # enough to memorise the 20 points


class Net(nn.Module):
    """2 → 16 → 16 → 1 with ReLU, and dropout with probability p after each hidden layer."""

    def __init__(self, p=0.0, seed=0):
        super().__init__()
        self.layer1 = nn.Layer(2, 16, "relu", rng=seed, name="layer1")
        self.drop1 = nn.Dropout(p, rng=seed)
        self.layer2 = nn.Layer(16, 16, "relu", rng=seed + 1, name="layer2")
        self.drop2 = nn.Dropout(p, rng=seed + 1)
        self.layer3 = nn.Layer(16, 1, None, rng=seed + 2, name="layer3")

    def forward(self, x):
        h = self.drop1(self.layer1.outputs(x))
        h = self.drop2(self.layer2.outputs(h))
        return self.layer3.outputs(h)[0]


def accuracy(model, X, y):
    """Share of points on the right side, in evaluation mode (no dropout), without a graph."""
    model.eval()
    with mg.no_grad():
        right = sum((model(x).data > 0) == (t > 0) for x, t in zip(X, y))
    model.train()
    return right / len(y)


def train(p=0.0, weight_decay=None, early_stopping=None, epochs=EPOCHS):
    model = Net(p)
    curves = {"epoch": [], "training": [], "validation": []}

    def measure(epoch, history):
        if history.epochs % 5 == 0 or history.epochs == 1:
            curves["epoch"].append(history.epochs)
            curves["training"].append(accuracy(model, X_train, y_train))
            curves["validation"].append(accuracy(model, X_val, y_val))

    history = fit(model, X_train, y_train, loss="hinge",
                  optimizer=optim.Adam(model.parameters(), lr=0.03), epochs=epochs,
                  regularization=weight_decay, early_stopping=early_stopping,
                  validation=(X_val, y_val) if early_stopping else None,
                  callback=measure, progress=False)
    return model, history, curves


def show(model, curves, title):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    for name in ("training", "validation"):
        ax1.plot(curves["epoch"], np.array(curves[name]) * 100, marker="o", ms=3, label=name)
    ax1.set(xlabel="epoch", ylabel="accuracy (%)", ylim=(40, 102), title=title)
    ax1.legend(loc="lower right")
    scores = (f"training {accuracy(model, X_train, y_train):.0%}, "
              f"test {accuracy(model, X_test, y_test):.0%}")
    model.eval()  # draw the boundary without dropout
    plots.plot_decision_boundary(model, X_train, y_train, ax=ax2, resolution=60, title=scores)
    model.train()
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8,
               frameon=False)
    fig.tight_layout()
    plt.show()


model, history, curves = train()
show(model, curves, "No regularization")

# %% [markdown]
# The network gets **every training point right (100 %)**, and its boundary shows how: it
# bends sharply (the bump in the middle) to take in the orange point that sits among the blue
# ones. On new points it does clearly worse: 92 % on the validation points and 88 % on the test
# points (the title of the right plot). That gap between "perfect on what it saw" and "worse
# on new data" is **overfitting**: with 337 parameters for 20 points, the network can afford
# to learn the noise.
#
# The curves move in steps and sometimes jump back: with 20 training points one point crossing
# the boundary changes the training accuracy by 5 % (2.5 % for the 40 validation points), and
# each Adam step can move the boundary over a point or two.
#
# Try it live: a big network on a small, noisy set in the playground. The hollow points are the
# test set; watch the train loss keep falling while the test loss turns up, and the boundary
# wrap itself around single points. Raise **L2** and press **Reset** to see the boundary calm
# down.

# %%
memorise = mg.playground(dataset="moons", n=40, noise=0.35, layers=[16, 16], lr=0.03, seed=0)
memorise.step(150)
memorise

# %% [markdown]
# ## 3. Early stopping, on the validation set
#
# The simplest remedy: watch the validation loss during training and **stop when it stops
# improving**, keeping the weights of the best epoch. `fit(..., validation=(X_val, y_val),
# early_stopping=EarlyStopping(patience=15))` does exactly that: it stops once the validation
# loss has not improved for 15 epochs (the *patience*) and restores the best weights.
#
# We decide *when to stop* with the validation set, never with the test set: a test score
# that was used to choose the model is no longer an honest estimate.

# %%
model_es, history_es, curves_es = train(early_stopping=EarlyStopping(patience=15))
print(f"stopped after {history_es.epochs} epochs, kept the weights of epoch "
      f"{history_es.best_epoch} (lowest validation loss {min(history_es.val_loss):.3f})")
show(model_es, curves_es, "Early stopping (patience 15 epochs)")

# %% [markdown]
# Early stopping watched the validation **loss**, and the hinge loss of the validation points
# was lowest at epoch 3: as soon as the network becomes confident, the few validation points on
# the wrong side cost more and more. So it kept the weights of epoch 3, with an almost straight
# boundary: 90 % on the training points and 84 % on the test points — it stopped *too early*.
# What to monitor (the loss or the accuracy) and how much patience to give are choices, and
# they too are made on the validation set.
#
# ## 4. L2 regularization (weight decay)
#
# Add a penalty for large weights to the loss:
#
# $$L_\text{total} = L_\text{data} + \lambda \sum_w w^2 .$$
#
# Its gradient is $2\lambda w$, so every step also pulls each weight a little towards 0 — hence
# the name *weight decay*. Sharp wiggles and islands need large weights; keeping them small
# keeps the boundary smooth. Backpropagation needs no change: the penalty is just more nodes in
# the graph (`fit(..., regularization=λ)` adds them).

# %%
LAMBDA = 0.01
model_l2, history_l2, curves_l2 = train(weight_decay=LAMBDA)
show(model_l2, curves_l2, f"L2 penalty, λ = {LAMBDA}")

fig, ax = plt.subplots(figsize=(7, 3.2))
bins = np.linspace(-2, 2, 41)
ax.hist([p.data for p in model.parameters()], bins=bins, alpha=0.6, label="no penalty")
ax.hist([p.data for p in model_l2.parameters()], bins=bins, alpha=0.6, label=f"L2, λ = {LAMBDA}")
ax.set(xlabel="weight value", ylabel="count", title="L2 keeps the weights small")
ax.legend()
plt.show()

# %% [markdown]
# ## 5. Dropout
#
# **Dropout** switches off each hidden unit at random while training: in every forward pass,
# each output of a hidden layer is set to 0 with probability $p$, and the ones that stay are
# multiplied by $1/(1-p)$ so that their average does not change. A network that cannot rely on
# any single unit being there has to spread what it learns over many units, which makes
# islands around single points hard to build.
#
# `nn.Dropout(p)` does this in **training mode** (`model.train()`, the default) and passes its
# input through unchanged in **evaluation mode** (`model.eval()`): we measure accuracies and
# draw boundaries in evaluation mode. A dropped unit's value is multiplied by 0, so
# backpropagation sends it no gradient in that step — its weights learn only from the passes
# in which it was kept.

# %%
drop = nn.Dropout(0.5, rng=0)
print("training mode:  ", drop([1.0, 1.0, 1.0, 1.0, 1.0, 1.0]))
print("evaluation mode:", drop.eval()([1.0, 1.0, 1.0, 1.0, 1.0, 1.0]))

# %%
model_do, history_do, curves_do = train(p=0.3)
show(model_do, curves_do, "Dropout, p = 0.3")

# %% [markdown]
# | | training accuracy | boundary | what it costs |
# |---|---|---|---|
# | no regularization | 100 % | bends around single points | nothing, but worse on new data |
# | early stopping | below 100 % | simpler (here: too simple, it stopped early) | a validation set |
# | L2 penalty | below 100 % | smoother | choosing λ (on the validation set) |
# | dropout | below 100 % | smoother | slower, noisier training; choosing p |
#
# All three give up the training points that sit among the other class — mostly the noise —
# for a simpler boundary. Look at the test scores, though: on this small problem none of them
# beats the plain network's 88 % (300 test points measure accuracy to about ±2 %). The
# plain network's overfitting is mild here; a regularizer is a trade, and whether it pays off
# is decided on the validation set, for each problem. With more noise, less data or a
# bigger network the gap grows and the trade pays more (try `NOISE = 0.4`).

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — how much L2?
# Train with λ = 0.001, 0.01 and 0.3 and print the training and validation accuracies. Which λ
# would you choose, looking only at the validation set? What goes wrong when λ is far too large?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: choose the λ with the best validation accuracy (0.001 here: 92 %). With λ = 0.3
# the penalty dominates the loss: the weights shrink towards 0, the network outputs almost the
# same score everywhere, and both accuracies drop to 50 % (underfitting).
for lam in (0.001, 0.01, 0.3):
    m, _, c = train(weight_decay=lam, epochs=60)
    print(f"λ = {lam:<6g} training {c['training'][-1]:.0%}   validation {c['validation'][-1]:.0%}")

# %% [markdown]
# ### Exercise 2 — more data
# Overfitting is a problem of too little data for the size of the model. Train the
# unregularized network on 200 training points (`data.moons(200, noise=NOISE, seed=3)`) for 30
# epochs. Compare the training and test accuracies with the 20-point run.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: with 200 points the network cannot bend around every noisy point any more: the
# training accuracy drops to about the test accuracy (84 % and 87 % here), so the gap closes —
# what it scores in training is what it scores on new data.
X_big, y_big = data.moons(200, noise=NOISE, seed=3)
big = Net()
fit(big, X_big, data.to_pm1(y_big), loss="hinge", optimizer=optim.Adam(big.parameters(), lr=0.03),
    epochs=30, progress=False)
print(f"200 points: training {accuracy(big, X_big, data.to_pm1(y_big)):.0%}, "
      f"test {accuracy(big, X_test, y_test):.0%}")
print(f" 20 points: training {accuracy(model, X_train, y_train):.0%}, "
      f"test {accuracy(model, X_test, y_test):.0%}")

# %% [markdown]
# ### Exercise 3 — the penalty's gradient
# For a single weight $w = 0.8$ and λ = 0.01, what is the gradient of the penalty
# $\lambda w^2$? Check with microgrand, and with `losses.l2`.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: d(λw²)/dw = 2λw = 2 · 0.01 · 0.8 = 0.016.
w = mg.Value(0.8, label="w")
penalty = 0.01 * losses.l2([w])
penalty.backward()
print(f"penalty {penalty.data:.4f}, gradient {w.grad:.4f}")

# %% [markdown]
# ## Check yourself
#
# Three questions. Write your answer in place of the `...` and run the cell below it:
# `mg.check` says ✓ or ✗ (with a hint). The answers are in the collapsed cells.
# This section runs on its own: it needs nothing from the cells above.

# %%
import matplotlib.pyplot as plt

import microgrand as mg
from microgrand import nn
from microgrand.selfcheck import show_curves, training_curve

# %% [markdown]
# **1. Predict, then run.** `nn.Dropout(0.5)` in **evaluation** mode, applied to `[2.0, 4.0]`:
# what comes out? (A list.)

# %%
q1 = ...  # your prediction, a list

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = [2.0, 4.0]

# %% tags=["check"] jupyter={"source_hidden": true}
out = nn.Dropout(0.5, rng=0).eval()([2.0, 4.0])
print(out)
mg.check(q1, out, hint="in evaluation mode dropout does nothing")

# %% [markdown]
# **2.** The L2 penalty $\lambda w^2$ with $\lambda = 0.1$: what is its gradient at $w = 0.5$?

# %%
q2 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = 0.1

# %% tags=["check"] jupyter={"source_hidden": true}
w = mg.Value(0.5)
(0.1 * w**2).backward()
mg.check(q2, w.grad, hint="d(λw²)/dw = 2λw")

# %% [markdown]
# **3. Diagnose this loss curve** (two curves, in fact). The training and validation losses of one run. At which
# epoch would early stopping keep the weights?

# %%
q3 = ...  # an epoch number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = 24

# %% tags=["check"] jupyter={"source_hidden": true}
epochs = list(range(1, 61))
train_loss = [1.0 / (1 + 0.15 * e) for e in epochs]
val_loss = [1.0 / (1 + 0.15 * e) + 0.001 * (e - 20) ** 2 + 0.05 for e in epochs]
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(epochs, train_loss, label="training")
ax.plot(epochs, val_loss, label="validation")
ax.set(xlabel="epoch", ylabel="loss", title="Where would you stop?")
ax.legend()
plt.show()
best = epochs[val_loss.index(min(val_loss))]
mg.check(q3, best, hint="the epoch with the lowest VALIDATION loss; the training loss always keeps falling")


# %% [markdown]
# ## Summary
#
# * Judge a model on data it did not train on. **Overfitting** shows as 100 % on the training
#   data, a worse score on new data, and a boundary that wiggles around single points.
# * Keep a **validation set** for decisions during training and a **test set** for the final,
#   honest score.
# * **Early stopping** keeps the weights from the epoch with the best validation loss.
# * **L2 regularization** adds $\lambda \sum w^2$ to the loss; its gradient $2\lambda w$ pulls
#   weights towards zero every step and smooths the boundary.
# * **Dropout** zeroes random hidden units while training (`model.train()`), scales the rest by
#   $1/(1-p)$, and does nothing in evaluation (`model.eval()`).
# * More data is the best regularizer of all.
