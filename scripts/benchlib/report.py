"""Turn parsed runs into results.csv, platform.csv and results.md.

Aggregation: for every (platform, source, kind, metric) and strategy
(pmu, global_ctrl, pmu_read, stats), each run contributes one number, its median
(or its `value` for counters such as `count`); the tables show the median of
those numbers across runs and their spread, min..max.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import statistics
from typing import Callable, Dict, Iterable, List, Sequence, TextIO, Tuple

from . import strategies
from .parse import CSV_COLUMNS, STRATEGY_KEYS, Number, Row, Run, number

PMU_ORDER = strategies.names()  # the hypervisor's table, its baseline first
BASE = strategies.baseline()
GLOBAL_CTRL_ORDER = ("lists", "vmcs")
PMU_READ_ORDER = ("rdpmc", "rdmsr", "auto")
STATS_ORDER = ("off", "counts", "full")
SOURCE_ORDER = ("hv", "guest", "prim")
METRIC_ORDER = ("count", "tsc", "cycles", "instructions", "guest_instructions",
                "pmu_msr_accesses", "pmu_rdmsr", "pmu_wrmsr", "pmu_rdpmc")
# The statistic a table shows for a (source, metric): the first one present.
STAT_PREFERENCE = ("median", "value", "mean", "max")

SOURCE_TITLES = {
    "hv": "hypervisor side, per exit reason",
    "guest": "guest side, round trips measured by the benchmark guest",
    "prim": "primitives measured at boot (bench_primitives=1)",
}
METRIC_TITLES = {
    ("hv", "count"): "exits of each reason",
    ("hv", "tsc"): "TSC ticks in the hypervisor from VM exit to VM entry",
    ("hv", "cycles"): "core cycles in the hypervisor (its own counter: pmu=switch, lazy)",
    ("hv", "instructions"): "instructions retired in the hypervisor (pmu=switch, lazy)",
    ("hv", "pmu_msr_accesses"): "PMU MSR accesses (RDMSR + WRMSR + RDPMC) by the switching",
    ("hv", "pmu_rdmsr"): "PMU RDMSRs by the switching",
    ("hv", "pmu_wrmsr"): "PMU WRMSRs by the switching",
    ("hv", "pmu_rdpmc"): "RDPMCs by the switching",
    ("guest", "tsc"): "round-trip TSC ticks seen by the guest",
    ("guest", "cycles"): "round-trip core cycles seen by the guest (its fixed counter)",
    ("guest", "instructions"): "instructions seen by the guest",
    ("guest", "guest_instructions"): "guest instructions",
    ("prim", "tsc"): "TSC ticks per primitive",
}
# A strategy as a table row names it: (pmu, global_ctrl, pmu_read, stats).
StrategyRow = Tuple[str, str, str, str]
# The charts plot.plot_all drew: (platform, source, metric) -> [(kind, path)].
Plots = Dict[Tuple[str, str, str], List[Tuple[str, str]]]

UNITS = {"tsc": "TSC ticks", "cycles": "cycles", "instructions": "instructions",
         "guest_instructions": "instructions", "pmu_msr_accesses": "PMU MSR accesses",
         "count": "exits"}


def _rank(value: str, order: Sequence[str]) -> tuple[int, str]:
    return (order.index(value), "") if value in order else (len(order), value)


def strategy_key(s: StrategyRow) -> tuple[tuple[int, str], ...]:
    pmu, gc, read, stats = s
    return (_rank(pmu, PMU_ORDER), _rank(gc, GLOBAL_CTRL_ORDER), _rank(read, PMU_READ_ORDER),
            _rank(stats, STATS_ORDER))


def metric_key(m: str) -> tuple[int, str]:
    return _rank(m, METRIC_ORDER)


def source_key(s: str) -> tuple[int, str]:
    return _rank(s, SOURCE_ORDER)


def fmt(x: Number) -> str:
    """A number for a table: integers as such, others with one decimal."""
    if isinstance(x, float):
        if x.is_integer():
            return str(int(x))
        return f"{x:.1f}"
    return str(x)


@dataclasses.dataclass
class Cell:
    values: list[Number]  # one per run

    @property
    def median(self) -> Number:
        m = statistics.median(self.values)
        return int(m) if float(m).is_integer() else float(m)

    @property
    def lo(self) -> Number:
        return min(self.values)

    @property
    def hi(self) -> Number:
        return max(self.values)

    def text(self) -> str:
        if len(self.values) == 1 or self.lo == self.hi:
            return fmt(self.median)
        return f"{fmt(self.median)} [{fmt(self.lo)}..{fmt(self.hi)}]"


@dataclasses.dataclass
class Table:
    platform: str
    source: str
    metric: str
    stat: str
    kinds: list[str]
    strategies: list[StrategyRow]
    cells: dict[tuple[str, StrategyRow], Cell]  # (kind, strategy) -> Cell
    runs: dict[StrategyRow, int]                # strategy -> number of runs with data


def aggregate(rows: Sequence[Row]) -> list[Table]:
    """Tables, one per (platform, source, metric), from CSV rows (tuples)."""
    stats_seen: dict[tuple[str, str, str], set[str]] = {}  # (platform, source, metric) -> stats
    kind_order: dict[tuple[str, str], list[str]] = {}  # (platform, source) -> kinds, as they come
    for r in rows:
        platform, source, kind, metric, stat = r[0], r[6], r[7], r[8], r[9]
        stats_seen.setdefault((platform, source, metric), set()).add(stat)
        kinds = kind_order.setdefault((platform, source), [])
        if kind not in kinds:
            kinds.append(kind)
    chosen: dict[tuple[str, str, str], str] = {}
    for key, seen in stats_seen.items():
        chosen[key] = next((s for s in STAT_PREFERENCE if s in seen), sorted(seen)[0])
    cells: dict[tuple[str, str, str], dict[tuple[str, StrategyRow], Cell]] = {}
    runs: dict[tuple[str, str, str], dict[StrategyRow, set[str]]] = {}
    for r in rows:
        platform, pmu, gc, read, stats, rep, source, kind, metric, stat, value = r
        if chosen[(platform, source, metric)] != stat:
            continue
        strat: StrategyRow = (pmu, gc, read, stats)
        cells.setdefault((platform, source, metric), {}).setdefault(
            (kind, strat), Cell([])).values.append(number(value))
        runs.setdefault((platform, source, metric), {}).setdefault(strat, set()).add(rep)
    tables = []
    for key in sorted(cells, key=lambda k: (k[0], source_key(k[1]), metric_key(k[2]))):
        platform, source, metric = key
        present = {k for k, _ in cells[key]}
        kinds = [k for k in kind_order[(platform, source)] if k in present]
        kinds.sort(key=lambda k: k == "ALL")  # the total last
        strategies = sorted({s for _, s in cells[key]}, key=strategy_key)
        tables.append(Table(platform, source, metric, chosen[key], kinds, strategies,
                            cells[key], {s: len(v) for s, v in runs[key].items()}))
    return tables


# ---------------------------------------------------------------- files

def _atomic_write(path: str, write: Callable[[TextIO], object]) -> None:
    tmp = f"{path}.tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        write(f)
    os.replace(tmp, path)


def write_results_csv(path: str, rows: Iterable[Row]) -> None:
    def w(f: TextIO) -> None:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(CSV_COLUMNS)
        out.writerows(rows)
    _atomic_write(path, w)


PLATFORM_COLUMNS = ("platform", "pmu", "global_ctrl", "pmu_read", "stats", "rep", "log", "key",
                    "value")


def run_info(run: Run, meta: dict[str, str], emulator: str) -> dict[str, str]:
    """The key/value pairs describing one run: what bench knows, then every meta value."""
    info = {"platform": run.platform, "emulator": emulator, "date": run.date,
            "status": run.status or "parsed", "log": run.log}
    if run.note:
        info["note"] = run.note
    for k, v in meta.items():
        info.setdefault(k, v)
    return info


def write_platform_csv(path: str, runs: Sequence[Run], metas: Sequence[dict[str, str]],
                       emulators: dict[str, str]) -> None:
    def w(f: TextIO) -> None:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(PLATFORM_COLUMNS)
        for run, meta in zip(runs, metas):
            for k, v in run_info(run, meta, emulators.get(run.platform, "")).items():
                out.writerow((run.platform, run.pmu, run.global_ctrl, run.pmu_read, run.stats,
                              run.rep, run.log, k, v))
    _atomic_write(path, w)


def _md_escape(text: object) -> str:
    return str(text).replace("|", "\\|")


def _md_table(header: Sequence[str], rows: Iterable[Sequence[object]],
              align: list[str] | None = None) -> list[str]:
    align = align or ["---"] * len(header)
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"]
    for r in rows:
        lines.append("| " + " | ".join(_md_escape(c) for c in r) + " |")
    return lines


def _cpu_summary(meta: dict[str, str]) -> list[tuple[str, str]]:
    out = []
    if "cpu_model_name" in meta or "cpu_vendor" in meta:
        out.append(("CPU", " ".join(x for x in (meta.get("cpu_vendor"), meta.get("cpu_model_name"))
                                    if x)))
    if all(k in meta for k in ("cpu_family", "cpu_model", "cpu_stepping")):
        try:
            f, m, s = (int(meta[k]) for k in ("cpu_family", "cpu_model", "cpu_stepping"))
            out.append(("family / model / stepping", f"{f} / {m} / {s} (0x{f:x} / 0x{m:x} / 0x{s:x})"))
        except ValueError:
            out.append(("family / model / stepping",
                        f"{meta['cpu_family']} / {meta['cpu_model']} / {meta['cpu_stepping']}"))
    if "microcode" in meta:
        out.append(("microcode", meta["microcode"]))
    if "perfmon_version" in meta:
        out.append(("PMU", f"PerfMon v{meta['perfmon_version']}: "
                           f"{meta.get('gp_counters', '?')} general-purpose counters of "
                           f"{meta.get('gp_width', '?')} bits, {meta.get('fixed_counters', '?')} "
                           f"fixed counters of {meta.get('fixed_width', '?')} bits"))
    if "hypervisor_present" in meta:
        out.append(("running under a hypervisor (CPUID.1:ECX[31])",
                    "yes" if meta["hypervisor_present"] == "1" else "no"))
    return out


def platform_section(platform: str, runs: Sequence[Run], metas: Sequence[dict[str, str]],
                     emulator: str, outdir: str) -> list[str]:
    """Markdown lines: what the runs ran on, every meta value, and the runs themselves."""
    lines = [f"## Platform: {platform}", ""]
    pruns = [(r, m) for r, m in zip(runs, metas) if r.platform == platform]
    with_meta = [m for _, m in pruns if m]
    values: dict[str, list[str]] = {}
    for meta in with_meta:
        for k, v in meta.items():
            values.setdefault(k, [])
            if v not in values[k]:
                values[k].append(v)
    common = {k: v[0] for k, v in values.items()
              if len(v) == 1 and all(k in m for m in with_meta)}
    varying = [k for k in values if k not in common and k not in STRATEGY_KEYS]
    dates = sorted(r.date for r, _ in pruns if r.date)
    summary = [("platform", platform), ("emulator", emulator or "?")]
    if dates:
        summary.append(("date of the runs", dates[0] if dates[0] == dates[-1]
                        else f"{dates[0]} .. {dates[-1]}"))
    summary += _cpu_summary(common)
    if platform == "bochs":
        summary.append(("note", "Bochs' TSC advances with emulated instructions and its PMU does "
                                "not count: numbers are path lengths, for comparing strategies, "
                                "not latencies"))
    lines += _md_table(["", ""], summary)
    lines += ["", "Every meta value the runs printed (the same in all runs unless listed "
              "under Runs):", ""]
    lines += _md_table(["key", "value"],
                       [(k, common[k]) for k in values if k in common] +
                       [(k, "varies, see Runs") for k in varying])
    lines += ["", "### Runs", ""]
    asked = any(r.asked for r, _ in pruns)
    header = ["pmu", "global_ctrl", "pmu_read", "stats", "rep", "status"] + \
        (["asked for"] if asked else [])
    header += ["date", "log"] + varying
    rows: list[list[object]] = []
    order = sorted(pruns, key=lambda rm: (strategy_key((rm[0].pmu, rm[0].global_ctrl,
                                                         rm[0].pmu_read, rm[0].stats)),
                                          rm[0].rep))
    for r, m in order:
        status = r.status or "parsed"
        if r.note:
            status += f": {r.note}"
        log = os.path.relpath(r.log, outdir) if outdir else r.log
        where = f"[{os.path.basename(r.log)}]({log})" + (f", run {r.run}" if r.run else "")
        rows.append([r.pmu, r.global_ctrl, r.pmu_read, r.stats, r.rep, status] +
                    (["/".join(x for x in r.asked if x)] if asked else []) + [r.date or "", where] +
                    [m.get(k, "") for k in varying])
    lines += _md_table(header, rows)
    return lines + [""]


def _table_lines(t: Table, plots: Plots) -> list[str]:
    title = METRIC_TITLES.get((t.source, t.metric), t.metric)
    lines = [f"### {t.source} · {t.metric}: {title}", "",
             f"Statistic: per-run `{t.stat}`; cell = median across runs "
             "[min..max across runs].", ""]
    header = ["pmu", "global_ctrl", "pmu_read", "stats", "runs"] + [f"`{k}`" for k in t.kinds]
    rows = []
    for s in t.strategies:
        row: list[object] = list(s) + [t.runs.get(s, 0)]
        for k in t.kinds:
            c = t.cells.get((k, s))
            row.append(c.text() if c else "–")
        rows.append(row)
    lines += _md_table(header, rows, ["---"] * 4 + ["--:"] * (1 + len(t.kinds)))
    links = plots.get((t.platform, t.source, t.metric), [])
    if links:
        lines += ["", "Plots: " + ", ".join(
            f"[{kind}](plots/{os.path.basename(p)})" for kind, p in links)]
    return lines + [""]


def _baseline(strategies: Sequence[StrategyRow], s: StrategyRow) -> StrategyRow | None:
    """pmu=off with the same global_ctrl, pmu_read and stats, else with the same stats
    and global_ctrl, else the same stats: pmu=off neither reads counters nor switches
    IA32_PERF_GLOBAL_CTRL, so one run of it serves as the baseline of every variant;
    the statistics are part of what is measured, so they always match."""
    offs = [b for b in strategies if b[0] == BASE and b[3] == s[3]]
    return (next((b for b in offs if b[1:] == s[1:]), None) or
            next((b for b in offs if b[1] == s[1]), None) or
            next(iter(offs), None))


def _overhead_lines(t: Table) -> list[str]:
    """Median minus the median of the pmu=off baseline."""
    baselines = [(s, _baseline(t.strategies, s)) for s in t.strategies if s[0] != BASE]
    pairs = [(s, b) for s, b in baselines if b]
    if not pairs:
        return []
    lines = [f"### {t.source} · {t.metric}: added over pmu=off", "",
             "Median of the strategy minus the median of its baseline: `pmu=off` with the "
             "same global_ctrl, pmu_read and stats where that ran, else the closest `pmu=off` "
             "variant with the same stats (pmu=off neither reads counters nor switches "
             "IA32_PERF_GLOBAL_CTRL).",
             ""]
    header = ["pmu", "global_ctrl", "pmu_read", "stats", "baseline"] + [f"`{k}`" for k in t.kinds]
    rows = []
    for s, b in pairs:
        row = list(s) + ["/".join(b)]
        for k in t.kinds:
            c, cb = t.cells.get((k, s)), t.cells.get((k, b))
            if c and cb:
                d = c.median - cb.median
                row.append(("+" if d > 0 else "") + fmt(d))
            else:
                row.append("–")
        rows.append(row)
    lines += _md_table(header, rows, ["---"] * 5 + ["--:"] * len(t.kinds))
    return lines + [""]


def write_markdown(path: str, tables: Sequence[Table], runs: Sequence[Run],
                   metas: Sequence[dict[str, str]], emulators: dict[str, str], generated: str,
                   plots: Plots) -> None:
    lines = ["# pmuvisor benchmark results", "",
             f"Generated by `scripts/bench` on {generated} from {len(runs)} run(s).", "",
             "Each table is one (source, metric). Rows are strategies: `pmu` (how the PMU "
             "MSRs are switched), `global_ctrl` (IA32_PERF_GLOBAL_CTRL through the VMCS MSR "
             "lists or the dedicated VMCS fields), `pmu_read` (counters read with RDPMC or "
             "RDMSR) and `stats` (how much the hypervisor records per exit: its statistics "
             "run inside the measured time); `runs` is how many repetitions contributed. Columns are exit reasons "
             "(hypervisor side) or benchmark kinds (guest side). A cell is the median across "
             "runs of each run's own median, followed by [min..max] of those per-run medians "
             "when they differ; counts use the run's value instead of a median. Raw numbers, "
             "every statistic (min, median, p99, max, mean), are in `results.csv`.", ""]
    platforms = sorted({r.platform for r in runs})
    for platform in platforms:
        lines += platform_section(platform, runs, metas, emulators.get(platform, ""),
                                  os.path.dirname(os.path.abspath(path)))
        ptables = [t for t in tables if t.platform == platform]
        current: str | None = None
        for t in ptables:
            if t.source != current:
                current = t.source
                lines += [f"## Results: {t.source} ({SOURCE_TITLES.get(t.source, t.source)}), "
                          f"{platform}", ""]
            lines += _table_lines(t, plots)
            if t.metric in ("tsc", "cycles"):
                lines += _overhead_lines(t)
        if not ptables:
            lines += ["No results: no run of this platform produced a results block.", ""]
    _atomic_write(path, lambda f: f.write("\n".join(lines).rstrip("\n") + "\n"))
