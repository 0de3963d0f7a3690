"""The expression from micrograd's README, with the values micrograd's README states."""

from graphs import micrograd_readme


def test_micrograd_readme_expression() -> None:
    g, a, b = micrograd_readme(backward=True)
    assert round(g.data, 4) == 24.7041
    assert round(a.grad, 4) == 138.8338
    assert round(b.grad, 4) == 645.5773
