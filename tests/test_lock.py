"""requirements.lock is fit for `pip install --require-hashes` and covers pyproject.toml.

Pure file reading, no network: every requirement in the lock is an exact `name==version` pin
with at least one sha256, and every dependency that pyproject.toml declares (the package's own
and the [test] extra) is pinned there. `make lock` writes the lock; `make setup` installs it.
"""
from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements.lock"
PYPROJECT = ROOT / "pyproject.toml"

PIN = re.compile(r"(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[A-Za-z0-9.!+_-]+)")
HASH = re.compile(r"--hash=sha256:(?P<digest>\S+)")
SHA256_HEX = re.compile(r"[0-9a-f]{64}")
NAME = re.compile(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)")

pytestmark = pytest.mark.unit  # pure file reading, well under a second


def canonical(name: str) -> str:
    """A distribution name as pip compares them (PEP 503): lower case, runs of -_. as one '-'."""
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement_lines(text: str) -> list[str]:
    """The requirement lines of a requirements file: backslash continuations joined, comments
    (whole-line or trailing ` #`) and blank lines dropped."""
    joined = re.sub(r"\\\r?\n", " ", text)
    lines = []
    for raw in joined.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", raw).strip()
        if line:
            lines.append(line)
    return lines


def lock_problems(text: str) -> list[str]:
    """Why each requirement line of a lock text is unfit for --require-hashes (empty when fit):
    not an exact `name==version` pin, no `--hash=sha256:` option, a digest that is not 64
    lower-case hex characters, or a name pinned twice."""
    problems, seen = [], set()
    for line in requirement_lines(text):
        head = line.split()[0]
        pin = PIN.fullmatch(head)
        if pin is None:
            problems.append(f"{head!r} is not an exact name==version pin")
            continue
        name = canonical(pin["name"])
        if name in seen:
            problems.append(f"{pin['name']} is pinned twice")
        seen.add(name)
        digests = [m["digest"] for m in HASH.finditer(line)]
        if not digests:
            problems.append(f"{head} has no --hash=sha256:<64 hex>")
        problems += [f"{head} has a malformed sha256 {d!r}" for d in digests if not SHA256_HEX.fullmatch(d)]
    return problems


def locked_names(text: str) -> set[str]:
    """Canonical names of every exact pin in a lock text."""
    return {canonical(m["name"]) for line in requirement_lines(text) if (m := PIN.match(line))}


def declared_names(pyproject: dict) -> set[str]:
    """Canonical names of pyproject.toml's [project] dependencies and its [test] extra."""
    project = pyproject["project"]
    specs = project["dependencies"] + project.get("optional-dependencies", {}).get("test", [])
    return {canonical(NAME.match(spec).group(1)) for spec in specs}


GOOD_DIGEST = "0123456789abcdef" * 4


def test_checker_accepts_a_hashed_pin_with_continuations_and_comments():
    text = (
        "# header\n"
        "Jinja2==3.1.6 \\\n"
        f"    --hash=sha256:{GOOD_DIGEST} \\\n"
        f"    --hash=sha256:{GOOD_DIGEST[::-1]}\n"
        "    # via nbconvert\n"
    )
    assert lock_problems(text) == []
    assert locked_names(text) == {"jinja2"}


@pytest.mark.parametrize("line, problem", [
    ("six==1.17.0", "six==1.17.0 has no --hash=sha256:<64 hex>"),
    (f"six>=1.16 --hash=sha256:{GOOD_DIGEST}", "'six>=1.16' is not an exact name==version pin"),
    ("six==1.17.0 --hash=sha256:abc", "six==1.17.0 has a malformed sha256 'abc'"),
    (f"six==1.17.0 --hash=sha256:{GOOD_DIGEST.upper()}",
     f"six==1.17.0 has a malformed sha256 '{GOOD_DIGEST.upper()}'"),
    ("-e .", "'-e' is not an exact name==version pin"),
])
def test_checker_names_each_unfit_line(line, problem):
    assert lock_problems(line + "\n") == [problem]


def test_checker_refuses_a_name_pinned_twice_under_two_spellings():
    text = f"typing_extensions==4.16.0 --hash=sha256:{GOOD_DIGEST}\ntyping-extensions==4.15.0 --hash=sha256:{GOOD_DIGEST}\n"
    assert lock_problems(text) == ["typing-extensions is pinned twice"]


def test_declared_names_read_dependencies_and_the_test_extra_only():
    pyproject = {"project": {
        "dependencies": ["pandas>=3.0", "PyYAML>=6.0", "python_dateutil"],
        "optional-dependencies": {"test": ["pytest>=8", "websocket-client[optional]>=1.6"], "docs": ["sphinx"]},
    }}
    assert declared_names(pyproject) == {"pandas", "pyyaml", "python-dateutil", "pytest", "websocket-client"}


def test_every_lock_requirement_is_an_exact_pin_with_a_sha256():
    text = LOCK.read_text(encoding="utf-8")
    assert lock_problems(text) == [], "requirements.lock is unfit for --require-hashes (run `make lock`)"
    assert len(locked_names(text)) > 0, "requirements.lock pins nothing"


def test_every_declared_dependency_is_in_the_lock():
    declared = declared_names(tomllib.loads(PYPROJECT.read_text(encoding="utf-8")))
    missing = sorted(declared - locked_names(LOCK.read_text(encoding="utf-8")))
    assert missing == [], f"pyproject.toml declares {missing} but requirements.lock does not pin them (run `make lock` to pin them, or drop them from pyproject.toml)"
