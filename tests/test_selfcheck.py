"""mg.check: the self-checking questions of the lessons."""

from __future__ import annotations

import itertools

import microgrand as mg


def test_numbers_within_tolerance_are_right() -> None:
    assert mg.check(0.25, 0.25)
    assert mg.check(0.2501, 0.25)  # rounded answers count
    assert mg.check(1, 1.0)
    assert not mg.check(0.3, 0.25)
    assert not mg.check(-0.25, 0.25)
    assert mg.check(0.3, 0.25, rel_tol=0.5)


def test_text_letters_lists_and_booleans() -> None:
    assert mg.check(" b ", "B")
    assert not mg.check("c", "B")
    assert mg.check([1, 2.0004], [1.0, 2.0])
    assert not mg.check([1, 2], [1, 2, 3])
    assert not mg.check("12", [1, 2])
    assert mg.check(True, True)
    assert not mg.check(1, True)  # True is an answer of its own, not the number 1
    assert not mg.check("0.25", 0.25)


def test_messages() -> None:
    right = mg.check(2, 2)
    assert right.ok and repr(right) == "✓ right"
    wrong = mg.check(3, 2, hint="count the paths")
    assert not wrong.ok and isinstance(wrong, mg.Verdict)
    assert repr(wrong) == "✗ not yet: you answered 3. Hint: count the paths"
    assert repr(mg.check(3, 2)) == "✗ not yet: you answered 3."
    for blank in (..., None):
        v = mg.check(blank, 2)
        assert not v and repr(v).startswith("… not answered yet")


def test_blank_answers_show_nothing_of_the_answer() -> None:
    v = mg.check(..., 6.1, note="the forward difference is 6.100000")
    assert not v and "6.1" not in repr(v)


def test_note_only_after_a_right_answer() -> None:
    assert repr(mg.check(6.1, 6.1, note="exactly 6.1")) == "✓ right: exactly 6.1"
    assert "exactly" not in repr(mg.check(6.0, 6.1, note="exactly 6.1"))


def test_hashed_text_answers() -> None:
    from microgrand.selfcheck import answer_hash

    digest = answer_hash("B")
    assert digest.startswith("sha256:") and len(digest) == len("sha256:") + 64
    assert mg.check(" b ", hashed=digest)
    assert not mg.check("c", hashed=digest)
    assert not mg.check(2, hashed=digest)  # a number is simply wrong, not an error
    assert mg.check(["x", "Y"], hashed=answer_hash(["X", "y"]))
    assert answer_hash("line") != answer_hash("lines")
    assert not mg.check(..., hashed=digest)


def test_check_refuses_unclear_calls() -> None:
    import pytest

    from microgrand.selfcheck import answer_hash

    with pytest.raises(TypeError, match="not both"):
        mg.check(1, 1, hashed=answer_hash("a"))
    with pytest.raises(TypeError, match="not both"):
        mg.check(1)
    with pytest.raises(ValueError, match="answer_hash"):
        mg.check("a", hashed="a")
    with pytest.raises(TypeError, match="compute the expected value"):
        answer_hash(3.5)


def test_check_log(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import json

    log = tmp_path / "checks.jsonl"
    monkeypatch.setenv("MICROGRAND_CHECK_LOG", str(log))
    mg.check(2, 2)
    mg.check(3, 2)
    mg.check(..., 2)  # blank answers are not logged: nothing was compared
    lines = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(d["answer"], d["expected"], d["ok"]) for d in lines] == [
        ("2", "2", True),
        ("3", "2", False),
    ]


def _rises(xs: list[float]) -> int:
    return sum(b > a for a, b in itertools.pairwise(xs))


def test_training_runs_have_the_marks_of_their_kind() -> None:
    from microgrand.selfcheck import KINDS, training_runs

    runs = training_runs(list(KINDS), seed=0)
    assert sorted(runs) == [chr(ord("A") + i) for i in range(len(KINDS))]
    run = {kind: runs[runs.which(kind)] for kind in KINDS}
    healthy = run["healthy"].losses
    assert healthy[-1] < 0.75 * healthy[0] and _rises(healthy) == 0
    small = run["lr_too_small"].losses
    assert _rises(small) == 0 and small[-1] > healthy[-1] + 0.05
    assert run["lr_too_large"].losses[-1] > 1e6 * run["lr_too_large"].losses[0]
    assert run["lr_too_large"].diverged_at is None
    assert run["diverged"].diverged_at is not None
    assert len(run["diverged"].losses) == run["diverged"].diverged_at - 1
    assert run["sign_error"].losses[-1] > 10 * run["sign_error"].losses[0]
    assert _rises(run["forgot_zero_grad"].losses) >= 10
    plateau = run["init_plateau"].losses
    assert min(plateau[:6]) > 0.98 * plateau[0] and plateau[-1] < 0.6 * plateau[0]
    noisy = run["minibatch_noise"].losses
    assert _rises(noisy) >= len(noisy) // 4
    over = run["overfitting"]
    assert over.losses[-1] < 0.5 * over.losses[0]
    best = min(range(len(over.val_losses)), key=over.val_losses.__getitem__)
    assert over.val_losses[-1] > 1.05 * over.val_losses[best] and best < len(over.val_losses) - 20
    for kind in KINDS:
        assert all(r.val_losses == [] for r in [run[kind]] if kind != "overfitting")


def test_training_runs_order_depends_on_the_seed_only() -> None:
    from microgrand.selfcheck import training_runs

    kinds = ["healthy", "sign_error", "lr_too_small"]
    orders = {tuple(training_runs(kinds, seed=s).which(k) for k in kinds) for s in range(6)}
    assert len(orders) > 1
    a, b = training_runs(kinds, seed=4), training_runs(kinds, seed=4)
    assert [a[k].losses for k in a] == [b[k].losses for k in b]


def test_training_runs_refuse_bad_kinds() -> None:
    import pytest

    from microgrand.selfcheck import training_runs

    with pytest.raises(ValueError, match="unknown kind"):
        training_runs(["healthy", "typo"])
    with pytest.raises(ValueError, match="each kind once"):
        training_runs(["healthy", "healthy"])
    with pytest.raises(ValueError, match="non-empty list"):
        training_runs("healthy")
    with pytest.raises(KeyError, match="no run of kind"):
        training_runs(["healthy"]).which("sign_error")
