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
# # 01 · Derivatives and the forward pass
#
# **Goal:** understand what a derivative *measures* by nudging an input and watching the output
# move, and see how microgrand records a calculation as a graph of small steps (the *forward
# pass*), each of which already knows its own local derivative.
#
# *Time: about 30 minutes. You need basic Python and the idea of a slope from school calculus.*
#
# In this lesson you will
# 1. estimate the derivative of a function of one number by nudging its input,
# 2. see why the nudge must be small, but not too small,
# 3. nudge each input of a function of several numbers (partial derivatives),
# 4. compute the same function with `mg.Value` and draw the graph of the forward pass.

# %%
import math

import matplotlib.pyplot as plt

import microgrand as mg

# %% [markdown]
# ## 1. A function of one number
#
# Take an ordinary Python function of one number, a parabola:
#
# $$f(x) = 3x^2 - 4x + 5$$

# %%
def f(x):
    return 3 * x**2 - 4 * x + 5


xs = [i / 10 for i in range(-30, 41)]
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(xs, [f(x) for x in xs], color="tab:blue", label="f(x)")
ax.set_xlabel("x")
ax.set_ylabel("f(x)")
ax.axhline(0, color="grey", lw=0.5)
ax.legend()
plt.show()

# %% [markdown]
# The **derivative** $f'(x)$ answers one question: *if I nudge $x$ up by a tiny amount $h$, how
# much does $f(x)$ move, per unit of nudge?*
#
# $$f'(x) \approx \frac{f(x + h) - f(x)}{h} \quad \text{for a small } h.$$
#
# Let us measure it at $x = 3$ with $h = 0.0001$, and compare with calculus: the rule
# $(x^n)' = n x^{n-1}$ gives $f'(x) = 6x - 4$, so $f'(3) = 14$.

# %%
x = 3.0
h = 0.0001
slope = (f(x + h) - f(x)) / h
print(f"f({x}) = {f(x)}")
print(f"f({x} + h) = {f(x + h):.8f}")
print(f"measured slope = {slope:.5f}   calculus says 6x - 4 = {6 * x - 4}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert 6 * x - 4 == 14, "f'(3) = 14"
assert abs(slope - 14) < 1e-3, "the nudge measures f'(3) = 14"

# %% [markdown]
# The slope is the steepness of the **tangent line**, the straight line that touches the curve at
# $x = 3$. Where the slope is negative ($x < 2/3$), nudging $x$ up makes $f$ go *down*; at the
# bottom of the parabola ($x = 2/3$) the slope is 0.

# %%
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(xs, [f(x) for x in xs], color="tab:blue", label="f(x)")
slopes = {}
for x0, colour in [(3.0, "tab:red"), (-1.0, "tab:green"), (2 / 3, "tab:purple")]:
    s = slopes[x0] = (f(x0 + h) - f(x0)) / h
    line = [x0 - 1.2, x0 + 1.2]
    ax.plot(line, [f(x0) + s * (t - x0) for t in line], color=colour, lw=2,
            label=f"slope at x = {x0:.2f} is {s:.2f}")
    ax.plot([x0], [f(x0)], "o", color=colour)
ax.set_xlabel("x")
ax.set_ylabel("f(x)")
ax.legend(fontsize=8)
plt.show()

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert slopes[-1.0] < 0 < slopes[3.0], "negative left of the bottom, positive right of it"
assert abs(slopes[2 / 3]) < 1e-3, "the slope is 0 at the bottom, x = 2/3"
assert min(xs, key=f) == 0.7, "the bottom of the plotted curve is next to x = 2/3"

# %% [markdown]
# ## 2. How small should the nudge be?
#
# Mathematically, the smaller $h$ the better. On a computer, numbers have about 16 significant
# digits; when $h$ is tiny, $f(x+h)$ and $f(x)$ agree in almost all of their digits and the
# subtraction loses them (*round-off error*). So there are two sources of error:
#
# - $h$ **too big**: the curve bends between $x$ and $x + h$, so the secant is not the tangent;
# - $h$ **too small**: round-off.
#
# The **central difference** $\frac{f(x+h) - f(x-h)}{2h}$ nudges both ways. Its bending error
# is much smaller (it shrinks like $h^2$ instead of like $h$), which is why gradient checkers
# use it.
#
# To see both errors we need a curve whose bend changes from point to point (for our parabola
# the central difference happens to be exact, see below), so take $\sin x$ at $x = 1$, whose
# true slope is $\cos 1 \approx 0.5403$. The plot shows the error of each estimate for nudges
# from $10^{-1}$ down to $10^{-15}$.

# %%
hs = [10.0**-k for k in range(1, 16)]
true_slope = math.cos(1.0)
forward_err = [abs((math.sin(1 + h) - math.sin(1)) / h - true_slope) for h in hs]
central_err = [abs((math.sin(1 + h) - math.sin(1 - h)) / (2 * h) - true_slope) for h in hs]

fig, ax = plt.subplots(figsize=(6, 3.5))
ax.loglog(hs, forward_err, "o-", label="forward: (f(x+h) − f(x)) / h")
ax.loglog(hs, central_err, "s-", label="central: (f(x+h) − f(x−h)) / 2h")
ax.set_xlabel("nudge h  (smaller to the right)")
ax.set_ylabel("error of the slope")
ax.invert_xaxis()
ax.legend(fontsize=8)
ax.set_title("slope of sin x at x = 1: too big, the curve bends; too small, round-off",
             fontsize=10)
plt.show()
best = min(range(len(hs)), key=lambda i: forward_err[i])
best_c = min(range(len(hs)), key=lambda i: central_err[i])
print(f"forward: best h = {hs[best]:.0e}, error {forward_err[best]:.1e}")
print(f"central: best h = {hs[best_c]:.0e}, error {central_err[best_c]:.1e}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
for err, i in ((forward_err, best), (central_err, best_c)):
    assert err[0] > 100 * err[i] and err[-1] > 100 * err[i], "both errors fall, then rise again"
assert all(c < f / 10 for c, f in zip(central_err[:4], forward_err[:4])), "central falls faster"
assert 1e-9 <= hs[best] <= 1e-7 and 1e-10 < forward_err[best] < 1e-7, "forward: about 8 digits"
assert 1e-6 <= hs[best_c] <= 1e-4 and central_err[best_c] < 1e-9, "central: about 11 digits"
assert abs((f(3 + 0.1) - f(3 - 0.1)) / 0.2 - 14) < 1e-9, "no bending error for the parabola"
import sys  # noqa: E402

assert abs(sys.float_info.mant_dig * math.log10(2) - 16) < 0.1, "about 16 significant digits"
assert (1.0 + 1e-16) - 1.0 == 0.0, "a nudge below the 16th digit is lost"

# %% [markdown]
# Read the plot from left to right: both errors first fall as $h$ shrinks (less bending), the
# central one much faster; then round-off takes over and both rise again. The best forward
# difference (printed above: around $h = 10^{-8}$) is only good to about 8 digits; the best
# central difference (around $h = 10^{-5}$) to about 11.
#
# (For the parabola $f$ of section 1 the central difference has no bending error at all,
# because the $h^2$ terms of $f(x+h)$ and $f(x-h)$ cancel: only round-off remains.)
#
# ## 3. A function of several numbers
#
# Neural networks are functions of *many* numbers. Take three inputs:
#
# $$d = a \cdot b + c$$
#
# Each input has its own derivative, a **partial derivative** $\partial d / \partial a$: nudge
# that input alone, keep the others fixed.

# %%
def g(a, b, c):
    return a * b + c


a, b, c = 2.0, -3.0, 10.0
h = 1e-6
d = g(a, b, c)
print(f"d = {d}")
print(f"∂d/∂a ≈ {(g(a + h, b, c) - d) / h:.4f}   (calculus: b = {b})")
print(f"∂d/∂b ≈ {(g(a, b + h, c) - d) / h:.4f}   (calculus: a = {a})")
print(f"∂d/∂c ≈ {(g(a, b, c + h) - d) / h:.4f}   (calculus: 1)")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs((g(a + 0.01, b, c) - d) - (-0.03)) < 1e-9, "a up by 0.01: d moves by -0.03"
assert abs((g(a, b, c + 0.01) - d) - 0.01) < 1e-12, "c up by 0.01: d moves by 0.01"

# %% [markdown]
# Read these numbers as *sensitivities*: nudging $a$ up by 0.01 moves $d$ by about
# $-3 \times 0.01 = -0.03$; nudging $c$ up by 0.01 moves $d$ by exactly 0.01.
#
# Nudging works for any function, but it needs **one extra evaluation per input**. A network with
# a million weights would need a million forward passes to get all its derivatives. The rest of
# this course is about **backpropagation**, which gets *all* of them in one backward sweep.
# The first step is to record *how* the output was computed.
#
# ## 4. The forward pass with `mg.Value`
#
# A `Value` wraps one number. Arithmetic on Values gives new Values that remember their inputs
# and the operation that made them: the calculation becomes a **graph**.

# %%
a = mg.Value(2.0, label="a")
b = mg.Value(-3.0, label="b")
c = mg.Value(10.0, label="c")
e = a * b
e.label = "e"
d = e + c
d.label = "d"
print(d)
print("d was made by", repr(d.op), "from", [v.label for v in d.inputs])
print("e was made by", repr(e.op), "from", [v.label for v in e.inputs])

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert d.data == 4.0 and [v.label for v in d.inputs] == ["e", "c"]

# %% [markdown]
# `mg.draw` shows the graph. Inputs are on the left, each operation is a small round node, and
# each box shows a Value's label and its `data` (the number computed in the forward pass).
# Boxes can also show gradients, but we have none yet (that is lesson 02), so we ask for the
# data only with `show=["data"]`.

# %%
mg.draw(d, show=["data"])

# %% [markdown]
# Each operation also computed its **local derivative**: how its output moves when one of its
# own inputs moves, ignoring the rest of the graph. For $e = a \cdot b$ that is
# $\partial e/\partial a = b$ and $\partial e/\partial b = a$; for $d = e + c$ both are 1.
# microgrand stores them during the forward pass, and can write them on the edges (`∂/∂a = …`, naming the input):

# %%
print("local derivatives of e with respect to (a, b):", e.local_grads)
print("local derivatives of d with respect to (e, c):", d.local_grads)
mg.draw(d, show=["data"], edge_labels=True)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert tuple(e.local_grads) == (b.data, a.data), "∂e/∂a = b, ∂e/∂b = a"
assert tuple(d.local_grads) == (1.0, 1.0), "both local derivatives of + are 1"

# %% [markdown]
# The whole graph is also available as data: `mg.Graph.of(root)` lists the nodes in
# *topological order* (every node after its inputs) with stable ids `n0, n1, …`.

# %%
graph = mg.Graph.of(d)
for node in graph.nodes:
    made_by = f"{node.op}({', '.join(node.inputs)})" if node.inputs else "input"
    print(f"{node.id}: {node.label or '·':2} data = {node.data:6.1f}   {made_by}")
print(graph.stats())

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
seen = set()
for node in graph.nodes:
    assert set(node.inputs) <= seen, "topological order: every node after its inputs"
    seen.add(node.id)

# %% [markdown]
# ## 5. A bigger forward pass: a tiny neuron
#
# Here is the calculation that a single artificial neuron performs (lesson 4 is all about it):
# weigh two inputs, add a bias, squash the result with $\tanh$.
#
# $$o = \tanh(x_1 w_1 + x_2 w_2 + b)$$
#
# This graph is bigger, so we give every step a name, draw it from top to bottom
# (`rankdir="TB"`) with two decimals, and write on each edge **which input** its local
# derivative is for. `graph.edges` lists every edge with its source, its destination and its
# local derivative (`local`); we turn each into a note such as `∂/∂x1 = -3.00` on its edge
# (`edge_labels=True` writes the same notes; here we build them from the data ourselves).
# That note on the arrow from $x_1$ into the first $\times$ is $\partial(x_1 w_1)/\partial x_1$:
# the product moves by $-3$ (that is $w_1$) per unit of $x_1$; the $\partial/\partial w_1 = 2.00$
# beside it says it moves by $2$ (that is $x_1$) per unit of $w_1$.

# %%
x1, x2 = mg.Value(2.0, label="x1"), mg.Value(0.0, label="x2")
w1, w2 = mg.Value(-3.0, label="w1"), mg.Value(1.0, label="w2")
bias = mg.Value(6.8813735870195432, label="b")
x1w1 = x1 * w1
x1w1.label = "x1·w1"
x2w2 = x2 * w2
x2w2.label = "x2·w2"
s = x1w1 + x2w2
s.label = "s"
n = s + bias
n.label = "n"
o = n.tanh()
o.label = "o"

graph = mg.Graph.of(o)
named = {}
for edge in graph.edges:
    name = graph.node(edge.src).label
    name = f"({name})" if "·" in name else name  # ∂/∂(x1·w1)
    named[(edge.src, edge.dst, edge.position)] = f"∂/∂{name} = {edge.local:.2f}"
mg.draw(o, show=["data"], edge_notes=named, rankdir="TB", precision=2)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert tuple(x1w1.local_grads) == (w1.data, x1.data) == (-3.0, 2.0), "∂/∂x1 = w1, ∂/∂w1 = x1"
assert all(graph.node(edge.src).label for edge in graph.edges), "every edge names its input"

# %% [markdown]
# How sensitive is the output $o$ to the weight $w_1$, through the whole graph? From now on we
# write that with a straight **d**, $do/dw_1$, and keep the curly **∂** for the local
# derivative of one operation (lesson 02 explains why both are needed). Nudging still works on
# Values: build the neuron again with $w_1$ moved by $h$. Keep this number: in lesson 2,
# `backward()` will give the same answer for every input at once. (`mg.no_grad()` computes
# values without recording a graph, which is all we need here.)

# %%
def neuron_output(w1_value):
    """The same neuron, computed with Values; only w1 changes."""
    with mg.no_grad():  # we only want the number, not a graph
        n = x1 * mg.Value(w1_value) + x2 * w2 + bias
        return n.tanh().data


h = 1e-6
do_dw1 = (neuron_output(-3.0 + h) - neuron_output(-3.0)) / h
print(f"o = {o.data:.4f}")
print(f"d(o)/dw1 ≈ {do_dw1:.4f}")

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(o.data - 0.5**0.5) < 1e-6, "o = tanh(0.8814) = 0.7071"
assert abs(do_dw1 - 1.0) < 1e-4, "do/dw1 ≈ 1.0 (lesson 02 quotes it)"

# %% [markdown]
# Now touch it. `mg.live` draws the same neuron with a slider and a number box for every input:
# drag $w_1$ and every value in the diagram is recomputed in the page (we show the values only,
# `show=["data"]`, with no colours and bare edges). The **nudge** panel does what the cell above did:
# pick $w_1$ and a step $h$, and it shows how much $o$ moved next to gradient × $h$, the
# straight-line prediction (the gradient comes in lesson 2). Try a large $h$, or move $n$ far
# from 0 where tanh flattens, and watch the prediction fail.

# %%
mg.live(o, show=["data"], color=None, edge_labels=False, rankdir="TB", precision=2)

# %% [markdown]
# ## Exercises
#
# ### Exercise 1 — a cubic
# Let $p(x) = x^3 - 2x$. Estimate $p'(2)$ with a forward difference and with a central
# difference ($h = 10^{-4}$), and compare both with the calculus answer $3x^2 - 2$.

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def p(x):
    return x**3 - 2 * x


h = 1e-4
forward = (p(2 + h) - p(2)) / h
central = (p(2 + h) - p(2 - h)) / (2 * h)
print(f"forward {forward:.6f}, central {central:.6f}, calculus {3 * 2**2 - 2}")
# The central difference is closer: its error is about h², the forward one's about h.

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert abs(central - 10) < abs(forward - 10) / 100, "the central difference is much closer"

# %% [markdown]
# ### Exercise 2 — which input matters most?
# For $q(a, b, c) = a^2 b + \sin(c)$ at $a = 1.5$, $b = -2$, $c = 0.5$, estimate the three
# partial derivatives by nudging. Which input should you change to increase $q$ fastest, and in
# which direction?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
def q(a, b, c):
    return a**2 * b + math.sin(c)


point = {"a": 1.5, "b": -2.0, "c": 0.5}
h = 1e-6
for name in point:
    moved = dict(point, **{name: point[name] + h})
    print(f"∂q/∂{name} ≈ {(q(**moved) - q(**point)) / h:.4f}")
# ∂q/∂a = 2ab = -6 is the largest in size: decrease a to increase q fastest.
# (∂q/∂b = a² = 2.25, ∂q/∂c = cos(c) ≈ 0.8776.)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
slopes_q = {name: (q(**dict(point, **{name: point[name] + h})) - q(**point)) / h for name in point}
assert abs(slopes_q["a"] + 6) < 1e-4 and abs(slopes_q["b"] - 2.25) < 1e-4
assert abs(slopes_q["c"] - math.cos(0.5)) < 1e-4
assert max(slopes_q, key=lambda k: abs(slopes_q[k])) == "a", "a matters most"

# %% [markdown]
# ### Exercise 3 — draw your own forward pass
# Build $L = (x + y) \cdot z$ with `mg.Value`s $x = 1$, $y = 2$, $z = -4$ (give each a label),
# draw it with the local derivatives on the edges, and check with `mg.Graph.of(L).stats()` that it
# has 5 nodes. Which local derivative does the edge from the `+` node to the `×` node carry?

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
x, y, z = mg.Value(1.0, label="x"), mg.Value(2.0, label="y"), mg.Value(-4.0, label="z")
s = x + y
s.label = "s"
L = s * z
L.label = "L"
print(mg.Graph.of(L).stats())
print("∂L/∂s =", L.local_grads[0], "(the value of z)")
mg.draw(L, show=["data"], edge_labels=True)

# %% tags=["claim"] jupyter={"source_hidden": true, "outputs_hidden": true}
assert mg.Graph.of(L).stats()["nodes"] == 5, "the exercise says 5 nodes"
assert L.local_grads[0] == z.data == -4.0

# %% [markdown]
# ## Check yourself
#
# Three questions. Write your answer in place of the `...` and run the cell below it:
# `mg.check` says ✓ or ✗ (with a hint). Your teacher's copy of the lesson has the answers.
# This section runs on its own: it needs nothing from the cells above.

# %%
import microgrand as mg


def f(x):
    return x**2

# %% [markdown]
# **1. Predict, then run.** For $f(x) = x^2$ at $x = 3$, what does the *forward* difference
# with $h = 0.1$ give, $(f(3.1) - f(3))/0.1$? (Not 6!)

# %%
q1 = ...  # your prediction

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q1 = 6.1

# %% tags=["check"] jupyter={"source_hidden": true}
truth = (f(3 + 0.1) - f(3)) / 0.1
mg.check(q1, truth, note=f"the forward difference is {truth:.6f}",
         hint="(3.1² − 9) / 0.1 = (9.61 − 9) / 0.1; the forward difference is off by about h")

# %% [markdown]
# **2.** For $e = a \cdot b$ with $a = 4$ and $b = -7$, what is the local derivative
# $\partial e/\partial a$?

# %%
q2 = ...  # a number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q2 = -7

# %% tags=["check"] jupyter={"source_hidden": true}
e = mg.Value(4.0) * mg.Value(-7.0)
mg.check(q2, e.local_grads[0], hint="for a product, the slope with respect to one input is the other input")

# %% [markdown]
# **3.** How many nodes (boxes and operations counted as one node each) does the graph of
# $L = (a \cdot b + c) \cdot a$ have, with $a$, $b$, $c$ three Values? ($a$ is used twice;
# `mg.Graph.of(L).stats()` counts them.)

# %%
q3 = ...  # a whole number

# %% tags=["solution"] jupyter={"source_hidden": true, "outputs_hidden": true}
q3 = 6

# %% tags=["check"] jupyter={"source_hidden": true}
a, b, c = mg.Value(2.0), mg.Value(-3.0), mg.Value(10.0)
mg.check(q3, mg.Graph.of((a * b + c) * a).stats()["nodes"],
         hint="each input is one node, however often it is used, plus one node per operation")


# %% [markdown]
# ## Summary
#
# - The derivative measures **sensitivity**: how much the output moves per unit nudge of an input.
#   A partial derivative nudges one input and keeps the others fixed.
# - Nudging (finite differences) works for any function but costs one extra evaluation per
#   input, and the nudge must be small but not so small that round-off wins. The central
#   difference is much more accurate than the forward one.
# - `mg.Value` records the **forward pass** as a graph: each node knows its inputs, its operation,
#   its `data` and its **local derivatives**. `mg.draw` shows it, `mg.Graph.of` lists it.
# - Next lesson: the **chain rule** combines the local derivatives along the graph, from the
#   output back to the inputs: the backward pass.
