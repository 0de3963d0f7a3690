"""Datasets: geometry, labels, determinism, scikit-learn as an oracle, splitting, errors."""

from __future__ import annotations

import builtins
import math
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgrand import csvfile, data


def _key(points: list[list[float]]) -> list[tuple[float, float]]:
    return sorted((round(a, 9), round(b, 9)) for a, b in points)


def test_moons_match_scikit_learn_without_noise() -> None:
    from sklearn.datasets import make_moons

    X, y = data.moons(100, noise=0.0, seed=0)
    Xs, ys = make_moons(n_samples=100, noise=0.0, shuffle=False)
    for label in (0, 1):
        ours = [x for x, t in zip(X, y, strict=True) if t == label]
        theirs = [list(map(float, x)) for x, t in zip(Xs, ys, strict=True) if t == label]
        assert _key(ours) == _key(theirs)


def test_moons_with_noise_keep_shape_and_balance() -> None:
    X, y = data.moons(101, noise=0.1, seed=3)
    assert len(X) == len(y) == 101
    assert y.count(0) == 51 and y.count(1) == 50
    assert all(len(x) == 2 and all(isinstance(v, float) for v in x) for x in X)
    upper = [x for x, t in zip(X, y, strict=True) if t == 0]
    assert sum(b for _, b in upper) / len(upper) > 0.4  # class 0 is the upper moon


def test_same_seed_same_data_and_other_seed_other_data() -> None:
    for make in (data.moons, data.circles, data.spirals, data.xor):
        assert make(seed=1) == make(seed=1)  # type: ignore[operator]
        assert make(seed=1) != make(seed=2)  # type: ignore[operator]


def test_circles_radii() -> None:
    X, y = data.circles(60, noise=0.0, factor=0.3, seed=0)
    for x, t in zip(X, y, strict=True):
        assert math.hypot(*x) == pytest.approx(1.0 if t == 0 else 0.3)


def test_spirals_classes_and_radius() -> None:
    X, y = data.spirals(90, classes=3, noise=0.0, seed=0)
    assert sorted(set(y)) == [0, 1, 2] and [y.count(k) for k in range(3)] == [30, 30, 30]
    assert max(math.hypot(*x) for x in X) == pytest.approx(1.0)


def test_xor_labels() -> None:
    X, y = data.xor(200, seed=0)
    assert all((a * b < 0) == (t == 1) for (a, b), t in zip(X, y, strict=True))
    assert all(abs(a) >= 0.1 and abs(b) >= 0.1 for a, b in X)
    assert 60 < sum(y) < 140


@pytest.mark.parametrize(
    ("kind", "f"),
    [
        ("sin", lambda x: math.sin(math.pi * x)),
        ("poly", lambda x: x**3 - 0.5 * x),
        ("abs", abs),
    ],
)
def test_regression_curves(kind: Any, f: Any) -> None:
    X, y = data.regression_1d(21, kind=kind, noise=0.0)
    assert X[0] == [-1.0] and X[-1] == [1.0]
    assert y == pytest.approx([f(x[0]) for x in X], abs=1e-12)
    Xn, yn = data.regression_1d(21, kind=kind, noise=0.1, seed=0)
    assert Xn == X and yn != y


def test_digits_from_scikit_learn() -> None:
    from sklearn.datasets import load_digits

    X, y = data.digits()
    assert len(X) == len(load_digits().data) == 1797
    assert all(len(x) == 64 for x in X) and min(map(min, X)) == 0.0 and max(map(max, X)) == 1.0
    assert sorted(set(y)) == list(range(10))
    Xs, ys = data.digits(50, seed=1, classes=[3, 8])
    assert len(Xs) == 50 and set(ys) <= {3, 8}
    assert data.digits(10, seed=1) == data.digits(10, seed=1)
    with pytest.raises(ValueError, match="only 1797"):
        data.digits(5000)
    with pytest.raises(ValueError, match="digits 0…9"):
        data.digits(classes=[11])


def test_digits_without_scikit_learn_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name.startswith("sklearn"):
            raise ModuleNotFoundError("No module named 'sklearn'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    with pytest.raises(ImportError, match=r'pip install "microgrand\[digits\]"'):
        data.digits()


@given(n=st.integers(2, 60), frac=st.floats(0.05, 0.95), seed=st.integers(0, 5))
@settings(max_examples=40, deadline=None)
def test_train_test_split_is_a_partition(n: int, frac: float, seed: int) -> None:
    X = [[float(i)] for i in range(n)]
    y = list(range(n))
    X_tr, X_te, y_tr, y_te = data.train_test_split(X, y, test_size=frac, seed=seed)
    assert len(X_te) == max(1, min(n - 1, math.ceil(frac * n)))
    assert sorted(y_tr + y_te) == y
    assert all(x == [float(t)] for x, t in zip(X_tr + X_te, y_tr + y_te, strict=True))
    assert data.train_test_split(X, y, test_size=frac, seed=seed) == (X_tr, X_te, y_tr, y_te)


def test_train_test_split_count_and_errors() -> None:
    X, y = [[0.0]] * 10, [0] * 10
    assert len(data.train_test_split(X, y, test_size=3)[1]) == 3
    with pytest.raises(ValueError, match="X has 10 examples but y has 9"):
        data.train_test_split(X, y[:9])
    with pytest.raises(ValueError, match=r"fraction must be in \(0, 1\)"):
        data.train_test_split(X, y, test_size=1.5)
    with pytest.raises(ValueError, match="count must be in 1…9"):
        data.train_test_split(X, y, test_size=10)
    with pytest.raises(ValueError, match="at least 2"):
        data.train_test_split([[0.0]], [0])


def test_label_conversions() -> None:
    assert data.to_pm1([0, 1, 0]) == [-1, 1, -1]
    assert data.to_pm1([-1, 1]) == [-1, 1]
    assert data.to_01([-1, 1, 1]) == [0, 1, 1]
    assert data.to_01([0, 1]) == [0, 1]
    assert data.to_01(data.to_pm1([1, 0, 1])) == [1, 0, 1]
    with pytest.raises(ValueError, match="binary labels"):
        data.to_pm1([0, 2])
    with pytest.raises(ValueError, match="integers"):
        data.to_01([0.5])
    with pytest.raises(ValueError, match="empty"):
        data.to_01([])


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: data.moons(1), "n must be an int >= 2"),
        (lambda: data.moons(10, noise=-1), "noise must be"),
        (lambda: data.circles(10, factor=1.0), "factor"),
        (lambda: data.spirals(10, classes=1), "classes must be"),
        (lambda: data.xor(0), "n must be"),
        (lambda: data.regression_1d(10, kind="exp"), "unknown kind 'exp'"),  # type: ignore[arg-type]
    ],
)
def test_generator_errors(call: Any, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


# --- load_csv: files that are not what they seem ------------------------------------------------


def test_load_csv_header_only_when_no_cell_is_a_number(tmp_path: Path) -> None:
    p = tmp_path / "typo.csv"
    p.write_text("O.5,1,0\n1,2,1\n", encoding="utf-8")  # a letter O in the first data line
    with pytest.raises(ValueError, match=r"line 1: x1 'O\.5' is not a number"):
        data.load_csv(p)
    p.write_text("x1,x2,label\n0.5,1,0\n", encoding="utf-8")
    assert data.load_csv(p) == ([[0.5, 1.0]], [0])


def test_load_csv_reads_quoted_numbers(tmp_path: Path) -> None:
    p = tmp_path / "quoted.csv"
    p.write_text('"x1","x2","label"\n"0.5","1","0"\n\'-1\',2,\'1\'\n', encoding="utf-8")
    assert data.load_csv(p) == ([[0.5, 1.0], [-1.0, 2.0]], [0, 1])


def test_load_csv_refuses_special_files(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="is a folder"):
        data.load_csv(tmp_path)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)  # opening it would block for ever
    with pytest.raises(ValueError, match="not a regular file"):
        data.load_csv(fifo)
    if Path("/dev/zero").exists():  # reading it would fill the memory
        with pytest.raises(ValueError, match="not a regular file"):
            data.load_csv("/dev/zero")
    with pytest.raises(FileNotFoundError, match="no such file"):
        data.load_csv(tmp_path / "missing.csv")


def test_load_csv_refuses_huge_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    p = tmp_path / "big.csv"
    p.write_text("1,2,0\n" * 50, encoding="utf-8")
    monkeypatch.setattr(csvfile, "MAX_CSV_BYTES", 100)
    with pytest.raises(ValueError, match="at most 100 bytes"):
        data.load_csv(p)
    monkeypatch.setattr(csvfile, "MAX_CSV_BYTES", 10_000)
    monkeypatch.setattr(data, "MAX_EXAMPLES", 10)
    with pytest.raises(ValueError, match="more than MAX_EXAMPLES = 10 points"):
        data.load_csv(p)


@pytest.mark.parametrize("make", [data.moons, data.circles, data.spirals, data.xor])
def test_noise_is_bounded(make) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="standard deviation"):
        make(10, noise=1e308)
    make(10, noise=1000.0)
