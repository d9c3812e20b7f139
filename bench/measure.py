"""Run one command and measure it: wall time, CPU time of the whole process tree, and the peak
resident memory (VmHWM) of every process in the tree, sampled while it runs.

The kernel adds a process's CPU time to its parent's when the parent waits for it. A process that
outlives its parent (a multiprocessing fork server and the workers forked from it) is waited for by
whoever adopts it: this process makes itself the "child subreaper" of what it runs, so such processes
are adopted here and their CPU time is counted too.
"""
from __future__ import annotations

import contextlib
import ctypes
import os
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil


@dataclass(frozen=True)
class ProcPeak:
    """The highest resident memory seen for one process of the tree."""

    pid: int
    name: str
    depth: int  # 0: the command itself, 1: its children, ...
    peak_mb: float


@dataclass(frozen=True)
class RunResult:
    """What one measured command cost."""

    label: str
    wall_s: float
    cpu_s: float  # user + system of the command and every descendant it waited for
    returncode: int
    procs: tuple[ProcPeak, ...] = field(default=())

    def workers(self, names: tuple[str, ...] | None = None) -> tuple[ProcPeak, ...]:
        """The processes that do the work: descendants (or the command itself when it has none),
        optionally only those whose name is in `names`."""
        below = [p for p in self.procs if p.depth >= 1] or [p for p in self.procs if p.depth == 0]
        return tuple(p for p in below if names is None or p.name in names)

    def peak_worker_mb(self, names: tuple[str, ...] | None = None) -> float:
        ws = self.workers(names)
        return max((p.peak_mb for p in ws), default=0.0)


def _peak_kb(pid: int) -> int:
    """VmHWM (the kernel's own high-water mark of resident memory) of a live process, in kB."""
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the peak memory of a process and all its descendants until stopped."""

    def __init__(self, pid: int, interval: float = 0.05):
        super().__init__(daemon=True)
        self.root = pid
        self.interval = interval
        self.peaks: dict[int, tuple[str, int, int]] = {}  # pid -> (name, depth, peak kB)
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.sample()
            self._stop_event.wait(self.interval)

    def sample(self) -> None:
        try:
            root = psutil.Process(self.root)
            tree = [(root, 0)] + [(c, self._depth(c)) for c in root.children(recursive=True)]
        except psutil.Error:
            return
        for proc, depth in tree:
            kb = _peak_kb(proc.pid)
            if not kb:
                continue
            try:
                name = proc.name()
            except psutil.Error:
                continue
            old = self.peaks.get(proc.pid)
            if old is None or kb > old[2]:
                self.peaks[proc.pid] = (name, depth, kb)

    def _depth(self, proc: psutil.Process) -> int:
        depth = 0
        try:
            while proc.pid != self.root and depth < 20:
                proc = proc.parent()
                if proc is None:
                    break
                depth += 1
        except psutil.Error:
            pass
        return depth

    def stop(self) -> None:
        self._stop_event.set()

    def result(self) -> tuple[ProcPeak, ...]:
        return tuple(ProcPeak(pid, name, depth, round(kb / 1024, 1))
                     for pid, (name, depth, kb) in sorted(self.peaks.items()))


_PR_SET_CHILD_SUBREAPER = 36


def _become_subreaper() -> bool:
    """Orphaned descendants of our children are re-parented to this process (Linux), not to init."""
    try:
        return ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _reap_adopted(deadline_s: float = 60.0) -> float:
    """Wait for descendants that outlived the command and were adopted here; their CPU seconds."""
    cpu, end = 0.0, time.monotonic() + deadline_s
    while time.monotonic() < end:
        try:
            pid, _, usage = os.wait4(-1, os.WNOHANG)
        except ChildProcessError:
            break  # none left
        if pid == 0:
            time.sleep(0.02)
            continue
        cpu += usage.ru_utime + usage.ru_stime
    return cpu


def run(label: str, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
        log: Path | None = None, interval: float = 0.05) -> RunResult:
    """Run `argv` to the end and measure it. Output goes to `log` (or is discarded)."""
    _become_subreaper()
    with contextlib.ExitStack() as stack:
        sink = stack.enter_context(open(log, "wb")) if log else subprocess.DEVNULL
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, env={**os.environ, **(env or {})}, cwd=cwd, stdout=sink,
                                stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid, interval)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        sampler.stop()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        adopted = _reap_adopted()
    return RunResult(label, wall, usage.ru_utime + usage.ru_stime + adopted, proc.returncode, sampler.result())
