"""Parse pmuvisor results blocks out of serial console logs.

A block, as the hypervisor and the benchmark guest print it (docs/bench.md):

    === pmuvisor results begin ===
    meta,KEY,VALUE
    data,SOURCE,KIND,METRIC,STAT,VALUE
    === end ===

Anything outside a block is console noise and ignored. Inside a block every
line must be a meta or data line (empty lines are tolerated): a malformed
line, a value that is not a number, or a block cut off before the next one
begins is an error naming the file and line, so that a damaged log never
turns silently into a table with holes.

One log may hold several runs of the guest (the hypervisor's runs=
option): the hypervisor's own block ends each run and carries `meta,run`;
the blocks printed before it since the previous run's belong to the same
run. A log cut off inside a block loses that block and the rest of its run,
and the parser says so (notes); the complete runs before it are kept.
"""

from __future__ import annotations

import dataclasses
import os
import re
from typing import Iterable, Sequence, Tuple, TypedDict, Union

BEGIN = "=== pmuvisor results begin ==="
END = "=== end ==="

# Order of the statistics and the ones a value may be decimal for.
KNOWN_STATS = ("n", "min", "median", "p99", "max", "mean", "value", "total")
DECIMAL_STATS = ("mean",)

CSV_COLUMNS = ("platform", "pmu", "global_ctrl", "pmu_read", "stats", "rep",
               "source", "kind", "metric", "stat", "value")
STRATEGY_KEYS = ("pmu", "global_ctrl", "pmu_read", "stats")
# What a key is when neither the log nor the request says: before stats= the
# hypervisor always kept full statistics.
STRATEGY_DEFAULTS = {"stats": "full"}

# A value as number() reads it.
Number = Union[int, float]
# One CSV row, in CSV_COLUMNS order.
Row = Tuple[str, str, str, str, str, str, str, str, str, str, str]

_META_KEY = re.compile(r"[a-z0-9_]+\Z")
_SOURCE = re.compile(r"[a-z][a-z0-9_]*\Z")
_KIND = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.:+-]*\Z")
_METRIC = re.compile(r"[a-z][a-z0-9_]*\Z")
_PERCENTILE = re.compile(r"p[0-9]{1,2}\Z")
_UINT = re.compile(r"[0-9]+\Z")
_DECIMAL = re.compile(r"[0-9]+(\.[0-9]+)?\Z")

# OUT/logs/<platform>-<pmu>-<global_ctrl>-<pmu_read>[-stats<level>]-r<k>.log, as scripts/bench
# names them (platform labels are letters, digits, '_' and '.').
_LOG_NAME = re.compile(
    r"(?P<platform>[A-Za-z0-9_.]+)-(?P<pmu>[a-z]+)-(?P<global_ctrl>[a-z]+)-(?P<pmu_read>[a-z]+)"
    r"(-stats(?P<stats>[a-z]+))?-r(?P<rep>[0-9]+)\.log\Z")

MAX_ERRORS = 20


class ParseError(Exception):
    """One or more problems in one log; str() gives one 'FILE: ...' per line."""

    def __init__(self, messages: Iterable[str]) -> None:
        self.messages = list(messages)
        super().__init__("\n".join(self.messages))


@dataclasses.dataclass
class DataLine:
    line: int
    source: str
    kind: str
    metric: str
    stat: str
    value: str  # exactly as printed; see number()

    def number(self) -> Number:
        return number(self.value)


@dataclasses.dataclass
class Block:
    start_line: int
    end_line: int
    meta: dict[str, str]  # key -> value, in the order printed
    data: list[DataLine]
    run: int = 1  # which run of the log's boot it belongs to (runs=), 1..


def number(text: str) -> Number:
    """A value as an int, or a float when it has a decimal point."""
    return float(text) if "." in text else int(text)


class _LogNameRequired(TypedDict):
    platform: str
    pmu: str
    global_ctrl: str
    pmu_read: str
    rep: int


class LogName(_LogNameRequired, total=False):
    """What a log's file name says (log_name_strategy); stats only where it names one."""
    stats: str


def log_name_strategy(path: str) -> LogName | None:
    """The run options a log's file name carries, as scripts/bench names logs, or None."""
    m = _LOG_NAME.match(os.path.basename(path))
    if not m:
        return None
    d = LogName(platform=m["platform"], pmu=m["pmu"], global_ctrl=m["global_ctrl"],
                pmu_read=m["pmu_read"], rep=int(m["rep"]))
    if m["stats"]:
        d["stats"] = m["stats"]
    return d


def _data_line(name: str, n: int, line: str, errors: list[str]) -> DataLine | None:
    fields = line.split(",")
    if len(fields) != 6:
        errors.append(f"{name}: line {n}: malformed data line "
                      f"(want data,SOURCE,KIND,METRIC,STAT,VALUE): {line!r}")
        return None
    _, source, kind, metric, stat, value = fields
    for what, text, pattern in (("source", source, _SOURCE), ("kind", kind, _KIND),
                                ("metric", metric, _METRIC)):
        if not pattern.match(text):
            errors.append(f"{name}: line {n}: malformed data line: bad {what} {text!r}: {line!r}")
            return None
    if stat not in KNOWN_STATS and not _PERCENTILE.match(stat):
        errors.append(f"{name}: line {n}: unknown stat {stat!r} "
                      f"(want one of {', '.join(KNOWN_STATS)} or pNN): {line!r}")
        return None
    if stat in DECIMAL_STATS:
        if not _DECIMAL.match(value):
            errors.append(f"{name}: line {n}: value {value!r} is not a decimal number: {line!r}")
            return None
    elif not _UINT.match(value):
        errors.append(f"{name}: line {n}: value {value!r} is not an unsigned integer: {line!r}")
        return None
    return DataLine(n, source, kind, metric, stat, value)


def _meta_line(name: str, n: int, line: str, errors: list[str]) -> tuple[str, str] | None:
    parts = line.split(",", 2)
    if len(parts) != 3 or not _META_KEY.match(parts[1]):
        errors.append(f"{name}: line {n}: malformed meta line (want meta,KEY,VALUE): {line!r}")
        return None
    return parts[1], parts[2]


def _run_of(block: Block) -> int | None:
    """The run number a hypervisor block carries (meta,run), else None."""
    value = block.meta.get("run", "")
    return int(value) if value.isdigit() and int(value) > 0 else None


def _assign_runs(blocks: list[Block], name: str, notes: list[str] | None) -> list[Block]:
    """Give every block its run: that of the next block carrying meta,run. Blocks
    after the last such block belong to a run that did not finish: dropped, with
    a note, when the log has runs at all (a log without meta,run is one run)."""
    if not any(_run_of(b) for b in blocks):
        return blocks
    out: list[Block] = []
    pending: list[Block] = []
    for b in blocks:
        pending.append(b)
        run = _run_of(b)
        if run:
            for p in pending:
                p.run = run
            out += pending
            pending = []
    if pending and notes is not None:
        lines = ", ".join(str(p.start_line) for p in pending)
        notes.append(f"{name}: the log ends inside a run: its block(s) at line(s) {lines} "
                     "are dropped (no hypervisor results block follows them)")
    return out


def parse_text(text: str, name: str = "<log>", notes: list[str] | None = None) -> list[Block]:
    """All results blocks in a log's text, in order, each with its run number.
    Raises ParseError. A block cut off by the end of the log is dropped with the
    rest of its run, and a line saying so is appended to notes (a list) if given."""
    blocks: list[Block] = []
    errors: list[str] = []
    block: Block | None = None
    lines = text.split("\n")
    for n, raw in enumerate(lines, start=1):
        line = raw.rstrip()
        if len(errors) >= MAX_ERRORS:
            errors.append(f"{name}: more errors not shown")
            break
        if block is None:
            if line.endswith(BEGIN):
                block = Block(n, 0, {}, [])
            elif line == END:
                errors.append(f"{name}: line {n}: '{END}' without a results block "
                              f"(is the '{BEGIN}' line damaged?)")
            continue
        if line == END:
            block.end_line = n
            blocks.append(block)
            block = None
        elif line.endswith(BEGIN):
            errors.append(f"{name}: results block starting at line {block.start_line} is "
                          f"truncated (no '{END}' before the next block at line {n})")
            block = Block(n, 0, {}, [])
        elif line == "":
            continue
        elif line.startswith("meta,"):
            kv = _meta_line(name, n, line, errors)
            if kv:
                block.meta[kv[0]] = kv[1]
        elif line.startswith("data,"):
            d = _data_line(name, n, line, errors)
            if d:
                block.data.append(d)
        else:
            errors.append(f"{name}: line {n}: unexpected line inside the results block "
                          f"starting at line {block.start_line}: {line!r}")
    if errors:
        raise ParseError(errors)
    if block is not None and notes is not None:
        notes.append(f"{name}: results block starting at line {block.start_line} is "
                     f"truncated (no '{END}' before the end of the log): dropped")
    # A truncated block's run is incomplete: what was printed for it before it
    # follows no hypervisor block now, and is dropped too.
    blocks = _assign_runs(blocks, name, notes)
    _check_repeats(blocks, name)
    return blocks


def _check_repeats(blocks: list[Block], name: str) -> None:
    """One run prints each (source, kind, metric, stat) once."""
    errors: list[str] = []
    seen: dict[tuple[int, str, str, str, str], int] = {}
    for b in blocks:
        for d in b.data:
            key = (b.run, d.source, d.kind, d.metric, d.stat)
            if key in seen:
                errors.append(f"{name}: line {d.line}: data,{','.join(key[1:])} repeats line "
                              f"{seen[key]} in the same run; a run must hold each once (split "
                              "concatenated boots into one file each)")
            else:
                seen[key] = d.line
            if len(errors) >= MAX_ERRORS:
                raise ParseError(errors + [f"{name}: more errors not shown"])
    if errors:
        raise ParseError(errors)


def split_runs(blocks: Iterable[Block]) -> list[tuple[int, list[Block]]]:
    """The blocks of each run of a log, in run order: [(run, [blocks])]."""
    runs: dict[int, list[Block]] = {}
    for b in blocks:
        runs.setdefault(b.run, []).append(b)
    return sorted(runs.items())


def parse_log(path: str | os.PathLike[str], notes: list[str] | None = None) -> list[Block]:
    """All results blocks in the log file at path. Raises ParseError or OSError."""
    with open(path, "rb") as f:
        text = f.read().decode("utf-8", errors="replace")
    return parse_text(text, str(path), notes)


@dataclasses.dataclass
class Run:
    """One boot of the hypervisor: its requested options and its log."""
    platform: str
    pmu: str
    global_ctrl: str
    pmu_read: str
    rep: int
    log: str
    date: str = ""    # when it ran (ISO 8601)
    status: str = ""  # ok, refused, failed; "" for logs read with --from-logs
    note: str = ""    # what went wrong, for refused and failed runs
    asked: tuple[str, ...] = ()  # (pmu, global_ctrl, pmu_read, stats) requested, where it differs
    stats: str = ""   # the stats= level asked for (hypervisor default: full)
    run: int = 0      # which run of its log's boot (runs=); 0: the log is one run


def setting(run: Run, key: str) -> str:
    """The run's value of one of STRATEGY_KEYS (its field of that name)."""
    value: str = getattr(run, key)
    return value


class StrategySettings(TypedDict):
    """The strategy a block ran (strategy_of): a value for each of STRATEGY_KEYS."""
    pmu: str
    global_ctrl: str
    pmu_read: str
    stats: str


def log_meta(blocks: Iterable[Block]) -> dict[str, str]:
    """The meta values of all blocks of one log, the first printed value of each key."""
    meta: dict[str, str] = {}
    for b in blocks:
        for k, v in b.meta.items():
            meta.setdefault(k, v)
    return meta


def _block_setting(block: Block, merged: dict[str, str], run: Run, key: str) -> str:
    return block.meta.get(key) or merged.get(key) or setting(run, key) or \
        STRATEGY_DEFAULTS.get(key, "")


def strategy_of(blocks: Sequence[Block], run: Run) -> list[StrategySettings]:
    """pmu, global_ctrl and pmu_read of each block: its own meta, else another block's
    in the same log, else what the run asked for."""
    merged = log_meta(blocks)
    out = []
    for b in blocks:
        out.append(StrategySettings(pmu=_block_setting(b, merged, run, "pmu"),
                                    global_ctrl=_block_setting(b, merged, run, "global_ctrl"),
                                    pmu_read=_block_setting(b, merged, run, "pmu_read"),
                                    stats=_block_setting(b, merged, run, "stats")))
    return out


def rows(run: Run, blocks: Sequence[Block]) -> list[Row]:
    """CSV rows (tuples in CSV_COLUMNS order) for the data lines of one run
    (the blocks of one run of its log)."""
    out: list[Row] = []
    for b, strat in zip(blocks, strategy_of(blocks, run)):
        for d in b.data:
            out.append((run.platform, strat["pmu"], strat["global_ctrl"], strat["pmu_read"],
                        strat["stats"], str(run.rep), d.source, d.kind, d.metric, d.stat,
                        d.value))
    return out


def settle_runs(runs: Sequence[Run], blocks: Sequence[Sequence[Block]]) -> list[str]:
    """File each run under the strategy its results blocks say it ran (its meta
    lines), else the one it asked for, else "unknown". A run keeps its
    repetition number unless another run of that strategy has it: a run
    filed under a strategy it did not ask for (pmu=off reads no counters, so
    a run asking pmu_read=rdpmc reports rdmsr) yields to the runs that asked
    for it and takes the next free number, as does a run without one.
    Returns notes, one per kind of difference between asked and ran."""
    notes: dict[str, list[str]] = {}
    placed: list[tuple[Run, tuple[str, ...]]] = []
    for run, bl in zip(runs, blocks):
        meta = log_meta(bl)
        asked = tuple(setting(run, k) for k in STRATEGY_KEYS)
        ran = tuple(meta.get(k) or a or STRATEGY_DEFAULTS.get(k, "unknown")
                    for k, a in zip(STRATEGY_KEYS, asked))
        for k, a, r in zip(STRATEGY_KEYS, asked, ran):
            if a and a != r:
                run.asked = asked
                note = f"asked for {k}={a}, the hypervisor ran {k}={r}"
                notes.setdefault(note, []).append(run.log)
            setattr(run, k, r)
        placed.append((run, (run.platform,) + ran))
    taken: set[tuple[tuple[str, ...], int]] = set()
    for as_asked in (True, False):
        for run, key in placed:
            if (not run.asked) != as_asked:
                continue
            if not run.rep or (key, run.rep) in taken:
                run.rep = 1
                while (key, run.rep) in taken:
                    run.rep += 1
            taken.add((key, run.rep))
    return [f"{note} ({len(logs)} log(s), e.g. {logs[0]}); their rows are filed under what ran"
            for note, logs in notes.items()]
