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
# # 02 · The chain rule and the backward pass
#
# **Goal:** compute the gradient of every input of a calculation *by hand* with the chain rule,
# then let `backward()` do the same thing, step through it node by node, and understand why a
# node that is used twice must **add** the contributions it receives.
#
# *Time: about 40 minutes. Prerequisite: lesson 01 (derivatives, the forward pass as a graph).*
#
# In this lesson you will
# 1. meet the chain rule, the one idea behind backpropagation,
# 2. backpropagate through a small graph with pencil-and-paper arithmetic,
# 3. call `backward()` and step through what it does with the player and `explain`,
# 4. see the classic bug of *overwriting* gradients when a node is used twice.

# %%
import microgrand as mg

# %% [markdown]
# ## 1. The chain rule
#
# If $y$ depends on $x$, and $z$ depends on $y$, then a nudge of $x$ moves $y$, which moves $z$.
# Two kinds of derivative are written differently on purpose in this course:
#
# - a curly **∂** is a **local** derivative: how the output of *one* operation moves when one
#   of its own inputs moves ($\partial z/\partial y$ for the operation $z = y^2$ alone);
# - a straight **d** is a **total** derivative: how the final output moves when $x$ moves,
#   through everything that comes after $x$ ($dz/dx$). It is what `x.grad` will hold.
#
# The chain rule says that along a chain the local sensitivities **multiply**:
#
# $$\frac{dz}{dx} = \frac{\partial z}{\partial y} \cdot \frac{\partial y}{\partial x}$$
#
# If a car is 2× as fast as a bike, and a bike 4× as fast as a walker, the car is 2 × 4 = 8× as
# fast as the walker. Check it numerically for $y = 3x$ and $z = y^2$ at $x = 1$: calculus gives
# $\partial z/\partial y = 2y = 6$ and $\partial y/\partial x = 3$, so $dz/dx = 18$.

# %%
x = 1.0
h = 1e-6
z = (3 * x) ** 2
dz_dx = ((3 * (x + h)) ** 2 - z) / h
print(f"nudging x: dz/dx ≈ {dz_dx:.4f}   chain rule: 6 · 3 = {6 * 3}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(dz_dx - 18) < 1e-4, "dz/dx = 6 · 3 = 18"

# %% [markdown]
# A graph of many operations is a long chain (or a web) of such steps. **Backpropagation** starts
# at the output, where $dL/dL = 1$, and walks backwards: each node passes to each
# of its inputs *its own gradient times the local derivative of the edge*. Every node receives
# its gradient once all the nodes that use it have been visited.
#
# ## 2. Backpropagation by hand
#
# Our example: $L = (a \cdot b + c) \cdot f$.

# %%
a = mg.Value(2.0, label="a")
b = mg.Value(-3.0, label="b")
c = mg.Value(10.0, label="c")
f = mg.Value(-2.0, label="f")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
L = d * f
L.label = "L"
mg.draw(L, edge_labels=True, rankdir="TB", precision=2)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert all(v.grad == 0 for v in (a, b, c, d, e, f, L)), "every grad is still 0"

# %% [markdown]
# (The diagram runs from top to bottom, `rankdir="TB"`, so that it fits the page, and shows two
# decimals, `precision=2`. Every `grad` is still 0: nothing has been computed backwards yet.)
#
# Now fill in the gradients from the output back to the inputs (bottom to top in the diagram).
# Each line is one use of the chain rule:
# *gradient of the input = gradient of the output × local derivative*.
#
# | node | chain rule | value |
# |---|---|---|
# | $L$ | $dL/dL$ (the start) | $1$ |
# | $d$ | $dL/d(d) = dL/dL \cdot \partial L/\partial d = 1 \cdot f$ (because $L = d \cdot f$) | $-2$ |
# | $f$ | $dL/df = dL/dL \cdot \partial L/\partial f = 1 \cdot d$ | $4$ |
# | $e$ | $dL/de = dL/d(d) \cdot \partial d/\partial e = dL/d(d) \cdot 1$ (a `+` passes the gradient through) | $-2$ |
# | $c$ | $dL/dc = dL/d(d) \cdot \partial d/\partial c = dL/d(d) \cdot 1$ | $-2$ |
# | $a$ | $dL/da = dL/de \cdot \partial e/\partial a = dL/de \cdot b$ | $6$ |
# | $b$ | $dL/db = dL/de \cdot \partial e/\partial b = dL/de \cdot a$ | $-4$ |
#
# We can write these numbers into the Values' `grad` fields ourselves and draw the result:

# %%
L.grad = 1.0
d.grad = L.grad * f.data
f.grad = L.grad * d.data
e.grad = d.grad * 1.0
c.grad = d.grad * 1.0
a.grad = e.grad * b.data
b.grad = e.grad * a.data
hand = {v.label: v.grad for v in (a, b, c, d, e, f, L)}
mg.draw(L, edge_labels=True, rankdir="TB", precision=2)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert hand == {"L": 1, "d": -2, "f": 4, "e": -2, "c": -2, "a": 6, "b": -4}, "the table's values"

# %% [markdown]
# Are they right? Nudge each input and see how much $L$ moves (lesson 01):

# %%
def L_of(a, b, c, f):
    return (a * b + c) * f


point = {"a": 2.0, "b": -3.0, "c": 10.0, "f": -2.0}
h = 1e-6
nudged = {}
for name in point:
    moved = dict(point, **{name: point[name] + h})
    nudged[name] = (L_of(**moved) - L_of(**point)) / h
    print(f"dL/d{name}: by hand {hand[name]:5.1f}   by nudging {nudged[name]:8.4f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert all(abs(nudged[k] - hand[k]) < 1e-4 for k in point), "the nudges agree with the hand values"

# %% [markdown]
# ## 3. `backward()` does exactly this
#
# `L.backward()` visits the nodes in reverse topological order and applies the same rule. First
# we reset the gradients we typed in (`L.zero_grad()` clears every node below `L`).

# %%
L.zero_grad()
L.backward()
for v in (a, b, c, d, e, f, L):
    print(f"{v.label}: backward {v.grad:5.1f}   by hand {hand[v.label]:5.1f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert {v.label: v.grad for v in (a, b, c, d, e, f, L)} == hand, "backward() = the hand values"

# %% [markdown]
# ### Stepping through the backward pass
#
# The player below replays `backward()` one node at a time: press ▶ or use the slider. At each
# step the highlighted node sends its gradient to its inputs, and you can see each input's
# gradient before and after. By keyboard: the arrow keys step, Home and End jump, space plays
# and pauses; Tab on into the diagram, move between nodes with the arrows and press Enter to
# jump to a node's step; −, + and Fit zoom. It is plain HTML and JavaScript: it works in
# JupyterLab once the cell has run, and in exported HTML pages; on GitHub it shows a picture of
# the finished pass.

# %%
mg.step(L, rankdir="TB", precision=2)

# %% [markdown]
# `mg.explain` writes the same steps as chain-rule lines, with the numbers filled in. Both
# kinds of derivative of section 1 appear in every line:
#
# - $dL/dx$ (a straight **d**) is the **total** derivative: how much the final output $L$ moves
#   when $x$ moves, through everything that comes after $x$. It is what `x.grad` holds.
# - $\partial e/\partial a$ (a curly **∂**) is a **local** derivative: how the output of *one*
#   operation ($e$) moves when one of its own inputs ($a$) moves. It is the `∂/∂a = …` on an edge.
#
# So a line $dL/da = dL/de \cdot \partial e/\partial a$ reads: "the gradient that arrived at $e$,
# times $e$'s own slope with respect to $a$". The first line after the start,
# $dL/df = dL/dL \cdot \partial L/\partial f$, is not circular: $dL/dL = 1$ is the seed, and
# $\partial L/\partial f$ is the local slope of the last operation $L = d \cdot f$ alone (it is $d$).

# %%
mg.explain(L)

# %% [markdown]
# ## 4. The neuron from lesson 01
#
# In lesson 01 we nudged $w_1$ to find $do/dw_1 \approx 1.0$. One `backward()` call
# gives the gradient of **every** input at once, for the cost of about one more forward pass.
# `mg.gradcheck` compares `backward()` with careful nudging (central differences) for each input.

# %%
x1, x2 = mg.Value(2.0, label="x1"), mg.Value(0.0, label="x2")
w1, w2 = mg.Value(-3.0, label="w1"), mg.Value(1.0, label="w2")
bias = mg.Value(6.8813735870195432, label="b")


def neuron(x1, x2, w1, w2, bias):
    n = x1 * w1 + x2 * w2 + bias
    n.label = "n"
    return n.tanh()


o = neuron(x1, x2, w1, w2, bias)
o.label = "o"
o.backward()
print({v.label: round(v.grad, 4) for v in (x1, x2, w1, w2, bias)})
check = mg.gradcheck(neuron, [x1, x2, w1, w2, bias])
print(check)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(w1.grad - 1.0) < 1e-6, "do/dw1 = 1.0, as the nudge of lesson 01 found"
assert check.ok, "backward() agrees with careful nudging"

# %%
mg.draw(o, rankdir="TB", precision=2)

# %% [markdown]
# Notice $do/dw_2 = 0$: $w_2$ is multiplied by $x_2 = 0$, so nudging it changes nothing. The
# gradient of a weight is proportional to the input it multiplies.
#
# Now drag it. In the live view (it shows the gradients, `show=["grad"]`, and no edge labels;
# the number boxes hold the inputs) every gradient is recomputed in the page as you move a
# slider: set $x_2$ away from 0 and watch $do/dw_2$ come alive; push $w_1$ far from $-3$, so
# that the sum going into tanh is large, and watch every gradient shrink as tanh flattens.
# Click a node to see its chain-rule line with the current numbers. Everything works from the
# keyboard too: type a number into a box; Tab into the diagram, move between nodes with the
# arrow keys and press Enter for a node's line; − , + and Fit (or the keys -, + and 0) zoom.

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert w2.grad == 0.0 and x2.data == 0.0, "do/dw2 = 0 because x2 = 0"

# %%
mg.live(o, show=["grad"], edge_labels=False, rankdir="TB", precision=2)

# %% [markdown]
# ## 5. A node used twice: gradients must add
#
# What is $dy/da$ for $y = a + a$? Obviously 2. But look at the graph: the `+`
# node has **two edges** coming from $a$, each with local derivative 1.

# %%
a = mg.Value(3.0, label="a")
y = a + a
y.label = "y"
y.backward()
print("dy/da =", a.grad)
mg.draw(y, edge_labels=True)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert a.grad == 2.0 and tuple(y.local_grads) == (1.0, 1.0), "two edges of 1, added: 2"

# %% [markdown]
# Each edge brings a *contribution* of $1 \times 1 = 1$, and the correct gradient is their sum.
# This is the **multivariable chain rule**: when $a$ influences the output along several paths,
# the effects of a nudge along each path add up.
#
# An early version of micrograd had a famous bug here: the backward pass *assigned*
# `input.grad = local * out.grad` instead of *adding* to it, so the second contribution overwrote
# the first. We can write both versions ourselves, using only what every Value exposes
# (`inputs`, `local_grads`, `grad`) and `mg.topological_order`:

# %%
def backward_overwriting(root):
    """The buggy version: each contribution REPLACES the gradient."""
    order = mg.topological_order(root)
    for v in order:
        v.grad = 0.0
    root.grad = 1.0
    for v in reversed(order):
        for u, local in zip(v.inputs, v.local_grads):
            u.grad = local * v.grad  # bug: should be +=


def backward_adding(root):
    """The correct version: contributions are ADDED."""
    order = mg.topological_order(root)
    for v in order:
        v.grad = 0.0
    root.grad = 1.0
    for v in reversed(order):
        for u, local in zip(v.inputs, v.local_grads):
            u.grad += local * v.grad


# A bigger example where one node feeds two different operations:
a = mg.Value(-2.0, label="a")
b = mg.Value(3.0, label="b")
d = a * b
d.label = "d"
e = a + b
e.label = "e"
out = d * e
out.label = "out"

backward_overwriting(out)
wrong = (a.grad, b.grad)
backward_adding(out)
right = (a.grad, b.grad)
out.zero_grad()
out.backward()
print("overwriting:", wrong)
print("adding:     ", right)
print("backward(): ", (a.grad, b.grad))
twice = mg.gradcheck(lambda a, b: (a * b) * (a + b), [a, b])
print(twice)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert right == (a.grad, b.grad) and twice.ok, "adding = backward() = finite differences"
assert wrong != right, "overwriting gets it wrong"

# %% [markdown]
# Here $a$ and $b$ each feed **two** nodes ($d$ and $e$). The adding version and `backward()`
# agree with the finite differences; the overwriting version keeps only the last contribution.
# In the diagram, look at the two edges that leave $a$: the gradient of $a$ is the sum of what
# comes back along them. (The edges cross here, so each edge's note says which local
# derivative it carries in full, such as $\partial d/\partial a = 3.00$, where `edge_labels=True`
# names only the input: `∂/∂a = 3.00`.)

# %%
graph = mg.Graph.of(out)
for edge in graph.edges:
    if edge.src == graph.id_of(a):
        dst = graph.node(edge.dst)
        print(f"a → {dst.op}: local {edge.local:+.1f} × grad of the {dst.op} node {dst.grad:+.1f}"
              f" = {edge.local * dst.grad:+.1f}")
print(f"sum = a.grad = {a.grad:+.1f}")
locals_named = {
    (edge.src, edge.dst, edge.position):
        f"∂{graph.node(edge.dst).label}/∂{graph.node(edge.src).label} = {edge.local:.2f}"
    for edge in graph.edges
}
mg.draw(out, edge_notes=locals_named, highlight=[a], rankdir="TB", precision=2)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
contributions = [edge.local * graph.node(edge.dst).grad for edge in graph.edges
                 if edge.src == graph.id_of(a)]
assert len(contributions) == 2 and abs(sum(contributions) - a.grad) < 1e-12
assert wrong[0] in contributions, "the overwriting version kept only one of the two contributions"

# %% [markdown]
# ### A second `backward()` also adds
#
# Because inputs *add* what they receive, calling `backward()` twice doubles the gradients of the
# inputs (as in PyTorch). That is useful (you can sum gradients over several examples) but it
# means you must reset them between training steps with `zero_grad`:

# %%
x = mg.Value(3.0, label="x")
y = x * x
y.backward()
once = x.grad
print("after one backward: ", once)
y.backward()
print("after two backwards:", x.grad)
twice_grad = x.grad
mg.zero_grad([x])
y.backward()
print("after zero_grad + backward:", x.grad)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert twice_grad == 2 * once and x.grad == once, "a second backward() doubles; zero_grad resets"

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — a worksheet
# The diagram below hides the gradients. For $L = (x \cdot y + z) \cdot (x + 1)$ with
# $x = 2$, $y = -1$, $z = 3$, fill in $dL/dv$ for every node with pencil and paper
# (careful: $x$ is used twice). Then check yourself with `backward()`.

# %%
x, y, z = mg.Value(2.0, label="x"), mg.Value(-1.0, label="y"), mg.Value(3.0, label="z")
p = x * y + z
p.label = "p"
q = x + mg.Value(1.0, label="1")  # the constant 1, labelled so that the diagram names it
q.label = "q"
L = p * q
L.label = "L"
mg.draw(L, worksheet=True, rankdir="TB", precision=2)

# %% [markdown]
# The same worksheet checks itself in `mg.quiz`. Its boxes come in the order the backward pass
# fills them: the first is next to the output, and each box needs only gradients you have
# already found (Tab moves to the next). Type a gradient and press Enter: under the box you read
# **✓ right**, or **✗ not yet** with a clue (*check the sign*, *add all 2 uses* for a node used
# twice, *try Hint*), and the line above the diagram says the same with your score, until it
# says that all 7 gradients are right. **Hint** shows the chain-rule product for the box you are
# in, with the numbers you already have right. (`reveal=False`: the quiz has no "Show answer"
# button and no answer key; printed, it is a blank paper worksheet.)

# %%
L.backward()
mg.quiz(L, precision=0, reveal=False)  # whole numbers here

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
# p = xy + z = 1, q = x + 1 = 3, L = pq = 3.
# dL/dp = q = 3, dL/dq = p = 1 (and dL/d1 = 1), dL/dz = 3, dL/dy = 3·x = 6,
# dL/dx = 3·y (through x·y) + 1·1 (through q) = -3 + 1 = -2.
L.zero_grad()  # in case you already called backward() yourself: gradients would add up
L.backward()
print({v.label: v.grad for v in (x, y, z, p, q, L)})
mg.draw(L, edge_labels=True, rankdir="TB", precision=2)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert {v.label: v.grad for v in (x, y, z, p, q, L)} == {
    "x": -2, "y": 6, "z": 3, "p": 3, "q": 1, "L": 1}, "the worked solution"
assert len(mg.Graph.of(L).nodes) - 1 == 7, "the quiz asks 7 gradients (every node but L)"

# %% [markdown]
# ### Exercise 2 — read the explanation
# Use `mg.explain` on the $L$ of exercise 1. Find the line where $x$ receives two contributions
# and check that they add up to your answer. (Unlabelled nodes are named by their expression,
# like `x·y`.)

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
mg.explain(L)
# The last line (dL/dx) has two terms: one through q (dL/dq · ∂q/∂x = 1 · 1 = 1) and one
# through the product x·y (dL/d(x·y) · ∂(x·y)/∂x = 3 · (-1) = -3); their sum is dL/dx = -2.

# %% [markdown]
# ### Exercise 3 — your own `backward`
# `backward_adding` above resets *every* gradient, then sweeps once. Use it on
# $r = \tanh(u \cdot v) + u^2$ with $u = 0.5$, $v = -1.5$ and check it against `r.backward()` and
# `mg.gradcheck`. Then try `backward_overwriting`: which gradient comes out wrong, and why?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
u, v = mg.Value(0.5, label="u"), mg.Value(-1.5, label="v")
r = (u * v).tanh() + u**2
backward_adding(r)
mine = (u.grad, v.grad)
backward_overwriting(r)
buggy = (u.grad, v.grad)
r.zero_grad()
r.backward()
print("mine:       ", [round(g, 6) for g in mine])
print("backward(): ", [round(g, 6) for g in (u.grad, v.grad)])
print("overwriting:", [round(g, 6) for g in buggy])
print(mg.gradcheck(lambda u, v: (u * v).tanh() + u**2, [u, v]).ok)
# u feeds two nodes (u·v and u²), so the overwriting version keeps only one contribution
# and u's gradient is wrong; v is used once, so its gradient is right in both versions.

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(mine[0] - u.grad) < 1e-12 and abs(mine[1] - v.grad) < 1e-12
assert abs(buggy[0] - u.grad) > 0.1 and abs(buggy[1] - v.grad) < 1e-12, "only u's is wrong"

# %% [markdown]
# ## Check yourself
#
# Three questions. Write your answer in place of the `...` and run the cell below it:
# `mg.check` says ✓ or ✗ (with a hint). Your teacher's copy of the lesson has the answers.
# This section runs on its own: it needs nothing from the cells above.

# %%
import microgrand as mg

# %% [markdown]
# **1. Predict, then run.** For $L = (a + b) \cdot c$ with $a = 1$, $b = 2$, $c = -4$, what is
# $dL/da$?

# %%
q1 = ...  # your prediction

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = -4

# %% tags=["check"] jupyter={"source_hidden": true}
a, b, c = mg.Value(1.0), mg.Value(2.0), mg.Value(-4.0)
L = (a + b) * c
L.backward()
mg.check(q1, a.grad, hint="dL/d(a+b) = c, and + passes the gradient on unchanged")

# %% [markdown]
# **2.** For $L = a \cdot a$ at $a = 4$, what is $dL/da$?

# %%
q2 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = 8

# %% tags=["check"] jupyter={"source_hidden": true}
a = mg.Value(4.0)
(a * a).backward()
mg.check(q2, a.grad, hint="a is used twice: two contributions of a, added")

# %% [markdown]
# **3.** $L = a \cdot b$ with $a = 2$, $b = 5$. You call `L.backward()` **twice** without
# `zero_grad`. What is `a.grad` now?

# %%
q3 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = 10

# %% tags=["check"] jupyter={"source_hidden": true}
a, b = mg.Value(2.0), mg.Value(5.0)
L = a * b
L.backward()
L.backward()
mg.check(q3, a.grad, hint="gradients accumulate: the second pass adds to the first")


# %% [markdown]
# ## Summary
#
# - The **chain rule** multiplies sensitivities along a path: gradient of an input = gradient of
#   the output × local derivative.
# - **Backpropagation** applies it to every node, from the output back to the inputs, in reverse
#   topological order; one sweep gives the gradient of *every* input.
# - When a node feeds several others, its gradient is the **sum** of the contributions along every
#   path. Overwriting instead of adding is a classic bug; `backward()` adds.
# - Gradients of inputs also add across repeated `backward()` calls: reset them with `zero_grad`.
# - The player (`mg.step`) and `mg.explain` show the backward pass one step at a time.
