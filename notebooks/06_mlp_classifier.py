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
# # 06 · An MLP classifier
#
# **Goal:** train a multi-layer perceptron (MLP) to separate two classes that no straight line can
# separate, watch its decision boundary bend during training, and see the network's graph
# drawn layer by layer.
#
# *Time: about 40 minutes. Prerequisites: lessons 01–05. The training runs here are kept short
# so that the notebook runs in well under a minute; where noted, increase the epochs for better
# results.*
#
# In this lesson you will
# 1. load the "two moons" data set and see why one neuron is not enough,
# 2. build an MLP from layers of neurons and draw its graph collapsed by layer,
# 3. train it with `train.fit` and watch the decision boundary over the epochs,
# 4. try a harder data set: two spirals.

# %%
import matplotlib.pyplot as plt

import microgrand as mg
from microgrand import data, plots, train
from microgrand.nn import MLP

# %% [markdown]
# ## 1. Two moons
#
# `data.moons` makes two interleaving half circles, 100 points with labels 0 and 1 (the same data
# as micrograd's demo). The `seed` makes the data the same on every run.

# %%
X, y = data.moons(100, noise=0.1, seed=1)
COLOURS = ["tab:blue", "tab:orange"]


def scatter(ax, X, y):
    for label in sorted(set(y)):
        pts = [x for x, t in zip(X, y) if t == label]
        ax.scatter([p[0] for p in pts], [p[1] for p in pts], s=14, c=COLOURS[label % 2],
                   edgecolors="white", linewidths=0.5, label=f"class {label}")


fig, ax = plt.subplots(figsize=(5, 3.5))
scatter(ax, X, y)
ax.legend(fontsize=8)
ax.set_aspect("equal")
plt.show()

# %% [markdown]
# A **decision boundary** is where the model switches from predicting one class to the other.
# `plots.plot_decision_boundary` evaluates a model on a grid of points (without building a
# graph: we only need the numbers) and shades each point by the model's output, blue for
# class 0 and orange for class 1; the black line is the boundary. Our models output a *score*,
# and a score above 0 means class 1, so we give it the labels as $-1$/$+1$ (`data.to_pm1`):
# in these plots class 0 is called "class −1".

# %%
def decision_boundary(ax, model, X, y, title=""):
    plots.plot_decision_boundary(model, X, data.to_pm1(y), title=title, ax=ax, resolution=40)
    # the legend goes under the plot, where it covers no point
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8, frameon=False)

# %% [markdown]
# ## 2. One neuron draws a straight line
#
# A single neuron without activation computes $w_1 x_1 + w_2 x_2 + b$; its boundary
# $w_1 x_1 + w_2 x_2 + b = 0$ is a **straight line**, whatever the weights. Train one with the
# loss from micrograd's demo, the **hinge** loss (labels $-1$/$+1$, so we convert them with
# `data.to_pm1` as well):

# %%
y_pm = data.to_pm1(y)
linear = MLP(2, [1], rng=0)  # one layer with one neuron, linear output
hist = train.fit(linear, X, y_pm, loss="hinge", optimizer="sgd", lr=0.3, epochs=100,
                 progress=False)
print(hist.summary())

fig, ax = plt.subplots(figsize=(5, 3.5))
decision_boundary(ax, linear, X, y, f"one neuron: accuracy {hist.accuracy[-1]:.0%}")
plt.show()

# %% [markdown]
# About 85% is the best a line can do: the tips of the moons are always on the wrong side.
#
# ## 3. A multi-layer perceptron
#
# An MLP stacks **layers** of neurons. Every neuron of a layer sees all the outputs of the
# layer before; the hidden layers use a non-linear activation (here ReLU), and the last layer
# outputs the score. Our network has 2 inputs, two hidden layers of 8 neurons and one output:
# $2 \to 8 \to 8 \to 1$.

# %%
model = MLP(2, [8, 8, 1], activation="relu", rng=0)
print(model)
print("number of parameters:", len(model.parameters()))

# %% [markdown]
# Every one of those parameters is a `Value`, and one forward pass for one point builds a graph
# of a couple of hundred nodes: far too many to read. But every node was created inside a
# **scope** (`layer1/neuron3`, …), so the diagram can **collapse** each layer into one box. The
# boxes show how many nodes each layer holds; the edges show how the layers feed each other.

# %%
score = model(X[0])
score.label = "score"
print("nodes in the graph of one forward pass:", mg.Graph.of(score).stats()["nodes"])
mg.draw(score, collapse=True, show=["data"])

# %% [markdown]
# Collapse one level deeper to see the neurons of each layer: every neuron becomes one box, and
# the count in it is the number of nodes it hides. With 8 neurons per layer that is already a
# web of 64 edges between the hidden layers, so here is the same picture for a tiny
# $2 \to 3 \to 3 \to 1$ network. A neuron of the first layer hides **7 nodes**: its 2 weights,
# its bias, the 2 products $w_i x_i$, the sum `Σ` and the ReLU. In the second layer there are
# 3 inputs, so 9 nodes; the output neuron has no ReLU, so 8.

# %%
tiny = MLP(2, [3, 3, 1], rng=0)
mg.draw(tiny(X[0]), collapse=2, show=["data"])

# %% [markdown]
# `expand` opens chosen boxes again. Here is the first neuron of the first layer opened up:
# the 7 nodes, exactly as in lesson 04's neuron.

# %%
mg.draw(tiny(X[0]), collapse=2, expand=["layer1/neuron1"], show=["data"], precision=2)

# %% [markdown]
# `mg.explore` puts the whole graph on one page: it opens at the layers; click a layer to see
# its neurons and a neuron to see its operations (the breadcrumb takes you back up). **Next**
# steps through the backward pass at the level shown, one layer per step, and inside a neuron
# node by node, exactly as the player does for six nodes.

# %%
score_tiny = tiny(X[0])
score_tiny.backward()
mg.explore(score_tiny)

# %% [markdown]
# ## 4. Training, and the boundary bending
#
# `train.fit` runs the training loop of lesson 05 for us (forward, loss, zero_grad, backward,
# update) and records a `History`. We pass a `callback`, called after every epoch, to take a
# snapshot of the decision boundary at a few epochs.
#
# *100 epochs of full-batch SGD take a few seconds; increase `epochs` for a cleaner boundary.*

# %%
SNAPSHOTS = [1, 10, 30, 100]
fig, axes = plt.subplots(1, len(SNAPSHOTS), figsize=(14, 3.4))
panels = iter(axes)


def snapshot(epoch, history):
    if history.epochs in SNAPSHOTS:  # how many epochs have run so far
        decision_boundary(next(panels), model, X, y,
                          f"epoch {history.epochs}: accuracy {history.accuracy[-1]:.0%}")


history = train.fit(model, X, y_pm, loss="hinge", optimizer="sgd", lr=0.3, epochs=100,
                    progress=False, callback=snapshot)
fig.tight_layout()
plt.show()
print(history.summary())

# %% [markdown]
# After one epoch the boundary is arbitrary: a random network's idea of the classes, with
# nothing to do with the moons (about half of the points right). Every epoch,
# backpropagation computes how each of the parameters should move to reduce the loss, and
# the boundary bends around the moons. The loss and the accuracy over the epochs:

# %%
plots.plot_history(history, title="two moons, 2 → 8 → 8 → 1, SGD")

# %% [markdown]
# Where does the network put its non-linearity? Each ReLU neuron of the first layer computes
# $\max(0,\, w_1 x_1 + w_2 x_2 + b)$: a plane, **folded** along the straight line where it
# reaches 0 — flat (0) on one side, rising on the other. Here are the 8 folded planes of the
# trained network's first layer (white = 0, darker = larger; the dashed line is the fold):

# %%
import numpy as np  # noqa: E402  (only for the grid of this picture)

g1, g2 = np.meshgrid(np.linspace(-1.5, 2.5, 40), np.linspace(-1.0, 1.5, 30))
first_layer = model.layers[0]
with mg.no_grad():
    planes = np.array([[[h.data for h in first_layer.outputs([a, b])]
                        for a, b in zip(r1, r2)] for r1, r2 in zip(g1, g2)])
fig, axes = plt.subplots(2, 4, figsize=(13, 4.6), sharex=True, sharey=True)
for k, ax in enumerate(axes.flat):
    ax.contourf(g1, g2, planes[:, :, k], levels=12, cmap="Greens")
    ax.contour(g1, g2, planes[:, :, k], levels=[1e-9], colors="black", linestyles="dashed")
    ax.scatter([p[0] for p in X], [p[1] for p in X], s=4,
               c=[COLOURS[t] for t in y], alpha=0.6)
    ax.set_title(f"layer1/neuron{k + 1}", fontsize=9)
fig.suptitle("The first layer: one folded plane per ReLU neuron")
fig.tight_layout()
plt.show()

# %% [markdown]
# Each fold is a straight line. The second layer adds these planes with its own weights and
# folds the sums again, and the output adds those up into the curved boundary you saw above.
# That is the whole trick of an MLP: **many simple bends, combined**.
#
# ## 5. A harder problem: two spirals
#
# Two spiral arms wrap around each other. The boundary needs to turn several times, so this
# takes a bigger effort: we use the **Adam** optimiser (lesson 07 explains it), which copes
# better with such problems than plain SGD.
#
# *Kept small to run in about 10 seconds (120 points, 60 epochs); with a few hundred epochs and
# more turns (`turns=1.5`) the problem gets harder and more interesting.*

# %%
Xs, ys = data.spirals(120, classes=2, noise=0.05, turns=1.0, seed=0)
spiral_model = MLP(2, [12, 12, 1], activation="relu", rng=1)
spiral_history = train.fit(spiral_model, Xs, data.to_pm1(ys), loss="hinge", optimizer="adam",
                           lr=0.03, epochs=60, progress=False)
print(spiral_history.summary())

fig, axes = plt.subplots(1, 2, figsize=(10, 4))
decision_boundary(axes[0], spiral_model, Xs, ys,
                  f"spirals after 60 epochs: accuracy {spiral_history.accuracy[-1]:.0%}")
axes[1].plot(spiral_history.loss)
axes[1].set_xlabel("epoch")
axes[1].set_ylabel("hinge loss")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 6. Your turn: the playground
#
# `mg.playground` trains the same kind of network live, on this engine, with a heatmap in every
# neuron: pick a dataset, the layers, the activation, the optimizer and the learning rate, press
# **Play**, and watch the boundary bend. Click the data to add points. Here it has already run
# 100 steps on the spirals; scrub back through them.

# %%
pg = mg.playground(dataset="spirals", layers=[8, 8], lr=0.03, seed=0)
pg.step(100)
pg

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — take out the non-linearity
# Train `MLP(2, [8, 8, 1], activation="linear", rng=0)` on the moons as in section 4 and draw its
# decision boundary. Why is it a straight line, although the network has 105 parameters?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
flat = MLP(2, [8, 8, 1], activation="linear", rng=0)
h = train.fit(flat, X, y_pm, loss="hinge", optimizer="sgd", lr=0.05, epochs=30, progress=False)
fig, ax = plt.subplots(figsize=(5, 3.5))
decision_boundary(ax, flat, X, y, f"no activation: accuracy {h.accuracy[-1]:.0%}")
plt.show()
# Without activations every layer is a linear function, and a linear function of a linear
# function is still linear: the whole network collapses into w1·x1 + w2·x2 + b.

# %% [markdown]
# ### Exercise 2 — how many neurons?
# Train networks with hidden layers of 2, 4 and 8 neurons (`MLP(2, [k, k, 1], rng=0)`) on the
# moons for 100 epochs (SGD, `lr=0.3`) and compare their final accuracies and boundaries. What is the smallest
# network that does well?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
fig, axes = plt.subplots(1, 3, figsize=(12, 3.2))
for ax, k in zip(axes, (2, 4, 8)):
    small_net = MLP(2, [k, k, 1], rng=0)
    h = train.fit(small_net, X, y_pm, loss="hinge", optimizer="sgd", lr=0.3, epochs=100,
                  progress=False)
    decision_boundary(ax, small_net, X, y, f"{k} neurons per layer: {h.accuracy[-1]:.0%}")
plt.show()
# 2 neurons per layer can only make a couple of bends (and a ReLU may die): not much better
# than one straight line. 4 neurons bend the boundary around one moon (92% here); 8 neurons
# fit both tips (99%). More neurons give more bends and a more reliable fit.

# %% [markdown]
# ### Exercise 3 — circles
# `data.circles(100, noise=0.05, seed=0)` puts one class inside a ring of the other. Train a
# $2 \to 8 \to 8 \to 1$ network on it and draw the boundary. What shape does it take?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
Xc, yc = data.circles(100, noise=0.05, seed=0)
circle_net = MLP(2, [8, 8, 1], rng=0)
h = train.fit(circle_net, Xc, data.to_pm1(yc), loss="hinge", optimizer="sgd", lr=0.3,
              epochs=100, progress=False)
fig, ax = plt.subplots(figsize=(4.5, 4))
decision_boundary(ax, circle_net, Xc, yc, f"circles: accuracy {h.accuracy[-1]:.0%}")
plt.show()
# A closed curve around the inner class, made of straight pieces (one per ReLU bend).

# %% [markdown]
# ## Check yourself
#
# Three questions. Write your answer in place of the `...` and run the cell below it:
# `mg.check` says ✓ or ✗ (with a hint). The answers are in the collapsed cells.
# This section runs on its own: it needs nothing from the cells above.

# %%
import microgrand as mg
from microgrand.nn import MLP
from microgrand.selfcheck import show_curves, training_curve

# %% [markdown]
# **1. Predict, then run.** How many parameters does `MLP(2, [8, 8, 1])` have?

# %%
q1 = ...  # your prediction

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = 105

# %% tags=["check"] jupyter={"source_hidden": true}
n = len(MLP(2, [8, 8, 1], rng=0).parameters())
print(n, "parameters")
mg.check(q1, n, hint="each layer has (inputs + 1) × neurons: (2+1)·8 + (8+1)·8 + (8+1)·1")

# %% [markdown]
# **2.** An MLP with **no** activation functions (`activation="linear"`), however deep: what
# shape is its decision boundary? Answer `"line"` or `"curve"`.

# %%
q2 = ...  # a word

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = "line"

# %% tags=["check"] jupyter={"source_hidden": true}
mg.check(q2, "line", hint="a linear function of a linear function is linear")

# %% [markdown]
# **3. Diagnose this loss curve.** One of these runs used a learning rate that is too
# large. Which one? Answer `"A"`, `"B"` or `"C"`.

# %%
q3 = ...  # a letter

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = "C"

# %% tags=["check"] jupyter={"source_hidden": true}
curves = {"A": training_curve(0.1), "B": training_curve(0.005), "C": training_curve(0.27)}
show_curves(curves, "Which learning rate is too large?")
mg.check(q3, "C", hint="too large: each step overshoots further, so w jumps from one side of 1.5 to the other, further each time")


# %% [markdown]
# ## Summary
#
# - One neuron separates classes with a **straight line**. Layers of neurons with a non-linear
#   activation (an **MLP**) can draw curved boundaries: each ReLU adds a bend.
# - Without activations, any number of layers is still one linear function.
# - An MLP's graph has hundreds of nodes per example; **scopes** let the diagram collapse them
#   by layer or by neuron.
# - Training is the same loop as in lesson 05, run by `train.fit`; the `History` records the
#   loss and accuracy per epoch, and a `callback` can watch the model during training.
# - Harder problems (spirals) need more capacity, more epochs, or a better optimiser
#   (lesson 07).
