"""MkDocs hook: the generated parts of the pages, written at build time from their sources, never by hand.

- `<!-- rules -->`: every rule of the contract, as `smartconnect-contract rules --format markdown` prints it;
- `<!-- speed -->`: the speed table, from the JSON the last `make bench` wrote (docs/speed.json), and
  `<!-- bench: INPUT -->` one input's cost from it (our time and peak against the floor's);
- `<!-- request-cost -->`: what judging requests costs, from the JSON `make bench` wrote (docs/request-cost.json:
  bench/request_cost.py, this tree against the last commit that judged responses only);
- `<!-- cli -->`: every command's usage and options, from the argument parser itself (so that the page is what
  `--help` says);
- `<!-- architecture -->`: ARCHITECTURE.md, with the lines of code of each layer counted now;
- `<!-- demo-diff -->`: what `make demo`'s diff prints now (scripts/demo_diff.py), so the example is the contract's;
- `<!-- agreement -->`: the engines and languages the verdict corpus holds to each reading, and every body's
  verdicts, from the corpus test itself (tests/test_verdict_corpus.py), so that the table is what the test runs.

README.md is read raw, so its costs are written into it by `make bench` (`stamped`), between
`<!-- bench: INPUT -->` and `<!-- /bench -->`, and a test holds them equal to docs/speed.json.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "validators" / "dms_smartconnect_contract"


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if "<!-- rules -->" in markdown:
        from dms_smartconnect_contract.contract import read_document
        from dms_smartconnect_contract.reports import rules

        markdown = markdown.replace("<!-- rules -->", rules.markdown(read_document(ROOT / "openapi.yaml")))
    if "<!-- speed -->" in markdown or "<!-- bench: " in markdown:
        record = json.loads((ROOT / "docs" / "speed.json").read_text())
        markdown = markdown.replace("<!-- speed -->", speed_table(record))
        markdown = re.sub(r"<!-- bench: (.+?) -->", lambda found: cost(record, found.group(1)), markdown)
    if "<!-- request-cost -->" in markdown:
        record = json.loads((ROOT / "docs" / "request-cost.json").read_text())
        markdown = markdown.replace("<!-- request-cost -->", request_cost_table(record))
    if "<!-- demo-diff -->" in markdown:
        markdown = markdown.replace("<!-- demo-diff -->", demo_diff())
    if "<!-- agreement -->" in markdown:
        markdown = markdown.replace("<!-- agreement -->", agreement())
    if "<!-- cli -->" in markdown:
        markdown = markdown.replace("<!-- cli -->", cli_reference())
    if "<!-- architecture -->" in markdown:
        text = (ROOT / "ARCHITECTURE.md").read_text().split("\n", 1)[1]  # its own title aside
        markdown = markdown.replace("<!-- architecture -->", text + "\n" + layer_sizes())
    return markdown


def speed_table(record: dict[str, Any]) -> str:
    """The bench's rows as a table: each input's floor, our runs and the peer, with the targets and whether met."""
    lines = [
        f"Measured {record['when']} on {record['cores']} cores ({record['machine']}, Python {record['python']}), "
        f"{record['repeat']} turns each, medians; ratio = floor time / ours (for the peer: its time / ours).",
        "",
        "| input | run | items | seconds | peak MB | ratio |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for row in record["rows"]:
        ratio = f"{row['ratio']:.2f}" if row["ratio"] else "-"
        lines.append(
            f"| {row['input']} | {row['run']} | {row['items']:,} | {row['seconds']:.2f} | {row['peak_mb']:.0f} | {ratio} |"
        )
    lines += ["", "| target | met |", "|---|---|"]
    lines += [f"| {t['input']}: {t['target']} | {'yes' if t['met'] else 'no'} |" for t in record["targets"]]
    return "\n".join(lines) + "\n"


def request_cost_table(record: dict[str, Any]) -> str:
    """The cost of judging requests, input by input and format by format: this tree's time / the baseline's."""
    lines = [
        f"Against commit `{record['baseline']}` (responses judged only), on {record['cores']} cores; cost = our time / "
        f"its time, the median of the turns; target at most {record['target']:.2f}.",
        "",
        "| input | mix | format | items | baseline s | s | cost |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for row in record["rows"]:
        lines.append(f"| {row['input']} | {row['mix']} | {row['format']} | {row['items']:,} | {row['baseline_s']:.2f} "
                     f"| {row['seconds']:.2f} | {row['cost']:.3f} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def cost(record: dict[str, Any], name: str) -> str:
    """One input's cost as measured: our time and peak memory, and the floor's (KeyError names a missing input)."""
    rows = {row["kind"]: row for row in record["rows"] if row["input"] == name}
    if "default" not in rows:
        raise KeyError(f"docs/speed.json has no measure of {name!r}: run make bench")
    ours, floor = rows["default"], rows.get("floor")
    text = f"{ours['seconds']:.1f} s and {ours['peak_mb']:.0f} MB"
    return text + (f", against {floor['seconds']:.1f} s and {floor['peak_mb']:.0f} MB for the floor" if floor else "")


def demo_diff() -> str:
    """The demo's diff, as a console block."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "demo_diff.py")], capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"scripts/demo_diff.py failed: {done.stdout}{done.stderr}")
    command, output = done.stdout.split("\n", 1)
    return f"```\n$ {command.removeprefix('== ')}\n{output}```\n"


def agreement() -> str:
    """Readings x engines and languages x bodies: what tests/test_verdict_corpus.py holds each to."""
    import sys

    sys.path.insert(0, str(ROOT / "tests"))
    try:
        import test_verdict_corpus as corpus
    finally:
        sys.path.pop(0)
    from dms_smartconnect_contract.contract import read_document

    document = read_document(ROOT / "openapi.yaml")
    cases = corpus._hand_cases(document) + corpus._generated_cases(document)
    column = {"default": "default", "strict": "strict", "models": "tolerant (the models')"}
    lines = ["| engine or language | reading | bodies | taken | refused |", "|---|---|---:|---:|---:|"]
    held = {engine: reading for engine, (reading, _) in corpus.READINGS.items()} | corpus.MODELS_READINGS
    for engine, reading in held.items():
        verdicts = [case.expect[reading] for case in cases]
        taken = sum(verdict in ("conforming", "accept") for verdict in verdicts)
        lines.append(f"| {engine} | {column[reading]} | {len(cases)} | {taken} | {len(cases) - taken} |")
    lines += ["", "Where a language's types cannot say a rule, the case that shows it and what its types give:", ""]
    lines += [
        f"- {engine}, `{name}`: {verdict}s. {why}." for (engine, name), (verdict, why) in corpus.TYPE_LIMITS.items()
    ]
    lines += ["", f"The {len(cases)} bodies ({sum(case.generated for case in cases)} of them generated, one per "
              "documented field given a value of another JSON type):", "",
              "| body | answers | default | strict | tolerant |", "|---|---|---|---|---|"]  # fmt: skip
    for case in cases:
        expect = case.expect
        lines.append(f"| `{case.name}` | {case.operation} {case.status} | {expect['default']} | {expect['strict']} | "
                     f"{expect['models']} |")  # fmt: skip
    return "\n".join(lines) + "\n"


def cli_reference() -> str:
    """Each command of `smartconnect-contract`: its description, its usage, and a table of its options and their
    help, as the parser that reads them holds them."""
    import argparse

    from dms_smartconnect_contract.cli import build_parser

    parser = build_parser()
    commands = next(action for action in parser._actions if isinstance(action, argparse._SubParsersAction))
    sections = []
    for name, command in commands.choices.items():
        formatter = command._get_formatter()
        rows = []
        for action in command._actions:
            if isinstance(action, argparse._HelpAction):
                continue
            names = ", ".join(action.option_strings) or (action.metavar or action.dest)
            value = "" if action.nargs == 0 else f" {formatter._format_args(action, action.dest.upper())}"
            text = formatter._expand_help(action).replace("|", "\\|")
            rows.append(f"| `{names}{value}` | {text} |")
        usage = command.format_usage().removeprefix("usage: ").strip()
        sections += [f"### {name}", "", command.description or "", "", f"```\n{usage}\n```", "",
                     "| option | what it does |", "|---|---|", *rows, ""]  # fmt: skip
        if command.epilog:
            sections += [command.epilog, ""]
    return "\n".join(sections)


# A cost written into raw markdown, kept between its markers so that it can be written again.
_STAMP = re.compile(r"(<!-- bench: (.+?) -->).*?(<!-- /bench -->)")


def stamped(markdown: str, record: dict[str, Any]) -> str:
    """`markdown` with every `<!-- bench: INPUT -->...<!-- /bench -->` holding INPUT's cost as `record` measured it."""
    return _STAMP.sub(lambda found: found.group(1) + cost(record, found.group(2)) + found.group(3), markdown)


def layer_sizes() -> str:
    """Lines of code per layer of the package, counted at build time."""
    sizes: dict[str, int] = {}
    for module in sorted(PACKAGE.rglob("*.py")):
        relative = module.relative_to(PACKAGE)
        layer = relative.parts[0] if len(relative.parts) > 1 else relative.stem
        sizes[layer] = sizes.get(layer, 0) + len(module.read_text().splitlines())
    rows = "\n".join(f"| `{layer}` | {count:,} |" for layer, count in sorted(sizes.items(), key=lambda kv: -kv[1]))
    return "\n## Lines per layer\n\n| layer | lines |\n|---|---:|\n" + rows + "\n"
