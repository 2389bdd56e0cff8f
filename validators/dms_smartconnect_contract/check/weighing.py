"""Recorded traffic judged under two versions of the contract in one pass, for `diff --captures`.

Each item is read and parsed once, then judged under each version in the default and the strict reading, by the
checkers `validate` uses. What comes back per unit is a Weighing: the counts under each version and reading, and the
items whose outcome one version turns, with what the version that rejects them finds.

- An item is judged strictly by each version; the default reading's result follows from that one, since the two
  readings find the same things and differ only in weight (unless --max-findings cut the findings).
- The JSONL fast path needs a bare body's outcomes, not its findings. The base's quick check (the flattened strict
  reading, the same in both readings) settles most lines, and the head's verdict follows from it through the checks
  where the versions' schemas differ (difference.py). A failing line violates the strict reading, and the default
  one exactly when that reading's own schema rejects it (as the full path of body.py decides). Only a line that one
  version turns takes the shape of the rejecting version, for its findings.
- An exchange the base finds nothing in is the head's too when the head's rules for its status are the same but
  for the body's schema, and its body passes the local checks.

The tests hold every count and every turned item equal to four separate runs of the checkers.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

import orjson

from ..contract import JsonObject
from ..findings import Outcome, Result
from ..formats.har import har_entry
from ..formats.items import NOT_PARSED, Exchange, HarEntry, JsonlChunk, Oversized, Single, Skipped
from ..sources.lines import LongLine
from .body import BodyRules
from .checker import Checker
from .difference import Difference, body_differences
from .options import CheckOptions
from .weighed import (
    JUDGED,
    KEYS,
    LIMIT_RULE,
    READINGS,
    Found,
    Told,
    Turn,
    Weighing,
    default_of,
    places_of,
    stand_in,
    weighs_by_default,
)

_MISSING: Any = object()
# Findings of an exchange itself, not of its body's rules; with the first four, the body's rules never ran.
_UNJUDGED_BODY = frozenset({"status.undocumented", "media-type", "body.unreadable", "body.not-recorded"})
_EXCHANGE_RULES = _UNJUDGED_BODY | {"header.missing", "header.schema", "request.accepted-invalid", "auth.ignored"}
_OUTCOME = {True: Outcome.CONFORMING, False: Outcome.VIOLATING}


class _Bare:
    """One version's fast path for bare bodies: the body rules of each reading, and what makes a line a record."""

    def __init__(self, default: Checker, strict: Checker) -> None:
        bodies = default.bare_body_rules(), strict.bare_body_rules()
        rules = default.bare_rules()
        usable = bodies[0] is not None and bodies[1] is not None and rules is not None
        self.usable = usable and default.coverage is None and not default.families.forced
        self.default: BodyRules = bodies[0]  # type: ignore[assignment]  # read only when usable
        self.strict: BodyRules = bodies[1]  # type: ignore[assignment]
        self.families = default.families
        self.fields = rules.fields if rules is not None else frozenset()
        self.unrecognised = rules.unrecognised if rules is not None else bool
        self._found: dict[tuple[Any, ...], frozenset[Found]] = {}

    def decides(self, value: Any) -> bool:
        """Whether the checker takes a parsed object that may be a record (see judge_chunk) for a record or for
        unrecognised, not for a bare body."""
        return self.families.family(value) is not None or bool(self.unrecognised(value))

    def places(self, value: Any, reading: int) -> frozenset[Found]:
        """What a reading finds in a bare body it rejects: the rule and place of each finding."""
        groups = (self.default, self.strict)[reading].shape(value).groups
        found = self._found.get(groups)
        if found is None:  # bodies turned alike find alike: made once per shape
            if len(self._found) >= 1024:
                self._found.clear()
            found = self._found[groups] = frozenset((group[0], group[1]) for group in groups)
        return found


class PairJudge:
    """Both versions of the contract, each in both readings: each item counted under all four (a checker per
    version and reading; the default ones judge only where the strict result cannot say)."""

    numbering: Any = None  # unused: a weighing's ranges are renumbered by the runner, never linked

    def __init__(self, base: JsonObject, head: JsonObject, options: CheckOptions) -> None:
        assert not options.coverage, "a weighing counts outcomes only"
        self.checkers = [
            Checker(document, replace(options, strict=reading == "strict"))
            for document in (base, head)
            for reading in READINGS
        ]
        self.options = options
        self._bodies: dict[tuple[str, int, str | None], Any] = {}  # see _bodies_of
        first = self.checkers[0]
        self.max_body_size = first.max_body_size
        self.default_status = first.default_status
        self.default_content_type = first.default_content_type
        self._bare = [_Bare(self.checkers[0], self.checkers[1]), _Bare(self.checkers[2], self.checkers[3])]
        # The head's verdicts on a bare body from the base's, checked only where the versions differ.
        older, newer = self._bare
        if older.usable and newer.usable:
            self._strict, self._default = body_differences(older.default, newer.default, options.engine)

    def empty(self) -> Weighing:
        return Weighing()

    def add(self, part: Weighing, item: Single) -> None:
        single = self._exchange(item) if isinstance(item, HarEntry) else item
        if isinstance(single, Skipped):  # no checker judges it: the same skip in all four counts
            skipped = Result(single.location, Outcome.SKIPPED, reason=single.reason)
            for tally in part.tallies.values():
                tally.add(skipped)
            return
        exchange = single if isinstance(single, Exchange) else None
        base = self.checkers[1]
        before = base.judge_exchange(exchange) if exchange is not None else base.judge(single)
        if (
            exchange is not None and not before.findings and before.outcome is Outcome.CONFORMING
            and self._head_accepts(exchange, before.operation)
        ):  # fmt: skip
            for tally in part.tallies.values():  # the common case: nothing found, in either version or reading
                tally.conforming += 1
            return

        def judge(checker: Checker) -> Result:
            return checker.judge(single)

        self._count(part, item.location, *self._results(judge, exchange, before), None)

    def fold_items(self) -> None:  # (no report of a diff folds items)
        pass

    def add_all(self, part: Weighing, items: Iterable[Single]) -> int:
        count = 0
        for count, item in enumerate(items, start=1):  # noqa: B007  # (the count is what is left of it)
            self.add(part, item)
        return count

    def _head_accepts(self, exchange: Exchange, operation_id: str) -> bool:
        """Whether the head's strict reading accepts, without judging it, an exchange the base's accepts with
        nothing found (the common case of _head_outcomes, kept lean: it runs for most exchanges)."""
        routed = self.checkers[3].route(exchange.method, exchange.url)
        if isinstance(routed, str) or routed.operation_id != operation_id or exchange.parsed is NOT_PARSED:
            return False
        bodies = self._bodies_of(operation_id, exchange)
        return bodies is not None and bodies[0].given_accepted(exchange.parsed)

    def _bodies_of(self, operation_id: str, exchange: Exchange) -> tuple[Difference, Difference, BodyRules] | None:
        """_body_differences of an exchange's operation, status and media type, remembered by what the exchange
        records (its Content-Type as written)."""
        key = (operation_id, exchange.status, exchange.content_type)
        bodies = self._bodies.get(key, _MISSING)
        if bodies is _MISSING:
            media_type = (exchange.content_type or "").split(";", 1)[0].strip().lower()
            bodies = self._bodies[key] = self._body_differences(operation_id, str(exchange.status), media_type)
        return bodies  # type: ignore[no-any-return]

    def _exchange(self, entry: HarEntry) -> Single:
        """A HAR entry made an exchange once for all four checkers, its body decoded once. An entry both versions
        skip for the same reason is skipped before its headers and body are read, as validate does; any other is
        routed by each checker itself, and a body that is not JSON or over the limit is left for each to judge."""
        item = har_entry(entry.location, entry.entry, self._skipped_by_both, self.max_body_size, entry.withheld)
        if (
            isinstance(item, Exchange) and item.parsed is NOT_PARSED and item.body is not None
            and not item.body_error and type(item.body) is not Oversized and len(item.body) <= self.max_body_size
        ):  # fmt: skip
            with contextlib.suppress(orjson.JSONDecodeError):
                item.parsed = orjson.loads(item.body)  # the exchange is this weighing's own
        return item

    def _skipped_by_both(self, method: str | None, url: str | None) -> str | None:
        """Why both versions skip a request, when they skip it alike; None for one to judge (each checker routes
        it again, from the routes it remembers)."""
        before = self.checkers[1].route(method, url)
        return before if isinstance(before, str) and before == self.checkers[3].route(method, url) else None

    def _results(
        self,
        judge: Callable[[Checker], Result],
        exchange: Exchange | None = None,
        before: Result | None = None,
        told: Told | None = None,
    ) -> tuple[list[Result], frozenset[Found] | None]:
        """An item's results under base default, base strict, head default and head strict, and what the head finds
        where it was not judged but rejects the item. Each version judges it
        strictly, and the default reading's result follows from that one (see _default_of). An exchange the head
        routes alike and whose status has the same rules in the head but for the body's schema is judged by the
        head only where its outcomes may differ from the base's (see _head_outcomes); elsewhere the head's results
        are the base's. `before` and `told`: the base's strict result and what it tells of the head, when the caller
        has them."""
        base_default, base_strict, head_default, head_strict = self.checkers
        before = before or judge(base_strict)
        default = default_of(before, judge, base_default)
        told = told or self._head_outcomes(exchange, before)
        if told is not None:
            if told.outcomes == (default.outcome, before.outcome):
                return [default, before, stand_in(default), stand_in(before)], None  # no finding of the head is wanted
            places = told.places()
            if places is not None:
                results = [stand_in(default, told.outcomes[0]), stand_in(before, told.outcomes[1])]
                return [default, before, *results], places
        after = judge(head_strict)
        return [default, before, default_of(after, judge, head_default), after], None

    def _head_outcomes(self, exchange: Exchange | None, base: Result) -> Told | None:
        """The head's outcomes of an exchange in the default and the strict reading, from the base's strict result
        and the checks where the versions' body schemas differ; None where they cannot be told so.

        The head routes the exchange to the same operation, and its status has the same headers and media types:
        the head finds what the base finds of the exchange itself (status, headers, media type), which is an error
        in strict and by default where its rule is documented. Of the body, the base's quick check failed exactly
        where the base found something in it, and its default reading rejected it where such a finding weighs by
        default; the head's verdicts follow from those through the local checks (difference.py)."""
        if exchange is None or exchange.parsed is NOT_PARSED or base.outcome not in JUDGED:
            return None
        found = base.findings
        if any(finding.rule in _UNJUDGED_BODY or finding.rule == LIMIT_RULE for finding in found):
            return None
        routed = self.checkers[3].route(exchange.method, exchange.url)
        if isinstance(routed, str) or routed.operation_id != base.operation:
            return None
        bodies = self._bodies_of(base.operation, exchange)
        if bodies is None:
            return None
        strict, default, rules = bodies
        body = exchange.parsed
        if not found:  # the common case: the base's quick check passed, and nothing of the exchange was found
            head_strict = strict.given_accepted(body)
            default_ok = head_strict or default.given_accepted(body)
            return Told((_OUTCOME[default_ok], _OUTCOME[head_strict]), head_strict, frozenset(), rules, body)
        of_body = [finding for finding in found if finding.rule not in _EXCHANGE_RULES]
        head_strict = strict.given_rejected(body) if of_body else strict.given_accepted(body)
        if head_strict:
            head_default = True
        else:
            accepted = not any(weighs_by_default(finding) for finding in of_body)
            head_default = default.given_accepted(body) if accepted else default.given_rejected(body)
        of_exchange = [finding for finding in found if finding.rule in _EXCHANGE_RULES]
        strict_ok = head_strict and not of_exchange
        default_ok = head_default and not any(weighs_by_default(finding) for finding in of_exchange)
        places = frozenset((finding.rule, finding.pointer) for finding in of_exchange)
        return Told((_OUTCOME[default_ok], _OUTCOME[strict_ok]), head_strict, places, rules, body)

    def _body_differences(
        self, operation_id: str, status: str, media_type: str
    ) -> tuple[Difference, Difference, BodyRules] | None:
        """How the head's body schema of a status differs from the base's in the strict and in the default reading,
        and the head's body rules, where all else of the status is the same in both (None otherwise)."""
        older, newer = self.checkers[1], self.checkers[3]
        before, after = older.operations.get(operation_id), newer.operations.get(operation_id)
        spec, other = before.responses.get(status), after.responses.get(status)
        if (
            spec is None or other is None or spec.headers != other.headers
            or spec.media_types.keys() != other.media_types.keys() or before.request_side() != after.request_side()
        ):  # fmt: skip
            return None
        body, other_body = (checker.rules(found).body_rules(status, media_type)
                            for checker, found in ((older, before), (newer, after)))  # fmt: skip
        if body is None or other_body is None:
            return None
        return (*body_differences(body, other_body, self.options.engine), other_body)

    def append(self, part: Weighing, later: Weighing) -> None:
        part.merge(later)

    def finish(self, part: Weighing) -> None:
        return None

    def chunk(self, chunk: JsonlChunk) -> tuple[Weighing, int, int | None]:
        """The weighing of a chunk's lines, numbered from its first (see JsonlChunk), how many lines it holds, and
        the lines before it where they were known (its `before`)."""
        part = Weighing()
        limit, path, loads = self.max_body_size, chunk.path, orjson.loads
        lines = chunk.read_lines(limit)
        bare = self._bare
        fast = bare[0].usable and bare[1].usable
        # What a line must have to be a record or unrecognised under either version, tested inline as judge_chunk
        # does: most lines are bodies, which have none.
        markers = bare[0].families.markers | bare[1].families.markers
        fields, other_fields = bare[0].fields, bare[1].fields
        quick = bare[0].default.quick
        if fast:
            head_if_accepted, head_if_rejected = self._strict.given_accepted, self._strict.given_rejected
        both = 0  # lines conforming in both readings of both versions, counted at the end
        # The rest by their outcomes (base default, base strict, head default, head strict), counted at the end.
        kinds: dict[tuple[bool, bool, bool, bool], int] = {}
        for number, raw in enumerate(lines, start=chunk.first):
            if not fast or len(raw) > limit:
                if raw.strip():
                    # A line its reader cut at the limit is judged as it is: stripped, it would lose its length.
                    self._line(part, f"{path}:{number}", raw if type(raw) is LongLine else raw.strip(), None, path)
                continue
            try:
                value = loads(raw)
            except orjson.JSONDecodeError:
                if raw.strip():  # blank lines are no items
                    self._line(part, f"{path}:{number}", raw.strip(), None, path)
                continue
            if (
                type(value) is dict
                and (type(value.get("status")) is int or not value.keys().isdisjoint(markers)
                     or fields.isdisjoint(value) or other_fields.isdisjoint(value))
                and (bare[0].decides(value) or bare[1].decides(value))
            ):  # fmt: skip
                self._line(part, f"{path}:{number}", raw, value, path)
                continue
            try:
                if quick(value):
                    if head_if_accepted(value):
                        both += 1
                        continue
                    kind = self._kind(value, True, False)
                else:
                    kind = self._kind(value, False, head_if_rejected(value))
                turned = self._turned(value, kind) if kind[0] != kind[2] or kind[1] != kind[3] else None
            except (ValueError, RecursionError):  # too deep for the fast engine: the checkers report it
                self._line(part, f"{path}:{number}", raw, value, path)
                continue
            kinds[kind] = kinds.get(kind, 0) + 1
            if turned:
                for reading, rejected, findings in turned:
                    part.turn(f"{path}:{number}", reading, rejected, findings)
        tallies = [part.tallies[key] for key in KEYS]
        for tally in tallies:
            tally.conforming += both
        for kind, count in kinds.items():
            for tally, conforms in zip(tallies, kind, strict=True):
                if conforms:
                    tally.conforming += count
                else:
                    tally.violating += count
        return part, len(lines), chunk.before

    def _kind(self, value: Any, base_strict: bool, head_strict: bool) -> tuple[bool, bool, bool, bool]:
        """Whether a bare body some version's quick check rejects conforms in each reading of each version (base
        default, base strict, head default, head strict), from the quick checks' verdicts."""
        default = base_strict or self._bare[0].default.default.is_valid(value)
        if head_strict:
            return default, base_strict, True, True
        head_default = self._default.given_accepted(value) if default else self._default.given_rejected(value)
        return default, base_strict, head_default, head_strict

    def _turned(self, value: Any, kind: tuple[bool, bool, bool, bool]) -> list[Turn]:
        """How a body is turned in each reading where the versions' outcomes differ, with what the version that
        rejects it finds."""
        return [
            (READINGS[reading], kind[reading], self._bare[1 if kind[reading] else 0].places(value, reading))
            for reading in (0, 1)
            if kind[reading] != kind[2 + reading]
        ]

    def _line(self, part: Weighing, location: str, raw: bytes, value: Any, source: str) -> None:
        """A line the fast path does not settle, judged by each checker as validate's chunk path would."""
        if value is None:
            results, _ = self._results(lambda checker: checker.judge_jsonl(location, raw))
        else:
            results, _ = self._results(lambda checker: checker.judge_line(location, raw, value))
        self._count(part, location, results, None, source)

    def _count(
        self, part: Weighing, location: str, results: list[Result], head: frozenset[Found] | None, source: str | None
    ) -> None:
        """Count an item's four results (base default, base strict, head default, head strict), and turn it where
        a reading's outcome differs between the versions. `head`: what the head finds, where its results were told
        without its findings."""
        for reading, name in enumerate(READINGS):
            old, new = results[reading], results[2 + reading]
            if old.outcome is Outcome.CONFORMING and new.outcome is Outcome.VIOLATING:
                part.turn(location, name, True, head if head is not None else places_of(new))
            elif old.outcome is Outcome.VIOLATING and new.outcome is Outcome.CONFORMING:
                part.turn(location, name, False, places_of(old))
        for key, result in zip(KEYS, results, strict=True):
            result.findings = []  # counted, not grouped: the weighing reports no findings
            part.tallies[key].add(result, source)


@dataclass(frozen=True)
class TwoContracts:
    """How a worker process makes its PairJudge (a spawned one compiles both versions itself)."""

    base: JsonObject
    head: JsonObject
    options: CheckOptions

    def __call__(self) -> PairJudge:
        return PairJudge(self.base, self.head, self.options)
