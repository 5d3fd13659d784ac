"""The README cannot drift: its figures come from a build, and its command blocks run.

The session's default-scope build (``nmdkg build --out``, linked as ``output/`` of a scratch folder) serves
both:

* every ``<!-- figures:NAME -->`` block of README.md must equal what ``scripts/readme_figures.py`` derives
  from the build (``python scripts/readme_figures.py output`` rewrites them);
* every command of every ```` ```sh ```` block is checked: the synopsis lines of "The command line" name
  only options their subcommand has; the others are parsed by click's own parser (an unknown option or a
  bad choice fails), then run, the ``.venv/bin/nmdkg`` prefix mapped to the entry point ``nmdkg.cli.main``,
  in a scratch folder whose ``output/`` is a build: the session's default build (its files linked, its
  ``cache/`` copied, so that nothing is written into it) or, for ``analyze`` and ``validate`` of files
  (tens of seconds at the default scope; tests/test_analyze.py and tests/test_validate_cli.py run them
  there), a copy of the article-scope build. The files the commands read (``mine.jsonld``,
  ``patients.jsonl``) are made beside it. Parsed only: ``build`` (the session fixture ran it), ``serve``
  and anything with ``--endpoint`` or ``push`` (they need a server: the integration tests run them
  against Oxigraph and Virtuoso). ``make`` targets are checked to exist in the Makefile; ``export`` of
  shell variables is skipped.
"""

from __future__ import annotations

import importlib.util
import json
import re
import shlex
import shutil
from pathlib import Path

import click
import pytest

import nmdkg.core.paths
from nmdkg.cli import cli, main

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
PREFIX = ".venv/bin/nmdkg"
PARSE_ONLY = {"serve", "push", "build"}


def _load_script():
    spec = importlib.util.spec_from_file_location("readme_figures", ROOT / "scripts" / "readme_figures.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def sh_blocks(text: str) -> list[list[str]]:
    """The commands of each ```sh block: continuation lines joined, comments and blank lines dropped."""
    blocks = []
    for body in re.findall(r"^```sh\n(.*?)^```", text, re.S | re.M):
        joined = body.replace("\\\n", " ")
        commands = [shlex.split(line, comments=True) for line in joined.splitlines()]
        blocks.append([command for command in commands if command])
    return blocks


BLOCKS = sh_blocks(README.read_text(encoding="utf-8"))
COMMANDS = [command for block in BLOCKS for command in block]
SYNOPSIS = [c for c in COMMANDS if c[0] == PREFIX and any(part.startswith("[") or "|" in part for part in c)]
CONCRETE = [c for c in COMMANDS if c not in SYNOPSIS]


def test_blocks_found():
    assert len(BLOCKS) >= 6 and len(SYNOPSIS) >= 10 and len(CONCRETE) >= 15
    assert {c[0] for c in CONCRETE} <= {PREFIX, "make", "export"}, "a README command this test cannot map"


@pytest.fixture(scope="module")
def build(default_build, tmp_path_factory) -> Path:
    """The session's default build (``nmdkg build --out``), as ``output/`` of a scratch folder: its files
    linked, its ``cache/`` copied (a command may add to it), so that no command writes into the build."""
    out = tmp_path_factory.mktemp("readme") / "output"
    out.mkdir()
    for entry in default_build.iterdir():
        if entry.name == "cache":
            shutil.copytree(entry, out / entry.name)
        else:
            (out / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    patient = {"id": "readme", "present": ["HP:0003236", "HP:0003707"], "absent": ["HP:0001638"]}
    (out.parent / "patients.jsonl").write_text(json.dumps(patient) + "\n", encoding="utf-8")
    return out


@pytest.fixture(scope="module")
def small_build(article_build, tmp_path_factory) -> Path:
    """A copy of the article-scope build as ``output/`` of another scratch folder, with ``mine.jsonld`` (its
    own JSON-LD) beside it."""
    out = tmp_path_factory.mktemp("readme-small") / "output"
    shutil.copytree(article_build, out)
    shutil.copy(out / "nmdkg.jsonld", out.parent / "mine.jsonld")
    return out


def test_figures_match_the_build(build):
    script = _load_script()
    text = README.read_text(encoding="utf-8")
    new, changed = script.rewrite(text, script.figures(build))
    assert len(list(script.BLOCK.finditer(text))) >= 5
    assert changed == [], f"README figures differ from the build ({changed}): python scripts/readme_figures.py output"
    assert new == text


def test_figures_script_detects_a_stale_figure(build):
    script = _load_script()
    values = script.figures(build)
    stale = "up to <!-- figures:triples -->250,165<!-- /figures --> triples"
    new, changed = script.rewrite(stale, values)
    assert changed == ["triples"] and values["triples"] in new and values["triples"] != "250,165"


def _subcommand(command: list[str]) -> click.Command:
    assert command[0] == PREFIX
    if len(command) == 1 or command[1].startswith("-"):
        return cli
    found = cli.get_command(click.Context(cli), command[1])
    assert found is not None, f"README names an unknown subcommand: {' '.join(command)}"
    return found


@pytest.mark.parametrize("command", SYNOPSIS, ids=lambda c: " ".join(c[1:3]))
def test_synopsis_names_real_options(command):
    sub = _subcommand(command)
    known = {opt for param in sub.params for opt in (*param.opts, *param.secondary_opts)} | {"--help", "-h"}
    named = {match for part in command[2:] for match in re.findall(r"--[a-z][a-z-]*", part)}
    assert named, command
    assert named <= known, f"{' '.join(command[:2])}: the README names options it lacks: {named - known}"


@pytest.mark.parametrize("command", CONCRETE, ids=lambda c: " ".join(c[:4]))
def test_command_block(command, request, monkeypatch):
    if command[0] == "make":
        targets = re.findall(r"^([A-Za-z0-9_.-]+):", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
        assert command[1] in targets
        return
    if command[0] == "export":  # a shell variable for the next command
        return
    args = command[1:]
    sub = _subcommand(command)
    # click's own parser: unknown options, missing values and bad choices fail here
    try:
        sub.make_context("nmdkg", list(args[1:] if sub is not cli else args))
    except click.exceptions.Exit as exc:  # --help prints and exits
        assert exc.exit_code == 0
    name = args[0] if args else ""
    if name in PARSE_ONLY or "--endpoint" in args:
        return  # parsed above; see the module docstring
    small = name == "analyze" or (name == "validate" and any(not a.startswith("-") for a in args[1:]))
    folder = request.getfixturevalue("small_build" if small else "build").parent
    monkeypatch.chdir(folder)  # the scratch folder whose output/ is a build
    monkeypatch.setattr(nmdkg.core.paths, "DEFAULT_OUT", Path("output"))
    assert main(args) == 0, " ".join(command)
    for named in ("--out", "--report"):  # what the command was asked to write is there
        if named in args:
            written = folder / args[args.index(named) + 1]
            assert written.exists() and (written.is_dir() or written.stat().st_size > 0), written
