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
# # 11 · Beyond MLPs: autoencoders, convolutions and recurrence
#
# **Goal:** see that backpropagation does not care what the network looks like. The same
# chain rule trains a network *without labels* (an autoencoder), a layer whose weights are
# **shared** across positions (a 1-D convolution) and a network that is **unrolled in time**
# (a recurrent network, trained by backpropagation through time).
#
# *Time: about 45 minutes. Prerequisites: lessons 01–06; lesson 02 for a node used twice.*
#
# In this lesson you will
# 1. train an autoencoder, a network that learns without labels,
# 2. backpropagate through a 1-D convolution whose weights are shared across positions,
# 3. do the same in 2-D, over a tiny image, with max-pooling,
# 4. unroll a recurrent network in time and watch its gradient shrink or grow.
#
# The one idea to carry through the lesson: **when a value is used in several places, its
# gradient is the sum of the gradients from every place.** You met this rule when a node was
# used twice (lesson 2). Convolutions and recurrent networks are built on it.

# %%
import random

import matplotlib.pyplot as plt
import numpy as np

import microgrand as mg
from microgrand import data, nn, optim
from microgrand import explain, step

# %% [markdown]
# ## 1. An autoencoder: learning without labels
#
# An autoencoder is trained to **reproduce its own input** through a narrow middle layer, the
# *code*. Here each input is an 8 × 8 image of a handwritten digit (64 numbers) and the code
# has only **2** numbers, so the network must find the two numbers that best summarise an image.
# The loss compares the output with the input itself: no labels are used anywhere.
#
# We take a few images of the digits 0, 1 and 4 (a small set, so that training takes seconds).

# %%
DIGITS_PER_CLASS = 12  # small so the lesson runs fast; increase for better results
X_all, y_all = data.digits(classes=(0, 1, 4), seed=0)  # shuffled, pixels in [0, 1]
images, labels = [], []
for cls in (0, 1, 4):
    picked = [x for x, y in zip(X_all, y_all) if y == cls][:DIGITS_PER_CLASS]
    images += picked
    labels += [cls] * len(picked)
print(len(images), "images of", len(images[0]), "pixels each, pixel values from",
      min(min(x) for x in images), "to", max(max(x) for x in images))

# %% [markdown]
# The network: 64 inputs → 2 code units (linear: the code is just two weighted sums) → 64
# outputs (`sigmoid`, so each output is a pixel intensity between 0 and 1). Both halves are
# ordinary layers; only the training target is unusual.

# %%
rng = random.Random(10)
encoder = nn.Layer(64, 2, activation="linear", rng=rng, name="encoder")
decoder = nn.Layer(2, 64, activation="sigmoid", rng=rng, name="decoder")
params = encoder.parameters() + decoder.parameters()
print(len(params), "parameters")


def reconstruction_loss(batch):
    """Mean squared difference between each image and its reconstruction."""
    errors = []
    for x in batch:
        out = decoder(encoder(x))
        errors.append(mg.vsum([(o - xi) ** 2 for o, xi in zip(out, x)]) / len(x))
    return mg.vsum(errors) / len(batch)


# %%
EPOCHS = 80  # small so the lesson runs fast; increase for sharper reconstructions
opt = optim.Adam(params, lr=0.05)
ae_losses = []
for epoch in range(EPOCHS):
    loss = reconstruction_loss(images)
    opt.zero_grad()
    loss.backward()
    opt.step()
    ae_losses.append(loss.data)
print(f"reconstruction error: first epoch {ae_losses[0]:.4f}, last epoch {ae_losses[-1]:.4f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert ae_losses[-1] < ae_losses[0] / 3, "training shrinks the reconstruction error"

# %% [markdown]
# Top row: original images. Bottom row: what the network rebuilds from just two numbers.

# %%
show = [0, 1, 2, 12, 13, 14, 24, 25, 26]
fig, axes = plt.subplots(2, len(show), figsize=(1.05 * len(show), 2.6))
with mg.no_grad():
    for col, i in enumerate(show):
        rebuilt = [o.data for o in decoder(encoder(images[i]))]
        for row, pixels in enumerate((images[i], rebuilt)):
            axes[row, col].imshow(np.reshape(pixels, (8, 8)), cmap="gray_r", vmin=0, vmax=1)
            axes[row, col].set_xticks([])
            axes[row, col].set_yticks([])
axes[0, 0].set_ylabel("input")
axes[1, 0].set_ylabel("rebuilt")
fig.suptitle("An autoencoder with a 2-number code")
plt.show()

# %% [markdown]
# Where does each image land in the 2-D code space? The colours are the true digits — which the
# network **never saw**. Images of the same digit end up close together: the autoencoder has
# discovered the classes by itself, because similar images need similar codes to be rebuilt well.
# (Printed below: for how many images the nearest other code belongs to the same digit.)

# %%
with mg.no_grad():
    codes = np.array([[c.data for c in encoder(x)] for x in images])
fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(9.5, 3.6))
ax1.plot(ae_losses)
ax1.set(xlabel="epoch", ylabel="reconstruction error (MSE)", title="Training")
for cls, color in zip((0, 1, 4), ("tab:blue", "tab:orange", "tab:green")):
    mask = np.array(labels) == cls
    ax2.scatter(codes[mask, 0], codes[mask, 1], color=color, label=f"digit {cls}", s=40)
ax2.set(xlabel="code unit 1", ylabel="code unit 2", title="The learned 2-D codes")
ax2.legend()
fig.tight_layout()
plt.show()
gaps = np.linalg.norm(codes[:, None, :] - codes[None, :, :], axis=2)
np.fill_diagonal(gaps, np.inf)
same = np.mean(np.array(labels)[gaps.argmin(axis=1)] == np.array(labels))
print(f"the nearest other code is of the same digit for {same:.0%} of the images")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert same >= 0.8, "images of the same digit get nearby codes"

# %% [markdown]
# Backpropagation here was exactly what you know: a loss, `backward()`, an update. What changed
# is only *what the loss compares*: the output with the input itself.
#
# ## 2. A 1-D convolution: one weight, many uses
#
# A convolution slides a small **kernel** of weights along a signal. With the smallest kernel,
# two weights $w = (w_0, w_1)$, and an input of four numbers $x_0, \dots, x_3$, each output is
#
# $$y_i = w_0 x_i + w_1 x_{i+1}, \qquad i = 0, 1, 2.$$
#
# The same two weights are used at **every position**. The loss compares each output with a
# target $t_i$: $L = \sum_i (y_i - t_i)^2$. In the graph below (gradients only, to keep it
# small), each output is created in its own scope (a box), and the weight `w1` is highlighted
# with all of its paths to the loss: it has three of them, one per position. The inputs and
# weights sit along the top; their edges must cross on the way down, because every weight goes
# to every position — that is what sharing means. Follow the orange ones.

# %%
x = [mg.Value(v, label=f"x{i}") for i, v in enumerate([1.0, 2.0, -1.0, 3.0])]
w = [mg.Value(v, label=f"w{k}") for k, v in enumerate([0.5, -1.0])]
targets = [mg.Value(v, label=f"t{i}") for i, v in enumerate([1.0, 0.0, -1.0])]

y = []
for i in range(len(x) - len(w) + 1):
    with mg.scope(f"position{i}"):
        yi = mg.vsum([w[k] * x[i + k] for k in range(len(w))])
    yi.label = f"y{i}"
    y.append(yi)
L = mg.vsum([(yi - t) ** 2 for yi, t in zip(y, targets)])
L.label = "L"
L.backward()
mg.draw(L, path_from=w[1], show=("grad",), precision=2, rankdir="TB")

# %% [markdown]
# The chain rule for the two weights (`explain` can write it out for every node; `nodes=`
# picks the ones we want): each gradient is a sum of three terms, one per position. The lines
# are long, so each `=` starts a new line here.

# %%
for line in explain(L, nodes=w).lines:
    print(line.replace(" = ", "\n    = "), end="\n\n")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert len(y) == 3 and all(line.count("∂(") == 3 for line in explain(L, nodes=w).lines), \
    "three positions: each weight's gradient is a sum of three terms"

# %% [markdown]
# Written as a formula, with $\delta_i = dL/dy_i$ (the gradient arriving at output $i$):
#
# $$\frac{dL}{dw_k} = \sum_i \delta_i \, x_{i+k}, \qquad
#   \frac{dL}{dx_j} = \sum_k \delta_{j-k} \, w_k .$$
#
# The gradient of the kernel is itself a sliding product — the input correlated with the
# output gradients — and the gradient of the input is a convolution with the flipped kernel.
# That is why convolutional networks can be trained with the same fast sliding code in both
# directions. Let us check the formula against microgrand's numbers:

# %%
delta = np.array([yi.grad for yi in y])
xs = np.array([v.data for v in x])
print("dL/dw from backward():", [round(v.grad, 6) for v in w])
print("sum_i delta_i x_(i+k): ", [round(float(v), 6) for v in np.correlate(xs, delta, "valid")])
print("dL/dx from backward():", [round(v.grad, 6) for v in x])
print("full convolution:      ",
      [round(float(v), 6) for v in np.convolve(delta, [v.data for v in w], "full")])

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert np.allclose([v.grad for v in w], np.correlate(xs, delta, "valid")), "dL/dw is the correlation"
assert np.allclose([v.grad for v in x], np.convolve(delta, [v.data for v in w], "full")), \
    "dL/dx is the full convolution"

# %% [markdown]
# Each weight's gradient is a stack of contributions, one per position:

# %%
contrib = np.array([[delta[i] * xs[i + k] for i in range(len(delta))] for k in range(len(w))])
fig, ax = plt.subplots(figsize=(6.5, 3.8))
bottom_pos = np.zeros(len(w))
bottom_neg = np.zeros(len(w))
for i in range(len(delta)):
    part = contrib[:, i]
    base = np.where(part >= 0, bottom_pos, bottom_neg)
    ax.bar(range(len(w)), part, bottom=base, label=f"from position {i}", edgecolor="white")
    bottom_pos += np.maximum(part, 0)
    bottom_neg += np.minimum(part, 0)
ax.scatter(range(len(w)), [v.grad for v in w], color="black", zorder=3, s=60, marker="D",
           label="total gradient")
ax.axhline(0, color="black", lw=0.8)
ax.set_xticks(range(len(w)), [f"w{k}" for k in range(len(w))])
ax.set(ylabel="contribution to dL/dw", title="A shared weight adds up contributions")
ax.legend(fontsize=8, loc="best")
plt.show()

# %% [markdown]
# Now let the convolution **learn** a kernel. The target for each position is the difference
# $x_{i+2} - x_i$ (a slope detector) on a random signal. Gradient descent should discover the
# kernel $(-1, 0, 1)$.

# %%
rng = random.Random(0)
signal = [rng.uniform(-1, 1) for _ in range(30)]
wanted = [signal[i + 2] - signal[i] for i in range(len(signal) - 2)]
kernel = [mg.Value(rng.uniform(-0.5, 0.5), label=f"w{k}") for k in range(3)]
history = [[k.data for k in kernel]]
for _ in range(60):  # a few dozen steps are plenty for 3 weights
    out = [mg.vsum([kernel[k] * signal[i + k] for k in range(3)]) for i in range(len(wanted))]
    loss = mg.vsum([(o - t) ** 2 for o, t in zip(out, wanted)]) / len(wanted)
    mg.zero_grad(kernel)
    loss.backward()
    with mg.no_grad():
        for k in kernel:
            k.data -= 0.5 * k.grad
    history.append([k.data for k in kernel])
print("learned kernel:", [round(k.data, 4) for k in kernel])

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert all(abs(k.data - t) < 0.01 for k, t in zip(kernel, (-1, 0, 1))), "the kernel (-1, 0, 1) is found"

# %%
fig, ax = plt.subplots(figsize=(6.5, 3.5))
for k, series in enumerate(np.array(history).T):
    ax.plot(series, label=f"w{k}")
ax.set(xlabel="step", ylabel="weight", title="Learning a slope-detecting kernel")
ax.legend()
plt.show()

# %% [markdown]
# ## 3. A 2-D convolution and max-pooling
#
# Images use the same idea in two dimensions: a small square kernel slides over the image, and
# every position of the kernel gives one number of the **feature map**. Then **max-pooling**
# shrinks the map: it keeps only the largest value of every 2 × 2 block. Here is a 5 × 5 image,
# a 2 × 2 kernel (so a 4 × 4 feature map) and a 2 × 2 max-pool (so 4 outputs), all made of
# `Value`s. `max` is built from ReLU: $\max(a, b) = b + \mathrm{ReLU}(a - b)$.

# %%
rng = random.Random(3)
image = [[mg.Value(rng.uniform(0, 1), label=f"p{r}{c}") for c in range(5)] for r in range(5)]
kernel2d = [[mg.Value(v, label=f"k{r}{c}") for c, v in enumerate(row)]
            for r, row in enumerate([[1.0, -1.0], [0.5, 0.5]])]


def conv2d(img, k):
    """Slide the kernel k over the image img (no padding): one sum per position."""
    rows, cols = len(img) - len(k) + 1, len(img[0]) - len(k[0]) + 1
    return [[mg.vsum([k[a][b] * img[r + a][c + b] for a in range(len(k)) for b in range(len(k[0]))])
             for c in range(cols)] for r in range(rows)]


def max2(a, b):
    """max(a, b) from ReLU: the gradient goes to the larger input, 0 to the other."""
    return b + (a - b).relu()


def maxpool2(fm):
    """The largest value of every 2 × 2 block."""
    return [[max2(max2(fm[r][c], fm[r][c + 1]), max2(fm[r + 1][c], fm[r + 1][c + 1]))
             for c in range(0, len(fm[0]), 2)] for r in range(0, len(fm), 2)]


fmap = conv2d(image, kernel2d)
pooled = maxpool2(fmap)
targets2d = [[1.0, 0.0], [0.0, 1.0]]
L2d = mg.vsum([(p - t) ** 2 for prow, trow in zip(pooled, targets2d) for p, t in zip(prow, trow)])
L2d.backward()
print(f"loss {L2d.data:.4f}; graph: {mg.Graph.of(L2d).stats()['nodes']} nodes")


def grid(rows, field):
    return np.array([[getattr(v, field) for v in row] for row in rows])


fm_data, fm_grad = grid(fmap, "data"), grid(fmap, "grad")
fig, axes = plt.subplots(1, 4, figsize=(9.5, 2.9))
panels = [(grid(image, "data"), "the image", "gray_r"),
          (fm_data, "feature map (□ = max of its block)", "viridis"),
          (fm_grad, "dL/d(feature map)", "RdBu"),
          (grid(image, "grad"), "dL/d(image)", "RdBu")]
for ax, (values, title, cmap) in zip(axes, panels):
    lim = np.abs(values).max() or 1.0
    ax.imshow(values, cmap=cmap, **({} if cmap != "RdBu" else {"vmin": -lim, "vmax": lim}))
    for (r, c), v in np.ndenumerate(values):
        ax.text(c, r, f"{v:.2f}", ha="center", va="center", fontsize=6.5,
                color="white" if (cmap == "viridis" and v < values.mean())
                or (cmap == "gray_r" and v > 0.6) else "black")
    ax.set_title(title, fontsize=8)
    ax.set_xticks([])
    ax.set_yticks([])
for (r, c), v in np.ndenumerate(fm_data):  # outline the winner of each 2 × 2 block
    block = fm_data[r - r % 2:r - r % 2 + 2, c - c % 2:c - c % 2 + 2]
    if v == block.max():
        axes[1].add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="red", lw=2.5))
fig.tight_layout()
plt.show()
print(f"entries of dL/d(feature map) that are exactly 0: {int((fm_grad == 0).sum())} of {fm_grad.size}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
winners = np.zeros_like(fm_data, dtype=bool)
for (r, c), v in np.ndenumerate(fm_data):
    winners[r, c] = v == fm_data[r - r % 2:r - r % 2 + 2, c - c % 2:c - c % 2 + 2].max()
assert int((fm_grad == 0).sum()) == 12 and np.all(fm_grad[~winners] == 0), "only the 4 winners get a gradient"
covered = np.zeros((5, 5), dtype=bool)
for r, c in zip(*np.nonzero(winners)):
    covered[r:r + 2, c:c + 2] = True
assert np.all(grid(image, "grad")[~covered] == 0), "only pixels under a winning position get a gradient"

# %% [markdown]
# Max-pooling **routes the gradient to the maximum**: in each 2 × 2 block only the winning
# value of the feature map gets a gradient (its `max2` nodes pass 1 to it and 0 to the others),
# so 12 of the 16 entries of dL/d(feature map) are exactly 0. The losers had no influence on
# the loss, so they get no blame. Each feature-map entry then hands its gradient to the four
# pixels under the kernel at that position, multiplied by the kernel weights, so only pixels
# under a winning position get a gradient.
#
# The kernel is shared, as in 1-D: each of its 4 weights collects one contribution per
# position. Check it against the formula
# $dL/dk_{ab} = \sum_{r,c} \delta_{rc}\, p_{r+a,\,c+b}$ (where $p_{rc}$ is the pixel in row $r$,
# column $c$) with
# $\delta = $ dL/d(feature map), and against `mg.gradcheck`:

# %%
img = grid(image, "data")
formula = [[float((fm_grad * img[a:a + 4, b:b + 4]).sum()) for b in range(2)] for a in range(2)]
print("dL/dk from backward():", np.round(grid(kernel2d, "grad"), 6).tolist())
print("from the formula:     ", np.round(formula, 6).tolist())
flat_kernel = [k for row in kernel2d for k in row]


def loss_of_kernel(*ks):
    kk = [list(ks[0:2]), list(ks[2:4])]
    out = maxpool2(conv2d(image, kk))
    return mg.vsum([(p - t) ** 2 for prow, trow in zip(out, targets2d) for p, t in zip(prow, trow)])


report = mg.gradcheck(loss_of_kernel, flat_kernel)
print(report)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert np.allclose(grid(kernel2d, "grad"), formula), "backward() = the formula"
assert report.ok, "gradcheck agrees"

# %% [markdown]
# ## 4. A recurrent network: backpropagation through time
#
# A recurrent network reads a sequence one element at a time and keeps a **hidden state** $h$:
#
# $$h_t = \tanh(w\,h_{t-1} + u\,x_t + b), \qquad h_0 = 0 .$$
#
# The same $w$, $u$ and $b$ are used at every time step. To backpropagate, **unroll** the loop:
# write out one copy of the computation per time step, each in its own scope. The result is an
# ordinary graph, and `backward()` works on it as on any other. This is *backpropagation
# through time* (BPTT).

# %%
w_rec = mg.Value(0.8, label="w")
u_in = mg.Value(0.5, label="u")
b_rnn = mg.Value(0.1, label="b")
sequence = [mg.Value(v, label=f"x{t}") for t, v in enumerate([1.0, -0.5, 0.25], start=1)]
target = mg.Value(0.5, label="target")

h = mg.Value(0.0, label="h0")
for t, xt in enumerate(sequence, start=1):
    with mg.scope(f"time{t}"):
        s_t = mg.vsum([w_rec * h, u_in * xt, b_rnn])
        s_t.label = f"s{t}"  # the sum before tanh
        h = s_t.tanh()
    h.label = f"h{t}"
L_rnn = (h - target) ** 2
L_rnn.label = "L"
L_rnn.backward()
mg.draw(L_rnn, path_from=w_rec, show=("grad",), precision=2, rankdir="TB")

# %% [markdown]
# Follow the highlighted path from `w` above: the gradient flows backwards in time, from `h3`
# to `h2` to `h1`, and `w` collects one contribution per time step. To watch it happen one
# node at a time, run `step(L_rnn, rankdir="TB", precision=2)` in a new cell (the player is
# too tall and wide to store in this page; use the buttons or the arrow keys).

# %% [markdown]
# ### How far back does the gradient reach?
#
# The gradient reaching $h_{t-1}$ from $h_t$ is multiplied by the local derivative
# $\partial h_t/\partial h_{t-1} = w \cdot (1 - h_t^2)$ at every step (`tanh`'s local derivative
# is $1 - h_t^2$). Over many steps these factors multiply: if they are below 1, the influence of
# early inputs **vanishes**; if they are above 1, it **explodes** (until `tanh` saturates).
# Below, a 30-step sequence of small inputs, and the size of $dL/dx_t$ — how much the loss
# depends on the input at time $t$ — for three values of $w$.

# %%
rng = random.Random(1)
long_seq = [rng.uniform(-0.1, 0.1) for _ in range(30)]
fig, (ax, ax_h) = plt.subplots(1, 2, figsize=(9.5, 3.6))
grads_t, states_t = {}, {}
for w_value in (0.5, 0.9, 1.5):
    xs_t = [mg.Value(v) for v in long_seq]
    wv, uv, bv = mg.Value(w_value), mg.Value(1.0), mg.Value(0.0)
    h, states = mg.Value(0.0), []
    for xt in xs_t:
        h = (wv * h + uv * xt + bv).tanh()
        states.append(h.data)
    (h * h).backward()  # any loss of the last state will do
    grads_t[w_value], states_t[w_value] = [abs(v.grad) for v in xs_t], states
    ax.plot(range(1, len(xs_t) + 1), grads_t[w_value], marker="o", ms=3, label=f"w = {w_value}")
    ax_h.plot(range(1, len(xs_t) + 1), states, marker="o", ms=3, label=f"w = {w_value}")
    print(f"w = {w_value}: |dL/dx_1| = {grads_t[w_value][0]:.1e}, "
          f"|dL/dx_30| = {grads_t[w_value][-1]:.1e}")
ax.set(yscale="log", xlabel="time step t of the input",
       ylabel="|dL/dx_t|", title="Gradient through time (loss at the last step)")
ax.legend()
ax_h.set(xlabel="time step t", ylabel="hidden state h_t", title="The hidden state")
ax_h.legend()
fig.tight_layout()
plt.show()

# w = 1.5: from which step on is |h| above 0.8 (saturated), and what factor w·(1 − h²) is there?
h15 = np.abs(states_t[1.5])
first = next(t for t in range(len(h15)) if np.all(h15[t:] > 0.8))
one_minus = 1 - h15[first:] ** 2
factor = np.exp(np.mean(np.log(1.5 * one_minus)))  # the average factor (a geometric mean)
print(f"w = 1.5: |h| > 0.8 from step {first + 1} on, |h| ≈ {h15[first:].mean():.2f} there; "
      f"1 − h² ≈ {one_minus.mean():.2f}, so each step back multiplies the gradient by about "
      f"1.5 × {one_minus.mean():.2f} ≈ {factor:.2f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert grads_t[0.5][0] < 1e-9, "with w = 0.5 the first input's gradient is about 1e-10"
assert grads_t[0.9][0] > 1e5 * grads_t[0.5][0], "with w = 0.9 the gradient reaches much further back"
assert 8 <= first + 1 <= 16 and 0.8 < h15[first:].mean() < 0.9, "saturated near |h| ≈ 0.86 from about step 13"
assert 0.2 < one_minus.mean() < 0.3, "1 − h² is about a quarter"
assert 0.3 < factor < 0.45 < 0.9, "the factor at saturation is about 0.4, below w = 0.9's"
assert grads_t[1.5][0] < grads_t[0.9][0] / 100, "w = 1.5's gradient vanishes faster than w = 0.9's"
assert grads_t[1.5][0] > 5 * min(grads_t[1.5]), "the curve of w = 1.5 rises again towards t = 1"

# %% [markdown]
# With $w = 0.5$ each step back multiplies the gradient by about 0.5 (the state stays small, so
# $1 - h^2 \approx 1$), and the input of the first step has almost no effect on the **loss**:
# its gradient is about $10^{-10}$ (printed above) — the network cannot learn long-range
# dependencies. With $w = 0.9$ the factor is close to 1 and the gradient reaches back much
# further.
#
# And $w = 1.5$? It does **not** explode here, although $w$ is above 1. The right-hand plot
# shows why: the state grows step after step until `tanh` saturates, and from the step printed
# above on $|h|$ stays near 0.86. There $1 - h^2$ is only about a quarter, so each step back
# multiplies the gradient by only about 0.4 (1.5 times a quarter; the exact numbers are in the
# last line above) — smaller than $w = 0.9$'s factor, and the gradient vanishes faster. Only in the first,
# unsaturated steps is the factor close to 1.5, so the curve rises again towards $t = 1$.
# `tanh` caps the explosion by trading it for saturation; recurrences without a squashing
# function (linear or ReLU units) do explode, which is why RNNs are trained with gradient
# clipping (lesson 08).
#
# This *vanishing gradient through time* is what LSTM and GRU cells (and, later, attention)
# were designed to fix.

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — padding
# Add a zero at both ends of the input of the convolution (`x = [0] + x + [0]`) so that there
# are 5 outputs instead of 3 (targets: `[0, 1, 0, -1, 0]`). How many contributions does each
# weight's gradient have now? Check with `explain`.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: with padding there are 5 positions, so each weight is used 5 times and its
# gradient is a sum of 5 contributions (the padded zeros contribute 0 × delta = 0).
xp = [mg.Value(0.0, label="pad")] + [mg.Value(v.data, label=v.label) for v in x]
xp += [mg.Value(0.0, label="pad")]
wp = [mg.Value(v.data, label=v.label) for v in w]
yp = [mg.vsum([wp[k] * xp[i + k] for k in range(len(wp))]) for i in range(len(xp) - len(wp) + 1)]
Lp = mg.vsum([(yi - t) ** 2 for yi, t in zip(yp, [0.0, 1.0, 0.0, -1.0, 0.0])])
Lp.backward()
print(len(yp), "outputs; every weight appears in", len(yp), "products")
print("dL/dw:", [round(v.grad, 6) for v in wp])
# explain shows the 5 contributions of w1, one term per position:
print(explain(Lp, nodes=[wp[1]]).lines[0].split(" = ")[1])

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert len(yp) == 5 and explain(Lp, nodes=[wp[1]]).lines[0].split(" = ")[1].count("∂(") == 5, \
    "5 positions, 5 contributions"

# %% [markdown]
# ### Exercise 2 — gradient of the input to an RNN
# In the 3-step recurrent network, which input has the larger gradient, $x_1$ or $x_3$, and
# why? Predict first, then check with `x.grad` for each input in `sequence`.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: x3 acts on the loss through one tanh; x1 through three of them, and each step back
# multiplies the gradient by w · (1 − h²) < 1 here. So |dL/dx1| < |dL/dx3|.
for v in sequence:
    print(f"dL/d{v.label} = {v.grad:.6f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(sequence[0].grad) < abs(sequence[2].grad), "|dL/dx1| < |dL/dx3|"

# %% [markdown]
# ### Exercise 3 — a bigger code
# Give the autoencoder a code of 4 units instead of 2 (`nn.Layer(64, 4, ...)` and
# `nn.Layer(4, 64, ...)`) and train it for the same number of epochs. Is the final
# reconstruction error lower? Why might that be, and why can't we plot the codes as simply?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# Solution: more code units keep more information, so the images are rebuilt better and the
# error ends lower; but 4-D codes no longer fit in one scatter plot.
rng4 = random.Random(10)
enc4 = nn.Layer(64, 4, activation="linear", rng=rng4)
dec4 = nn.Layer(4, 64, activation="sigmoid", rng=rng4)
opt4 = optim.Adam(enc4.parameters() + dec4.parameters(), lr=0.05)
for epoch in range(EPOCHS):
    errs = [mg.vsum([(o - xi) ** 2 for o, xi in zip(dec4(enc4(x)), x)]) / 64 for x in images]
    loss4 = mg.vsum(errs) / len(images)
    opt4.zero_grad()
    loss4.backward()
    opt4.step()
print(f"final error: 2-unit code {ae_losses[-1]:.4f}, 4-unit code {loss4.data:.4f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert loss4.data < ae_losses[-1], "the 4-unit code rebuilds the images better"

# %% [markdown]
# ## Check yourself
#
# Four questions. Write your answer in place of the `...` and run the cell below it:
# `mg.check` says ✓ or ✗ (with a hint). Your teacher's copy of the lesson has the answers.
# This section runs on its own: it needs nothing from the cells above.

# %%
import matplotlib.pyplot as plt

import microgrand as mg
from microgrand.selfcheck import show_runs, training_runs

# %% [markdown]
# **1. Predict, then run.** A 1-D convolution with a kernel of 3 weights over an input of 7
# numbers (no padding): how many contributions does $dL/dw_0$ add up?

# %%
q1 = ...  # your prediction

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = 5

# %% tags=["check"] jupyter={"source_hidden": true}
x = [mg.Value(float(i)) for i in range(7)]
w = [mg.Value(0.1), mg.Value(0.2), mg.Value(0.3)]
y = [mg.vsum([w[k] * x[i + k] for k in range(3)]) for i in range(len(x) - 2)]
uses = sum(1 for yi in y for v in yi.inputs if any(u is w[0] for u in v.inputs))
mg.check(q1, uses, hint="one contribution per position: how many positions does a kernel of 3 fit into 7 numbers?")

# %% [markdown]
# **2.** Max-pooling of $a = 2$ and $b = 5$, built as $b + \mathrm{ReLU}(a - b)$: what gradient
# does $a$ get?

# %%
q2 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = 0

# %% tags=["check"] jupyter={"source_hidden": true}
a, b = mg.Value(2.0), mg.Value(5.0)
(b + (a - b).relu()).backward()
mg.check(q2, a.grad, hint="the gradient goes to the maximum; the other input had no influence")

# %% [markdown]
# **3. Diagnose this curve.** The size of $dL/dx_t$ through a recurrent network, for three
# values of $w$. In which one does the gradient **vanish** fastest as it goes back in time?

# %%
def grads_through_time(w_value, steps=20):
    xs = [mg.Value(0.05) for _ in range(steps)]
    w, h = mg.Value(w_value), mg.Value(0.0)
    for x in xs:
        h = (w * h + x).tanh()
    h.backward()
    return [abs(x.grad) for x in xs]


curves = {name: grads_through_time(wv) for name, wv in (("A", 0.9), ("B", 1.0), ("C", 0.3))}
fig, axes = plt.subplots(1, 3, figsize=(9.5, 2.8))
for ax, (name, g) in zip(axes, curves.items()):
    ax.plot(range(1, 21), g, marker="o", ms=3)
    ax.set(title=f"curve {name}", xlabel="time step t", yscale="log")
axes[0].set_ylabel("|dL/dx_t|")
fig.tight_layout()
plt.show()

# %%
q3 = ...  # a letter: "A", "B" or "C"

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = "C"

# %% tags=["check"] jupyter={"source_hidden": true}
fastest = min(curves, key=lambda name: curves[name][0] / curves[name][-1])
mg.check(q3, fastest, hint="vanishing: the early steps (small t) get the smallest gradient; the steeper the slope, the faster")

# %% [markdown]
# **4. Diagnose this loss curve.** Three real training runs of the same small network on the
# same points. One of them started from weights close to 0 (far smaller than the usual
# initialisation). Which one?

# %%
runs = training_runs(["healthy", "init_plateau", "lr_too_small"], seed=11)
show_runs(runs, "Which run started from weights near zero?")

# %%
q4 = ...  # a letter: "A", "B" or "C"

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q4 = "A"

# %% tags=["check"] jupyter={"source_hidden": true}
mg.check(q4, runs.which("init_plateau"),
         hint="with weights near zero every unit computes almost the same thing and the gradients are tiny: the loss stays flat for a while, then drops")


# %% [markdown]
# ## Summary
#
# * Backpropagation works on **any** graph of differentiable operations; the architecture only
#   decides what the graph looks like.
# * An **autoencoder** learns without labels by reconstructing its input through a narrow code;
#   similar inputs get similar codes.
# * A **convolution** reuses the same weights at every position; each weight's gradient is the
#   sum of its contributions from every position (itself a sliding product). In 2-D it is the
#   same, and **max-pooling** sends the gradient only to the largest value of each block.
# * A **recurrent network** reuses the same weights at every time step; unrolled, it is an
#   ordinary graph, and the gradient flowing back through time can vanish or explode.
