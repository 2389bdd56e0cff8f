"""The verdict on one decoded body: its findings, by the full path or the fast path, which the tests hold equal.

Full path: the default reading's errors are errors; what only the strict reading rejects (an inferred rule, drift) is
a warning, or an error in strict mode, unless the default reading already flagged the same place. Every error of
both readings is explained.

Fast path (jsonschema-rs): one validation of the strict reading, flattened, settles the common case (nothing to
report). Otherwise one pass over the contract as written (every rule, open) finds the broken rules, each sorted by
its provenance, and a walk of the closed schema finds the drift (no second pass, whose errors would carry whole
objects back from the engine). This is exact when no inferred rule sits inside a condition or an alternative,
which the constructor checks; otherwise the fast path is not used.

For a report that only counts (the text report), `shape` gives a body's findings without their messages: its
outcome and the group of each finding. Explanations are remembered per failure shape (the same error at the same
place on a value of the same kind), and a recent shape is recognised again by a probe (see probe.py), so a storm of
one failure costs about two quick checks a line.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter
from typing import Any

from ..contract import JsonObject, default_reading, flatten_schema, json_pointer, provenance, strict_reading
from ..contract.provenance import Provenance
from ..contract.walk import walk
from ..findings import MAX_FINDINGS, Finding, GroupKey, Outcome, Severity, findings_limit, limit_group, with_messages
from ..redact import is_secret_name, preview, previews
from .drift import DriftWalker
from .explain import DRIFT_KEYWORDS, Explained, Stub, explain, explain_cached, stubs_cached
from .options import Engine
from .probe import Probe
from .probe_maker import ProbeMaker
from .schemas import SchemaValidator

_CACHED = 10_000  # shapes kept; the cache starts over when full
# Where stripping an inferred rule could change another rule's meaning: the fast path then does not hold.
_NON_LOCAL = frozenset({"anyOf", "oneOf", "not", "if", "then", "else"})

# A finding before its weight: rule, pointer, provenance, whether the default reading flags it, whether it is drift.
Unweighed = tuple[str, str, Provenance, bool, bool]


@dataclass(frozen=True, slots=True)
class Shape:
    """A body's findings without their messages: its outcome, and the group of each finding in report order."""

    outcome: Outcome
    groups: tuple[GroupKey, ...]


class BodyRules:
    """One documented body (a status and a media type) compiled for every reading the verdict needs."""

    def __init__(
        self, schema: JsonObject, engine: Engine, *, strict: bool, max_findings: int = MAX_FINDINGS, operation: str = ""
    ) -> None:
        closed = strict_reading(schema)
        self.operation = operation  # every finding of this body is of it
        self.schema, self.closed_schema, self.engine = schema, closed, engine
        self.strict = strict
        self.max_findings = max_findings
        # Everything, closed and flattened: when it passes there is nothing to report, in either mode.
        flat = flatten_schema(closed)
        self.quick_schema = flat  # kept for comparing two versions' bodies (difference.py)
        self.quick = SchemaValidator(flat, engine).is_valid
        walker = DriftWalker.build(closed) if engine == "fast" and _stripping_is_local(schema) else None
        self.walker = walker
        self.rules = SchemaValidator(schema, engine) if walker else None  # every rule, open: no drift errors
        self.rules_quick = SchemaValidator(flatten_schema(schema), engine).is_valid if walker else None
        self.probes = (
            ProbeMaker(schema, self.quick, flat, lambda relaxed: SchemaValidator(relaxed, engine).is_valid)
            if walker
            else None
        )
        self.probe: Probe | None = None  # the last failure shape met, and how to recognise it
        self._shapes: dict[tuple[Unweighed, ...], Shape] = {}
        self._made: tuple[Any, list[Finding]] | None = None  # the last body of countless findings, and its findings

    @cached_property
    def default(self) -> SchemaValidator:
        """The default reading, for the full path (compiled when first needed: the fast path does without)."""
        return SchemaValidator(default_reading(self.schema), self.engine)

    @cached_property
    def closed(self) -> SchemaValidator:
        """The strict reading, for the full path."""
        return SchemaValidator(self.closed_schema, self.engine)

    # --- findings, with their messages ------------------------------------------------------------------------

    def findings(self, value: Any, checked: bool = False) -> list[Finding]:
        """Every finding of a decoded body, in report order (errors first, then by pointer, rule and message).
        `checked`: the caller has just seen `quick` reject it."""
        if not checked and self.quick(value):
            return []
        made = self._made
        if made is not None and made[0] is value:
            return made[1]
        return self.fast_findings(value) if self.walker else self.full_findings(value)

    def full_findings(self, value: Any) -> list[Finding]:
        """The full path: each reading's own errors, explained."""
        passes = [] if self.default.is_valid(value) else [(self.default, True)]
        explained = [
            (found, documented, not documented and error.keyword in DRIFT_KEYWORDS)
            for validator, documented in [*passes, (self.closed, False)]
            for error in validator.errors(value)
            for found in explain(validator, error, value)
        ]
        return self._explained(explained)

    def fast_findings(self, value: Any, drift: list[Stub] | None = None) -> list[Finding]:
        """The fast path: the broken rules from one pass over the open contract, the drift from the walk (whose
        messages are made only for the findings kept)."""
        assert self.rules is not None and self.rules_quick is not None and self.walker is not None
        unweighed: list[Unweighed] = []
        messages: list[Any] = []
        if not self.rules_quick(value):  # a drift storm breaks no rule: no error pass
            for error in self.rules.errors(value):
                drifts = error.keyword in DRIFT_KEYWORDS
                for found in explain_cached(self.rules, error, value):
                    documented = _documented(found.provenance)
                    unweighed.append(
                        (found.rule, found.pointer, found.provenance, documented, drifts and not documented)
                    )
                    messages.append(found.message)
        # What only the closing rejects is drift, whatever the closed rule's provenance (as on the full path).
        walker = self.walker
        if drift is None:
            drift = walker.drift(value)
        unweighed += [(rule, pointer, origin, False, True) for rule, pointer, origin in drift]
        messages += [None] * len(drift)

        def message(index: int) -> str:
            found = messages[index]
            return found if found is not None else walker.message(unweighed[index][0], unweighed[index][1], value)

        return self._findings(unweighed, message)

    def held_findings(self, probe: Probe, value: Any) -> list[Finding]:
        """The findings of a body `probe` holds for, which are those of the first body it held for but for the
        messages that quote a value at a mended place: made again from this body's values, at the cost of their
        previews. The first body's findings are made in full, and each message remade is checked against its own."""
        if probe.findings is None:
            found = self.fast_findings(value)
            probe.findings = self._template(probe, value, found) or False
            return found
        quoting = self.quoting(probe)
        if quoting is None:  # a message this cannot remake: every body is explained
            return self.fast_findings(value)
        found, indexes, columns = self.held_messages(probe, [quoting(value)])
        return with_messages(found, indexes, [message for (message,) in columns])

    @staticmethod
    def quoting(probe: Probe) -> Callable[[Any], Any] | None:
        """For bodies `probe` holds for, whose probe already remakes messages: what their remade messages quote,
        as a function of the body (the value at the one place quoted, or a tuple of the values at each); None while
        the probe has no such template. A run of held lines keeps that alone of each body, not the body."""
        template = probe.findings
        if not template:
            return None
        paths = [tokens for tokens, _, _, _ in template[2]]
        if len(paths) == 1 and len(paths[0]) == 1:  # one value quoted, a field of the body: most storms
            return itemgetter(paths[0][0])

        def quoted(value: Any) -> tuple[Any, ...]:
            values = []
            for tokens in paths:
                held = value
                for token in tokens:
                    held = held[token]
                values.append(held)
            return tuple(values)

        return quoted

    @staticmethod
    def held_messages(probe: Probe, quoted: list[Any]) -> tuple[list[Finding], tuple[int, ...], list[list[str]]]:
        """For bodies `probe` holds for, given what each one's remade messages quote (see quoting): the findings of
        the first body, the indexes of those whose messages quote a value, and the bodies' messages there, a
        column for each index (held_findings without making the findings)."""
        found, indexes, places = probe.findings
        if len(places) == 1 and len(places[0][0]) == 1:
            _, name, head, tail = places[0]
            return found, indexes, [[f"{head}{shown}{tail}" for shown in previews(quoted, name)]]
        columns = [[f"{head}{shown}{tail}" for shown in previews([values[index] for values in quoted], name)]
                   for index, (_, name, head, tail) in enumerate(places)]  # fmt: skip
        return found, indexes, columns

    def _template(self, probe: Probe, value: Any, found: list[Finding]) -> Any:
        """How held_findings() remakes the findings of a body the probe holds for, from this body's: the findings,
        the indexes of those that quote the value at a mended place, and for each the place, its name and what
        stands around the preview. None when a message at a place is not a preview with text around it."""
        assert self.rules is not None and self.walker is not None
        places = {json_pointer((*mend[1], mend[2])): (*mend[1], mend[2]) for mend in probe.mends
                  if mend[0] in ("set", "listed")}  # fmt: skip
        arounds: dict[str, tuple[str, str]] = {}
        if any(mend[0] == "set" for mend in probe.mends):
            for error in self.rules.errors(value):
                for explained in explain(self.rules, error, value):
                    if explained.pointer in places and explained.around is not None:
                        arounds[explained.pointer] = explained.around
        for mend in probe.mends:
            if mend[0] == "listed":
                pointer = json_pointer((*mend[1], mend[2]))
                arounds.setdefault(pointer, self.walker.unlisted_around(pointer))
        indexes, varying = [], []
        for index, finding in enumerate(found):
            tokens = places.get(finding.pointer)
            if tokens is None or finding.rule == "limit.findings":
                continue
            around = arounds.get(finding.pointer)
            held: Any = value
            for token in tokens:
                held = held[token]
            # The name a preview is masked by, where it names a credential (else none, not looked up each time).
            name = tokens[-1] if isinstance(tokens[-1], str) and is_secret_name(tokens[-1]) else ""
            if around is None or around[0] + preview(held, name) + around[1] != finding.message:
                return None
            indexes.append(index)
            varying.append((tokens, name, *around))
        return found, tuple(indexes), varying

    def _explained(self, explained: list[tuple[Explained, bool, bool]]) -> list[Finding]:
        unweighed = [
            (found.rule, found.pointer, found.provenance, documented, drift) for found, documented, drift in explained
        ]
        return self._findings(unweighed, lambda index: explained[index][0].message)

    def _findings(self, unweighed: list[Unweighed], message: Callable[[int], str]) -> list[Finding]:
        """The findings kept, in report order: at most `max_findings`, then one `limit.findings` saying how many
        more there were. After weighing, no two findings share a rule and a pointer, so the order is settled
        before any message is made, and messages are made only for the findings kept."""
        weighed = sorted(self._weigh(unweighed), key=lambda w: (w[2] is not Severity.ERROR, w[1], w[0]))
        kept = weighed[: self.max_findings]
        operation = self.operation
        findings = [
            Finding(rule, pointer, message(index), severity, origin, drift, operation)
            for rule, pointer, severity, origin, drift, index in kept
        ]
        if len(weighed) > len(kept):  # in its place in report order, as the checker sorts an exchange's findings
            findings.append(findings_limit(len(weighed) - len(kept), self.max_findings, operation))
            findings.sort(key=lambda finding: finding.order)
        return findings

    def _weigh(self, unweighed: list[Unweighed]) -> list[tuple[str, str, Severity, Provenance, bool, int]]:
        """What stays of the findings, with their weight: what the default reading rejects is an error; the rest
        (inferred rules, drift) is a warning unless strict, and is dropped where the default reading already flagged
        the place. Documented findings come first, so that they flag their places before the rest is weighed."""
        documented_first = [index for index, found in enumerate(unweighed) if found[3]]
        order = documented_first + [index for index, found in enumerate(unweighed) if not found[3]]
        weighed: list[tuple[str, str, Severity, Provenance, bool, int]] = []
        flagged: set[str] = set()
        seen: set[str] = set()  # rule and pointer, as one string: a body may hold countless findings
        add, error, minor = weighed.append, Severity.ERROR, Severity.ERROR if self.strict else Severity.WARNING
        for index in order:
            rule, pointer, origin, documented, drift = unweighed[index]
            key = rule + " " + pointer
            if key in seen:
                continue
            if documented:
                flagged.add(pointer)
                add((rule, pointer, error, origin, drift, index))
            elif pointer not in flagged:
                add((rule, pointer, minor, origin, drift, index))
            else:
                continue
            seen.add(key)
        return weighed

    # --- shapes, without messages -----------------------------------------------------------------------------

    def shape(self, value: Any, probed: bool = False) -> Shape:
        """The outcome and groups of a body `quick` has just rejected, as findings() would give them. `probed`: the
        caller has just seen the probe not hold for it."""
        if self.walker is None:
            return shape_of(self.findings(value, checked=True))
        assert self.rules is not None and self.rules_quick is not None and self.probes is not None
        probe = self.probe
        if not probed and probe is not None and probe.holds(value):
            return probe.shape  # type: ignore[no-any-return]
        drift = self.walker.drift(value)
        if len(drift) > self.max_findings:
            # A body of countless new fields: its shape is not met again, and its findings (which open its groups)
            # cost as much as its shape. Made once, and kept for the findings() call that follows.
            found = self.fast_findings(value, drift)
            self._made = (value, found)
            return shape_of(found)
        unweighed: list[Unweighed] = []
        errors = []
        if not self.rules_quick(value):
            for error in self.rules.errors(value):
                found_stubs = stubs_cached(self.rules, error, value)
                errors.append((error, found_stubs))
                drifts = error.keyword in DRIFT_KEYWORDS
                for rule, pointer, origin in found_stubs:
                    documented = _documented(origin)
                    unweighed.append((rule, pointer, origin, documented, drifts and not documented))
        unweighed += [(rule, pointer, origin, False, True) for rule, pointer, origin in drift]
        key = tuple(unweighed)
        shape = self._shapes.get(key)
        if shape is None:
            if len(self._shapes) >= _CACHED:
                self._shapes.clear()
            shape = self._shapes[key] = self._shape(unweighed)
        self.probe = self.probes.learn(value, errors, self.walker.mends(value), shape) or self.probe
        return shape

    def _shape(self, unweighed: list[Unweighed]) -> Shape:
        weighed = sorted(self._weigh(unweighed), key=lambda w: (w[2] is not Severity.ERROR, w[1], w[0]))
        operation = self.operation
        groups = tuple(
            (rule, pointer, severity, f"drift; {origin.label}" if drift else origin.label, operation)
            for rule, pointer, severity, origin, drift, _ in weighed[: self.max_findings]
        )
        if len(weighed) > self.max_findings:  # in its place in report order, as _findings() puts its finding
            groups = tuple(sorted((*groups, limit_group(operation)), key=lambda group: (group[2] is not Severity.ERROR, group[1],
                                                                             group[0])))  # fmt: skip
        outcome = Outcome.VIOLATING if any(group[2] is Severity.ERROR for group in groups) else Outcome.CONFORMING
        return Shape(outcome, groups)


def shape_of(findings: list[Finding]) -> Shape:
    """The shape of findings already made."""
    outcome = Outcome.VIOLATING if any(f.severity is Severity.ERROR for f in findings) else Outcome.CONFORMING
    return Shape(outcome, tuple(finding.group for finding in findings))


def _documented(origin: Provenance) -> bool:
    return origin.kind != "inferred"


def _stripping_is_local(schema: Any) -> bool:
    """Whether every inferred rule stands where removing it changes no other rule: not inside a condition, a
    negation or an alternative. Then the default reading's errors are exactly the documented errors of the
    contract as written, and the fast path may sort errors by provenance instead of running the default reading."""
    for visit in walk(schema):
        if visit.under(_NON_LOCAL):
            for keyword in visit.node.get(provenance.EXTENSION, {}):
                found = provenance.of(visit.node, keyword)
                if found is not None and found.kind == "inferred":
                    return False
    return True
