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
# so that the notebook runs quickly.*
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

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
import numpy as np  # noqa: E402

# every line: 720 directions × 400 offsets, each side labelled either way
P, t = np.array(X), np.array(y)
angles = np.linspace(0, np.pi, 720, endpoint=False)
proj = P @ np.stack([np.cos(angles), np.sin(angles)])  # (points, directions)
offsets = np.linspace(proj.min(), proj.max(), 400)
sides = proj[:, :, None] > offsets[None, None, :]
right = (sides == (t[:, None, None] == 1)).mean(axis=0)
best_line = np.maximum(right, 1 - right).max()
assert 0.8 <= hist.accuracy[-1] <= 0.9, "one neuron gets about 85 % right"
assert best_line < 0.9 and hist.accuracy[-1] > best_line - 0.06, "no line gets 90 %"

# %% [markdown]
# About 85%, and no straight line gets 90 % of these points right: the tips of the moons are
# always on the wrong side.
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

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert 150 < mg.Graph.of(score).stats()["nodes"] < 300, "a couple of hundred nodes"

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

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
from collections import Counter  # noqa: E402

per_neuron = Counter(node.scope for node in mg.Graph.of(tiny(X[0])).nodes)
assert all(per_neuron[f"layer1/neuron{k}"] == 7 for k in (1, 2, 3)), "7 nodes in layer 1"
assert all(per_neuron[f"layer2/neuron{k}"] == 9 for k in (1, 2, 3)), "9 nodes in layer 2"
assert per_neuron["layer3/neuron1"] == 8, "8 nodes in the output neuron"

# %% [markdown]
# `expand` opens chosen boxes again. Here is the first neuron of the first layer opened up:
# the 7 nodes, exactly as in lesson 04's neuron.

# %%
mg.draw(tiny(X[0]), collapse=2, expand=["layer1/neuron1"], show=["data"], precision=2,
        rankdir="TB")

# %% [markdown]
# `mg.explore` puts the whole graph on one page: it opens at the layers; click a layer to see
# its neurons and a neuron to see its operations (the breadcrumb takes you back up), or Tab to
# a box, press Enter to open it and Escape to go back up. **Next** steps through the backward
# pass at the level shown, one layer per step, and inside a neuron node by node, exactly as the
# player does for six nodes. − and + zoom, the arrow keys pan, and the search box finds a name
# such as `w2` or `neuron3` and lists every match.

# %%
score_tiny = tiny(X[0])
score_tiny.backward()
mg.explore(score_tiny, rankdir="TB")

# %% [markdown]
# ## 4. Training, and the boundary bending
#
# `train.fit` runs the training loop of lesson 05 for us (forward, loss, zero_grad, backward,
# update) and records a `History`. We pass a `callback`, called after every epoch, to take a
# snapshot of the decision boundary at a few epochs.
#
# *100 epochs of full-batch SGD: every epoch uses all 100 points.*

# %%
SNAPSHOTS = [1, 10, 30, 100]
fig, axes = plt.subplots(2, 2, figsize=(8, 6.6))
panels = iter(axes.flat)


def snapshot(epoch, history):
    if history.epochs in SNAPSHOTS:  # how many epochs have run so far
        decision_boundary(next(panels), model, X, y,
                          f"epoch {history.epochs}: accuracy {history.accuracy[-1]:.0%}")


history = train.fit(model, X, y_pm, loss="hinge", optimizer="sgd", lr=0.3, epochs=100,
                    progress=False, callback=snapshot)
fig.tight_layout()
plt.show()
print(history.summary())

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert 0.35 < history.accuracy[0] < 0.65, "after one epoch about half of the points are right"
assert history.accuracy[-1] >= 0.95, "after 100 epochs the boundary fits the moons"
assert history.accuracy[-1] > hist.accuracy[-1] + 0.1, "the MLP beats the straight line"

# %% [markdown]
# After one epoch the boundary is arbitrary: a random network's idea of the classes, with
# nothing to do with the moons (about half of the points right). Every epoch,
# backpropagation computes how each of the parameters should move to reduce the loss, and
# the boundary bends around the moons until it gets nearly every point right, tips
# included. The loss and the accuracy over the epochs:

# %%
fig = plots.plot_history(history, title="two moons, 2 → 8 → 8 → 1, SGD")
fig.set_size_inches(9.5, 3.8)
fig

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
fig, axes = plt.subplots(2, 4, figsize=(9.5, 4.4), sharex=True, sharey=True)
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
# takes a bigger effort: we use the **Adam** optimiser (lesson 07 explains it, and races it
# against plain SGD on spirals like these).
#
# *Kept small (120 points, 60 epochs); with more turns (`turns=1.5`) the problem gets harder:
# try it.*

# %%
Xs, ys = data.spirals(120, classes=2, noise=0.05, turns=1.0, seed=0)
spiral_model = MLP(2, [12, 12, 1], activation="relu", rng=1)
spiral_history = train.fit(spiral_model, Xs, data.to_pm1(ys), loss="hinge", optimizer="adam",
                           lr=0.03, epochs=60, progress=False)
print(spiral_history.summary())

fig, axes = plt.subplots(1, 2, figsize=(9.5, 4))
decision_boundary(axes[0], spiral_model, Xs, ys,
                  f"spirals after 60 epochs: accuracy {spiral_history.accuracy[-1]:.0%}")
axes[1].plot(spiral_history.loss)
axes[1].set_xlabel("epoch")
axes[1].set_ylabel("hinge loss")
fig.tight_layout()
plt.show()

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert spiral_history.accuracy[-1] >= 0.95, "the boundary winds with the spirals"

# %% [markdown]
# After 60 epochs the boundary winds between the two arms and gets almost every training
# point right.
#
# ## 6. Your turn: the playground
#
# `mg.playground` trains the same kind of network live, on this engine, with a heatmap in every
# neuron: pick a dataset, the layers, the activation, the optimizer and the learning rate, press
# **Play**, and watch the boundary bend. Click the data to add points (or Tab to the data: the
# arrow keys move a cursor, a digit picks the class, Enter adds a point, Delete erases the
# nearest one); click a weight, or Tab to the network and press Enter on it, to see its last
# update.
#
# Here it has already run 300 steps on 200 spiral points: a 2 → 8 → 8 → 1 network with ReLU,
# Adam with learning rate 0.03, 10 points per step. 30 % of the points are held out as a
# **test set** (the hollow circles): the network never trains on them, so its accuracy on them
# says how well the boundary works on points it has not seen. The line above the picture gives
# the step, the losses and both accuracies; scrub back (a frame every 30 steps) to watch the
# boundary bend.

# %%
pg = mg.playground(dataset="spirals", layers=[8, 8], activation="relu", optimizer="adam",
                   lr=0.03, batch_size=10, seed=0, record_every=30)  # a frame every 30 steps
pg.step(300)
pg

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
acc = pg.history
assert acc.steps[-1] == 300 and pg.config["n"] == 200 and pg.config["test_fraction"] == 0.3
assert acc.train_accuracy[-1] >= 0.9 and acc.test_accuracy[-1] >= 0.9, "the boundary fits"
assert acc.train_accuracy[9] < 0.8, "at step 10 it does not fit yet: scrubbing back shows it bend"

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
# moons for 100 epochs (SGD, `lr=0.3`) and compare their final accuracies and boundaries.
# What is the smallest network that does well?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
fig, axes = plt.subplots(1, 3, figsize=(9.5, 3.2))
final = {}
for ax, k in zip(axes, (2, 4, 8)):
    small_net = MLP(2, [k, k, 1], rng=0)
    h = train.fit(small_net, X, y_pm, loss="hinge", optimizer="sgd", lr=0.3, epochs=100,
                  progress=False)
    final[k] = h.accuracy[-1]
    decision_boundary(ax, small_net, X, y, f"{k} per layer: {h.accuracy[-1]:.0%}")
fig.tight_layout()
plt.show()
# 2 neurons per layer can only make a couple of bends (and a ReLU may die): not much better
# than one straight line. 4 neurons bend the boundary around one moon (92% here); 8 neurons
# fit both tips (99%). More neurons give more bends and a more reliable fit.

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert final[2] < 0.9 and 0.9 <= final[4] < 0.95 and final[8] >= 0.98, "2 poor, 4 ≈ 92 %, 8 ≈ 99 %"

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
# `mg.check` says ✓ or ✗ (with a hint). Your teacher's copy of the lesson has the answers.
# This section runs on its own: it needs nothing from the cells above.

# %%
import microgrand as mg
from microgrand.nn import MLP
from microgrand.selfcheck import show_runs, training_runs

# %% [markdown]
# **1. Predict, then run.** How many parameters does `MLP(3, [5, 4, 1])` have (3 inputs, hidden
# layers of 5 and 4 neurons, one output)?

# %%
q1 = ...  # your prediction

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = 49

# %% tags=["check"] jupyter={"source_hidden": true}
n = len(MLP(3, [5, 4, 1], rng=0).parameters())
mg.check(q1, n, hint="each layer has (inputs + 1) × neurons parameters: a weight per input "
                     "and a bias, for each neuron", note=f"{n} parameters")

# %% [markdown]
# **2.** An MLP with **no** activation functions (`activation="linear"`), however deep: what
# shape is its decision boundary? Answer `"line"` or `"curve"`.

# %%
q2 = ...  # a word

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = "line"

# %% tags=["check"] jupyter={"source_hidden": true}
mg.check(q2, hashed="sha256:dd9fba873b2870b48900fda4cd4ace7a1603ea96e0b15f963ef9bcbc3da3955a",
         hint="what is a linear function of a linear function?")

# %% [markdown]
# **3. Diagnose this loss curve.** Three small networks (2 → 8 → 1, on the two moons) were
# trained by gradient descent for 60 steps, each with a different learning rate: one sensible,
# one far too small, one too large. Which run's learning rate is **too large**? Answer `"A"`,
# `"B"` or `"C"`.

# %%
runs = training_runs(["healthy", "lr_too_large", "lr_too_small"], seed=0)
show_runs(runs, "Which learning rate is too large?")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
climbs = [k for k, r in runs.items() if r.losses[-1] > 100 * r.losses[0]]
assert climbs == [runs.which("lr_too_large")], "exactly one run climbs: the too large rate"
slow, good = runs[runs.which("lr_too_small")], runs[runs.which("healthy")]
assert good.losses[5] < slow.losses[30], "the healthy run falls fast, the small one creeps"

# %%
q3 = ...  # a letter

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = "A"

# %% tags=["check"] jupyter={"source_hidden": true}
mg.check(q3, runs.which("lr_too_large"),
         hint="a step too large overshoots the minimum and lands higher up the other side, "
              "further each time")


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
