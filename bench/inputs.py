"""Synthetic captures for the benchmark and the demo, made from the contract's two example responses.

Every mix users meet: clean traffic, a realistic mix, and the bad days (every line drifting, every line violating).
Bodies vary in IDs, names, times and states, as real tasks do. Written line by line (entry by entry), so that size is
no memory concern.
"""

from __future__ import annotations

import base64
import json
import random
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
URL = "https://dms.cn-north-4.myhuaweicloud.com/v2/a4a5d4098fb4474fa22cd05f897d6b99/instances/{i}/connector/tasks/{t}"
SERVER = "https://dms.cn-north-4.myhuaweicloud.com"
INSTANCE, TASK = "59f6d088-2b1e-4c55-9a43-5d3c2f1e0a77", "194917d0-8c1b-4f1e-b3a2-6e0d9f4c2a15"
Body = dict[str, object]


def examples() -> tuple[Body, Body]:
    """The contract's Kafka (the API reference's) and OBS example bodies."""
    contract = json.loads((ROOT / "generated" / "dms_smartconnect_models" / "openapi.json").read_text())
    path = "/v2/{project_id}/instances/{instance_id}/connector/tasks/{task_id}"
    found = contract["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]["examples"]
    return found["kafkaReplicatorSource"]["value"], found["obsSink"]["value"]


def task(rng: random.Random, kafka: Body, obs: Body) -> Body:
    """A conforming task body: varied IDs, names, times and states."""
    body: Body = json.loads(json.dumps(kafka if rng.random() < 0.7 else obs))
    a, b, c, d, e = (rng.getrandbits(bits) for bits in (32, 16, 12, 16, 48))
    body["id"] = f"{a:08x}-{b:04x}-4{c:03x}-{d:04x}-{e:012x}"
    body["task_name"] = f"smart-connect-{rng.getrandbits(30)}"
    body["create_time"] = 1_700_000_000_000 + rng.getrandbits(34)
    body["status"] = rng.choice(["RUNNING", "RUNNING", "RUNNING", "PAUSED", "WAITING"])
    return body


def _drift(body: Body, rng: random.Random) -> None:
    body["labels"] = {"team": "a"}


def _violate(body: Body, rng: random.Random) -> None:
    body["create_time"] = str(body["create_time"])


def _inferred(body: Body, rng: random.Random) -> None:
    body["create_time"] = int(body["create_time"]) // 1000  # type: ignore[call-overload]


def realistic(body: Body, rng: random.Random) -> None:
    """About 1 % drift, 0.5 % breaking an inferred rule (create_time in seconds) and 0.5 % a documented one
    (create_time as a string)."""
    roll = rng.random()
    if roll < 0.01:
        _drift(body, rng)
    elif roll < 0.015:
        _inferred(body, rng)
    elif roll < 0.02:
        _violate(body, rng)


def violating_tenth(body: Body, rng: random.Random) -> None:
    """One body in ten breaks a documented rule (create_time as a string)."""
    if rng.random() < 0.1:
        _violate(body, rng)


def request_of(body: Body, mix: str) -> tuple[str, dict[str, str]]:
    """The URL and request headers that asked for a task body: its own ID in the path, and a token. In the mixes of
    the bad days one request in twenty sends an instance ID that is no UUID, and one in twenty no credential (told
    from the body's ID, so that no draw of the generator changes the bodies)."""
    roll = int(str(body.get("id", "0"))[:8], 16) % 20 if str(body.get("id", ""))[:8].isalnum() else 1
    bad = mix not in ("clean", "realistic")
    instance = "not-a-uuid" if bad and roll == 0 else INSTANCE
    asked = {} if bad and roll == 1 else {"X-Auth-Token": "x" * 200}
    return URL.format(i=instance, t=body.get("id", TASK)), asked


# How each mix changes a conforming body.
MIXES: dict[str, Callable[[Body, random.Random], None]] = {
    "clean": lambda body, rng: None,
    "realistic": realistic,
    "10% violating": violating_tenth,
    "every line drifts": _drift,
    "every line violates": _violate,
}


def make_jsonl(path: Path, lines: int, rng: random.Random, mix: str = "realistic") -> None:
    """A JSONL log of bare task bodies, one per line."""
    kafka, obs = examples()
    change = MIXES[mix]
    with path.open("w") as handle:
        for _ in range(lines):
            body = task(rng, kafka, obs)
            change(body, rng)
            handle.write(json.dumps(body) + "\n")


def make_records(path: Path, lines: int, rng: random.Random, *, nested: bool, mix: str = "realistic") -> None:
    """A JSONL log of exchange records, one per line: this toolkit's flat records, or the same exchanges nested
    as Redocly drift's NDJSON writes them (request and response objects, the body as text)."""
    kafka, obs = examples()
    change = MIXES[mix]
    with path.open("w") as handle:
        for _ in range(lines):
            body = task(rng, kafka, obs)
            change(body, rng)
            url, asked = request_of(body, mix)
            headers = {"Content-Type": "application/json", "X-Request-Id": f"{rng.getrandbits(128):032x}"}
            if nested:
                record: Body = {
                    "request": {"method": "GET", "url": url,
                                "headers": {"host": "dms.cn-north-4.myhuaweicloud.com", **asked}},
                    "response": {"status": 200, "headers": headers, "body": json.dumps(body)},
                }  # fmt: skip
            else:
                record = {"method": "GET", "url": url, "request_headers": asked, "status": 200, "headers": headers,
                          "body_text": json.dumps(body)}  # fmt: skip
            handle.write(json.dumps(record) + "\n")


def make_har(path: Path, rng: random.Random, *, entries: int = 0, megabytes: int = 0, mix: str = "realistic") -> int:
    """A browser-style HAR of `entries` entries, or of about `megabytes`: one entry in four is another URL; bodies
    plain or base64; returns the number of entries."""
    kafka, obs = examples()
    change = MIXES[mix]
    limit, count = megabytes * 1024 * 1024, 0
    with path.open("w") as handle:
        handle.write(
            '{"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"}, "pages": [], "entries": [\n'
        )
        while (count < entries) if entries else (handle.tell() < limit):
            other = rng.random() < 0.25
            body = task(rng, kafka, obs)
            change(body, rng)
            text = json.dumps(body)
            content = {"mimeType": "application/json;charset=UTF-8", "size": len(text), "text": text}
            if rng.random() < 0.5:
                content.update(text=base64.b64encode(text.encode()).decode(), encoding="base64")
            url, asked = request_of(body, mix)
            url = "https://console.example.com/static/app.js" if other else url
            sent = [{"name": "Host", "value": "dms.cn-north-4.myhuaweicloud.com"}] + [
                {"name": k, "value": v} for k, v in asked.items()
            ]
            entry = {
                "startedDateTime": "2026-11-20T08:00:00.000Z", "time": 10,
                "request": {"method": "GET", "url": url, "httpVersion": "HTTP/1.1", "headers": sent, "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0},
                "response": {"status": 200, "statusText": "OK", "httpVersion": "HTTP/1.1", "headers": [{"name": "Content-Type", "value": "application/json;charset=UTF-8"}, {"name": "X-Request-Id", "value": f"{rng.getrandbits(128):032x}"}], "cookies": [], "content": content, "redirectURL": "", "headersSize": -1, "bodySize": len(text)},
                "cache": {}, "timings": {"send": 0, "wait": 9, "receive": 1},
            }  # fmt: skip
            handle.write(("," if count else "") + json.dumps(entry) + "\n")
            count += 1
        handle.write("]}}\n")
    return count


# --- hostile inputs: one item of extreme size or findings ------------------------------------------------------------


def make_big_body_har(path: Path, megabytes: int, *, minified: bool) -> int:
    """A HAR of three entries, the middle one with a JSON body of about `megabytes` (a task whose array of nested
    JSON texts makes the escapes of a JSON body written inside a JSON string); returns the number of entries."""
    kafka, _ = examples()
    inner = json.dumps(kafka)
    body = dict(kafka, blob=[inner] * max(1, megabytes * 1024 * 1024 // (len(inner) + 8)))
    url = URL.format(i=INSTANCE, t=TASK)

    def entry(text: str) -> Body:
        return {"request": {"method": "GET", "url": url, "headers": []},
                "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}],
                             "content": {"mimeType": "application/json", "text": text}}}  # fmt: skip

    document = {"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"},
                        "entries": [entry(inner), entry(json.dumps(body)), entry(inner)]}}  # fmt: skip
    path.write_text(json.dumps(document, indent=None if minified else 2))
    return 3


def make_long_line(path: Path, megabytes: int) -> int:
    """A JSONL log of three lines, the middle one a JSON value of `megabytes`; returns the number of lines."""
    kafka, _ = examples()
    good = json.dumps(kafka).encode()
    with path.open("wb") as handle:
        handle.write(good + b"\n" + b'{"note": "' + b"x" * (megabytes << 20) + b'"}\n' + good + b"\n")
    return 3


def make_countless_fields(path: Path, fields: int) -> int:
    """One body file: the Kafka example with `fields` undocumented fields (as many drift findings)."""
    kafka, _ = examples()
    body = dict(kafka)
    body.update((f"extra_{index:07d}", index) for index in range(fields))
    path.write_text(json.dumps(body))
    return 1


def make_zstd_bomb(path: Path, megabytes: int) -> int:
    """A JSONL .zst of a few kilobytes: one line of `megabytes` (frames of 16 MiB of one byte), then a good line."""
    import zstandard

    filler = zstandard.compress(b"x" * (16 << 20))
    head, tail = zstandard.compress(b'{"task_name": "a", "note": "'), zstandard.compress(b'"}\n{"task_name": "b"}\n')
    path.write_bytes(head + filler * max(1, megabytes // 16) + tail)
    return 2


def make_gzip_har_bomb(path: Path, megabytes: int) -> int:
    """A .har.gz whose first entry's content.text is one string of `megabytes` (gzip members of 16 MiB of one
    byte), then a good entry."""
    import gzip

    url = URL.format(i=INSTANCE, t=TASK)
    entry = {"request": {"method": "GET", "url": url, "headers": []},
             "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "application/json"}],
                          "content": {"mimeType": "application/json", "text": "@"}}}  # fmt: skip
    before, after = json.dumps(entry).split("@")
    good = json.dumps(entry).replace('"@"', json.dumps(json.dumps({"task_name": "a"})))
    head = '{"log": {"version": "1.2", "creator": {"name": "bench", "version": "1"}, "entries": [' + before
    filler = gzip.compress(b"x" * (16 << 20), compresslevel=1)
    path.write_bytes(gzip.compress(head.encode()) + filler * max(1, megabytes // 16)
                     + gzip.compress(f"{after},{good}]}}}}".encode()))  # fmt: skip
    return 2
