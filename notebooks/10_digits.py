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
# # 10 · Handwritten digits
#
# **Goal:** train an MLP to read handwritten digits, look at what it gets right and wrong with
# a grid of predictions and a confusion matrix, and see why classification uses one output per
# class (softmax and cross-entropy) rather than one number (regression).
#
# *Time: about 40 minutes. Prerequisites: lessons 01–06; lesson 09 for the validation set.*
#
# In this lesson you will
# 1. turn 8 × 8 images of digits into 64 inputs and 10 output scores (softmax, cross-entropy),
# 2. train an MLP on mini-batches and look at its predictions and its confusion matrix,
# 3. follow backpropagation into the pixels: which weights get the largest gradients for one
#    image,
# 4. see why one output per class beats a single regression output.
#
# So far the inputs had two numbers. Now each input is an **image**: 8 × 8 grey pixels, 64
# numbers between 0 (white) and 1 (black), from the handwritten digits that come with
# scikit-learn. There are 10 classes, the digits 0 to 9.
#
# Reading handwritten or printed characters by computer is called **optical character
# recognition (OCR)**: postal codes on envelopes, the amounts on cheques, forms, scanned books.
# This lesson is a tiny OCR system, and its training is the same backpropagation as before.

# %%
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

import microgrand as mg
from microgrand import data, losses, nn, optim, plots
from microgrand.train import fit, predict_classes

# %% [markdown]
# ## 1. The data

# %%
N_IMAGES = 480  # a subset so that training takes seconds; increase for better results
X, y = data.digits(n=N_IMAGES, seed=0)
X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_size=0.25, seed=0)
# a validation set, split off the training images, to watch during training (lesson 09);
# the test images are kept for the very end
X_train, X_val, y_train, y_val = data.train_test_split(X_train, y_train, test_size=0.2, seed=1)
print(f"{len(X_train)} training, {len(X_val)} validation and {len(X_test)} test images "
      f"of {len(X[0])} pixels")
print("images per digit in the training set:", [y_train.count(d) for d in range(10)])

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert (len(X_train), len(X_val), len(X_test)) == (288, 72, 120) and len(X[0]) == 64, "the split"
assert min(y_train.count(d) for d in range(10)) >= 15, "every digit is in the training set"

# %%
fig, axes = plt.subplots(2, 10, figsize=(9.5, 2.3))
for ax, x, label in zip(axes.ravel(), X_train, y_train):
    ax.imshow(np.reshape(x, (8, 8)), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(str(label))
    ax.axis("off")
fig.suptitle("The first 20 training images and their labels")
fig.tight_layout()
plt.show()

# %% [markdown]
# ## 2. One output per class
#
# The network has 64 inputs, a hidden layer of 16 ReLU units and **10 outputs**, one score
# (*logit*) per digit. **Softmax** turns the scores into probabilities,
#
# $$p_k = \frac{e^{z_k}}{\sum_j e^{z_j}},$$
#
# and the **cross-entropy** loss is $-\log p_{\text{correct}}$: small when the network gives the
# right digit a high probability. Taking the log of the softmax splits the loss in two parts,
#
# $$L = -\log p_c = -z_c + \log \sum_j e^{z_j} ,$$
#
# where $c$ is the correct digit. The second part, the log of a sum of exponentials, is called
# **logsumexp** (`mg.logsumexp`); it is computed as $m + \log\sum_j e^{z_j - m}$ with
# $m = \max_j z_j$, which is the same number but cannot overflow for large scores. Its local
# derivative with respect to $z_k$ is $\partial\,\mathrm{logsumexp}/\partial z_k = p_k$, and
# the local derivative of $-z_c$ is $-1$ for the correct score. So the gradient of the loss with
# respect to the scores is remarkably simple, $dL/dz_k = p_k - [k = c]$ (where $[k = c]$ is 1
# for the correct digit and 0 otherwise): push the right score up, the others down, each in
# proportion to its probability. (`losses.cross_entropy` computes exactly this loss as one node,
# with these local derivatives.) Let us check that on one image before training, once with
# `losses.cross_entropy` and once built by hand from `mg.logsumexp`.

# %%
model = nn.MLP(64, [16, 10], activation="relu", rng=9)
print(model)
print(len(model.parameters()), "parameters")

logits = model(X_train[0])
loss = losses.cross_entropy(logits, y_train[0])
loss.backward()
probs = [p.data for p in mg.softmax(logits)]
print("label:", y_train[0])
print("p_k - [k = label]:", " ".join(f"{p - (k == y_train[0]):+.3f}" for k, p in enumerate(probs)))
print("dL/dz_k          :", " ".join(f"{z.grad:+.3f}" for z in logits))

by_hand = [mg.Value(z.data) for z in logits]  # the same scores, as fresh Values
(mg.logsumexp(by_hand) - by_hand[y_train[0]]).backward()
print("by hand, dL/dz_k :", " ".join(f"{z.grad:+.3f}" for z in by_hand))

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert all(abs(z.grad - (p - (k == y_train[0]))) < 1e-9 for k, (z, p) in enumerate(zip(logits, probs))), \
    "backward() gives p_k - [k = label] for every score"
assert all(abs(a.grad - b.grad) < 1e-9 for a, b in zip(logits, by_hand)), "logsumexp by hand agrees"
assert len(model.parameters()) == 64 * 16 + 16 + 16 * 10 + 10, "the parameter count"

# %% [markdown]
# The three rows agree: backpropagation through `logsumexp` and the subtraction gives exactly
# the formula. Now train on all the training images, a few epochs of mini-batches with Adam: each
# step uses 32 images (a mini-batch, lesson 05), so one epoch of 288 images is 9 steps. After
# every epoch `fit` measures the loss and accuracy on the validation images.

# %%
EPOCHS = 6  # a few passes over the data; increase for better results
model = nn.MLP(64, [16, 10], activation="relu", rng=9)
opt = optim.Adam(model.parameters(), lr=0.01)
history = fit(model, X_train, y_train, loss="cross_entropy", optimizer=opt, epochs=EPOCHS,
                 batch_size=32, validation=(X_val, y_val), seed=0, progress=False)
print(f"{history.steps} steps; training accuracy {history.accuracy[-1]:.1%}, "
      f"validation accuracy {history.val_accuracy[-1]:.1%}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert len(X_train) == 288 and history.steps == 9 * EPOCHS, "288 images, 9 steps per epoch"
assert history.val_accuracy[-1] >= 0.75, "the network reads most validation digits right"

# %%
def narrow(fig, width=9.5):
    """Scale a figure down to `width` inches, so that it fits the notebook's width."""
    w, h = fig.get_size_inches()
    if w > width:
        fig.set_size_inches(width, h * width / w)
    return fig


narrow(plots.plot_history(history))

# %% [markdown]
# ## 3. What does it get right and wrong?
#
# The predicted digit is the one with the largest score. The first 16 test images with their
# predictions, then every test image the network got wrong (in red, with the true digit):

# %%
predicted = predict_classes(model, X_test)  # the arg-max of the 10 scores, without a graph
accuracy = np.mean(np.array(predicted) == np.array(y_test))
print(f"test accuracy: {accuracy:.1%} ({sum(p != t for p, t in zip(predicted, y_test))} mistakes "
      f"out of {len(y_test)})")
display(narrow(plots.plot_digits(X_test, y_test, predicted, n=16, cols=8,
                                 title="The first 16 test images: predicted digit")))
wrong = [i for i, (p, t) in enumerate(zip(predicted, y_test)) if p != t]
narrow(plots.plot_digits([X_test[i] for i in wrong], [y_test[i] for i in wrong],
                         [predicted[i] for i in wrong], n=len(wrong), cols=8,
                         title="Every mistake: predicted digit (true digit)"))

# %% [markdown]
# A **confusion matrix** counts, for each true digit (row), how often each digit was predicted
# (column). A perfect classifier has numbers only on the diagonal; everything else is a
# mistake, and it shows *which* digits the network confuses.

# %%
plots.plot_confusion_matrix(y_test, predicted, labels=list(range(10)))

# %% [markdown]
# ## 4. Backpropagation into the pixels
#
# Training is still lesson 02's backward pass, on a bigger graph. Take one test image, compute
# its loss, call `backward()`, and look at the gradients of the first layer's weights: one
# weight per (hidden unit, pixel), $16 \times 64$ of them. Which weights would this one image
# change most?

# %%
x, label = X_test[0], y_test[0]
model.zero_grad()  # fit left the last mini-batch's gradients behind
loss = losses.cross_entropy(model(x), label)
loss.backward()
grads = np.array([[w.grad for w in neuron.w] for neuron in model.layers[0].neurons])  # 16 × 64
per_unit = np.sqrt((grads**2).sum(axis=1))
top = np.argsort(per_unit)[::-1][:3]
print(f"label {label}, loss {loss.data:.3f}")
print(f"hidden units with no gradient at all: {int((per_unit == 0).sum())} of {len(per_unit)}")
print(f"pixels that are blank: {sum(v == 0 for v in x)} of 64; weights from them with a "
      f"gradient: {int((grads[:, np.array(x) == 0] != 0).sum())}")

fig, axes = plt.subplots(1, 5, figsize=(9.5, 2.4))
axes[0].imshow(np.reshape(x, (8, 8)), cmap="gray_r", vmin=0, vmax=1)
axes[0].set_title(f"the image (a {label})")
axes[1].imshow(np.abs(grads).sum(axis=0).reshape(8, 8), cmap="Greens")
axes[1].set_title("|∂L/∂w| per pixel,\nall 16 units", fontsize=9)
lim = np.abs(grads[top]).max()
for ax, j in zip(axes[2:], top):
    ax.imshow(grads[j].reshape(8, 8), cmap="RdBu", vmin=-lim, vmax=lim)
    ax.set_title(f"∂L/∂w of hidden unit {j + 1}\n(blue +, red −)", fontsize=9)
for ax in axes:
    ax.axis("off")
fig.tight_layout()
plt.show()

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert int((grads[:, np.array(x) == 0] != 0).sum()) == 0, "blank pixels' weights get no gradient"
with mg.no_grad():
    fired = np.array([v.data > 0 for v in model.layers[0](x)])
assert np.array_equal(per_unit == 0, ~fired), "exactly the units that did not fire get no gradient"
assert 0 < int((per_unit == 0).sum()) < len(per_unit), "some units fired, some did not"

# %% [markdown]
# Two things you can predict from lesson 04:
#
# * A weight's gradient is (the gradient arriving at its unit's sum) × (its pixel): the local
#   derivative of $w \cdot x$ with respect to $w$ is $x$. So the weights of **blank pixels get
#   no gradient at all**, and every gradient map has the shape of the digit's ink.
# * A ReLU unit whose sum is negative for this image passes nothing back (its local derivative
#   is 0), so **all 64 of its weights get 0**. Only the units that "fired" for this image learn
#   from it.
#
# Gradient descent then moves each weight against its gradient, a little, for every image of
# every mini-batch: that is all the learning there is.
#
# ## 5. A contrast: treating the digit as a number
#
# Why not a single output that predicts the digit's *value*, trained with the mean squared
# error, like the straight line of lesson 05? Let us try it and round the output to the nearest
# digit. To be fair to it, it gets ten times the training the classifier had
# (`compiled=True` replays a recorded step, so this takes seconds, lesson 12).

# %%
EPOCHS_R = 10 * EPOCHS
regressor = nn.MLP(64, [16, 1], activation="relu", rng=9)
opt_r = optim.Adam(regressor.parameters(), lr=0.01)
y_train_float = [float(t) for t in y_train]
history_r = fit(regressor, X_train, y_train_float, loss="mse", optimizer=opt_r,
                epochs=EPOCHS_R, batch_size=32, seed=0, progress=False, compiled=True)
with mg.no_grad():
    raw = [regressor(x).data for x in X_test]
    raw_train = [regressor(x).data for x in X_train]
rounded = [int(min(9, max(0, round(v)))) for v in raw]
acc_r = np.mean(np.array(rounded) == np.array(y_test))
acc_r_train = np.mean(np.array([int(min(9, max(0, round(v)))) for v in raw_train]) == np.array(y_train))
off = np.abs(np.array(rounded) - np.array(y_test))
off_c = np.abs(np.array(predicted) - np.array(y_test))
print(f"regression, rounded: training accuracy {acc_r_train:.1%}, test accuracy {acc_r:.1%} "
      f"(one output per class: {accuracy:.1%})")
near = np.mean(off[off > 0] == 1)
print(f"regression mistakes one digit off (e.g. a 4 read as 3 or 5): {near:.0%} "
      f"of its {int((off > 0).sum())} mistakes")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert acc_r < accuracy - 0.3, "the regression is far less accurate than one output per class"
assert 0.25 <= acc_r <= 0.42, "about a third of the test digits right"
assert acc_r_train < acc_r + 0.1, "and hardly better on its own training images"
assert near >= 0.4, "many of its mistakes are one digit off"

# %%
fig, ax = plt.subplots(figsize=(6.5, 4.5))
jitter = np.random.default_rng(0).uniform(-0.2, 0.2, len(y_test))
ax.scatter(np.array(y_test) + jitter, raw, s=10, alpha=0.6)
ax.plot([0, 9], [0, 9], color="0.6", lw=1)
ax.set(xlabel="true digit", ylabel="network output (a number)", xticks=range(10),
       title="Regression: one number per image")
plt.show()
plots.plot_confusion_matrix(y_test, rounded, labels=list(range(10)),
                            title="Regression (rounded): confusion matrix")

# %% [markdown]
# Even with ten times the training, the regression reads only about a third of the test digits
# right, far below one output per class (printed above), and it does hardly better on its own
# training images: the single output, not the training time, is what holds it back. The network has to place every image on a
# single number line, in the order 0, 1, …, 9, although the digits' shapes are in no such
# order. Its mistakes show it: many are one digit off (a 4 read as 3 or 5, printed above), the
# cells next to the diagonal of its confusion matrix, between digits whose *values* are close
# although they look nothing alike. And an image it is unsure about gets an average of the
# candidates — between a 1 and a 7 lies a 4, which is neither. The class labels are names, not
# quantities. With one output per class, the network can say "1 or 7, probably 7" without
# passing through 2 … 6.
#
# **Use regression for quantities** (a price, a temperature, tomorrow's sales), and one
# output per class with softmax and cross-entropy **for categories**.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — the most confident mistakes
# Find the three test images the network got wrong with the highest probability for the wrong
# class, and show them with their true and predicted labels. Would you have got them right?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
mistakes = []
with mg.no_grad():
    for x, t in zip(X_test, y_test):
        p = [v.data for v in mg.softmax(model(x))]
        guess = int(np.argmax(p))
        if guess != t:
            mistakes.append((p[guess], x, t, guess))
mistakes.sort(key=lambda m: -m[0])
fig, axes = plt.subplots(1, 3, figsize=(6, 2.4))
for ax, (conf, x, t, guess) in zip(axes, mistakes[:3]):
    ax.imshow(np.reshape(x, (8, 8)), cmap="gray_r", vmin=0, vmax=1)
    ax.set_title(f"true {t}, said {guess}\n({conf:.0%} sure)", fontsize=9)
    ax.axis("off")
plt.show()

# %% [markdown]
# ### Exercise 2 — a wider hidden layer
# Train with 32 hidden units instead of 16 (same epochs). Does the test accuracy improve?
# How many parameters does the model have now?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
wide = nn.MLP(64, [32, 10], activation="relu", rng=9)
h = fit(wide, X_train, y_train, loss="cross_entropy",
           optimizer=optim.Adam(wide.parameters(), lr=0.01), epochs=EPOCHS, batch_size=32,
           validation=(X_val, y_val), seed=0, progress=False)
wide_test = np.mean(np.array(predict_classes(wide, X_test)) == np.array(y_test))
print(f"{len(wide.parameters())} parameters, validation accuracy {h.val_accuracy[-1]:.1%}, "
      f"test accuracy {wide_test:.1%}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert len(wide.parameters()) == 64 * 32 + 32 + 32 * 10 + 10, "the wide model's parameter count"

# %% [markdown]
# ### Exercise 3 — what does a hidden unit look for?
# Each hidden unit has 64 input weights, one per pixel. Show the weights of the first 8 hidden
# units of the trained model as 8 × 8 images (use a diverging colour map such as `"RdBu"`).

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
fig, axes = plt.subplots(1, 8, figsize=(9.5, 1.6))
for ax, neuron in zip(axes, model.layers[0].neurons):
    w = np.reshape([v.data for v in neuron.w], (8, 8))
    lim = np.abs(w).max()
    ax.imshow(w, cmap="RdBu", vmin=-lim, vmax=lim)
    ax.axis("off")
fig.suptitle("Input weights of 8 hidden units (blue positive, red negative)")
plt.show()

# %% [markdown]
# ## Check yourself
#
# Three questions. Write your answer in place of the `...` and run the cell below it:
# `mg.check` says ✓ or ✗ (with a hint). Your teacher's copy of the lesson has the answers.
# This section runs on its own: it needs nothing from the cells above.

# %%
import microgrand as mg
from microgrand import losses
from microgrand.selfcheck import show_runs, training_runs

# %% [markdown]
# **1. Predict, then run.** Two classes with equal scores $z = (0, 0)$ and the right class 0:
# what is $\partial L/\partial z_0$ for the cross-entropy?

# %%
q1 = ...  # your prediction

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = -0.5

# %% tags=["check"] jupyter={"source_hidden": true}
z = [mg.Value(0.0), mg.Value(0.0)]
losses.cross_entropy(z, 0).backward()
mg.check(q1, z[0].grad, hint="probability minus target: p_0 − 1, and p_0 is 1/2 when the scores are equal")

# %% [markdown]
# **2.** A first-layer weight connected to a **blank** pixel ($x = 0$): what is its gradient for
# this image?

# %%
q2 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = 0

# %% tags=["check"] jupyter={"source_hidden": true}
w, x = mg.Value(0.7), 0.0
(w * x).tanh().backward()
mg.check(q2, w.grad, hint="the local derivative of w·x with respect to w is x")

# %% [markdown]
# **3. Diagnose this loss curve.** Three real training runs of the same small network on the
# same points. Two took every step on all 40 training points; one took each step on a
# mini-batch of 10 of them (its curve shows the loss of each step's batch). Which one?

# %%
runs = training_runs(["healthy", "minibatch_noise", "lr_too_small"], seed=10)
show_runs(runs, "Which run took its steps on mini-batches?")

# %%
q3 = ...  # a letter: "A", "B" or "C"

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = "B"

# %% tags=["check"] jupyter={"source_hidden": true}
mg.check(q3, runs.which("minibatch_noise"),
         hint="each mini-batch is a different sample of the data, so the loss of each step jumps up and down around a falling trend")


# %% [markdown]
# ## Summary
#
# * An image is just a list of numbers to an MLP: 64 pixels in, one score per class out.
# * **Softmax + cross-entropy** turn scores into probabilities and a loss whose gradient is
#   simply *probability minus target*.
# * A **digit grid** shows individual predictions; a **confusion matrix** shows which classes
#   get mixed up.
# * Regression predicts a *quantity*; for *categories* use one output per class.
