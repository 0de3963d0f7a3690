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
# knows its local derivatives, and runs the backward pass — and check every step of it
# against microgrand. After this lesson, `backward()` holds no secrets.
#
# *Time: about 45 minutes. Prerequisites: lessons 01 and 02 (derivatives, the chain rule, a
# node used twice).*
#
# In this lesson you will
# 1. write a `Value` class with `+`, `*` and `tanh`, each storing its local derivatives,
# 2. backpropagate through it by hand, one node at a time,
# 3. write the topological sort and `backward()`,
# 4. add `exp` and rebuild `tanh` out of it,
# 5. meet the accumulation bug, find it, and fix it.
#
# Every step ends with a **check cell**: it builds the same calculation with microgrand,
# compares your numbers with microgrand's (and microgrand's with careful nudging, using
# `mg.gradcheck`), and says what is wrong when they differ. Change the code and run the check
# again until it says ✓. (A check cell's output is not stored with the lesson: you see it when
# you run it.)

# %%
import math

import microgrand as mg

# %% [markdown]
# ## The checker
#
# You do not need to read this cell: it compares your values with microgrand's, node by node,
# and when they differ it says *how* (missing, wrong sign, too small…), which usually points
# to the mistake.


# %%
def check(mine, reference, *, grads=True):
    """Compare {name: your Value} with {name: microgrand Value}; print ✓ or what differs."""
    problems = []
    for name, m in mine.items():
        r = reference[name]
        if not math.isclose(m.data, r.data, rel_tol=1e-9, abs_tol=1e-12):
            problems.append(f"{name}.data is {m.data:.6g}, microgrand says {r.data:.6g}: "
                            "check the forward computation of the operation that made it")
        if grads and not math.isclose(m.grad, r.grad, rel_tol=1e-7, abs_tol=1e-10):
            if m.grad == 0.0:
                why = ("no gradient reached it: was backward() called, and is the node in "
                       "the topological order?")
            elif math.isclose(m.grad, -r.grad, rel_tol=1e-7):
                why = "the sign is flipped"
            else:
                why = ("if this node, or a node between it and the output, is used more than "
                       "once, the contributions must ADD UP (+=, not =); otherwise check the "
                       "local derivatives of the operations that use it")
            problems.append(f"{name}.grad is {m.grad:.6g}, microgrand says {r.grad:.6g}: {why}")
    for p in problems:
        print("✗", p)
    if not problems:
        what = "values and gradients" if grads else "values"
        print(f"✓ all {len(mine)} {what} agree with microgrand")


# %% [markdown]
# ## 1. A Value that remembers where it came from
#
# A `Value` holds a number (`data`), a gradient (`grad`, 0 until the backward pass), the
# Values it was made from (`inputs`) and — the key idea — the **local derivative** of itself
# with respect to each input (`local`), computed right away in the forward pass.
#
# For $c = a + b$: $\partial c/\partial a = 1$ and $\partial c/\partial b = 1$.

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

    def __add__(self, other):
        return Value(self.data + other.data, (self, other), (1.0, 1.0), "+")


a, b = Value(2.0, label="a"), Value(-3.0, label="b")
c = a + b
print(c, "made by", c.op, "from", [v.label for v in c.inputs], "local derivatives", c.local)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert c.local == (1.0, 1.0), "∂c/∂a = ∂c/∂b = 1"

# %% [markdown]
# ### Exercise — your turn: multiplication
# Add `__mul__`. The forward value is `self.data * other.data`. What are the local derivatives
# $\partial (a b)/\partial a$ and $\partial (a b)/\partial b$? (Python lets us add a method to
# the class after it was defined: `Value.__mul__ = mul`.)

# %%
def mul(self, other):
    # write: return Value(forward value, (self, other), (local derivative 1, local derivative 2), "*")
    raise NotImplementedError("write mul first (the exercise cell above the checks)")


Value.__mul__ = mul

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def mul(self, other):
    # d(ab)/da = b and d(ab)/db = a: each input's slope is the OTHER input
    return Value(self.data * other.data, (self, other), (other.data, self.data), "*")


Value.__mul__ = mul

# %% [markdown]
# ### And `tanh`
# $\tanh'(x) = 1 - \tanh(x)^2$: the local derivative can be written with the *output* $t$,
# which we have just computed.

# %%
def tanh(self):
    t = math.tanh(self.data)
    return Value(t, (self,), (1 - t**2,), "tanh")


Value.tanh = tanh

# %% [markdown]
# **Check 1 — the forward pass.** The neuron of lessons 01–02, $o = \tanh(x_1 w_1 + x_2 w_2 + b)$,
# in your engine and in microgrand: every value must agree.

# %% tags=["check"]
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


mine, ref = neuron(Value), neuron(mg.Value)
check(mine, ref, grads=False)

# %% [markdown]
# ## 2. The backward pass, one node at a time
#
# Backpropagation at one node: take the node's gradient (how much the output moves per unit of
# this node) and hand it to each input, multiplied by the local derivative — the chain rule.

# %%
def backward_step(node):
    """Pass node.grad to node's inputs: input.grad = local derivative × node.grad."""
    for inp, local in zip(node.inputs, node.local):
        inp.grad = local * node.grad


mine = neuron(Value)
mine["o"].grad = 1.0  # do/do = 1: the seed
for name in ("o", "n", "x1w1", "x2w2"):  # by hand, from the output backwards
    backward_step(mine[name])
print({name: round(v.grad, 4) for name, v in mine.items()})

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert mine["n"].grad != 0 and all(mine[k].grad == 0 for k in ("x1w1", "x2w2", "x1", "w1")), (
    "x1w1 and x2w2 got nothing")

# %% [markdown]
# Hmm: `n` was made by *two* additions, `(x1w1 + x2w2) + b`, and we skipped the inner sum's
# node — so `x1w1` and `x2w2` got nothing (their gradient is still 0). Doing this by hand is
# error-prone. The fix is to **visit every node**, in an order where each node comes after
# everything that uses it.
#
# ## 3. Topological order and `backward()`
#
# A **topological order** lists every node after its inputs (a depth-first search that adds a
# node once all its inputs are added). Reversed, it visits each node *before* its inputs: by
# the time we reach a node, every node that uses it has already passed its gradient on.

# %%
def topological_order(root):
    order, seen = [], set()

    def visit(v):
        if id(v) not in seen:
            seen.add(id(v))
            for inp in v.inputs:
                visit(inp)
            order.append(v)  # after all its inputs

    visit(root)
    return order


def backward(self):
    self.grad = 1.0
    for node in reversed(topological_order(self)):
        backward_step(node)


Value.backward = backward

print([v.label or v.op for v in topological_order(neuron(Value)["o"])])

# %% [markdown]
# **Check 2 — gradients of the neuron.** Your `backward()` against microgrand's, and
# microgrand's against nudging (`mg.gradcheck`, lesson 02).

# %% tags=["check"]
mine, ref = neuron(Value), neuron(mg.Value)
mine["o"].backward()
ref["o"].backward()
check(mine, ref)
leaves = [ref[k] for k in ("x1", "x2", "w1", "w2", "b")]
print(mg.gradcheck(lambda x1, x2, w1, w2, b: (x1 * w1 + x2 * w2 + b).tanh(), leaves))

# %% [markdown]
# ## 4. `exp`, and `tanh` rebuilt from it
#
# `tanh` does not have to be one operation. It is built from exponentials:
#
# $$\tanh(n) = \frac{e^{2n} - 1}{e^{2n} + 1}.$$
#
# To write that we need `exp` (its local derivative is itself: $\frac{d}{dx} e^x = e^x$), a
# power with a number exponent ($\frac{d}{dx} x^k = k x^{k-1}$, for the division), and a few
# conveniences: numbers mixed with Values, `-`, `/`.

# %%
def exp(self):
    e = math.exp(self.data)
    return Value(e, (self,), (e,), "exp")


def power(self, k):  # k is a plain number
    return Value(self.data**k, (self,), (k * self.data ** (k - 1),), f"**{k}")


def as_value(x):
    return x if isinstance(x, Value) else Value(x)


Value.exp = exp
Value.__pow__ = power
Value.__add__ = lambda self, other: Value(self.data + as_value(other).data,
                                          (self, as_value(other)), (1.0, 1.0), "+")
Value.__radd__ = lambda self, other: self + other
Value.__mul__ = lambda self, other: mul(self, as_value(other))
Value.__rmul__ = lambda self, other: self * other
Value.__neg__ = lambda self: self * -1.0
Value.__sub__ = lambda self, other: self + (-as_value(other))
Value.__truediv__ = lambda self, other: self * as_value(other) ** -1


def tanh_from_exp(n):
    e = (2 * n).exp()
    e.label = "e"
    return (e - 1) / (e + 1)


def rebuilt(V, tanh_fn):
    n = V(0.8813735870195432, label="n")
    o = tanh_fn(n)
    o.backward()
    return {"n": n, "o": o}


mine = rebuilt(Value, tanh_from_exp)
ref = rebuilt(mg.Value, lambda n: n.tanh())  # microgrand's one-node tanh
print(f"tanh(n): yours {mine['o'].data:.6f}, microgrand {ref['o'].data:.6f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(mine["o"].data - ref["o"].data) < 1e-12, "the value agrees"
assert abs(ref["n"].grad - 0.5) < 1e-12, "1 - tanh(n)² = 0.5"

# %% [markdown]
# **Check 3 — the gradient through the rebuilt `tanh`.** The value agrees. Does the gradient?
# (The answer should be $1 - \tanh(n)^2 = 0.5$.)

# %%
check(mine, ref)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(mine["n"].grad - 1.71) < 0.005 and abs(ref["n"].grad - 0.5) < 1e-12, "1.71, not 0.5"

# %% [markdown]
# ## 5. The accumulation bug
#
# The check fails: your gradient of `n` is 1.71, not 0.5. Look at the rebuilt `tanh`: the node `e`
# is used **twice**, once in `e - 1` and once in `e + 1`. Draw it with microgrand to see the
# two edges leaving `e`:

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
# node, so `e.grad` $= 0.146 - 0.104 = 0.043$ (rounded, as printed above). Our `backward_step`
# writes `inp.grad = ...`, so the second contribution *overwrites* the first. (Why did the
# neuron pass check 2? Every node there was used only once.)
#
# ### Exercise — your turn: fix the bug
# Rewrite `backward_step` so that contributions add up. Then run check 3 again below.

# %%
def backward_step(node):
    """Pass node.grad to node's inputs, ADDING each contribution to what is there."""
    for inp, local in zip(node.inputs, node.local):
        inp.grad = local * node.grad  # ← the bug: fix this line


# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def backward_step(node):
    """Pass node.grad to node's inputs, ADDING each contribution to what is there."""
    for inp, local in zip(node.inputs, node.local):
        inp.grad += local * node.grad  # contributions from every use add up


# %% [markdown]
# **Check 4 — after the fix.** The rebuilt `tanh`, the neuron, and the smallest graph with a
# node used twice, $a + a$:

# %% tags=["check"]
mine, ref = rebuilt(Value, tanh_from_exp), rebuilt(mg.Value, lambda n: n.tanh())
check(mine, ref)

mine, ref = neuron(Value), neuron(mg.Value)
mine["o"].backward()
ref["o"].backward()
check(mine, ref)

a_mine, a_ref = Value(3.0, label="a"), mg.Value(3.0, label="a")
(a_mine + a_mine).backward()
(a_ref + a_ref).backward()
check({"a": a_mine}, {"a": a_ref})
print(mg.gradcheck(tanh_from_exp, [mg.Value(0.8813735870195432)]))

# %% [markdown]
# One more thing PyTorch and microgrand do the same way: since gradients **add up**, calling
# `backward()` twice adds the second pass on top of the first. That is why a training loop
# resets them first (`zero_grad`, lesson 05).

# %%
a_mine = Value(3.0, label="a")
out = a_mine * a_mine
out.backward()
print("after one backward():", a_mine.grad)
first = a_mine.grad
out.backward()
print("after two:           ", a_mine.grad, "(doubled: reset the gradients to 0 before each pass)")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert a_mine.grad == 2 * first, "doubled"

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — subtraction and division
# Our `-` and `/` are built from `+`, `*` and `**`. Check with your engine that for
# $q = a / b$ at $a = 3$, $b = 4$: $\partial q/\partial a = 1/b$ and
# $\partial q/\partial b = -a/b^2$.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
a, b = Value(3.0, label="a"), Value(4.0, label="b")
q = a / b
q.backward()
print(f"dq/da = {a.grad} (1/b = {1 / 4}),  dq/db = {b.grad} (-a/b² = {-3 / 16})")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(a.grad - 1 / 4) < 1e-12 and abs(b.grad + 3 / 16) < 1e-12

# %% [markdown]
# ### Exercise 2 — ReLU
# Add `relu` to your `Value`: forward $\max(0, x)$, local derivative 1 for $x > 0$ and 0
# otherwise. Check it on $\mathrm{relu}(a \cdot b)$ at $a = 2$, $b = -3$ and $a = 2$, $b = 3$
# against microgrand's `.relu()`.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def relu(self):
    return Value(max(0.0, self.data), (self,), (1.0 if self.data > 0 else 0.0,), "relu")


Value.relu = relu
for bv in (-3.0, 3.0):
    m = {"a": Value(2.0), "b": Value(bv)}
    r = {"a": mg.Value(2.0), "b": mg.Value(bv)}
    (m["a"] * m["b"]).relu().backward()
    (r["a"] * r["b"]).relu().backward()
    check(m, r)

# %% [markdown]
# ### Exercise 3 — how big is your graph?
# Count the nodes of the rebuilt `tanh` graph with `topological_order`, and compare with
# microgrand's one-node `tanh` (`mg.Graph.of(...).stats()`). Why do libraries make `tanh` one
# operation?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
n = Value(0.5, label="n")
print("rebuilt tanh:", len(topological_order(tanh_from_exp(n))), "nodes")
n_mg = mg.Value(0.5, label="n")
print("microgrand tanh:", mg.Graph.of(n_mg.tanh()).stats()["nodes"], "nodes")
# One node stores one local derivative (1 − t²), which is cheaper to compute and to store
# than the 12 nodes of the rebuilt version, and gives the same gradient.

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert len(topological_order(tanh_from_exp(Value(0.5)))) == 12, "12 nodes"
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
# * microgrand is this engine, with more operations, diagrams and a player on top.
