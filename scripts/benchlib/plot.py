"""PNG bar charts of the aggregated tables, drawn by gnuplot.

One chart per (platform, source, metric, kind): clusters on the x axis are
the pmu strategies, bars in a cluster the global_ctrl/pmu_read/stats variants;
bar height is the median across runs of the per-run median, the error bar
spans min..max of the per-run medians.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from typing import Callable, Sequence

from .report import UNITS, Plots, Table, fmt

INSTALL_HINT = "apt-get install gnuplot-nox"
# (source, metric) pairs that are plotted; the first three are the ones a report must have.
REQUIRED = (("hv", "tsc", "hypervisor-side TSC per exit"),
            ("guest", "tsc", "guest-side round-trip TSC"),
            ("hv", "pmu_msr_accesses", "PMU MSR accesses per exit"))
NOT_PLOTTED_METRICS = ("count", "pmu_rdmsr", "pmu_wrmsr", "pmu_rdpmc")
PLOTTED_SOURCES = ("hv", "guest")


class PlotError(Exception):
    pass


def find_gnuplot() -> str | None:
    """Path of gnuplot, or None."""
    return shutil.which("gnuplot")


def missing_message() -> str:
    return f"gnuplot is not installed; the plots need it: {INSTALL_HINT}"


def png_terminal(gnuplot: str) -> str:
    """'pngcairo' where this gnuplot has it, else the libgd 'png' terminal."""
    for term in ("pngcairo", "png"):
        r = subprocess.run([gnuplot, "-e", f"set terminal {term}"], capture_output=True,
                           text=True)
        if r.returncode == 0 and not r.stderr.strip():
            return term
    raise PlotError("gnuplot has neither the 'pngcairo' nor the 'png' terminal "
                    f"(Debian: {INSTALL_HINT})")


def _q(text: object) -> str:
    """A gnuplot single-quoted string."""
    return "'" + str(text).replace("'", "''") + "'"


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def plot_table(gnuplot: str, term: str, table: Table, kind: str, path: str, workdir: str) -> str:
    """Write one PNG for one kind of one table. Returns path."""
    pmus: list[str] = []
    variants: list[tuple[str, str, str]] = []  # (global_ctrl, pmu_read, stats)
    for pmu, gc, read, stats in table.strategies:
        if pmu not in pmus:
            pmus.append(pmu)
        if (gc, read, stats) not in variants:
            variants.append((gc, read, stats))
    dat = os.path.join(workdir, os.path.basename(path) + ".dat")
    with open(dat, "w", encoding="utf-8") as f:
        f.write("# pmu " + " ".join(f"{'/'.join(v)}:median,min,max" for v in variants) + "\n")
        for pmu in pmus:
            cols = [pmu]
            for v in variants:
                c = table.cells.get((kind, (pmu,) + v))
                cols += [fmt(c.median), fmt(c.lo), fmt(c.hi)] if c else ["?", "?", "?"]
            f.write(" ".join(cols) + "\n")
    runs = sorted(set(table.runs.values()))
    nruns = str(runs[0]) if len(runs) == 1 else f"{runs[0]}-{runs[-1]}"
    title = (f"{table.platform}: {table.source} {kind}, {table.metric} "
             f"(median of {nruns} run(s), bars: min..max across runs)")
    width = max(800, 110 * len(pmus) * max(1, len(variants)) // 2 + 250)
    script = [
        f"set terminal {term} size {width},480 noenhanced",
        f"set output {_q(path)}",
        f"set title {_q(title)}",
        f"set ylabel {_q(UNITS.get(table.metric, table.metric))}",
        "set xlabel 'pmu strategy'",
        "set style data histograms",
        "set style histogram errorbars gap 1 lw 1",
        "set style fill solid 0.75 border -1",
        "set boxwidth 0.9",
        "set datafile missing '?'",
        "set yrange [0:*]",
        "set grid ytics",
        "set key outside right top title 'global_ctrl / pmu_read / stats' noenhanced",
    ]
    plots: list[str] = []
    labels: list[str] = []
    n = len(variants)
    for i, v in enumerate(variants):
        col = 2 + 3 * i  # the median's column; min and max follow
        using = f"{col}:{col + 1}:{col + 2}" + (":xtic(1)" if i == 0 else "")
        plots.append(f"{_q(dat) if i == 0 else chr(39) * 2} using {using} "
                     f"title {_q(' / '.join(v))}")
        # Clustered histogram geometry (gap 1): bar i of n sits at x + (i - (n-1)/2) / (n+1).
        labels.append(f"'' using ($0 + {(i - (n - 1) / 2) / (n + 1):.4f}):{col + 2}:"
                      f"(sprintf('%g', column({col}))) with labels offset 0,0.8 font ',8' notitle")
    script.append("plot " + ", \\\n     ".join(plots + labels))
    r = subprocess.run([gnuplot], input="\n".join(script) + "\n", capture_output=True, text=True)
    if r.returncode != 0 or not os.path.isfile(path) or os.path.getsize(path) == 0:
        raise PlotError(f"gnuplot failed for {path}: {r.stderr.strip() or 'no output'}")
    return path


def plot_all(gnuplot: str, tables: Sequence[Table], outdir: str, workdir: str,
             say: Callable[[str], object] = print) -> Plots:
    """Charts for every plotted (source, metric) table. Returns
    {(platform, source, metric): [(kind, path)]}."""
    term = png_terminal(gnuplot)
    os.makedirs(outdir, exist_ok=True)
    made: Plots = {}
    for t in tables:
        if t.source not in PLOTTED_SOURCES or t.metric in NOT_PLOTTED_METRICS:
            continue
        for kind in t.kinds:
            name = f"{_safe(t.platform)}-{t.source}-{t.metric}-{_safe(kind)}.png"
            path = plot_table(gnuplot, term, t, kind, os.path.join(outdir, name), workdir)
            made.setdefault((t.platform, t.source, t.metric), []).append((kind, path))
    for platform in sorted({t.platform for t in tables}):
        for source, metric, what in REQUIRED:
            if (platform, source, metric) not in made:
                say(f"bench: note: {platform}: no {source}-side '{metric}' data in the logs: "
                    f"no plot of the {what}")
    return made
