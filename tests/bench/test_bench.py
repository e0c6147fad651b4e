"""Tests of scripts/bench and scripts/benchlib: parsing of results blocks,
error reporting, aggregation, and an end-to-end run on captured logs.

    python3 -m unittest discover -s tests/bench -v
"""

import csv
import glob
import os
import shutil
import subprocess
import sys
import tempfile
import unittest
import unittest.mock

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BENCH = os.path.join(REPO, "scripts", "bench")
FIX = os.path.join(HERE, "fixtures")
sys.path.insert(0, os.path.join(REPO, "scripts"))

from benchlib import matrix, parse, report, strategies, tables  # noqa: E402

# Strategy names come from the hypervisor's table (build/pmu-strategies.tsv).
BASE = strategies.baseline()
OTHER = next(n for n in strategies.names() if n != BASE)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GOOD_LOGS = sorted(glob.glob(os.path.join(FIX, "kvm-*.log")))
HW_LOG = os.path.join(FIX, "hw-console.log")
TRUNCATED = os.path.join(FIX, "bad", "truncated.log")
MALFORMED = os.path.join(FIX, "bad", "malformed-data.log")
NON_INTEGER = os.path.join(FIX, "bad", "non-integer.log")


def bench(*args, env=None):
    return subprocess.run([sys.executable, BENCH, *args], capture_output=True, text=True,
                          env=env, cwd=REPO, timeout=300)


def block(*lines):
    return "\r\n".join((parse.BEGIN,) + lines + (parse.END,)) + "\r\n"


class ParseText(unittest.TestCase):
    def test_hw_console_exact_rows(self):
        # Two blocks, noise before, between and after, \r\n endings; the guest
        # block has no strategy meta and takes the hypervisor block's.
        blocks = parse.parse_log(HW_LOG)
        self.assertEqual([(b.start_line, b.end_line) for b in blocks], [(5, 9), (12, 21)])
        run = parse.Run("hardware", "", "", "", 0, HW_LOG)
        parse.settle_runs([run], [blocks])
        self.assertEqual(parse.rows(run, blocks), [
            ("hardware", "mediated", "vmcs", "rdpmc", "full", "1", "guest", "cpuid", "tsc", "median", "2100"),
            ("hardware", "mediated", "vmcs", "rdpmc", "full", "1", "guest", "cpuid", "tsc", "mean", "2113.50"),
            ("hardware", "mediated", "vmcs", "rdpmc", "full", "1", "hv", "CPUID", "count", "value", "3"),
            ("hardware", "mediated", "vmcs", "rdpmc", "full", "1", "hv", "CPUID", "tsc", "median", "1900"),
            ("hardware", "mediated", "vmcs", "rdpmc", "full", "1", "hv", "CPUID", "pmu_msr_accesses",
             "median", "18"),
        ])
        self.assertEqual(blocks[1].meta["hv_options"],
                         "loglevel=1 pmu=mediated global_ctrl=vmcs pmu_read=rdpmc pmu_gp=4")
        self.assertEqual(blocks[0].meta, {"guest": "exit-bench"})

    def test_meta_value_is_rest_of_line(self):
        (b,) = parse.parse_text(block("meta,hv_options,a=1 b=2, c", "meta,empty,"))
        self.assertEqual(b.meta, {"hv_options": "a=1 b=2, c", "empty": ""})

    def test_line_endings_and_noise(self):
        text = ("guest says hi\r\r\n" + block("data,guest,cpuid,tsc,median,7") +
                "between\n" + block("data,hv,CPUID,tsc,median,9").replace("\r\n", "\n"))
        blocks = parse.parse_text(text, "x.log")
        self.assertEqual([d.value for b in blocks for d in b.data], ["7", "9"])

    def test_begin_after_unterminated_guest_output(self):
        (b,) = parse.parse_text("partial line" + block("data,hv,CPUID,tsc,median,9"))
        self.assertEqual(b.data[0].value, "9")

    def test_empty_line_inside_block_is_tolerated(self):
        (b,) = parse.parse_text(block("", "data,hv,CPUID,tsc,median,9", ""))
        self.assertEqual(len(b.data), 1)

    def test_values(self):
        (b,) = parse.parse_text(block("data,hv,CPUID,tsc,mean,312.25",
                                      "data,hv,VMCALL,tsc,mean,3", "data,hv,X,tsc,p90,4"))
        self.assertEqual([d.number() for d in b.data], [312.25, 3, 4])

    def assertParseError(self, text, *expected):
        with self.assertRaises(parse.ParseError) as cm:
            parse.parse_text(text, "f.log")
        self.assertEqual(cm.exception.messages, list(expected))

    def test_non_integer_values(self):
        self.assertParseError(block("data,hv,CPUID,tsc,median,1.5"),
                              "f.log: line 2: value '1.5' is not an unsigned integer: "
                              "'data,hv,CPUID,tsc,median,1.5'")
        self.assertParseError(block("data,hv,CPUID,tsc,max,-3"),
                              "f.log: line 2: value '-3' is not an unsigned integer: "
                              "'data,hv,CPUID,tsc,max,-3'")
        self.assertParseError(block("data,hv,CPUID,tsc,mean,1.2.3"),
                              "f.log: line 2: value '1.2.3' is not a decimal number: "
                              "'data,hv,CPUID,tsc,mean,1.2.3'")
        self.assertParseError(block("data,hv,CPUID,tsc,median,"),
                              "f.log: line 2: value '' is not an unsigned integer: "
                              "'data,hv,CPUID,tsc,median,'")

    def test_malformed_lines(self):
        self.assertParseError(block("data,hv,CPUID,tsc,median,1,2"),
                              "f.log: line 2: malformed data line (want data,SOURCE,KIND,METRIC,"
                              "STAT,VALUE): 'data,hv,CPUID,tsc,median,1,2'")
        self.assertParseError(block("data,hv,CPUID,tsc,average,1"),
                              "f.log: line 2: unknown stat 'average' (want one of n, min, median, "
                              "p99, max, mean, value, total or pNN): 'data,hv,CPUID,tsc,average,1'")
        self.assertParseError(block("meta,Bad Key,1"),
                              "f.log: line 2: malformed meta line (want meta,KEY,VALUE): "
                              "'meta,Bad Key,1'")
        self.assertParseError(block("pmuvisor: warning: something"),
                              "f.log: line 2: unexpected line inside the results block starting "
                              "at line 1: 'pmuvisor: warning: something'")

    def test_block_structure_errors(self):
        self.assertParseError("x\n" + parse.END + "\n",
                              f"f.log: line 2: '{parse.END}' without a results block "
                              f"(is the '{parse.BEGIN}' line damaged?)")
        self.assertParseError(parse.BEGIN + "\ndata,hv,A,tsc,median,1\n" + block(),
                              "f.log: results block starting at line 1 is truncated "
                              "(no '=== end ===' before the next block at line 3)")
        self.assertParseError(block("data,hv,A,tsc,median,1", "data,hv,A,tsc,median,2"),
                              "f.log: line 3: data,hv,A,tsc,median repeats line 2 in the same "
                              "run; a run must hold each once (split concatenated boots into "
                              "one file each)")

    def test_log_name_strategy(self):
        self.assertEqual(parse.log_name_strategy("/x/kvm-switch-vmcs-rdmsr-r12.log"),
                         {"platform": "kvm", "pmu": "switch", "global_ctrl": "vmcs",
                          "pmu_read": "rdmsr", "rep": 12})
        self.assertEqual(parse.log_name_strategy("bochs-rfc-lists-rdmsr-statsoff-r2.log"),
                         {"platform": "bochs", "pmu": "rfc", "global_ctrl": "lists",
                          "pmu_read": "rdmsr", "stats": "off", "rep": 2})
        self.assertIsNone(parse.log_name_strategy("capture.log"))


def run_blocks(run, pmu, stats, cpuid_tsc, guest_tsc):
    """What one run of a runs= boot prints: the guest's block, then the hypervisor's."""
    return (f"guest: exit-bench run {run}\r\n" +
            block("meta,guest,exit-bench", f"data,guest,CPUID,tsc,median,{guest_tsc}") +
            block(f"meta,run,{run}", "meta,runs,3", f"meta,run_config,pmu:{pmu}+stats:{stats}",
                  f"meta,pmu,{pmu}", "meta,global_ctrl,lists", "meta,pmu_read,rdmsr",
                  f"meta,stats,{stats}", "data,hv,CPUID,count,value,5",
                  f"data,hv,CPUID,tsc,median,{cpuid_tsc}"))


class MultiRunLogs(unittest.TestCase):
    """A boot with runs= prints one guest block and one hypervisor block per run."""

    def test_blocks_get_their_run(self):
        text = run_blocks(1, BASE, "off", 100, 140) + run_blocks(2, OTHER, "full", 300, 400)
        blocks = parse.parse_text(text, "m.log")
        self.assertEqual([(b.run, b.meta.get("pmu", "-")) for b in blocks],
                         [(1, "-"), (1, BASE), (2, "-"), (2, OTHER)])
        self.assertEqual([(n, len(bl)) for n, bl in parse.split_runs(blocks)], [(1, 2), (2, 2)])

    def test_same_data_in_two_runs_is_not_a_repeat(self):
        text = run_blocks(1, BASE, "off", 100, 140) + run_blocks(2, BASE, "off", 101, 141)
        self.assertEqual(len(parse.parse_text(text, "m.log")), 4)

    def test_repeat_inside_one_run_is_an_error(self):
        text = run_blocks(1, BASE, "off", 100, 140).replace(
            "data,hv,CPUID,count,value,5", "data,hv,CPUID,count,value,5\r\n"
            "data,hv,CPUID,count,value,6")
        with self.assertRaises(parse.ParseError) as cm:
            parse.parse_text(text, "m.log")
        self.assertIn("repeats line", cm.exception.messages[0])

    def test_truncated_last_block_is_named_and_dropped_with_its_run(self):
        full = run_blocks(1, BASE, "off", 100, 140) + run_blocks(2, OTHER, "full", 300, 400)
        third = run_blocks(3, BASE, "full", 120, 260)
        cut = third[:third.index("data,hv,CPUID,count")]  # inside run 3's hypervisor block
        notes = []
        blocks = parse.parse_text(full + cut, "m.log", notes)
        self.assertEqual([b.run for b in blocks], [1, 1, 2, 2])
        start = (full + cut).count("\n") - cut.count("\n")  # lines before run 3
        guest_line, hv_line = start + 2, start + 6
        self.assertEqual(notes, [
            f"m.log: results block starting at line {hv_line} is truncated (no '=== end ===' "
            "before the end of the log): dropped",
            f"m.log: the log ends inside a run: its block(s) at line(s) {guest_line} are "
            "dropped (no hypervisor results block follows them)"])

    def test_log_ending_after_a_guest_block_drops_that_run(self):
        full = run_blocks(1, BASE, "off", 100, 140)
        guest_only = run_blocks(2, BASE, "off", 100, 140).split(parse.END)[0] + parse.END + "\n"
        notes = []
        blocks = parse.parse_text(full + guest_only, "m.log", notes)
        self.assertEqual([b.run for b in blocks], [1, 1])
        self.assertEqual(len(notes), 1)
        self.assertIn("the log ends inside a run", notes[0])

    def test_cli_one_log_many_runs(self):
        text = (run_blocks(1, BASE, "off", 100, 140) + run_blocks(2, OTHER, "full", 300, 400) +
                run_blocks(3, BASE, "off", 102, 142) + "pmuvisor: exit status 0\r\n")
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, "matrix.log")
            with open(log, "w", newline="") as f:
                f.write(text)
            out = os.path.join(tmp, "out")
            r = bench("--from-logs", log, "--platform", "bochs", "--no-plots", "--out", out)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            with open(os.path.join(out, "results.csv"), newline="", encoding="utf-8") as f:
                rows = [tuple(x) for x in csv.reader(f)][1:]
            self.assertIn(("bochs", BASE, "lists", "rdmsr", "off", "1", "hv", "CPUID", "tsc",
                           "median", "100"), rows)
            self.assertIn(("bochs", BASE, "lists", "rdmsr", "off", "2", "hv", "CPUID", "tsc",
                           "median", "102"), rows)
            self.assertIn(("bochs", OTHER, "lists", "rdmsr", "full", "1", "guest", "CPUID",
                           "tsc", "median", "400"), rows)
            self.assertEqual(len(rows), 3 * 3)
            with open(os.path.join(out, "results.md"), encoding="utf-8") as f:
                self.assertIn("matrix.log), run 3 |", f.read())


class BadFixtures(unittest.TestCase):
    def test_truncated(self):
        notes = []
        self.assertEqual(parse.parse_log(TRUNCATED, notes), [])
        self.assertEqual(notes, [
            f"{TRUNCATED}: results block starting at line 3 is truncated (no '=== end ===' "
            "before the end of the log): dropped"])

    def test_malformed_data_line(self):
        with self.assertRaises(parse.ParseError) as cm:
            parse.parse_log(MALFORMED)
        self.assertEqual(cm.exception.messages, [
            f"{MALFORMED}: line 3: malformed data line (want data,SOURCE,KIND,METRIC,STAT,VALUE): "
            "'data,hv,CPUID,tsc,median'"])

    def test_non_integer(self):
        with self.assertRaises(parse.ParseError) as cm:
            parse.parse_log(NON_INTEGER)
        self.assertEqual(cm.exception.messages, [
            f"{NON_INTEGER}: line 5: value '12a4' is not an unsigned integer: "
            "'data,hv,CPUID,tsc,median,12a4'"])

    def check_cli_refuses(self, bad, expected_stderr):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out")
            r = bench("--from-logs", *GOOD_LOGS, bad, "--out", out)
            self.assertNotEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn(expected_stderr, r.stderr.splitlines())
            self.assertFalse(os.path.exists(out), "output directory written")
            self.assertEqual(glob.glob(os.path.join(tmp, "**", "*.csv"), recursive=True), [])

    def test_cli_truncated_log_is_named_and_fails(self):
        # The good logs are kept; the truncated one is named, dropped, and fails the bench.
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out")
            r = bench("--from-logs", *GOOD_LOGS, TRUNCATED, "--out", out, "--no-plots")
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn(f"bench: note: {TRUNCATED}: results block starting at line 3 is "
                          "truncated (no '=== end ===' before the end of the log): dropped",
                          r.stdout.splitlines())
            self.assertIn(f"bench:   {TRUNCATED}: no complete run in the log (it ends inside "
                          "a results block)", r.stderr.splitlines())
            with open(os.path.join(out, "results.csv"), encoding="utf-8") as f:
                self.assertEqual(len(f.read().splitlines()), 1 + 6 * 65)

    def test_cli_malformed_writes_nothing(self):
        self.check_cli_refuses(MALFORMED, f"bench: {MALFORMED}: line 3: malformed data line "
                                          "(want data,SOURCE,KIND,METRIC,STAT,VALUE): "
                                          "'data,hv,CPUID,tsc,median'")

    def test_cli_non_integer_writes_nothing(self):
        self.check_cli_refuses(NON_INTEGER, f"bench: {NON_INTEGER}: line 5: value '12a4' is not "
                                            "an unsigned integer: 'data,hv,CPUID,tsc,median,12a4'")


class Settle(unittest.TestCase):
    def blocks(self, read):
        return parse.parse_text(block("meta,pmu,off", "meta,global_ctrl,lists",
                                      f"meta,pmu_read,{read}", "data,hv,CPUID,tsc,median,5"))

    def test_run_filed_under_what_ran_yields_its_rep(self):
        asked_rdpmc = parse.Run("kvm", BASE, "lists", "rdpmc", 1, "a.log")
        asked_rdmsr = parse.Run("kvm", BASE, "lists", "rdmsr", 1, "b.log")
        notes = parse.settle_runs([asked_rdpmc, asked_rdmsr],
                                  [self.blocks("rdmsr"), self.blocks("rdmsr")])
        self.assertEqual((asked_rdpmc.pmu_read, asked_rdpmc.rep), ("rdmsr", 2))
        self.assertEqual(asked_rdpmc.asked, (BASE, "lists", "rdpmc", ""))
        self.assertEqual((asked_rdmsr.pmu_read, asked_rdmsr.rep), ("rdmsr", 1))
        self.assertEqual(notes, ["asked for pmu_read=rdpmc, the hypervisor ran pmu_read=rdmsr "
                                 "(1 log(s), e.g. a.log); their rows are filed under what ran"])

    def test_unnumbered_logs_are_numbered_per_strategy(self):
        runs = [parse.Run("hardware", "", "", "", 0, f"{i}.log") for i in range(3)]
        parse.settle_runs(runs, [self.blocks("rdmsr"), self.blocks("rdpmc"),
                                 self.blocks("rdmsr")])
        self.assertEqual([(r.pmu_read, r.rep) for r in runs],
                         [("rdmsr", 1), ("rdpmc", 1), ("rdmsr", 2)])

    def test_no_meta_no_name(self):
        run = parse.Run("hardware", "", "", "", 0, "x.log")
        parse.settle_runs([run], [parse.parse_text(block("data,hv,CPUID,tsc,median,5"))])
        self.assertEqual((run.pmu, run.global_ctrl, run.pmu_read, run.stats, run.rep),
                         ("unknown", "unknown", "unknown", "full", 1))


class Matrix(unittest.TestCase):
    def test_plan_debian_bochs_skips_vmcs_with_a_note(self):
        said = []
        with unittest.mock.patch.dict(os.environ, {"PMUVISOR_BOCHS": "debian"}):
            runs = matrix.plan("bochs", [BASE, OTHER], ["lists", "vmcs"], ["rdpmc", "rdmsr"], 2,
                               "L", said.append)
        self.assertEqual(len(runs), 8)
        self.assertTrue(all(r.global_ctrl == "lists" for r in runs))
        self.assertEqual(len(said), 1)
        self.assertIn("global_ctrl=vmcs skipped on Debian's Bochs", said[0])
        # Repetition-major, and the log names scripts/bench documents.
        self.assertEqual([r.rep for r in runs], [1] * 4 + [2] * 4)
        self.assertEqual(runs[0].log, os.path.join("L", "bochs-off-lists-rdpmc-r1.log"))

    def test_plan_counting_bochs_keeps_vmcs(self):
        with unittest.mock.patch.dict(os.environ, {"PMUVISOR_BOCHS": "pmu"}):
            runs = matrix.plan("bochs", [BASE], ["lists", "vmcs"], ["rdmsr"], 1, "L",
                               lambda m: None)
        self.assertEqual([r.global_ctrl for r in runs], ["lists", "vmcs"])

    def test_plan_kvm_keeps_vmcs(self):
        runs = matrix.plan("kvm", [BASE], ["lists", "vmcs"], ["rdmsr"], 1, "L", lambda m: None)
        self.assertEqual([r.global_ctrl for r in runs], ["lists", "vmcs"])

    def test_hv_args(self):
        self.assertEqual(matrix.hv_args(OTHER, "vmcs", "rdmsr", " pmu_gp=2 "),
                         f"pmu={OTHER} global_ctrl=vmcs pmu_read=rdmsr stats=full loglevel=1 "
                         "pmu_gp=2")
        self.assertEqual(matrix.guest_args(1000), "iters=1000")
        self.assertEqual(matrix.guest_args(None), "")

    def test_classify(self):
        err = ("pmuvisor: starting\r\npmuvisor: error: global_ctrl=vmcs: this CPU does not offer "
               "the controls\r\npmuvisor: exit status 2\r\n")
        self.assertEqual(matrix.classify(0, ""), ("ok", ""))
        self.assertEqual(matrix.classify(2, err), ("refused", "pmuvisor: error: global_ctrl=vmcs: "
                                                   "this CPU does not offer the controls"))
        self.assertEqual(matrix.classify(2, "no error line\n")[0], "failed")
        self.assertEqual(matrix.classify(4, "pmuvisor: error: VMLAUNCH failed\n"),
                         ("failed", "status 4 (a fault or VMX failure in the hypervisor, or the "
                                    "host PMU state was not restored): pmuvisor: error: "
                                    "VMLAUNCH failed"))
        self.assertEqual(matrix.classify(124, "", "run: bochs timed out after 5s\n"),
                         ("failed", "status 124 (the run timed out): run: bochs timed out "
                                    "after 5s"))

    def test_exit_status(self):
        self.assertEqual(matrix.exit_status("pmuvisor: exit status 5\r\nx\r\n"
                                            "pmuvisor: exit status 2\r\n"), 2)
        self.assertIsNone(matrix.exit_status("guest: exit status 0\n"))

    def test_last_lines(self):
        self.assertEqual(matrix.last_lines("a\r\n\r\nb\r\nc\r\n", 2), ["b", "c"])


class HypervisorTables(unittest.TestCase):
    """The names bench checks and explains come from the hypervisor's C
    tables, as the unit-test binary prints them, not from a copy."""

    def unit_tests(self, flag):
        tables.read("statuses.tsv", 2)  # builds the binary where it is not built
        done = subprocess.run([os.path.join(REPO, "build", "unit-tests"), flag],
                              capture_output=True, text=True, check=True)
        return [line.split("\t") for line in done.stdout.splitlines()]

    def test_stats_levels_are_the_hypervisors(self):
        levels = [row[0] for row in self.unit_tests("--stats-levels")]
        self.assertEqual(list(matrix.STATS_LEVELS), levels)
        r = bench("--stats", "bogus", "--check-only")
        self.assertEqual(r.returncode, 2)
        self.assertIn(f"--stats 'bogus': one of {', '.join(levels)}", r.stderr)

    def test_status_meanings_are_the_hypervisors(self):
        statuses = self.unit_tests("--statuses")
        self.assertEqual([int(n) for n, _ in statuses], [0, 1, 2, 3, 4, 5])
        for n, meaning in statuses[1:]:
            self.assertEqual(matrix.classify(int(n), ""), ("failed", f"status {n} ({meaning})"))

    def test_a_table_row_with_the_wrong_fields_is_refused(self):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "stats-levels.tsv"), "w", encoding="utf-8") as f:
                f.write("off\ncounts\textra\n")
            with unittest.mock.patch.object(tables, "BUILD", tmp), \
                    self.assertRaises(SystemExit) as e:
                tables.stats_levels()
        self.assertEqual(str(e.exception),
                         f"{os.path.join(tmp, 'stats-levels.tsv')}: line 2: 2 fields, want 1")


class Aggregate(unittest.TestCase):
    def test_median_and_spread_across_runs(self):
        rows = []
        for rep, v in enumerate((3000, 3300, 3100), 1):
            rows.append(("kvm", OTHER, "lists", "rdpmc", "full", str(rep), "hv", "CPUID", "tsc",
                         "median", str(v)))
            rows.append(("kvm", OTHER, "lists", "rdpmc", "full", str(rep), "hv", "CPUID", "tsc",
                         "max", "99999"))
        for rep, v in enumerate((1000, 1041), 1):
            rows.append(("kvm", BASE, "lists", "rdpmc", "full", str(rep), "hv", "CPUID", "tsc",
                         "median", str(v)))
        (t,) = report.aggregate(rows)
        self.assertEqual((t.stat, t.kinds), ("median", ["CPUID"]))
        self.assertEqual(t.strategies, [(BASE, "lists", "rdpmc", "full"),
                                        (OTHER, "lists", "rdpmc", "full")])
        c = t.cells[("CPUID", (OTHER, "lists", "rdpmc", "full"))]
        self.assertEqual((c.median, c.lo, c.hi, c.text()), (3100, 3000, 3300,
                                                           "3100 [3000..3300]"))
        self.assertEqual(t.cells[("CPUID", (BASE, "lists", "rdpmc", "full"))].text(),
                         "1020.5 [1000..1041]")

    def test_counts_use_value(self):
        (t,) = report.aggregate([("q", BASE, "lists", "rdmsr", "off", "1", "hv", "ALL",
                                  "count", "value", "13")])
        self.assertEqual((t.stat, t.cells[("ALL", (BASE, "lists", "rdmsr", "off"))].text()),
                         ("value", "13"))


def expected_rows(path):
    """The CSV rows a fixture must give, found without benchlib: every data line,
    with the strategy its file name (or, for hw-console.log, its meta) states."""
    name = os.path.basename(path)
    if name == "hw-console.log":
        prefix = ("hardware", "mediated", "vmcs", "rdpmc", "full", "1")
    else:
        platform, pmu, gc, read, rep = name[:-len(".log")].split("-")
        prefix = (platform, pmu, gc, read, "full", rep[1:])
    with open(path, encoding="utf-8") as f:
        return [prefix + tuple(line.strip().split(",")[1:]) for line in f
                if line.startswith("data,")]


class EndToEnd(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.mkdtemp()
        cls.out = os.path.join(cls.tmp, "out")
        cls.result = bench("--from-logs", *GOOD_LOGS, HW_LOG, "--out", cls.out)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.tmp)

    def setUp(self):
        self.assertEqual(self.result.returncode, 0, self.result.stdout + self.result.stderr)

    def read(self, name):
        with open(os.path.join(self.out, name), encoding="utf-8") as f:
            return f.read()

    def test_csv_has_every_row(self):
        with open(os.path.join(self.out, "results.csv"), newline="", encoding="utf-8") as f:
            got = list(csv.reader(f))
        self.assertEqual(got[0], ["platform", "pmu", "global_ctrl", "pmu_read", "stats", "rep",
                                  "source", "kind", "metric", "stat", "value"])
        want = [r for p in GOOD_LOGS + [HW_LOG] for r in expected_rows(p)]
        self.assertEqual(len(want), 5 + 6 * 65)  # 31 guest + 34 hv data lines per kvm log
        self.assertEqual(sorted(tuple(r) for r in got[1:]), sorted(want))

    def test_platform_csv(self):
        with open(os.path.join(self.out, "platform.csv"), newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        mine = {(r["key"], r["value"]) for r in rows
                if r["log"].endswith("kvm-switch-vmcs-rdmsr-r1.log")}
        for kv in (("platform", "kvm"), ("cpu_model_name", "Intel(R) Xeon(R) Gold 6530"),
                   ("cpu_family", "6"), ("cpu_model", "207"), ("cpu_stepping", "2"),
                   ("microcode", "0x21000230"), ("perfmon_version", "5"), ("gp_counters", "8"),
                   ("guest", "exit-bench"), ("pmu", "switch"), ("global_ctrl", "vmcs")):
            self.assertIn(kv, mine)
        self.assertTrue(any(k == "date" and v for k, v in mine))
        hw = {(r["key"], r["value"]) for r in rows if r["log"].endswith("hw-console.log")}
        self.assertIn(("emulator", "hardware (serial console logs)"), hw)

    def test_markdown_tables(self):
        md = self.read("results.md")
        for heading in ("## Platform: kvm", "## Platform: hardware",
                        "### hv · tsc: TSC ticks in the hypervisor from VM exit to VM entry",
                        "### hv · pmu_msr_accesses:", "### guest · tsc:", "### hv · tsc: added "
                        "over pmu=off", "### Runs"):
            self.assertIn(heading, md)
        lines = md.splitlines()
        for row in (
                "| pmu | global_ctrl | pmu_read | stats | runs | `CPUID` | `VMCALL` | `MSR_READ` |",
                "| off | lists | rdpmc | full | 2 | 1020 [1000..1040] | 920 [900..940] | "
                "1270 [1250..1290] |",
                "| switch | lists | rdpmc | full | 3 | 3100 [3000..3300] | 3000 [2900..3200] | "
                "3350 [3250..3550] |",
                "| switch | vmcs | rdmsr | full | 1 | 2900 | 2800 | 3150 |",
                "| switch | lists | rdpmc | full | off/lists/rdpmc/full | +2080 | +2080 | +2080 |",
                "| switch | vmcs | rdmsr | full | off/lists/rdpmc/full | +1880 | +1880 | +1880 |",
                "| mediated | vmcs | rdpmc | full | 1 | 1900 |",
                "| CPU | GenuineIntel Intel(R) Xeon(R) Gold 6530 |",
                "| family / model / stepping | 6 / 207 / 2 (0x6 / 0xcf / 0x2) |"):
            self.assertIn(row, lines)

    def test_plots_are_pngs(self):
        want = {f"kvm-hv-{m}-{k}.png" for m in ("tsc", "pmu_msr_accesses")
                for k in ("CPUID", "VMCALL", "MSR_READ")}
        want |= {f"kvm-guest-tsc-{k}.png" for k in ("cpuid", "vmcall", "msr_read",
                                                   "cpuid_pmu_active")}
        want |= {"kvm-guest-cycles-cpuid_pmu_active.png",
                 "kvm-guest-guest_instructions-workload.png",
                 "hardware-hv-tsc-CPUID.png", "hardware-hv-pmu_msr_accesses-CPUID.png",
                 "hardware-guest-tsc-cpuid.png"}
        self.assertEqual(set(os.listdir(os.path.join(self.out, "plots"))), want)
        for name in want:
            with open(os.path.join(self.out, "plots", name), "rb") as f:
                data = f.read()
            self.assertGreater(len(data), 1000, name)
            self.assertEqual(data[:8], PNG_SIGNATURE, name)
        self.assertIn("(plots/kvm-hv-tsc-CPUID.png)", self.read("results.md"))

    def test_refused_log_is_listed_not_failed(self):
        self.assertIn("bench: " + os.path.join(FIX, "kvm-rfc-vmcs-rdpmc-r1.log") + ": refused: "
                      "pmuvisor: error: global_ctrl=vmcs: this CPU does not offer the 'load "
                      "IA32_PERF_GLOBAL_CTRL' VM-entry and VM-exit controls (use "
                      "global_ctrl=lists)", self.result.stdout.splitlines())
        self.assertIn("| rfc | vmcs | rdpmc | full | 1 | refused: pmuvisor: error: global_ctrl=vmcs: "
                      "this CPU does not offer", self.read("results.md"))


class PeerSection(unittest.TestCase):
    """scripts/results-page --peer: KVM's rows beside pmuvisor's, ratios to KVM's legacy vPMU."""

    PAGE = os.path.join(REPO, "scripts", "results-page")

    def setUp(self):
        self.tmp = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, self.tmp)
        self.bench_dir = os.path.join(self.tmp, "bench")
        os.makedirs(self.bench_dir)
        cols = ["platform", "pmu", "global_ctrl", "pmu_read", "stats", "rep", "source", "kind",
                "metric", "stat", "value"]
        rows = []
        for pmu, cpuid in ((BASE, 133), (OTHER, 372)):
            rows.append(["bochs", pmu, "lists", "rdmsr", "full", "1", "hv", "CPUID", "tsc",
                         "median", "100"])
            rows.append(["bochs", pmu, "lists", "rdmsr", "full", "1", "guest", "CPUID", "tsc",
                         "median", str(cpuid)])
        with open(os.path.join(self.bench_dir, "results.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(cols)
            w.writerows(rows)
        with open(os.path.join(self.bench_dir, "results.md"), "w") as f:
            f.write("# results\n\n## Platform: bochs\n\nemulator\n\n### Runs\n")

    def page(self, *peer_dirs):
        docs = os.path.join(self.tmp, "docs")
        args = [sys.executable, self.PAGE, self.bench_dir, "--docs", docs]
        for d in peer_dirs:
            args += ["--peer", d]
        r = subprocess.run(args, capture_output=True, text=True, cwd=REPO, timeout=120)
        md = ""
        if os.path.exists(os.path.join(docs, "results.md")):
            with open(os.path.join(docs, "results.md")) as f:
                md = f.read()
        return r, md

    def test_kvm_rows_beside_pmuvisor_with_ratios_to_legacy(self):
        r, md = self.page(os.path.join(FIX, "peer"))
        self.assertEqual(r.returncode, 0, r.stderr)
        lines = md.splitlines()
        self.assertIn("## pmuvisor and KVM on the same CPU", lines)
        self.assertIn(f"| pmuvisor `{OTHER}` | 372 (0.25x) | – | – | – |", lines)
        # novpmu first, as configured; every ratio to the legacy vPMU
        novpmu = lines.index("| kvm-6.1.0 novpmu | 1121 (0.75x) | 1111 (0.75x) | – | – |")
        self.assertEqual(lines[novpmu + 1],
                         "| kvm-6.1.0 legacy | 1499 (1.00x) | 1489 (1.00x) | – | – |")
        self.assertIn("| kvm-6.1.0 legacy | 30274 (1.00x) | – | – | – |", lines)
        # the guest's own PMU accesses: a row only where they were measured
        pmu = lines.index("### The guest's own PMU accesses")
        self.assertEqual(lines[pmu + 4:pmu + 7], [
            "| configuration | WRMSR_PERFEVTSEL0 | WRMSR_PMC0 | WRMSR_GLOBAL_CTRL | RDPMC0 |",
            "|---|---|---|---|---|",
            "| kvm-6.1.0 legacy | 1400 (1.00x) | – | – | – |"])
        self.assertIn("- kvm-6.1.0 legacy: kernel `6.1.0-50-amd64`; `kvm_enable_pmu=Y`, "
                      "`kvm_intel_enable_apicv=N`", lines)

    def test_counts_beside_native_and_pmuvisor(self):
        counts = os.path.join(self.tmp, "counts")
        os.makedirs(counts)
        with open(os.path.join(counts, "counts.csv"), "w") as f:
            f.write("source,run,what,value,native_or_reference\n")
            for run, vals in (("native", (5004, 1000, 5004, 4)), (OTHER, (5004, 1000, 5004, 5))):
                for what, v in zip(("instructions", "branches", "fixed0", "nmi_handler_read"),
                                   vals):
                    f.write(f"pmu-count,{run},{what},{v},0\n")
        with open(os.path.join(counts, "counts.md"), "w") as f:
            f.write("## counts\n")
        docs = os.path.join(self.tmp, "docs")
        r = subprocess.run([sys.executable, self.PAGE, self.bench_dir, "--docs", docs,
                            "--counts", counts, "--peer", os.path.join(FIX, "peer")],
                           capture_output=True, text=True, cwd=REPO, timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        with open(os.path.join(docs, "results.md")) as f:
            lines = f.read().splitlines()
        self.assertIn("| native | 5004 | – | 1000 | 5004 | 4 | – |", lines)
        self.assertIn(f"| pmuvisor `{OTHER}` | 5004 | +0 | 1000 | 5004 | 5 | – |", lines)
        # a count KVM gets wrong ("not ok") is still the result
        self.assertIn("| kvm-6.1.0 legacy | 5010 | +6 | 1001 | 5012 | 6 | 80 of 85 |", lines)

    def test_a_log_that_is_not_kvms_is_refused(self):
        d = os.path.join(self.tmp, "notkvm")
        os.makedirs(d)
        with open(os.path.join(d, "kvm-6.1-legacy.log"), "w") as f:
            f.write(block("meta,platform,bochs", "data,guest,CPUID,tsc,median,1"))
        r, md = self.page(d)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("not a KVM peer log (no meta,hypervisor,kvm)", r.stderr)
        self.assertEqual(md, "")

    def test_an_empty_peer_directory_is_refused(self):
        r, md = self.page(self.tmp)
        self.assertNotEqual(r.returncode, 0)
        self.assertIn("holds no kvm-*.log: run scripts/kvm-peer first", r.stderr)


class PmuCountLines(unittest.TestCase):
    """benchlib.pmu_count: guest-counts takes only exact runs, the peer page every run."""

    def test_exact_only_refuses_a_count_that_is_off(self):
        from benchlib import pmu_count
        with open(os.path.join(FIX, "peer", "counts-6.1-legacy.log")) as f:
            text = f.read()
        self.assertIsNone(pmu_count.read(text, exact_only=True))
        self.assertEqual(pmu_count.read(text, exact_only=False),
                         {"instructions": 5010, "branches": 1001, "fixed0": 5012,
                          "nmi_handler_read": 6})
        exact = text.replace("not ok 57", "ok 57")
        self.assertEqual(pmu_count.read(exact, exact_only=True)["instructions"], 5010)


class BeforeAfter(unittest.TestCase):
    """scripts/results-page --before: the CPUID round trip then and now, per access."""

    def write_bench(self, d, cpuid):
        os.makedirs(d)
        with open(os.path.join(d, "results.csv"), "w", newline="") as f:
            w = csv.writer(f)
            w.writerow(["platform", "pmu", "global_ctrl", "pmu_read", "stats", "rep", "source",
                        "kind", "metric", "stat", "value"])
            for pmu, (rt, acc) in cpuid.items():
                base = ["bochs", pmu, "lists", "rdmsr"]
                w.writerow(base + ["full", "1", "hv", "CPUID", "tsc", "median", "100"])
                w.writerow(base + ["off", "1", "guest", "CPUID", "tsc", "median", str(rt)])
                w.writerow(base + ["counts", "1", "hv", "CPUID", "pmu_msr_accesses", "mean",
                                   str(acc)])
        with open(os.path.join(d, "results.md"), "w") as f:
            f.write("# results\n\n## Platform: bochs\n\nemulator\n\n### Runs\n")

    def test_per_access_cost_then_and_now(self):
        names = strategies.names()
        if "passthrough" not in names or "switch" not in names:
            self.skipTest("the strategy table has no passthrough or switch")
        with tempfile.TemporaryDirectory() as tmp:
            before, now, docs = (os.path.join(tmp, n) for n in ("before", "now", "docs"))
            self.write_bench(before, {BASE: (144, 0), "passthrough": (144, 0),
                                      "switch": (428, 12)})
            self.write_bench(now, {BASE: (99, 0), "passthrough": (99, 0), "switch": (359, 12)})
            r = subprocess.run([sys.executable, PeerSection.PAGE, now, "--docs", docs,
                                "--before", before], capture_output=True, text=True, cwd=REPO,
                               timeout=120)
            self.assertEqual(r.returncode, 0, r.stderr)
            with open(os.path.join(docs, "results.md")) as f:
                lines = f.read().splitlines()
        self.assertIn("## The exit path, before and now", lines)
        self.assertIn("| `passthrough` | 144 | 99 | 0 → 0 | – |", lines)
        self.assertIn("| `switch` | 428 | 359 | 12 → 12 | 23.7 → 21.7 |", lines)


class Cli(unittest.TestCase):
    def test_check_only_bochs(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out")
            r = bench("--check-only", "--platform", "bochs", "--pmu", "off,switch", "--reps", "2",
                      "--iters", "100", "--out", out,
                      env=dict(os.environ, PMUVISOR_BOCHS="debian"))
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            self.assertIn("global_ctrl=vmcs skipped on Debian's Bochs", r.stdout)
            self.assertIn("would run 8 boot(s): 4 combination(s) x 2 repetition(s)", r.stdout)
            runs = [x for x in r.stdout.splitlines() if x.lstrip().startswith("[")]
            self.assertEqual(len(runs), 8)
            self.assertFalse(any("vmcs" in x for x in runs))
            self.assertIn("'iters=100'", r.stdout)
            self.assertIn(os.path.join(out, "logs", "bochs-switch-lists-rdmsr-r2.log"), runs[-1])
            self.assertFalse(os.path.exists(out))

    def test_check_only_kvm_keeps_vmcs(self):
        r = bench("--check-only", "--platform", "kvm", "--pmu", OTHER, "--reps", "1",
                  "--out", "/nonexistent/out")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        runs = [x for x in r.stdout.splitlines() if x.lstrip().startswith("[")]
        self.assertEqual(len(runs), 4)
        self.assertIn(f"pmu={OTHER} global_ctrl=vmcs pmu_read=rdmsr stats=full loglevel=1'",
                      r.stdout)

    def test_check_only_linux_guest_boots_kernel_and_initramfs(self):
        r = bench("--check-only", "--platform", "bochs", "--guest", "linux", "--pmu", OTHER,
                  "--pmu-read", "rdmsr", "--stats", "counts", "--reps", "1", "--iters", "50",
                  "--no-plots", "--out", "/nonexistent/out")
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        # The kernel command line is guests/linux/cmdline's, then the iterations.
        self.assertIn("each: scripts/mkiso ISO 'HV_ARGS' build/linux/vmlinux 'console=ttyS0 "
                      "panic=-1 loglevel=6 cryptomgr.notests pmuvisor.iterations=50' "
                      "build/linux/initrd.img 'initrd'", r.stdout)
        self.assertIn("--timeout 1200 --memory 512 --lenient-msrs", r.stdout)
        self.assertIn(f"pmu={OTHER} global_ctrl=lists pmu_read=rdmsr stats=counts", r.stdout)

    def test_one_boot_writes_what_runs_share_once(self):
        runs = matrix.plan("bochs", [BASE, OTHER], ["lists"], ["rdmsr"], 1, "L",
                           lambda m: None, ("off", "full"))
        self.assertEqual(matrix.one_boot_args(runs, "pmu_gp=2"),
                         f"global_ctrl=lists pmu_read=rdmsr loglevel=1 runs=pmu:{BASE}+stats:off/"
                         f"pmu:{BASE}+stats:full/pmu:{OTHER}+stats:off/pmu:{OTHER}+stats:full "
                         "pmu_gp=2")
        (boot, group), = matrix.one_boot_plan(runs, "L")
        self.assertEqual((boot.log, len(group)), (os.path.join("L", "bochs-matrix-r1.log"), 4))

    def test_one_boot_refuses_a_command_line_too_long(self):
        r = bench("--check-only", "--platform", "bochs", "--one-boot", "--pmu-read", "rdmsr",
                  "--stats", "off,counts,full", "--reps", "1", "--no-plots",
                  "--extra-hv-args", "x" * 400, "--out", "/nonexistent/out")
        self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
        self.assertIn("the hypervisor takes 511", r.stderr)

    def test_missing_gnuplot_names_the_package(self):
        with tempfile.TemporaryDirectory() as tmp:
            env = dict(os.environ, PATH=os.path.join(tmp, "empty"))
            out = os.path.join(tmp, "out")
            r = bench("--from-logs", HW_LOG, "--out", out, env=env)
            self.assertNotEqual(r.returncode, 0)
            self.assertIn("apt-get install gnuplot-nox", r.stderr)
            self.assertFalse(os.path.exists(out))

    def test_platform_label_and_no_plots(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "out")
            r = bench("--from-logs", HW_LOG, "--platform", "spr", "--no-plots", "--out", out)
            self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
            with open(os.path.join(out, "results.csv"), encoding="utf-8") as f:
                self.assertEqual(f.read().splitlines()[1],
                                 "spr,mediated,vmcs,rdpmc,full,1,guest,cpuid,tsc,median,2100")
            self.assertFalse(os.path.exists(os.path.join(out, "plots")))

    def test_failed_log_is_reported_and_left_out(self):
        with tempfile.TemporaryDirectory() as tmp:
            bad = os.path.join(tmp, "kvm-switch-lists-rdpmc-r9.log")
            with open(os.path.join(FIX, "kvm-switch-lists-rdpmc-r1.log"), newline="") as f:
                text = f.read()
            with open(bad, "w", newline="") as f:
                f.write(text.replace("pmuvisor: exit status 0", "pmuvisor: error: host PMU "
                                     "state not restored\r\npmuvisor: exit status 4"))
            out = os.path.join(tmp, "out")
            r = bench("--from-logs", HW_LOG, bad, "--out", out, "--no-plots")
            self.assertEqual(r.returncode, 1, r.stdout + r.stderr)
            self.assertIn(f"bench:   {bad}: status 4 (a fault or VMX failure in the hypervisor, "
                          "or the host PMU state was not restored): pmuvisor: error: host PMU "
                          "state not restored", r.stderr.splitlines())
            with open(os.path.join(out, "results.csv"), encoding="utf-8") as f:
                self.assertEqual(len(f.read().splitlines()), 1 + 5)  # hw-console.log's only

    def test_bad_usage(self):
        self.assertEqual(bench("--platform", "vmware", "--check-only").returncode, 2)
        self.assertEqual(bench("--reps", "0", "--check-only").returncode, 2)


if __name__ == "__main__":
    unittest.main()
