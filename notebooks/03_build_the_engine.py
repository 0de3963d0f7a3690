# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 03 · Build the engine yourself
#
# **Goal:** write your own tiny autograd engine — a `Value` that remembers how it was made,
# knows its local derivatives, and runs the backward pass — then build a small neural network
# on it and train it. After this lesson, `backward()` holds no secrets.
#
# *Time: about 90 minutes (part 1, the engine: 55; part 2, a network: 35). Prerequisites:
# lessons 01 and 02 (derivatives, the chain rule, a node used twice).*
#
# In this lesson you will
# 1. write `+`, `*` and `tanh` for a `Value` that stores its local derivatives,
# 2. write the chain rule at one node, the topological order, and `backward()`,
# 3. check your engine by nudging its inputs, as in lesson 02,
# 4. add `exp` and rebuild `tanh` out of it — and meet the accumulation bug, and fix it,
# 5. (part 2) write a neuron, a layer and a network on your engine, and train it — and meet
#    the forgotten `zero_grad`, and fix it.
#
# **How to work.** Each exercise has an empty cell: write your code there and run it. The
# **check cell** under it runs your code on small cases, compares the results with
# microgrand's, and says ✓ or what differs (a sign, a local derivative, an order…). Change
# your code and run the check again until it says ✓. A check run before you have written its
# step says what to write (and "Run all" stops there). A check cell's output is not stored
# with the lesson: you see it when you run it.

# %%
import math
import random

import matplotlib.pyplot as plt

import microgrand as mg
from microgrand import buildcheck as bc

# %%
# The functions and classes you will write, as placeholders until you do: a check that meets
# one says which exercise writes it. (Run this cell once, at the start: running it again
# would replace what you have written by the placeholders.)
backward_step = bc.todo("backward_step", "Exercise 4")
topological_order = bc.todo("topological_order", "Exercise 5")
tanh_from_exp = bc.todo("tanh_from_exp", "Exercise 8")
Neuron = bc.todo("Neuron", "Exercise 10")
Layer = bc.todo("Layer", "Exercise 11")
MLP = bc.todo("MLP", "Exercise 11")
train = bc.todo("train", "Exercise 12")

# %% [markdown]
# # Part 1 · The engine
#
# ## 1. A Value that remembers where it came from
#
# A `Value` holds a number (`data`), a gradient (`grad`, 0 until the backward pass), the
# Values it was made from (`inputs`) and — the key idea — the **local derivative** of itself
# with respect to each input (`local`), computed right away, in the forward pass.

# %%
class Value:
    def __init__(self, data, inputs=(), local=(), op="", label=""):
        self.data = float(data)
        self.grad = 0.0
        self.inputs = inputs  # the Values this one was made from
        self.local = local  # ∂(self)/∂(input), one number per input
        self.op = op
        self.label = label

    def __repr__(self):
        return f"Value({self.label or self.op}: data={self.data:.4g}, grad={self.grad:.4g})"


# %% [markdown]
# ### Exercise 1 — addition
# Write `add(self, other)`: it returns a **new** `Value` whose data is the sum, whose inputs are
# `(self, other)`, whose local derivatives are $\partial(a+b)/\partial a$ and
# $\partial(a+b)/\partial b$, and whose `op` is `"+"`. Start with the line
# `other = other if isinstance(other, Value) else Value(other)`, so that `a + 1` works too.
# Then attach it to the class (Python lets us add a method after the class is defined):
# `Value.__add__ = add`.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def add(self, other):
    other = other if isinstance(other, Value) else Value(other)
    return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")


Value.__add__ = add

# %% tags=["check"]
bc.check_add(Value)

# %% [markdown]
# ### Exercise 2 — multiplication
# Now `mul(self, other)` for `a * b`, attached as `Value.__mul__ = mul` (numbers allowed, as in
# `add`). What are the local derivatives $\partial(ab)/\partial a$ and
# $\partial(ab)/\partial b$?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def mul(self, other):
    other = other if isinstance(other, Value) else Value(other)
    # ∂(ab)/∂a = b and ∂(ab)/∂b = a: each input's slope is the OTHER input
    return Value(self.data * other.data, (self, other), (other.data, self.data), "*")


Value.__mul__ = mul

# %% tags=["check"]
bc.check_mul(Value)

# %% [markdown]
# ### Exercise 3 — tanh
# Write `tanh(self)` (op `"tanh"`, one input) and attach it: `Value.tanh = tanh`. Its
# derivative is $\tanh'(x) = 1 - \tanh(x)^2$: write the local derivative with the *output*
# $t = \tanh(x)$, which you have just computed (`math.tanh`). The check then builds the neuron
# of lessons 01–02, $o = \tanh(x_1 w_1 + x_2 w_2 + b)$, in your engine and in microgrand: every
# value must agree.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def tanh(self):
    t = math.tanh(self.data)
    return Value(t, (self,), (1 - t**2,), "tanh")


Value.tanh = tanh

# %% tags=["check"]
bc.check_tanh(Value)

# %% [markdown]
# ## 2. The chain rule at one node
#
# Backpropagation at one node: the node's gradient (how much the output moves per unit of this
# node) is handed to each input, multiplied by the local derivative — the chain rule of
# lesson 02:
#
# $$\frac{d\,\text{out}}{d\,\text{input}} = \frac{\partial\,\text{node}}{\partial\,\text{input}}
# \times \frac{d\,\text{out}}{d\,\text{node}}.$$
#
# ### Exercise 4 — `backward_step`
# Write `backward_step(node)`: for each input of `node` and its local derivative
# (`zip(node.inputs, node.local)`), set the input's `grad` to local derivative × `node.grad`.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def backward_step(node):
    """Pass node.grad to node's inputs: input.grad = local derivative × node.grad."""
    for inp, local in zip(node.inputs, node.local):
        inp.grad = local * node.grad


# %% tags=["check"]
bc.check_backward_step(backward_step, Value)

# %% [markdown]
# Now backpropagate through the neuron by hand: seed the output with $do/do = 1$, then call
# `backward_step` on the nodes from the output backwards.

# %%
def neuron(V):
    """Build the neuron with the Value class V; return its nodes by name."""
    x1, x2 = V(2.0, label="x1"), V(0.0, label="x2")
    w1, w2 = V(-3.0, label="w1"), V(1.0, label="w2")
    b = V(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    n = x1w1 + x2w2 + b
    o = n.tanh()
    return {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "x1w1": x1w1, "x2w2": x2w2,
            "n": n, "o": o}


nodes = neuron(Value)
nodes["o"].grad = 1.0  # do/do = 1: the seed
for name in ("o", "n", "x1w1", "x2w2"):  # by hand, from the output backwards
    backward_step(nodes[name])
print({name: round(v.grad, 4) + 0.0 for name, v in nodes.items()})  # + 0.0: no "-0.0"

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert nodes["n"].grad != 0 and all(nodes[k].grad == 0 for k in ("x1w1", "x2w2", "x1", "w1")), (
    "x1w1 and x2w2 got nothing")

# %% [markdown]
# Hmm: `n` was made by *two* additions, `(x1w1 + x2w2) + b`, and we skipped the inner sum's
# node — so `x1w1` and `x2w2` got nothing (their gradient is still 0), and neither did `x1`,
# `w1`. Doing this by hand is error-prone. The fix is to **visit every node**, in an order
# where each node comes after everything that uses it.
#
# ## 3. Topological order and `backward()`
#
# A **topological order** lists every node *after* its inputs. A depth-first search makes
# one: to visit a node, first visit each of its inputs (skipping nodes already visited), then
# append the node itself. Reversed, the list visits each node *before* its inputs: by the time
# we reach a node, every node that uses it has already passed its gradient on.
#
# ### Exercise 5 — `topological_order`
# Write `topological_order(root)`: the list of all the nodes of the graph below `root`
# (`root` included, each node once), every node after its inputs. A nested function
# `visit(v)` and a set of the nodes already visited do it in a few lines.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def topological_order(root):
    order, visited = [], set()

    def visit(v):
        if v not in visited:
            visited.add(v)
            for inp in v.inputs:
                visit(inp)
            order.append(v)  # after all its inputs

    visit(root)
    return order


# %% tags=["check"]
bc.check_topological_order(topological_order, Value)

# %% [markdown]
# ### Exercise 6 — `backward()`
# Write `backward(self)` and attach it (`Value.backward = backward`): seed `self.grad = 1.0`,
# then call `backward_step` on every node of `reversed(topological_order(self))`.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def backward(self):
    self.grad = 1.0
    for node in reversed(topological_order(self)):
        backward_step(node)


Value.backward = backward

# %% tags=["check"]
bc.check_backward(Value)

# %% [markdown]
# **Your engine against nudging.** microgrand is one judge; nudging is another that needs no
# engine at all (lesson 02): move one input by a tiny $h$ either way, rebuild the expression
# with *your* `Value`, and measure the slope $\frac{f(x+h) - f(x-h)}{2h}$. `bc.nudge` does it
# for every input and puts the slopes beside the gradients your `backward()` gave:

# %%
report = bc.nudge(lambda x1, x2, w1, w2, b: (x1 * w1 + x2 * w2 + b).tanh(),
                  [2.0, 0.0, -3.0, 1.0, 6.8813735870195432], Value,
                  names=["x1", "x2", "w1", "w2", "b"])
report

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert report.ok, "backward() and nudging agree on the neuron"

# %% [markdown]
# ## 4. `exp`, and `tanh` rebuilt from it
#
# `tanh` does not have to be one operation. It is built from exponentials:
#
# $$\tanh(n) = \frac{e^{2n} - 1}{e^{2n} + 1}.$$
#
# ### Exercise 7 — `exp`
# Write `exp(self)` (op `"exp"`) and attach it: `Value.exp = exp`. Its derivative is itself:
# $\frac{d}{dx} e^x = e^x$ — the output, again.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def exp(self):
    e = math.exp(self.data)
    return Value(e, (self,), (e,), "exp")


Value.exp = exp

# %% tags=["check"]
bc.check_exp(Value)

# %% [markdown]
# The division needs a few more operations. They are made of yours, except the power with a
# number exponent, a new operation with its local derivative $\frac{d}{dx} x^k = k x^{k-1}$:

# %%
def power(self, k):  # k is a plain number
    return Value(self.data**k, (self,), (k * self.data ** (k - 1),), f"**{k}")


Value.__pow__ = power
Value.__radd__ = lambda self, other: self + other  # 1 + a
Value.__rmul__ = lambda self, other: self * other  # 2 * a
Value.__neg__ = lambda self: self * -1.0
Value.__sub__ = lambda self, other: self + (-other)
Value.__rsub__ = lambda self, other: (-self) + other  # 1 - a
Value.__truediv__ = lambda self, other: self * other**-1

# %% [markdown]
# ### Exercise 8 — `tanh_from_exp`
# Write `tanh_from_exp(n)` with your Values, following the formula: compute `e = (2 * n).exp()`
# once, then return `(e - 1) / (e + 1)`.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def tanh_from_exp(n):
    e = (2 * n).exp()
    return (e - 1) / (e + 1)


# %% tags=["check"]
bc.check_tanh_from_exp(tanh_from_exp, Value)

# %% [markdown]
# The value agrees with `tanh`. Does the gradient? The derivative is $1 - \tanh(n)^2$; let
# nudging judge your engine at $n = 0.8814$, where $\tanh(n) = 0.707$:

# %%
report = bc.nudge(tanh_from_exp, [0.8813735870195432], Value, names=["n"])
report

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert not report.ok and abs(report.slopes[0] - 0.5) < 1e-6, "nudging: 0.5"
assert round(math.tanh(0.8813735870195432), 3) == 0.707
assert abs(report.grads[0] - 0.5) > 0.5, "the solution's backward_step (=) is far off"
assert "exp node is used more than once" in report.diagnosis

# %% [markdown]
# ## 5. The accumulation bug
#
# If your `backward_step` sets the gradient (`inp.grad = ...`), as Exercise 4 asked, the two
# numbers differ: nudging says $0.5$, your `backward()` something else. (If you wrote `+=`
# already, they agree: read on to see why that matters.) Look at the rebuilt `tanh`: the node
# `e` is used **twice**, once in `e - 1` and once in `e + 1`. Drawn with microgrand, `e` has two
# edges leaving it:

# %%
n_mg = mg.Value(0.8813735870195432, label="n")
e_mg = (2 * n_mg).exp()
e_mg.label = "e"
o_mg = (e_mg - 1) / (e_mg + 1)
o_mg.label = "o"
o_mg.backward()
graph = mg.Graph.of(o_mg)
for edge in graph.edges:
    if edge.src == graph.id_of(e_mg):
        dst = graph.node(edge.dst)
        print(f"e → {dst.op}: local {edge.local:.3f} × grad {dst.grad:+.3f} = {edge.local * dst.grad:+.3f}")
print(f"sum = e.grad = {e_mg.grad:.3f}")
mg.draw(o_mg, rankdir="TB", precision=3)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
parts = [edge.local * graph.node(edge.dst).grad for edge in graph.edges
         if edge.src == graph.id_of(e_mg)]
assert [round(x, 3) for x in parts] == [0.146, -0.104] and round(e_mg.grad, 3) == 0.043
once = {}
for edge in mg.Graph.of(neuron(mg.Value)["o"]).edges:
    assert edge.src not in once, "every node of the neuron is used only once"
    once[edge.src] = edge

# %% [markdown]
# In lesson 02 you saw the rule: a node used twice receives **two** contributions, and its
# gradient is their **sum**: here $0.146$ through the `−` node and $-0.104$ through the `+`
# node, so `e.grad` $= 0.146 - 0.104 = 0.043$ (rounded, as printed above). A `backward_step`
# that writes `inp.grad = ...` keeps only the contribution that comes last: the other one is
# *overwritten*. (Why did the neuron pass the checks of section 3? Every node there is used
# only once.)
#
# ### Exercise 9 — fix the bug
# Rewrite `backward_step` so that contributions **add up**. Your `backward()` calls
# `backward_step` by its name, so it uses the new one as soon as you run the cell.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def backward_step(node):
    """Pass node.grad to node's inputs, ADDING each contribution to what is there."""
    for inp, local in zip(node.inputs, node.local):
        inp.grad += local * node.grad  # contributions from every use add up


# %% tags=["check"]
bc.check_accumulation(backward_step, Value, tanh_from_exp)

# %% [markdown]
# Your engine is complete: `+`, `*`, `tanh`, `exp`, powers, and a `backward()` that visits
# every node once, in the right order, adding up contributions. micrograd (Karpathy's engine,
# from which microgrand grew) is this engine with a `_backward` function stored on each node
# instead of the numbers in `local`.
#
# # Part 2 · A neural network on your engine
#
# Four examples with three inputs each and a target of $+1$ or $-1$ (the data of micrograd's
# lecture). A small network of `tanh` neurons will learn to output the targets.

# %%
xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
ys = [1.0, -1.0, -1.0, 1.0]

# %% [markdown]
# ### Exercise 10 — a neuron
# Write a class `Neuron`:
# * `Neuron(n_in)` draws `n_in` weights `self.w` (a list of Values) and a bias `self.b`, each
#   `Value(random.uniform(-1, 1))`, the weights first;
# * `neuron(x)` (the method `__call__(self, x)`, with `x` a list of numbers) returns
#   $\tanh(\sum_i w_i x_i + b)$ as a Value — `sum((wi * xi for wi, xi in zip(self.w, x)), self.b)`
#   adds the products to the bias;
# * `parameters()` returns the weights then the bias: `self.w + [self.b]`.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
class Neuron:
    def __init__(self, n_in):
        self.w = [Value(random.uniform(-1, 1)) for _ in range(n_in)]
        self.b = Value(random.uniform(-1, 1))

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh()

    def parameters(self):
        return self.w + [self.b]


# %% tags=["check"]
bc.check_neuron(Neuron, Value)

# %% [markdown]
# ### Exercise 11 — a layer and a network
# * `Layer(n_in, n_out)`: `n_out` neurons, each with `n_in` inputs; `layer(x)` returns the list
#   of their outputs — or the single Value when `n_out` is 1; `parameters()` lists every
#   neuron's parameters, neuron after neuron.
# * `MLP(n_in, sizes)`: layers of sizes `sizes`, e.g. `MLP(3, [4, 4, 1])` has layers
#   `Layer(3, 4)`, `Layer(4, 4)`, `Layer(4, 1)`; `mlp(x)` feeds `x` through them in turn
#   (`x = layer(x)`); `parameters()` lists the layers' parameters, layer after layer.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
class Layer:
    def __init__(self, n_in, n_out):
        self.neurons = [Neuron(n_in) for _ in range(n_out)]

    def __call__(self, x):
        outs = [n(x) for n in self.neurons]
        return outs[0] if len(outs) == 1 else outs

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, n_in, sizes):
        sz = [n_in] + sizes
        self.layers = [Layer(sz[i], sz[i + 1]) for i in range(len(sizes))]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


# %% tags=["check"]
bc.check_layer_and_mlp(Layer, MLP, Value)

# %% [markdown]
# ### Exercise 12 — the training loop
# Write `train(model, xs, ys, steps, lr)`, which repeats `steps` times:
# 1. **forward:** the model's output for every example, `ypred = [model(x) for x in xs]`;
# 2. **loss:** the sum of squared errors, $L = \sum (\hat y - y)^2$
#    (`sum((yp - y) ** 2 for yp, y in zip(ypred, ys))`);
# 3. **backward:** `loss.backward()`;
# 4. **update:** for every parameter, `p.data -= lr * p.grad` (a step downhill);
#
# and returns the list of the losses, one number per step (`loss.data`).

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def train(model, xs, ys, steps, lr):
    losses = []
    for _ in range(steps):
        ypred = [model(x) for x in xs]
        loss = sum((yp - y) ** 2 for yp, y in zip(ypred, ys))
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(loss.data)
    return losses


# %% tags=["check"]
bc.check_training(train, MLP, Value, steps=1)

# %% [markdown]
# One step agrees with microgrand. Now train a network for 30 steps with a learning rate of
# 0.1 (the seed fixes the random start, so that the run can be repeated):

# %%
random.seed(3)
model = MLP(3, [4, 4, 1])
losses = train(model, xs, ys, 30, 0.1)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(range(1, 31), losses, marker="o", ms=3)
ax.set(xlabel="step", ylabel="loss", title="30 steps of train()")
plt.show()
print("losses:", " ".join(f"{x:.2f}" for x in losses))

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
low = min(range(10), key=lambda i: losses[i])
assert losses[low] < 0.05, "the loss falls close to 0 within 10 steps"
assert losses[-1] > 7.9 and all(abs(x - losses[-1]) < 0.05 for x in losses[-8:]), "stuck at 8"
preds = [model(x).data for x in xs]
assert all(p < -0.99 for p in preds), "all four outputs near -1"
assert sum((p > 0) != (y > 0) for p, y in zip(preds, ys)) == 2, "two outputs of the wrong sign"
assert max(abs(p.grad) for p in model.parameters()) > 1, "the piled-up gradients are large"
for p in model.parameters():
    p.grad = 0.0
sum((model(x) - y) ** 2 for x, y in zip(xs, ys)).backward()
assert max(abs(p.grad) for p in model.parameters()) < 1e-6, "one step's gradient: about 0"
random.seed(0)
assert train(MLP(3, [4, 4, 1]), xs, ys, 30, 0.1)[-1] < 0.05, "another start trains fine"

# %% [markdown]
# The loss falls fast, close to 0 — and then jumps back up and sticks at about 8. (Your curve
# may look different: if your `Neuron` draws its numbers in another order, your network starts
# elsewhere. Some starts even train fine with this loop: the bug does not always show.) What is
# wrong? Look at what `backward()` does to gradients that are already there. Call it twice on
# $\tanh(a \cdot b)$, with your engine and with microgrand:

# %%
for name, V in (("yours", Value), ("microgrand", mg.Value)):
    a, b = V(0.9), V(-1.2)
    out = (a * b).tanh()
    out.backward()
    first = a.grad
    out.backward()
    print(f"{name:>10}: a.grad after one backward() {first:.3f}, after two {a.grad:.3f} "
          f"({a.grad / first:.0f} times)")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
mine, ref = Value(0.9), mg.Value(0.9)
for V, a in ((Value, mine), (mg.Value, ref)):
    out = (a * V(-1.2)).tanh()
    out.backward()
    out.backward()
first = Value(0.9)
(first * Value(-1.2)).tanh().backward()
assert abs(mine.grad - 3 * first.grad) < 1e-12, "yours: three times"
assert abs(ref.grad - 2 * first.grad) < 1e-12, "microgrand: two times"

# %% [markdown]
# Both engines **add** the second pass to what the first left — that is `+=`, the fix of
# Exercise 9, and it is what makes a node used twice right. They differ in the middle of the
# graph. Your `backward()` sets the output's gradient to 1 but leaves the product node
# `a * b` with its gradient from the first pass, so the second pass adds to it (it doubles)
# and hands `a` twice as much as the first time: 1 + 2 = 3 times the gradient. microgrand
# resets the gradients of the intermediate nodes at the start of every `backward()` (only the
# leaves — data and parameters — keep adding up, as in PyTorch), so `a` gets exactly one more
# pass: 2 times.
#
# In `train()` every step builds a new graph, so only the parameters carry gradients from
# step to step — in both engines. Step 2 updates with the gradients of steps 1 *and* 2, step 3
# with three steps' worth, and so on: steps that keep growing and pointing where the loss
# *used* to go down. The network overshoots until its `tanh` units saturate: at a loss of 8,
# all four outputs are close to $-1$, so the two examples whose target is $+1$ are each wrong
# by 2 ($2 \times 2^2 = 8$). There `tanh` is flat: the gradient of one step's loss is
# practically 0, while the piled-up gradients keep pushing the parameters the same way, deeper
# into saturation. The loss stays at 8.
#
# ### Exercise 13 — zero the gradients
# Fix `train`: in every step, set `p.grad = 0.0` for every parameter **before**
# `loss.backward()` (libraries call this `zero_grad`).

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def train(model, xs, ys, steps, lr):
    losses = []
    for _ in range(steps):
        ypred = [model(x) for x in xs]
        loss = sum((yp - y) ** 2 for yp, y in zip(ypred, ys))
        for p in model.parameters():
            p.grad = 0.0  # zero_grad: forget the previous step's gradients
        loss.backward()
        for p in model.parameters():
            p.data -= lr * p.grad
        losses.append(loss.data)
    return losses


# %% tags=["check"]
bc.check_training(train, MLP, Value, steps=3)

# %% [markdown]
# The same start, the same 30 steps, with the fixed loop:

# %%
random.seed(3)
model = MLP(3, [4, 4, 1])
losses = train(model, xs, ys, 30, 0.1)
fig, ax = plt.subplots(figsize=(6, 3))
ax.plot(range(1, 31), losses, marker="o", ms=3)
ax.set(xlabel="step", ylabel="loss", title="30 steps of train(), gradients zeroed")
plt.show()
print(f"loss after 30 steps: {losses[-1]:.4f}")
print("predictions:", [round(model(x).data, 2) for x in xs], "targets:", ys)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert all(b < a for a, b in zip(losses, losses[1:])), "the loss falls at every step"
assert losses[-1] < 0.02
assert all((model(x).data > 0) == (y > 0) and abs(model(x).data - y) < 0.1 for x, y in zip(xs, ys))

# %% [markdown]
# The loss falls at every step, and every prediction is within 0.1 of its target. That is a
# neural network trained by an engine you wrote, line by line.
#
# ## More exercises
#
# ### Exercise 14 — subtraction and division
# Our `-` and `/` are built from `+`, `*` and `**`. Check with your engine that for
# $q = a / b$ at $a = 3$, $b = 4$: $dq/da = 1/b$ and $dq/db = -a/b^2$.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
a, b = Value(3.0, label="a"), Value(4.0, label="b")
q = a / b
q.backward()
print(f"dq/da = {a.grad} (1/b = {1 / 4}),  dq/db = {b.grad} (-a/b² = {-3 / 16})")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(a.grad - 1 / 4) < 1e-12 and abs(b.grad + 3 / 16) < 1e-12

# %% [markdown]
# ### Exercise 15 — ReLU
# Add `relu` to your `Value`: forward $\max(0, x)$, local derivative 1 for $x > 0$ and 0
# otherwise. Check it with `bc.nudge` on $\mathrm{relu}(a \cdot b)$ at $a = 2$, $b = -3$ and
# $a = 2$, $b = 3$.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def relu(self):
    return Value(max(0.0, self.data), (self,), (1.0 if self.data > 0 else 0.0,), "relu")


Value.relu = relu
for bv in (-3.0, 3.0):
    print(bc.nudge(lambda a, b: (a * b).relu(), [2.0, bv], Value, names=["a", "b"]))

# %% [markdown]
# ### Exercise 16 — how big is your graph?
# Count the nodes of the rebuilt `tanh` graph with `topological_order`, and compare with
# microgrand's one-node `tanh` (`mg.Graph.of(...).stats()`). Why do libraries make `tanh` one
# operation?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
n = Value(0.5, label="n")
print("rebuilt tanh:", len(topological_order(tanh_from_exp(n))), "nodes")
n_mg = mg.Value(0.5, label="n")
print("microgrand tanh:", mg.Graph.of(n_mg.tanh()).stats()["nodes"], "nodes")
# One node stores one local derivative (1 − t²), which is cheaper to compute and to store
# than the nodes of the rebuilt version, and gives the same gradient.

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert len(topological_order(tanh_from_exp(Value(0.5)))) == 10, "10 nodes"
assert mg.Graph.of(n_mg.tanh()).stats()["nodes"] == 2

# %% [markdown]
# ## Check yourself
#
# Three questions. Write your answer in place of the `...` and run the cell below it:
# `mg.check` says ✓ or ✗ (with a hint). Your teacher's copy of the lesson has the answers.
# This section runs on its own: it needs nothing from the cells above.

# %%
import math

import microgrand as mg

# %% [markdown]
# **1. Predict, then run.** Your `tanh` stores the local derivative $1 - t^2$. Which number
# does it store when the output is $t = 0.5$?

# %%
q1 = ...  # your prediction

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = 0.75

# %% tags=["check"] jupyter={"source_hidden": true}
n = mg.Value(math.atanh(0.5))
t = n.tanh()
mg.check(q1, t.local_grads[0], hint="1 − 0.5²",
         note=f"output {t.data:.3f}, stored local derivative {t.local_grads[0]:.4f}")

# %% [markdown]
# **2.** `backward()` visits the nodes in **reverse** topological order. For
# `L = a * b + c`, which node is visited first? Answer with its label (a string).

# %%
q2 = ...  # a label such as "a"

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = "L"

# %% tags=["check"] jupyter={"source_hidden": true}
mg.check(q2, hashed="sha256:39a0d0a3e33cacfa544bed8221f831b50c680b382f4012cfa77829d5f5736365",
         hint="reverse topological order starts where the gradient starts")

# %% [markdown]
# **3.** With the overwrite bug (`inp.grad = local * node.grad`), what gradient would `a` get
# in $L = a + a$? (The right answer is 2.)

# %%
q3 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = 1

# %% tags=["check"] jupyter={"source_hidden": true}
grad = 0.0
for local in (1.0, 1.0):  # the two edges from a into the + node
    grad = local * 1.0  # the bug: the second contribution overwrites the first
mg.check(q3, grad, hint="each contribution is 1; with = only the last one is kept")


# %% [markdown]
# ## Summary
#
# * An autograd engine is small: each `Value` stores its `data`, its inputs and the **local
#   derivative** with respect to each input, computed in the forward pass.
# * `backward()` visits the nodes in **reverse topological order** and hands each node's
#   gradient to its inputs, multiplied by the local derivatives (the chain rule).
# * Gradients must **accumulate** (`+=`): a node used twice gets the sum of both contributions.
#   Overwriting them is the classic bug — invisible until some node is used twice.
# * Operations can be primitives with their own derivative (`tanh`) or built from others
#   (`exp`, `+`, `/`): both give the same gradient.
# * Because `backward()` adds, gradients left from an earlier pass are added to: a training
#   loop sets every parameter's gradient to 0 before each `backward()` (`zero_grad`). Forgotten,
#   each step uses the sum of all the gradients so far — sometimes the loss still falls,
#   sometimes it swings and gets stuck.
# * A neuron, a layer and a network are a few lines on top of the engine; a training loop is
#   forward, loss, zero the gradients, backward, update.
# * microgrand is this engine, with more operations, diagrams and a player on top.
