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
# # 8 · Overfitting and regularization
#
# **Goal:** recognise overfitting in the training and test curves, and reduce it with two
# tools: an **L2 penalty** on the weights (weight decay) and **early stopping**.
#
# *Time: about 35 minutes.*
#
# A network with many parameters can fit its training data *too* well: it learns the noise
# along with the pattern, and does worse on new data. We can only see this by keeping some data
# aside — a **test set** the network never trains on.

# %%
import math
import random

import matplotlib.pyplot as plt
import numpy as np

import microgrand as mg
from microgrand import losses, nn, optim
from microgrand.train import fit

# %% [markdown]
# ## 1. A small, noisy data set
#
# Twelve training points from the curve $\sin(3x)$ with noise, and 40 test points from the same
# curve and the same noise.


# %%
def make_points(n, seed):
    rng = random.Random(seed)
    xs = [rng.uniform(-1, 1) for _ in range(n)]
    return [[x] for x in xs], [math.sin(3 * x) + rng.gauss(0, 0.25) for x in xs]


X_train, y_train = make_points(12, seed=1)
X_test, y_test = make_points(40, seed=2)
print(len(X_train), "training points,", len(X_test), "test points")

# %% [markdown]
# A network far too big for twelve points: 1 → 16 → 16 → 1 with `tanh`, 321 parameters.
# We train it with Adam on the mean squared error and record, after every epoch, the loss on the
# training set **and** on the test set.

# %%
EPOCHS = 300  # enough to overfit clearly; increase to see it more


def train(weight_decay=0.0, epochs=EPOCHS, early_stopping=None):
    model = nn.MLP(1, [16, 16, 1], activation="tanh", rng=8)
    opt = optim.Adam(model.parameters(), lr=0.02)
    history = fit(model, X_train, y_train, loss="mse", optimizer=opt, epochs=epochs,
                     validation=(X_test, y_test), regularization=weight_decay,
                     early_stopping=early_stopping, progress=False)
    return model, history


model, history = train()
print(f"{len(model.parameters())} parameters")
print(f"final training loss {history.loss[-1]:.4f}, test loss {history.val_loss[-1]:.4f}")

# %%
grid = np.linspace(-1, 1, 200)


def curve(model):
    with mg.no_grad():
        return [model([x]).data for x in grid]


def show(model, history, title):
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(12, 4))
    epochs = np.arange(1, history.epochs + 1)  # epochs are counted from 1, as fit counts them
    ax1.plot(epochs, history.loss, label="training loss")
    ax1.plot(epochs, history.val_loss, label="test loss")
    best = int(np.argmin(history.val_loss)) + 1
    ax1.axvline(best, color="0.6", ls="--", lw=1, label=f"lowest test loss (epoch {best})")
    ax1.set(xlabel="epoch", ylabel="mean squared error", yscale="log", title=title)
    ax1.legend()
    ax2.plot(grid, np.sin(3 * grid), color="0.7", lw=3, label="true curve sin(3x)")
    ax2.scatter([x[0] for x in X_test], y_test, s=8, color="tab:orange", alpha=0.5,
                label="test points")
    ax2.scatter([x[0] for x in X_train], y_train, s=40, color="tab:blue", zorder=3,
                label="training points")
    ax2.plot(grid, curve(model), color="black", label="network")
    ax2.set(xlabel="x", ylabel="y", ylim=(-2, 2), title="What the network learned")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    plt.show()


show(model, history, "No regularization")

# %% [markdown]
# The training loss keeps falling, but after about a hundred epochs the **test loss rises**:
# the network keeps adjusting its curve to the twelve noisy training points, and gets worse
# elsewhere — most visibly at the right edge, where there are no training points to hold it.
# That widening gap between the two curves is the signature of **overfitting**.
#
# ## 2. L2 regularization (weight decay)
#
# Add a penalty for large weights to the loss:
#
# $$L_\text{total} = L_\text{data} + \lambda \sum_w w^2 .$$
#
# Its gradient is $2\lambda w$, so every step also pulls each weight a little towards 0 — hence
# the name *weight decay*. Large weights are what lets a `tanh` network bend sharply; keeping
# them small keeps the curve smooth. Backpropagation needs no change: the penalty is just more
# nodes in the graph.

# %%
model_l2, history_l2 = train(weight_decay=1e-3)
print(f"with L2: final training loss {history_l2.loss[-1]:.4f}, "
      f"test loss {history_l2.val_loss[-1]:.4f}")
show(model_l2, history_l2, "L2 penalty, λ = 0.001")

# %% [markdown]
# The training loss ends higher (the penalty stops the network from chasing every point), but
# the test loss ends lower, and the curve stays calmer where there is no data (the right edge).
#
# How big the weights became, with and without the penalty:

# %%
fig, ax = plt.subplots(figsize=(7, 3.5))
bins = np.linspace(-3, 3, 61)
ax.hist([p.data for p in model.parameters()], bins=bins, alpha=0.6, label="no penalty")
ax.hist([p.data for p in model_l2.parameters()], bins=bins, alpha=0.6, label="L2, λ = 0.001")
ax.set(xlabel="weight value", ylabel="count", title="L2 keeps the weights small")
ax.legend()
plt.show()

# %% [markdown]
# ## 3. Early stopping
#
# The simplest regularizer of all: watch the loss on held-out data and **stop when it stops
# improving**, keeping the weights from the best epoch. In the first plot the test loss was
# lowest around the dashed line; training beyond it only made things worse.
#
# `fit(..., early_stopping=40)` stops once the held-out loss has not improved for 40
# epochs (the *patience*) and restores the weights of the best epoch.
#
# (In a real project the data used to decide when to stop is a separate **validation set**,
# not the final test set, so that the test score stays an honest estimate. We use the test set
# here to keep the lesson short.)

# %%
model_es, history_es = train(early_stopping=40)  # patience: 40 epochs without improvement
print(f"stopped after {history_es.epochs} epochs (best epoch: {history_es.best_epoch}); "
      f"test loss of the kept weights {min(history_es.val_loss):.4f}")
show(model_es, history_es, "Early stopping (patience 40 epochs)")

# %% [markdown]
# | | training loss | test loss |
# |---|---|---|
# | no regularization | lowest | rises after a while |
# | L2 penalty | a bit higher | lower |
# | early stopping | a bit higher | near the lowest seen |
#
# Both tools trade a little training accuracy for better results on new data — which is what
# we actually care about.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — how much L2?
# Train with λ = 0, 1e-3 and 1e-1 and print the final training and test losses.
# Which λ is best here? What goes wrong when λ is far too large?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: the test loss is lowest for a moderate λ. With λ = 0.1 the penalty dominates: it
# keeps the weights so small that the curve is too flat to follow even the training points,
# and both losses are high (underfitting).
for lam in (0.0, 1e-3, 1e-1):
    _, h = train(weight_decay=lam, epochs=150)
    print(f"λ = {lam:<6g} training {h.loss[-1]:.4f}   test {h.val_loss[-1]:.4f}")

# %% [markdown]
# ### Exercise 2 — more data
# Overfitting is a problem of too little data for the size of the model. Train the
# unregularized network on 60 training points instead of 12 (`make_points(60, seed=1)`). Does
# the test loss still rise?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: with more points the noise averages out and the network cannot pass through every
# point; the test loss stays close to the training loss and hardly rises after its lowest point.
X_big, y_big = make_points(60, seed=1)
m = nn.MLP(1, [16, 16, 1], activation="tanh", rng=8)
h = fit(m, X_big, y_big, loss="mse", optimizer=optim.Adam(m.parameters(), lr=0.02),
        epochs=150, validation=(X_test, y_test), progress=False)
print(f"60 points, 150 epochs: training loss {h.loss[-1]:.4f}, test loss {h.val_loss[-1]:.4f} "
      f"(lowest {min(h.val_loss):.4f})")
# the same 150 epochs of the first run, on 12 points:
print(f"12 points, 150 epochs: training loss {history.loss[149]:.4f}, "
      f"test loss {history.val_loss[149]:.4f} (lowest {min(history.val_loss[:150]):.4f})")

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
# ## Summary
#
# * Judge a model on data it did not train on. **Overfitting** shows as a training loss that
#   keeps falling while the test loss rises.
# * **L2 regularization** adds $\lambda \sum w^2$ to the loss; its gradient $2\lambda w$ pulls
#   weights towards zero every step and smooths the learned function.
# * **Early stopping** keeps the weights from the epoch with the best held-out loss.
# * More data is the best regularizer of all.
