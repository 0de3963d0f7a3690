"""Optimizers and schedules: several steps against values computed by hand from PyTorch's formulas."""

from __future__ import annotations

import math

import pytest

from microgrand import Value, optim


def _run(opt_factory: object, w0: float, steps: int, grad: object = lambda w: 2 * w) -> list[float]:
    """Minimise with gradient grad(w) (default: of w²); returns w after each step."""
    w = Value(w0)
    opt = opt_factory([w])  # type: ignore[operator]
    out = []
    for _ in range(steps):
        opt.zero_grad()
        w.grad = grad(w.data)  # type: ignore[operator]
        opt.step()
        out.append(w.data)
    return out


def test_sgd_plain_steps_by_hand() -> None:
    # w ← w − 0.1·2w = 0.8w
    assert _run(lambda p: optim.SGD(p, lr=0.1), 1.0, 3) == pytest.approx([0.8, 0.64, 0.512])


def test_sgd_momentum_steps_by_hand() -> None:
    # b1 = g1 = 2;          w1 = 1 − 0.1·2 = 0.8
    # b2 = 0.9·2 + 1.6 = 3.4;  w2 = 0.8 − 0.34 = 0.46
    # b3 = 0.9·3.4 + 0.92 = 3.98; w3 = 0.46 − 0.398 = 0.062
    got = _run(lambda p: optim.SGD(p, lr=0.1, momentum=0.9), 1.0, 3)
    assert got == pytest.approx([0.8, 0.46, 0.062])


def test_sgd_nesterov_steps_by_hand() -> None:
    # g1 = 2, b1 = 2, step g + μb = 2 + 1.8 = 3.8: w1 = 1 − 0.38 = 0.62
    # g2 = 1.24, b2 = 1.8 + 1.24 = 3.04, step 1.24 + 2.736 = 3.976: w2 = 0.62 − 0.3976 = 0.2224
    got = _run(lambda p: optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True), 1.0, 2)
    assert got == pytest.approx([0.62, 0.2224])


def test_sgd_weight_decay_by_hand() -> None:
    # g = 2w + 0.5w = 2.5w: w ← w − 0.1·2.5w = 0.75w
    assert _run(lambda p: optim.SGD(p, lr=0.1, weight_decay=0.5), 2.0, 2) == pytest.approx(
        [1.5, 1.125]
    )


def test_adam_steps_by_hand() -> None:
    # w = 1, g = 2: m = 0.2, v = 0.004, m̂ = 2, v̂ = 4, w = 1 − 0.1·2/(2 + 1e-8)
    w1 = 1 - 0.1 * 2 / (2 + 1e-8)
    # g = 2·w1: m = 0.9·0.2 + 0.1·g, v = 0.999·0.004 + 0.001·g²
    g = 2 * w1
    m = 0.9 * 0.2 + 0.1 * g
    v = 0.999 * 0.004 + 0.001 * g * g
    w2 = w1 - 0.1 * (m / (1 - 0.9**2)) / (math.sqrt(v / (1 - 0.999**2)) + 1e-8)
    got = _run(lambda p: optim.Adam(p, lr=0.1), 1.0, 2)
    assert got == pytest.approx([w1, w2], rel=1e-12)
    assert got[0] == pytest.approx(0.9, abs=1e-8)  # the first Adam step moves by ≈ lr
    assert w2 == pytest.approx(0.800412, abs=1e-6)


def test_adam_is_invariant_to_gradient_scale() -> None:
    a = _run(lambda p: optim.Adam(p, lr=0.01), 1.0, 5, grad=lambda w: 2 * w)
    b = _run(lambda p: optim.Adam(p, lr=0.01), 1.0, 5, grad=lambda w: 2000 * w)
    assert a == pytest.approx(b, rel=1e-6)


def test_adam_weight_decay_adds_to_gradient() -> None:
    # wd = 1 on w² → g = 2w + w = 3w; first step still ≈ lr because Adam normalises.
    got = _run(lambda p: optim.Adam(p, lr=0.1, weight_decay=1.0), 1.0, 1)
    assert got[0] == pytest.approx(1 - 0.1 * 3 / (3 + 1e-8))


def test_adamw_decouples_weight_decay() -> None:
    # p ← p·(1 − lr·wd) then the Adam step on g = 2·(original w)
    got = _run(lambda p: optim.AdamW(p, lr=0.1, weight_decay=0.5), 1.0, 1)
    assert got[0] == pytest.approx(0.95 - 0.1 * 2 / (2 + 1e-8))


def test_rmsprop_steps_by_hand() -> None:
    # v = 0.01·4 = 0.04; w1 = 1 − 0.01·2/(0.2 + 1e-8)
    w1 = 1 - 0.01 * 2 / (math.sqrt(0.04) + 1e-8)
    g = 2 * w1
    v = 0.99 * 0.04 + 0.01 * g * g
    w2 = w1 - 0.01 * g / (math.sqrt(v) + 1e-8)
    assert _run(lambda p: optim.RMSProp(p, lr=0.01), 1.0, 2) == pytest.approx([w1, w2], rel=1e-12)


def test_rmsprop_momentum_by_hand() -> None:
    d1 = 2 / (math.sqrt(0.04) + 1e-8)
    w1 = 1 - 0.01 * d1
    g = 2 * w1
    v = 0.99 * 0.04 + 0.01 * g * g
    b2 = 0.5 * d1 + g / (math.sqrt(v) + 1e-8)
    got = _run(lambda p: optim.RMSProp(p, lr=0.01, momentum=0.5), 1.0, 2)
    assert got == pytest.approx([w1, w1 - 0.01 * b2], rel=1e-12)


def test_step_updates_data_in_place_without_graph() -> None:
    w = Value(1.0)
    opt = optim.Adam([w], lr=0.1)
    w.grad = 1.0
    opt.step()
    assert w.inputs == () and type(w.data) is float and opt.steps == 1


def test_zero_grad_resets() -> None:
    ps = [Value(1.0), Value(2.0)]
    for p in ps:
        p.grad = 3.0
    optim.SGD(ps, lr=0.1).zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


def test_optimizers_minimise_a_quadratic() -> None:
    for make in (
        lambda p: optim.SGD(p, lr=0.1, momentum=0.5),
        lambda p: optim.Adam(p, lr=0.1),
        lambda p: optim.RMSProp(p, lr=0.01),
    ):
        assert abs(_run(make, 3.0, 600)[-1]) < 0.05


def test_non_finite_gradient_stops_the_update() -> None:
    w = Value(1.0)
    opt = optim.SGD([w], lr=0.1)
    w.grad = math.inf
    with pytest.raises(FloatingPointError, match="gradient inf"):
        opt.step()
    assert w.data == 1.0


@pytest.mark.parametrize(
    ("make", "err", "match"),
    [
        (lambda: optim.SGD([Value(1.0)], lr=0), ValueError, "lr must be a finite number > 0"),
        (lambda: optim.SGD([Value(1.0)], lr=-1), ValueError, "lr must be"),
        (lambda: optim.SGD([Value(1.0)], lr=math.nan), ValueError, "lr must be"),
        (lambda: optim.SGD([Value(1.0)], lr=0.1, momentum=-0.1), ValueError, "momentum"),
        (lambda: optim.SGD([Value(1.0)], lr=0.1, momentum=1.0), ValueError, "momentum"),
        (lambda: optim.SGD([Value(1.0)], lr=0.1, nesterov=True), ValueError, "nesterov"),
        (lambda: optim.SGD([Value(1.0)], lr=0.1, weight_decay=-1), ValueError, "weight_decay"),
        (lambda: optim.Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, r"betas\[1\]"),
        (lambda: optim.Adam([Value(1.0)], betas=(0.9,)), ValueError, "pair"),  # type: ignore[arg-type]
        (lambda: optim.Adam([Value(1.0)], eps=0), ValueError, "eps"),
        (lambda: optim.RMSProp([Value(1.0)], alpha=1.5), ValueError, "alpha"),
        (lambda: optim.SGD([], lr=0.1), ValueError, "empty parameter list"),
        (lambda: optim.SGD([1.0], lr=0.1), TypeError, "takes Values"),  # type: ignore[list-item]
        (lambda: optim.SGD(Value(1.0), lr=0.1), TypeError, "list of parameters"),  # type: ignore[arg-type]
        (lambda: optim.SGD(3, lr=0.1), TypeError, "list of parameters"),  # type: ignore[arg-type]
    ],
)
def test_bad_hyper_parameters(make: object, err: type[Exception], match: str) -> None:
    with pytest.raises(err, match=match):
        make()  # type: ignore[operator]


def test_duplicate_parameters_are_refused() -> None:
    w = Value(1.0)
    with pytest.raises(ValueError, match="same parameter twice"):
        optim.SGD([w, w], lr=0.1)


# --- schedules ------------------------------------------------------------------------------


def _lrs(sched: optim.LRScheduler, n: int) -> list[float]:
    out = []
    for _ in range(n):
        out.append(sched.optimizer.lr)
        sched.step()
    return out


def test_step_lr() -> None:
    opt = optim.SGD([Value(0.0)], lr=1.0)
    assert _lrs(optim.StepLR(opt, step_size=3, gamma=0.1), 7) == pytest.approx(
        [1, 1, 1, 0.1, 0.1, 0.1, 0.01]
    )


def test_linear_lr_is_micrograds_schedule() -> None:
    opt = optim.SGD([Value(0.0)], lr=1.0)
    got = _lrs(optim.LinearLR(opt, start_factor=1.0, end_factor=0.1, total_iters=100), 120)
    expected = [1.0 - 0.9 * k / 100 for k in range(100)] + [0.1] * 20
    assert got == pytest.approx(expected, rel=1e-12)


def test_lambda_lr_and_get_last_lr() -> None:
    opt = optim.Adam([Value(0.0)], lr=0.5)
    sched = optim.LambdaLR(opt, lambda t: 1 / (t + 1))
    assert opt.lr == 0.5
    sched.step()
    sched.step()
    assert sched.get_last_lr() == pytest.approx(0.5 / 3)


def test_schedule_errors() -> None:
    opt = optim.SGD([Value(0.0)], lr=1.0)
    with pytest.raises(ValueError, match="step_size"):
        optim.StepLR(opt, step_size=0)
    with pytest.raises(ValueError, match="total_iters"):
        optim.LinearLR(opt, total_iters=0)
    with pytest.raises(TypeError, match="needs an optimizer"):
        optim.StepLR("opt", 1)  # type: ignore[arg-type]
    sched = optim.LambdaLR(opt, lambda t: 1.0 - t)
    with pytest.raises(ValueError, match=r"lr factor at step 1 is 0\.0"):
        sched.step()
