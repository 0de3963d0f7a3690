"""The command line: render, doctor, demo; bad input exits 2 with one line and runs nothing."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from microgrand.cli import COMMANDS, build_parser, main, parse_assignment
from microgrand.expr import FUNCTIONS

SVG = "{http://www.w3.org/2000/svg}"
SENTINEL_DIR = Path(tempfile.mkdtemp(prefix="microgrand-cli-"))
SENTINEL = SENTINEL_DIR / "pwned"


def run(argv: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(argv)
    return code, out.getvalue(), err.getvalue()


def svg_texts(svg: str) -> list[str]:
    return [(t.text or "").strip() for t in ET.fromstring(svg).iter(f"{SVG}text")]


def test_render_svg_file(tmp_path: Path) -> None:
    out = tmp_path / "n.svg"
    code, stdout, stderr = run(
        ["render", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88", "-o", str(out), "--edge-labels"]
    )
    assert code == 0, stderr
    texts = svg_texts(out.read_text())
    assert "data = 0.7064" in texts and "grad = -1.5029" in texts and "∂/∂x = -3.0000" in texts
    assert {"x", "w", "b"} <= set(texts)
    assert "d out/d x = -1.50292" in stdout and f"wrote {out}" in stdout


def test_render_png_dot_and_stdout(
    tmp_path: Path, capfdbinary: pytest.CaptureFixture[bytes]
) -> None:
    assert main(["render", "x*y", "x=3", "y=4", "-o", str(tmp_path / "a.png"), "-q"]) == 0
    assert (tmp_path / "a.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["render", "x*y", "x=3", "y=4", "-o", str(tmp_path / "a.dot"), "-q"]) == 0
    assert (tmp_path / "a.dot").read_text().startswith("digraph")
    capfdbinary.readouterr()
    assert main(["render", "x*y", "x=3", "y=4", "--format", "dot"]) == 0
    out, err = capfdbinary.readouterr()
    assert out.decode().startswith("digraph") and b"grad = 4.0000" in out
    assert b"d out/d y = 3" in err  # the report goes to stderr when the diagram goes to stdout


def test_render_options(tmp_path: Path) -> None:
    out = tmp_path / "w.svg"
    code, _, err = run(
        [
            "render",
            "x*x",
            "x=3",
            "--worksheet",
            "-o",
            str(out),
            "--theme",
            "print",
            "--rankdir",
            "TB",
            "--precision",
            "2",
            "--color",
            "-q",
        ]
    )
    assert code == 0, err
    assert "grad = ________" in svg_texts(out.read_text())
    assert "grad = 6.00" in svg_texts((tmp_path / "w.key.svg").read_text())
    code, _, err = run(["render", "x*x", "x=3", "--no-backward", "-o", str(out), "-q"])
    assert code == 0 and not [t for t in svg_texts(out.read_text()) if t.startswith("grad")]


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["render", "x*y", "x=1"], "unknown variable 'y'"),
        (["render", "x*y", "x=1", "y=abc"], "not a number"),
        (["render", "x*y", "x=1", "y"], "not name=value"),
        (["render", "x", "1x=2"], "not a valid variable name"),
        (["render", "x", "x=1", "x=2"], "given twice"),
        (["render", "x", "x=nan"], "finite"),
        (["render", "x", "x=1", "-o", "a.txt"], "cannot tell the format"),
        (["render", "x", "x=1", "--theme", "neon"], "invalid choice"),
        (["render", "x", "x=1", "--precision", "99"], "precision"),
        (["render", "-x", "x=1"], "'--'"),
        (["render"], "required"),
        (["nosuch"], "invalid choice"),
        ([], ""),
    ],
)
def test_bad_usage_exits_2_with_one_line(argv: list[str], fragment: str) -> None:
    code, _, err = run(argv)
    assert code == 2
    assert "Traceback" not in err
    if argv:
        assert len(err.strip().splitlines()) == 1 and fragment in err


def test_an_output_path_that_cannot_be_written_exits_2(tmp_path: Path) -> None:
    code, _, err = run(["render", "x", "x=1", "-o", str(tmp_path / "no" / "a.svg")])
    assert code == 2 and "does not exist" in err and len(err.strip().splitlines()) == 1
    assert err.startswith("microgrand render: -o ")


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_failure_exits_1() -> None:
    # /proc refuses new files even for root: the write itself fails, after the checks
    code, _, err = run(["render", "x", "x=1", "-o", "/proc/microgrand-render.svg"])
    assert code == 1 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert not Path("/proc/microgrand-render.svg").exists()


# Every command that writes a file: the same answer for the same bad -o, before any work.
_WRITERS = [
    (["render", "x*2", "x=1"], ".svg"),
    (["live", "x*2", "x=1"], ".html"),
    (["quiz", "x*2", "x=1"], ".html"),
    (["explore", "x*2", "x=1"], ".html"),
    (["step", "x*2", "x=1"], ".html"),
    (["playground", "--steps", "5"], ".html"),
]


@pytest.mark.parametrize(("argv", "suffix"), _WRITERS, ids=[a[0] for a, _ in _WRITERS])
def test_every_command_refuses_the_same_bad_outputs(
    tmp_path: Path, argv: list[str], suffix: str
) -> None:
    afile = tmp_path / "afile"
    afile.write_text("x")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone")
    cases = {
        f"out{suffix}/": "ends with a slash",
        f"afile/out{suffix}": "is a file, not a folder",
        f"dangling/out{suffix}": "is a broken symbolic link",
        f"missing/out{suffix}": "does not exist",
        ".": "",  # a folder
    }
    if argv[0] != "render":
        cases["out.txt"] = "must end in .html or .htm"
    before = sorted(p.name for p in tmp_path.rglob("*"))
    for target, message in cases.items():
        code, out, err = run([*argv, "-o", f"{tmp_path}/{target}"])
        assert code == 2, (target, err)
        assert err.startswith(f"microgrand {argv[0]}: ") and message in err, (target, err)
        assert len(err.strip().splitlines()) == 1 and out == ""
    assert sorted(p.name for p in tmp_path.rglob("*")) == before  # nothing written


def test_names_are_read_as_python_reads_them(tmp_path: Path) -> None:
    # The expression parser reads a full-width "ｘ" as "x" (NFKC), so NAME=VALUE does too.
    code, _, err = run(["live", "ｘ*2", "ｘ=3", "-o", str(tmp_path / "p.html")])
    assert code == 0, err


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in (["--help"], ["render", "--help"], ["doctor", "--help"], ["--version"]):
        assert main(argv) == 0
    out = capsys.readouterr().out
    assert "render" in out and "--worksheet" in out and "microgrand 0.1.0" in out


def test_doctor() -> None:
    code, out, _ = run(["doctor"])
    assert code == 0
    assert "graphviz-pure" in out and "layout engine:" in out and ": ok" in out


def test_demo_runs_and_writes_into_out(tmp_path: Path) -> None:
    code, out, _ = run(["demo", "--epochs", "2", "--out", str(tmp_path / "pics")])
    assert code == 0 and "0.7064" in out
    assert (tmp_path / "pics" / "example.svg").is_file()


def test_commands_are_extensible() -> None:
    def add_hello(sub: object) -> None:
        p = sub.add_parser("hello")  # type: ignore[attr-defined]
        p.set_defaults(func=lambda args: 0)

    COMMANDS.append(add_hello)
    try:
        assert build_parser().parse_args(["hello"]).command == "hello"
    finally:
        COMMANDS.remove(add_hello)


def test_parse_assignment() -> None:
    assert parse_assignment(" x = -2.5e1") == ("x", -25.0)


# --- malicious and malformed expressions ----------------------------------------------------

SAFE = st.sampled_from(["x", "y", "x*y", "tanh(x)", "(x + 1)", "2.5"])
NAME = st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True)
UNKNOWN = NAME.filter(lambda n: n not in FUNCTIONS and n not in ("x", "y"))
FIXED = [
    f"__import__('os').system('touch {SENTINEL}')",
    f"exec(\"open('{SENTINEL}', 'w')\")",
    f"eval(\"__import__('os').system('touch {SENTINEL}')\")",
    "().__class__",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__dict__",
    "9**9**9",
    "open('f')",
    "lambda: 0",
    "(lambda: __import__('os'))()",
    "[c for c in ().__class__.__mro__]",
    "globals()",
    "x" * 3000,
    "-" * 1900 + "x",
    "(" * 300 + "x" + ")" * 300,
    "tanh(x, y=1)",
    "f'{x}'",
    "True",
    "None",
    "3j",
    "x if y else 1",
    "x @ y",
    "x := 1",
    "*x",
    "",
    "1e999",
    "\x00",
]
MALICIOUS = st.one_of(
    st.sampled_from(FIXED),
    st.builds(lambda e, n: f"{e}.{n}", SAFE, NAME),
    st.builds(lambda e, n: f"{e}.__{n}__", SAFE, NAME),
    st.builds(lambda n, e: f"{n}({e})", UNKNOWN, SAFE),
    st.builds(lambda e, i: f"{e}[{i}]", SAFE, SAFE),
    st.builds(lambda n, e: f"lambda {n}: {e}", NAME, SAFE),
    st.builds(lambda e, n: f"[{e} for {n} in {e}]", SAFE, NAME),
    st.builds(lambda e, s: f"{e} + {s!r}", SAFE, st.text(max_size=10)),
    st.builds(lambda n: f"__{n}__", NAME),
    st.builds(lambda e, k: f"{e} ** {k}", SAFE, st.integers(101, 10**30)),
    st.builds(lambda e, k: f"{e} ** -{k}", SAFE, st.integers(101, 10**6)),
    st.builds(lambda k: "x+" * k + "x", st.integers(1001, 1500)),
    st.builds(lambda n, e: f"{e} * {n}", UNKNOWN, SAFE),
    st.builds(lambda f, n, e: f"{f}(x, {n}={e})", st.sampled_from(sorted(FUNCTIONS)), NAME, SAFE),
    st.builds(lambda e, op: f"{e} {op}", SAFE, st.sampled_from(["+", "*", "**", "(", "/"])),
    st.builds(
        lambda e, op: f"{e} {op} {e}",
        SAFE,
        st.sampled_from(["//", "%", "<", "and", "or", "|", "&", "^", "==", "@"]),
    ),
    st.builds(lambda e: f"{e}; import os", SAFE),
    st.builds(lambda b: repr(b) + " + x", st.sampled_from([True, False, None, 1j, ...])),
)


@settings(max_examples=250, deadline=None)
@given(MALICIOUS)
def test_malicious_expressions_exit_2_and_run_nothing(text: str) -> None:
    out = SENTINEL_DIR / "out.svg"
    out.unlink(missing_ok=True)
    code, stdout, err = run(["render", "-o", str(out), "--", text, "x=1", "y=2"])
    assert code == 2, (text, err)
    assert stdout == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("microgrand render: bad expression:")
    assert not out.exists()
    assert not SENTINEL.exists()


# --- real processes ---------------------------------------------------------------------------


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "microgrand", *args],
        capture_output=True,
        timeout=120,
        check=False,
        env=env,
    )


@pytest.mark.parametrize(
    "text",
    [
        f"__import__('os').system('touch {SENTINEL}')",
        "().__class__",
        "x.__dict__",
        "9**9**9",
        "open('f')",
        "lambda: 1",
        "x" * 5000,
    ],
    # the same ids in every process (pytest-xdist workers compare them): no temporary path
    ids=lambda text: text.replace(str(SENTINEL), "SENTINEL")[:40],
)
def test_subprocess_rejects(text: str) -> None:
    r = cli("render", text, "x=1")
    assert r.returncode == 2
    err = r.stderr.decode()
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert r.stdout == b""
    assert not SENTINEL.exists()


def test_subprocess_renders_png_without_dot(tmp_path: Path) -> None:
    path = [
        d
        for d in os.environ.get("PATH", "").split(os.pathsep)
        if d and not (Path(d) / "dot").exists() and not (Path(d) / "graphviz-pure").exists()
    ]
    env = {**os.environ, "PATH": os.pathsep.join(path)}
    env.pop("MICROGRAND_ENGINE", None)
    out = tmp_path / "n.png"
    r = cli("render", "tanh(x*w + b)", "x=2", "w=-3", "b=6.88", "-o", str(out), env=env)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes()[:4] == b"\x89PNG"
    assert r.stderr == b""  # graphviz-pure's warnings are not shown
    r = cli("doctor", env=env)
    assert r.returncode == 0 and b"dot: not found" in r.stdout
    assert b"layout engine: graphviz-pure" in r.stdout
