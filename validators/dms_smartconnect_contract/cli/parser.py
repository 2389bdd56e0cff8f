"""The arguments of every command, and the types that read them."""

from __future__ import annotations

import argparse
from pathlib import Path

from .. import __version__
from ..check import DEFAULT_MAX_BODY_SIZE
from ..findings import MAX_FINDINGS
from ..formats.families import INPUT_FORMATS
from .arguments import at_least_one, date_argument, input_path, positive_int
from .contract_commands import cmd_diff, cmd_lint, cmd_rules
from .live import cmd_contract, cmd_serve
from .proxy import cmd_proxy
from .validate import cmd_validate

REPORT_FORMATS = ["text", "json", "jsonl", "junit", "sarif", "github"]


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of every subcommand."""
    parser = argparse.ArgumentParser(
        prog="smartconnect-contract",
        description="Contract toolkit for the Smart Connect task operations of DMS for Kafka (the operations of its OpenAPI contract).",
        epilog="Exit codes: 0 all conforms, 1 findings, 2 the command could not run, 5 the run proved nothing.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND",
                                     help="the command to run; COMMAND --help tells its options")  # fmt: skip
    lint = commands.add_parser(
        "lint",
        help="check the contract document and summarise it",
        description="Check an OpenAPI document as a contract of this toolkit: the OpenAPI 3.1 schema, the provenance "
        "of every rule of every operation, and every example against its schema; then print a summary of each "
        "operation.",
        epilog="Exit codes: 0 the document is a usable contract, 1 it has problems (each printed with its place), 2 "
        "it cannot be read as OpenAPI.",
    )
    lint.add_argument("contract", nargs="?", type=Path, metavar="FILE",
                      help="the OpenAPI file to check (default: the packaged contract)")  # fmt: skip
    lint.set_defaults(func=cmd_lint)

    rules = commands.add_parser(
        "rules",
        help="list every rule of the contract and where it comes from (documented by a source, or inferred)",
        description="List every rule of the contract's operations: what it checks, where, and its provenance (the "
        "documented source it comes from, or the evidence it was inferred from).",
    )
    rules.add_argument("--format", choices=["text", "markdown", "json"], default="text",
                       help="text for a terminal, markdown for a page, json for machines (default: text)")  # fmt: skip
    diff = commands.add_parser(
        "diff",
        help="compare two versions of the contract: each rule changed, what it breaks, and the version it needs",
        description="Compare two versions of the contract rule by rule: each change, what it does to code generated "
        "from the base (breaking, additive) and to each reading (stricter, looser), with its provenance and its line "
        "on both sides, and the version the models need.",
        epilog="Exit codes: 0 nothing breaks generated code, 1 a change does (unless --allow-breaking), 2 a version "
        "cannot be read.",
    )
    diff.add_argument("base", help="the contract before: an OpenAPI file, or git:REF[:PATH] (PATH: openapi.yaml)")
    diff.add_argument("head", help="the contract after, as BASE")
    diff.add_argument("--format", choices=["text", "json", "markdown", "github"], default="text",
                      help="text, json, markdown (a job summary) or github (annotations on the changed lines)")  # fmt: skip
    diff.add_argument(
        "--allow-breaking", action="store_true", help="exit 0 even when a change breaks code generated from BASE"
    )
    diff.add_argument(
        "--captures",
        nargs="+",
        metavar="PATH",
        help="judge these captures under both versions, in the default and "
        "the strict reading: the exchanges the change turns, and the counts under each",
    )
    diff.add_argument(
        "--jobs",
        type=positive_int,
        default=0,
        metavar="N",
        help="worker processes for --captures (default: one per core)",
    )
    diff.set_defaults(func=cmd_diff)
    rules.add_argument("--contract", type=Path, metavar="FILE", help="OpenAPI file (default: the packaged contract)")
    rules.set_defaults(func=cmd_rules)

    validate = commands.add_parser(
        "validate",
        help="check recorded responses and captures (body files, folders, JSONL, HAR) against the contract",
        description="Check recorded responses against the contract. PATH is a body file (*.json), a JSONL log "
        "(*.jsonl, *.ndjson, *.log: bare bodies, or records of this toolkit, Redocly drift, Kong, nginx or Apache), "
        "a HAR capture (*.har), a newman JSON report, any of them compressed (.gz, .zst, .bz2, .xz), or a folder of "
        "them (walked recursively); or a URL of one or of a prefix (s3://bucket/prefix/, file://, memory://).",
    )
    validate.add_argument("paths", nargs="+", type=input_path, metavar="PATH",
                          help="captures to judge: files, folders or URLs; - reads standard input")  # fmt: skip
    validate.add_argument(
        "--coverage",
        action="store_true",
        help="say which parts of the contract the judged traffic exercised: statuses, fields present, absent or "
        "null, enumeration values, conditional branches (every line is then judged in full)",
    )
    validate.add_argument(
        "--require-coverage",
        action="append",
        default=[],
        metavar="SPEC",
        help="fail (exit 1, a coverage.unmet finding each) unless the traffic exercised these parts of the contract: "
        "KIND[:OPERATION[:POINTER]][>=N%%], KIND one of statuses, values, branches, present, null (implies "
        "--coverage; repeatable)",
    )
    validate.add_argument(
        "--baseline",
        type=Path,
        metavar="FILE",
        help="findings accepted until a date (a file --write-baseline wrote): those are reported as baselined and do "
        "not fail the run; new ones fail it, and so do those whose date has passed; entries no finding matched are "
        "listed as stale",
    )
    validate.add_argument(
        "--write-baseline",
        type=Path,
        metavar="FILE",
        help="record the findings of this run as accepted, by operation, rule, pointer and provenance (with --reason "
        "and --expires); the run then ends as it would with that baseline",
    )
    validate.add_argument("--reason", help="why the findings --write-baseline records are accepted")
    validate.add_argument(
        "--expires",
        type=date_argument,
        metavar="YYYY-MM-DD",
        help="the last day the entries --write-baseline writes hold",
    )
    validate.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="judge on a Dask cluster: its scheduler (tcp://host:8786), or 'local' to start one here with --jobs "
        "workers; the workers read the inputs themselves (shared or object storage). Needs the dask extra",
    )
    validate.add_argument(
        "--task-mb",
        type=positive_int,
        default=0,
        metavar="MB",
        help="megabytes of a JSONL file per unit of work (default: 1, and 16 on a cluster)",
    )
    validate.add_argument(
        "--storage-option",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="an fsspec storage option for URLs (repeatable), e.g. endpoint_url=https://obs.REGION.myhuaweicloud.com;"
        " credentials come from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
    )
    validate.add_argument(
        "--strict",
        action="store_true",
        help="inferred rules and drift (undocumented fields, unknown enum values) are errors, as documented rules "
        "are (default: warnings)",
    )
    validate.add_argument(
        "--format",
        choices=REPORT_FORMATS,
        default="text",
        help="report format (jsonl: a line per result as it comes, then the groups and the summary; sarif: SARIF "
        "2.1.0; github: GitHub Actions annotations)",
    )
    validate.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of standard output"
    )
    validate.add_argument("--status", type=int, default=200, help="the status bare bodies are judged as answering "
                          "with (default: 200)")  # fmt: skip
    validate.add_argument(
        "--content-type",
        default="application/json",
        metavar="TYPE",
        help="media type of bare bodies (default: application/json)",
    )
    validate.add_argument("--host", help="judge only requests to this host (default: any host)")
    validate.add_argument(
        "--operation",
        metavar="ID",
        help="the operation of the contract a bare body (a body file, a bare JSONL line) is judged as (default: "
        "the one the contract names in x-bare-body-operation); exchanges with a request are judged as the "
        "operation of their method and path",
    )
    validate.add_argument(
        "--input-format",
        choices=INPUT_FORMATS,
        default="auto",
        help="how inputs are read (default auto: by name, first bytes and each JSONL line's shape). record, "
        "redocly, kong, nginx or apache: every file is JSONL whose every line is a record of that family (another "
        "line is unrecognised); newman or har: every file is one; body: files are bodies and JSONL lines bare bodies",
    )
    validate.add_argument(
        "--jobs",
        "-j",
        type=positive_int,
        metavar="N",
        default=0,
        help="worker processes (default 0: one per core, when the input holds more than one unit of work)",
    )
    validate.add_argument(
        "--max-body-bytes",
        "--max-body-size",
        dest="max_body_size",
        type=at_least_one,
        metavar="BYTES",
        default=DEFAULT_MAX_BODY_SIZE,
        help="a larger body, or JSONL line, is counted unreadable (limit.body-bytes, limit.line-bytes) and read no "
        "further (default: 16 MiB)",
    )
    validate.add_argument(
        "--max-findings",
        type=at_least_one,
        metavar="N",
        default=MAX_FINDINGS,
        help=f"findings kept per body; a limit.findings warning counts the rest (default: {MAX_FINDINGS})",
    )
    validate.add_argument(
        "--engine",
        choices=["fast", "full", "reference"],
        default="fast",
        help="fast: jsonschema-rs, fast path; full: jsonschema-rs, every error explained; reference: jsonschema",
    )
    validate.add_argument(
        "--allow-empty",
        action="store_true",
        help="exit 0 when nothing is judged (default: exit 5, the run proved nothing)",
    )
    validate.add_argument("--contract", type=Path, metavar="FILE", help="OpenAPI file (default: the packaged contract)")
    noise = validate.add_mutually_exclusive_group()
    noise.add_argument("-q", "--quiet", action="store_true", help="print only the summary line")
    noise.add_argument("-v", "--verbose", action="count", default=0, help="also print every finding and skip reason")
    validate.set_defaults(func=cmd_validate)

    from ..live.reference_data import DEFAULT_INSTANCE_ID, FAULTS

    serve = commands.add_parser(
        "serve",
        help="run the reference server (uvicorn)",
        description="Serve the contract's operations over HTTP, as DMS answers them: the detail and the list of "
        "tasks, its error codes, and its authentication (an IAM token, or AK/SK signatures), for the contract tests "
        "and for trying a client. Credentials come from SMARTCONNECT_TOKEN, or HUAWEICLOUD_SDK_AK and "
        "HUAWEICLOUD_SDK_SK. Stop it with Ctrl-C.",
        epilog="Exit codes: 0 stopped, 2 it could not start (no credentials, unusable task data, an address in use).",
    )
    serve.add_argument("--host", default="127.0.0.1", help="the address to listen on (default 127.0.0.1: this "
                       "machine only)")  # fmt: skip
    serve.add_argument("--port", type=int, default=8080, help="the port to listen on (default 8080)")
    serve.add_argument("--data", type=Path, nargs="+", metavar="PATH",
                       help="task bodies to serve: JSON files, JSONL files or folders of them (default: the bundled "
                            "tasks)")  # fmt: skip
    serve.add_argument("--project-id", help="the project the tasks belong to (default: HUAWEICLOUD_SDK_PROJECT_ID, "
                       "else the documentation's example)")  # fmt: skip
    serve.add_argument("--instance-id", default=DEFAULT_INSTANCE_ID,
                       help=f"the instance the tasks belong to (default: {DEFAULT_INSTANCE_ID})")  # fmt: skip
    serve.add_argument("--token", help="accepted IAM token (prefer SMARTCONNECT_TOKEN: flags show in process lists)")
    serve.add_argument("--ak", help="access key (default: HUAWEICLOUD_SDK_AK)")
    serve.add_argument("--sk", help="secret key (default: HUAWEICLOUD_SDK_SK)")
    serve.add_argument("--fault", choices=sorted(FAULTS), help="break the contract in one way, to test the tests")
    serve.set_defaults(func=cmd_serve)

    contract = commands.add_parser(
        "contract",
        help="run the contract tests (schemathesis) against a server",
        epilog="--PARAMETER VALUE (one per path parameter of the contract, written with dashes): a value that "
        "names something that exists, such as a task and its instance (default: SMARTCONNECT_PARAMETER in "
        "capitals; the project also HUAWEICLOUD_SDK_PROJECT_ID, the SDK's). Every operation is tested with the "
        "values it takes.",
        description="Generated requests against a server, every response checked against the contract. Credentials "
        "come from SMARTCONNECT_TOKEN, or HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK (requests are then signed).",
    )
    contract.add_argument("--url", help="base URL (default: SMARTCONNECT_BASE_URL)")
    contract.add_argument("--region", help="region ID, for the regional endpoint (default: SMARTCONNECT_REGION)")
    contract.add_argument("--token", help="IAM token (prefer SMARTCONNECT_TOKEN: flags show in process lists)")
    contract.add_argument("--junit", type=Path, metavar="FILE", help="also write a JUnit XML report to FILE")
    contract.add_argument(
        "--max-examples", type=at_least_one, default=25, help="generated requests per kind (default 25)"
    )
    contract.set_defaults(func=cmd_contract)

    proxy = commands.add_parser(
        "proxy",
        help="a validating reverse proxy in front of the real endpoint: each response judged as it passes, recorded, "
        "and reported when stopped",
        description="Forward every request to --upstream and stream its response back unchanged (status, headers, "
        "body, Content-Encoding), judging the responses of the contract's operations as they pass. Stop it with "
        "Ctrl-C or SIGTERM: the record is closed, the report written, and the exit code is the run's verdict.",
        epilog="Exit codes: 0 all conforms, 1 findings, 2 the proxy could not start, 5 nothing was judged.",
    )
    proxy.add_argument("--upstream", required=True, metavar="URL", help="the endpoint: https://HOST[:PORT]")
    proxy.add_argument("--listen", default="127.0.0.1:8080", metavar="HOST:PORT",
                       help="where the proxy listens (default 127.0.0.1:8080: this machine only)")  # fmt: skip
    proxy.add_argument("--record", type=Path, metavar="FILE",
                       help="write every exchange to FILE (.jsonl, .jsonl.gz, .jsonl.zst) as the records validate "
                            "reads, credentials masked; validate FILE gives the proxy's own report")  # fmt: skip
    proxy.add_argument(
        "--strict", action="store_true", help="inferred rules and drift are errors, as validate --strict"
    )
    proxy.add_argument("--format", choices=REPORT_FORMATS, default="text", help="the report written when stopped")
    proxy.add_argument(
        "--output", "-o", type=Path, metavar="FILE", help="write the report to FILE instead of standard output"
    )
    proxy.add_argument("--annotate", action="store_true",
                       help="add X-Contract-Verdict to each judged response (its body is then held until judged)")  # fmt: skip
    proxy.add_argument("--reject-violations", action="store_true",
                       help="answer 502 with an application/problem+json body of the findings instead of a "
                            "violating response (for tests that must fail loudly)")  # fmt: skip
    proxy.add_argument("--max-body-bytes", dest="max_body_size", type=at_least_one, default=DEFAULT_MAX_BODY_SIZE,
                       metavar="BYTES",
                       help="judge at most this much of a body, decoded; a larger one streams through whole and is "
                            "counted unreadable (limit.body-bytes) (default: 16 MiB)")  # fmt: skip
    proxy.add_argument("--upstream-ca", type=Path, metavar="FILE", help="a CA bundle the upstream's certificate may "
                       "chain to, besides the system's")  # fmt: skip
    proxy.add_argument("--http2", action="store_true",
                       help="speak HTTP/2 to an https upstream that offers it (ALPN), HTTP/1.1 to one that does not "
                            "(default: HTTP/1.1)")  # fmt: skip
    proxy.add_argument("--upstream-timeout", type=float, default=60.0, metavar="SECONDS",
                       help="how long to wait for the upstream, per connect or read (default 60)")  # fmt: skip
    proxy.add_argument("--ak", help="access key the proxy verifies signed requests with and signs them again with for "
                       "the upstream (default: HUAWEICLOUD_SDK_AK; without one, they are forwarded as they are)")  # fmt: skip
    proxy.add_argument("--sk", help="its secret key (default: HUAWEICLOUD_SDK_SK; flags show in process lists)")
    proxy.add_argument("--contract", type=Path, metavar="FILE", help="OpenAPI file (default: the packaged contract)")
    proxy.add_argument("-v", "--verbose", action="count", default=0, help="the text report: every finding too")
    proxy.set_defaults(func=cmd_proxy)
    return parser
