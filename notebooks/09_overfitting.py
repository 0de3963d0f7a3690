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
# **L2 penalty** on the weights and **dropout**; and see that more data helps most of all.
#
# *Time: about 40 minutes. Prerequisites: lessons 01–06 (training an MLP with `fit`).*
#
# In this lesson you will
# 1. make a big network memorise a small noisy data set (every training point right) and see
#    it do clearly worse on new data,
# 2. split off a **validation set** and stop training when its loss stops improving (early
#    stopping),
# 3. shrink the weights with an **L2 penalty**,
# 4. switch neurons off at random while training with **dropout** (`nn.Dropout`),
# 5. compare the models on the validation set, score the chosen one **once** on the test set,
#    and draw a **learning curve**: what more training data does.
#
# A network with many parameters can fit its training data *too* well: it learns the noise
# along with the pattern, and does worse on new data. We can only see this by keeping data
# aside that the network never trains on. We keep two such sets:
#
# * a **validation set**, which we look at *during* training to make decisions (when to stop,
#   which penalty to use, which model to keep);
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
# Two classes, each a cloud of points around its own centre: class −1 around $(1, 0)$ (blue),
# class +1 around $(-1, 0)$ (orange), with so much spread that the clouds overlap. Even the best
# possible rule for this source — the straight line $x_1 = 0$ halfway between the centres —
# gets many points wrong: the ones that landed in the other cloud's half. We have **30
# training points**, 200 validation points and 500 test points, all from the same source.

# %%
NOISE = 1.0  # the spread of each cloud (its standard deviation)
X_train, y_train = data.blobs(30, noise=NOISE, seed=4)
X_val, y_val = data.blobs(200, noise=NOISE, seed=5)
X_test, y_test = data.blobs(500, noise=NOISE, seed=6)
y_train, y_val, y_test = data.to_pm1(y_train), data.to_pm1(y_val), data.to_pm1(y_test)
print(len(X_train), "training,", len(X_val), "validation,", len(X_test), "test points")

# The best possible rule, x1 < 0 means class +1, scored on the validation points:
line_val = np.mean([(x[0] < 0) == (t > 0) for x, t in zip(X_val, y_val)])
print(f"the line x1 = 0 gets {line_val:.0%} of the validation points right")

fig, ax = plt.subplots(figsize=(5.5, 3.8))
for X, y, marker, size, name in ((X_val, y_val, ".", 12, "validation"),
                                 (X_train, y_train, "o", 45, "training")):
    colours = ["tab:orange" if t > 0 else "tab:blue" for t in y]
    ax.scatter([p[0] for p in X], [p[1] for p in X], c=colours, marker=marker, s=size,
               alpha=0.35 if name == "validation" else 1.0, edgecolors="white", linewidths=0.5)
ax.axvline(0, color="0.5", ls="--", lw=1)
ax.set(title="30 training points (large), validation points (small, faint)", aspect="equal")
plt.show()

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert 0.78 <= line_val <= 0.9, "the best rule still gets many points wrong (about 16 %)"

# %% [markdown]
# No model can do much better than that line on new points from this source: what it gets
# wrong is noise, not pattern. (On a sample of 200 points, a model can still come out a few
# points above or below it by chance.)
#
# ## 2. A big network memorises them
#
# The network: $2 \to 16 \to 16 \to 1$ with ReLU, **337 parameters for 30 points**. It is
# written as a small `Module` with a **dropout** layer after each hidden layer (section 5);
# with `p = 0` those layers do nothing. It trains for 100 epochs on mini-batches of 5 points
# with Adam and the hinge loss, and `fit(..., validation=(X_val, y_val))` measures the loss and
# the accuracy on the validation points after every epoch.

# %%
EPOCHS = 100  # enough to memorise the 30 points


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


def train(p=0.0, l2=None, early_stopping=None, watch=True, X=X_train, y=y_train,
          epochs=EPOCHS):
    """Train a fresh Net; with watch=True measure the validation set after every epoch."""
    model = Net(p)
    history = fit(model, X, y, loss="hinge", optimizer=optim.Adam(model.parameters(), lr=0.02),
                  epochs=epochs, batch_size=5, regularization=l2,
                  early_stopping=early_stopping,
                  validation=(X_val, y_val) if watch or early_stopping else None,
                  compiled=p == 0,  # replay a recorded step (lesson 12); not with dropout
                  progress=False)
    return model, history


def show(model, history, title, stop=None):
    """Loss per epoch (training and validation) and the decision boundary."""
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.8))
    epochs = range(1, history.epochs + 1)
    ax1.plot(epochs, history.loss, label="training loss")
    if history.val_loss:
        ax1.plot(epochs, history.val_loss, label="validation loss")
    if stop is not None:
        ax1.axvline(stop, color="tab:red", ls="--", lw=1.2)
        ax1.annotate(f"kept: epoch {stop}", (stop, max(history.val_loss)), color="tab:red",
                     xytext=(5, -12), textcoords="offset points", fontsize=9)
    ax1.set(xlabel="epoch", ylabel="hinge loss (per point)", title=title)
    ax1.legend(loc="upper right", fontsize=8)
    title = (f"training {accuracy(model, X_train, y_train):.0%}, "
             f"validation {accuracy(model, X_val, y_val):.0%}")
    model.eval()  # draw the boundary without dropout
    plots.plot_decision_boundary(model, X_train, y_train, ax=ax2, resolution=50, title=title)
    model.train()
    ax2.legend(loc="upper center", bbox_to_anchor=(0.5, -0.15), ncol=2, fontsize=8,
               frameon=False)
    fig.tight_layout()
    plt.show()


model, history = train()
train_acc, val_acc = accuracy(model, X_train, y_train), accuracy(model, X_val, y_val)
print(f"no regularization: training accuracy {train_acc:.0%}, validation accuracy {val_acc:.0%}")
show(model, history, "No regularization")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert train_acc >= 0.98, "the plain network gets every training point right"
assert val_acc <= train_acc - 0.10, "and is at least 10 points worse on new points"
assert val_acc < line_val - 0.05, "clearly worse than the straight line"
best_val_epoch = int(np.argmin(history.val_loss)) + 1
assert best_val_epoch <= 5, "the validation loss is lowest within the first few epochs"
assert history.val_loss[-1] > 1.5 * min(history.val_loss), "then it climbs"
assert history.loss[-1] < 0.2 * history.loss[0], "while the training loss keeps falling"

# %% [markdown]
# The network gets **every training point right**, and its boundary shows how: it bends
# sharply to take in the points that sit in the other class's cloud. On new points it
# does clearly worse — more than 10 points below its training accuracy, and worse than the
# plain straight line. That gap between "perfect on what it saw" and "worse on new data" is
# **overfitting**: with 337 parameters for 30 points, the network can afford to learn the
# noise.
#
# The loss curves tell the same story, epoch by epoch: the training loss keeps falling towards
# 0, while the validation loss is lowest within the first few epochs and then climbs. From
# there on, every step that helps the training points hurts new ones.
#
# Try it live: a big network ($2 \to 16 \to 16 \to 1$) on a small, noisy set of two moons in
# the playground, already trained for 400 steps. The hollow points are the test set: the
# training loss has kept falling to almost 0 (every training point right), while the test
# loss, lowest in the first few steps, has been climbing ever since, and the boundary wraps
# itself around single points. Raise **L2** and press **Reset** to see the boundary calm down.

# %%
memorise = mg.playground(dataset="moons", n=40, noise=0.35, layers=[16, 16], lr=0.03, seed=0,
                         record_every=40)  # the stored replay keeps a frame every 40 steps
memorise.step(400)
memorise

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
h = memorise.history
assert h.train_accuracy[-1] >= 0.98 and h.train_loss[-1] < 0.2 * h.train_loss[0], "memorised"
assert h.test_loss.index(min(h.test_loss)) < 30 and h.test_loss[-1] > 2 * min(h.test_loss), \
    "the test loss is lowest early, then climbs"

# %% [markdown]
# ## 3. Early stopping, on the validation set
#
# The simplest remedy: watch the validation loss during training and **stop when it stops
# improving**, keeping the weights of the best epoch. `fit(..., validation=(X_val, y_val),
# early_stopping=EarlyStopping(patience=10))` does exactly that: it stops once the validation
# loss has not improved for 10 epochs (the *patience*) and restores the weights of the epoch
# with the lowest validation loss.
#
# We decide *when to stop* with the validation set, never with the test set: a test score
# that was used to choose the model is no longer an honest estimate.

# %%
model_es, history_es = train(early_stopping=EarlyStopping(patience=10))
print(f"stopped after {history_es.epochs} epochs, kept the weights of epoch "
      f"{history_es.best_epoch} (lowest validation loss {min(history_es.val_loss):.3f})")
val_es = accuracy(model_es, X_val, y_val)
show(model_es, history_es, "Early stopping (patience 10 epochs)", stop=history_es.best_epoch)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert history_es.stopped_early and history_es.epochs == history_es.best_epoch + 10, "stopped by patience"
assert history_es.best_epoch == best_val_epoch, "it kept the epoch of the lowest validation loss"
assert history_es.best_epoch <= 3, "very early"
assert val_es >= val_acc + 0.05, "early stopping recovers at least 5 points of validation accuracy"
assert abs(val_es - line_val) <= 0.04, "about as good as the straight line"
assert accuracy(model_es, X_train, y_train) < 0.98, "without memorising the training points"

# %% [markdown]
# The dashed line marks the epoch whose weights were kept: the lowest point of the validation
# loss, which here comes very early — after the first epoch or two (an epoch is 6 steps of 5
# points). By then the network has found the rough split between the two clouds, and almost
# everything it learns after that is noise. The boundary from that epoch is much simpler: it
# gives up the training points that sit in the other cloud, and scores about as well as the
# straight line on the validation points, clearly better than the memorising network. What to
# monitor (the loss or the accuracy) and how much patience to give are choices, and they too are
# made on the validation set.
#
# ## 4. L2 regularization
#
# Add a penalty for large weights to the loss:
#
# $$L_\text{total} = L_\text{data} + \lambda \sum_w w^2 .$$
#
# Its gradient is $2\lambda w$, so every step also pulls each weight a little towards 0. Sharp
# bends and islands need large weights; keeping them small keeps the boundary smooth.
# Backpropagation needs no change: the penalty is just more nodes in the graph
# (`fit(..., regularization=λ)` adds them). The strength λ is chosen on the validation set
# (exercise 1 tries others).

# %%
LAMBDA = 0.01
model_l2, history_l2 = train(l2=LAMBDA, watch=False)
val_l2 = accuracy(model_l2, X_val, y_val)
show(model_l2, history_l2, f"L2 penalty, λ = {LAMBDA}")

fig, ax = plt.subplots(figsize=(7, 3.2))
bins = np.linspace(-3, 3, 49)
ax.hist([p.data for p in model.parameters()], bins=bins, alpha=0.6, label="no penalty")
ax.hist([p.data for p in model_l2.parameters()], bins=bins, alpha=0.6, label=f"L2, λ = {LAMBDA}")
ax.set(xlabel="parameter value", ylabel="count", title="L2 keeps the weights small")
ax.legend()
plt.show()

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert val_l2 >= val_acc + 0.05, "L2 recovers at least 5 points of validation accuracy"
assert accuracy(model_l2, X_train, y_train) < train_acc, "it gives up some training points"
size = lambda m: sum(p.data ** 2 for p in m.parameters())
assert size(model_l2) < 0.5 * size(model), "the weights are smaller"

# %% [markdown]
# With the penalty the network no longer gets every training point right, its boundary is
# smooth, and the validation accuracy is at least 5 points higher than the plain network's
# (the title of the right plot). The histogram shows why: the penalized weights stay close to
# 0 (their sum of squares is less than half the plain network's).
#
# **L2 penalty or weight decay?** With plain gradient descent, adding $\lambda w^2$ to the loss
# is the same as shrinking every weight by a fixed fraction at each step, $w \leftarrow
# (1 - 2\eta\lambda)\,w$, which is why the penalty is also called *weight decay*. With Adam it is
# **not** the same: Adam divides each gradient by the running size of that parameter's
# gradients, so the penalty's gradient $2\lambda w$ is rescaled like the rest, and a weight
# with large data gradients is hardly pulled towards 0 at all. *Decoupled* weight decay
# (`optim.AdamW`, "Adam with weight decay") shrinks the weights directly,
# $w \leftarrow (1 - \eta\,\text{wd})\,w$, outside Adam's rescaling. One step from $w = 1$,
# with no data gradient at all, shows the difference:

# %%
for strength in (0.001, 0.1):
    w_l2, w_wd = mg.Value(1.0), mg.Value(1.0)
    (strength * losses.l2([w_l2])).backward()  # the L2 penalty in the loss, then Adam
    optim.Adam([w_l2], lr=0.01).step()
    w_wd.grad = 0.0                             # no gradient; AdamW decays the weight itself
    optim.AdamW([w_wd], lr=0.01, weight_decay=strength).step()
    print(f"strength {strength:<5}: Adam + L2 penalty moves w by {1 - w_l2.data:.6f}, "
          f"AdamW by {1 - w_wd.data:.6f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
steps = {}
for strength in (0.001, 0.1):
    a, b = mg.Value(1.0), mg.Value(1.0)
    (strength * losses.l2([a])).backward()
    optim.Adam([a], lr=0.01).step()
    b.grad = 0.0
    optim.AdamW([b], lr=0.01, weight_decay=strength).step()
    steps[strength] = (1 - a.data, 1 - b.data)
assert abs(steps[0.001][0] - steps[0.1][0]) < 1e-3 * steps[0.1][0], "Adam's step ignores the strength"
assert abs(steps[0.1][1] / steps[0.001][1] - 100) < 1e-6, "AdamW's decay is proportional to it"

# %% [markdown]
# Adam's first step has the same size whatever the strength (it is about the learning rate:
# Adam divides the gradient by its own size), while AdamW's decay grows with the strength,
# 100 times more for a strength 100 times larger. Both are regularizers, but a λ that works
# for one is not the right number for the other.
#
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

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
kept = nn.Dropout(0.5, rng=0)([1.0] * 6)
assert set(kept) <= {0.0, 2.0} and nn.Dropout(0.5, rng=0).eval()([1.0] * 6) == [1.0] * 6, \
    "kept values are doubled (p = 0.5), evaluation passes them through"

# %%
P_DROP = 0.2
model_do, history_do = train(p=P_DROP, watch=False)
val_do = accuracy(model_do, X_val, y_val)
show(model_do, history_do, f"Dropout, p = {P_DROP}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert val_do >= val_acc + 0.05, "dropout recovers at least 5 points of validation accuracy"
assert accuracy(model_do, X_train, y_train) < train_acc, "it gives up some training points"
assert np.std(np.diff(history_do.loss[10:])) > 1.5 * np.std(np.diff(history_l2.loss[10:])), \
    "its training loss is noisier than L2's"

# %% [markdown]
# Dropout too gives up the training points in the other cloud, and its validation accuracy is
# at least 5 points above the plain network's. (Its training loss is noisier: every step
# trains a different random part of the network.)
#
# ## 6. Choose on the validation set, score once on the test set
#
# Four models, compared on the **validation** set — the data we are allowed to make decisions
# with:

# %%
candidates = {"no regularization": model, "early stopping": model_es,
              f"L2, λ = {LAMBDA}": model_l2, f"dropout, p = {P_DROP}": model_do}
val_scores = {name: accuracy(m, X_val, y_val) for name, m in candidates.items()}
for name, score in val_scores.items():
    print(f"{name:18s} training {accuracy(candidates[name], X_train, y_train):4.0%}   "
          f"validation {score:4.0%}")
chosen = max(val_scores, key=val_scores.get)
print("chosen on the validation set:", chosen)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert chosen != "no regularization", "a regularized model wins on validation"
assert all(s >= val_scores["no regularization"] + 0.05 for n, s in val_scores.items()
           if n != "no regularization"), "each regularizer beats the plain network by 5 points"

# %% [markdown]
# Every regularizer beats the plain network on the validation set by at least 5 points; we
# keep the best one. Only now, once, do we look at the test set, for the score we would report:

# %%
test_acc = accuracy(candidates[chosen], X_test, y_test)
print(f"{chosen}: test accuracy {test_acc:.1%} (validation {val_scores[chosen]:.1%}; "
      f"the best possible rule gets about {line_val:.0%})")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(test_acc - val_scores[chosen]) < 0.06, "the test score is close to the validation score"
assert test_acc > val_acc + 0.03, "and well above the plain network's validation score"

# %% [markdown]
# The test score is close to the validation score. In general, expect it to be a little lower:
# the winner's validation score flatters it slightly, because we picked the best of four on that
# very set. That is why the test set is kept out of every decision.
#
# | | training accuracy | boundary | what it costs |
# |---|---|---|---|
# | no regularization | 100 % | bends around single points | nothing, but worse on new data |
# | early stopping | below 100 % | simpler | a validation set, training watched |
# | L2 penalty | below 100 % | smoother | choosing λ (on the validation set) |
# | dropout | below 100 % | smoother | slower, noisier training; choosing p |
#
# ## 7. More data
#
# Overfitting is a problem of too little data for the size of the model. A **learning curve**
# shows it: train the same plain network (no regularization) on more and more points from the
# same source, with the same number of steps, and measure the training and validation
# accuracies.

# %%
sizes = [15, 30, 60, 120, 240]
curve = {"training": [], "validation": []}
for n in sizes:
    X_n, y_n = data.blobs(n, noise=NOISE, seed=4 if n == 30 else 100 + n)
    y_n = data.to_pm1(y_n)
    m, _ = train(X=X_n, y=y_n, epochs=3000 // n, watch=False)  # 600 steps of 5 points
    curve["training"].append(accuracy(m, X_n, y_n))
    curve["validation"].append(accuracy(m, X_val, y_val))
    print(f"{n:4d} training points: training {curve['training'][-1]:4.0%}, "
          f"validation {curve['validation'][-1]:4.0%}")

fig, ax = plt.subplots(figsize=(6, 3.4))
for name, marker in (("training", "o"), ("validation", "s")):
    ax.plot(sizes, np.array(curve[name]) * 100, marker=marker, label=name)
ax.axhline(line_val * 100, color="0.5", ls="--", lw=1, label="the line x1 = 0")
ax.set_xscale("log")
ax.set_xticks(sizes, [str(n) for n in sizes])
ax.minorticks_off()
ax.set(xlabel="training points", ylabel="accuracy (%)", title="Learning curve of the plain network")
ax.legend(fontsize=8)
plt.show()

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
tr, va = np.array(curve["training"]), np.array(curve["validation"])
assert va[-1] >= va[1] + 0.05, "with 240 points the plain network scores 5+ points better than with 30"
assert va[0] < va[1] and min(va[2:]) >= max(va[:2]) + 0.03, "the validation curve rises"
assert tr[1] >= 0.98 and tr[-1] < 0.95, "with more points it can no longer memorise them all"
assert tr[-1] - va[-1] < tr[1] - va[1] - 0.1, "the gap between training and validation closes"
assert abs(va[-1] - line_val) <= 0.05, "and validation ends near the best possible score"

# %% [markdown]
# With 30 points the training accuracy is perfect and the validation accuracy poor (fewer
# points are worse still on validation). With more points the same network can no longer
# memorise them all: its training accuracy comes down, its validation accuracy rises (by more
# than 5 points from 30 to 240 points), and the two come close, near the best possible score. More data does what the regularizers did, without
# any choice of λ or p: when you can get it, **more data is the best regularizer**.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — how much L2?
# Train with λ = 0.001, 0.01 and 1.0 and print the training and validation accuracies. Which λ
# would you choose, looking only at the validation set? What goes wrong when λ is far too large?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: choose the λ with the best validation accuracy. With λ = 1.0 the penalty
# dominates the loss: the weights shrink towards 0, the boundary becomes too simple, and
# the training accuracy drops too (underfitting).
ex1 = {}
for lam in (0.001, 0.01, 1.0):
    m, _ = train(l2=lam, watch=False)
    ex1[lam] = (accuracy(m, X_train, y_train), accuracy(m, X_val, y_val))
    print(f"λ = {lam:<6g} training {ex1[lam][0]:.0%}   validation {ex1[lam][1]:.0%}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert ex1[1.0][0] < ex1[0.01][0], "a λ far too large costs training accuracy too"

# %% [markdown]
# ### Exercise 2 — the penalty's gradient
# For a single weight $w = 0.8$ and λ = 0.01, what is the gradient of the penalty
# $\lambda w^2$? Check with microgrand, and with `losses.l2`.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: d(λw²)/dw = 2λw = 2 · 0.01 · 0.8 = 0.016.
w = mg.Value(0.8, label="w")
penalty = 0.01 * losses.l2([w])
penalty.backward()
print(f"penalty {penalty.data:.4f}, gradient {w.grad:.4f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(w.grad - 0.016) < 1e-12, "2λw = 0.016"

# %% [markdown]
# ## Check yourself
#
# Three questions. Write your answer in place of the `...` and run the cell below it:
# `mg.check` says ✓ or ✗ (with a hint). Your teacher's copy of the lesson has the answers.
# This section runs on its own: it needs nothing from the cells above.

# %%
import matplotlib.pyplot as plt

import microgrand as mg
from microgrand import nn
from microgrand.selfcheck import show_runs, training_runs

# %% [markdown]
# **1. Predict, then run.** `nn.Dropout(0.5)` in **evaluation** mode, applied to `[2.0, 4.0]`:
# what comes out? (A list.)

# %%
q1 = ...  # your prediction, a list

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = [2.0, 4.0]

# %% tags=["check"] jupyter={"source_hidden": true}
out = nn.Dropout(0.5, rng=0).eval()([2.0, 4.0])
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
# **3. Diagnose this loss curve** (two curves, in fact). A real training run of a big network
# on 16 noisy points: its training loss (solid) and its loss on held-out points (dashed),
# after every step (first picture: all 250 steps; second: the first 40, zoomed in). Early stopping keeps
# the weights of the step with the lowest held-out loss: about which step is that? (Read it off
# the plot; a step within 3 of it counts.)

# %%
runs = training_runs(["overfitting"], seed=9)
show_runs(runs, "Where would early stopping stop?", validation=True)
run = runs["A"]
fig, ax = plt.subplots(figsize=(5, 2.8))
ax.plot(range(1, 41), run.losses[:40], label="training")
ax.plot(range(1, 41), run.val_losses[:40], ls="--", label="held-out")
ax.set(xlabel="step", ylabel="loss", title="The first 40 steps, zoomed in", ylim=(0, 1.2))
ax.legend(fontsize=8)
plt.show()

# %%
q3 = ...  # a step number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = 6

# %% tags=["check"] jupyter={"source_hidden": true}
held_out = runs[runs.which("overfitting")].val_losses
best = held_out.index(min(held_out)) + 1
mg.check(q3, best, abs_tol=3,
         hint="the step with the lowest DASHED (held-out) loss; the training loss keeps falling")


# %% [markdown]
# ## Summary
#
# * Judge a model on data it did not train on. **Overfitting** shows as 100 % on the training
#   data, a clearly worse score on new data, a validation loss that climbs while the training
#   loss falls, and a boundary that bends around single points.
# * Keep a **validation set** for decisions during training (when to stop, λ, p, which model)
#   and a **test set** for one final, honest score.
# * **Early stopping** keeps the weights from the epoch with the lowest validation loss.
# * **L2 regularization** adds $\lambda \sum w^2$ to the loss; its gradient $2\lambda w$ pulls
#   weights towards zero every step and smooths the boundary. With Adam, that is not the same
#   as decoupled weight decay (`optim.AdamW`).
# * **Dropout** zeroes random hidden units while training (`model.train()`), scales the rest by
#   $1/(1-p)$, and does nothing in evaluation (`model.eval()`).
# * A **learning curve** shows what more data does: the gap between training and validation
#   closes — more data is the best regularizer, when you can get it.
