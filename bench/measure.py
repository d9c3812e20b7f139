"""Run one command and measure it: wall time, CPU time of the whole process tree, and the peak
resident memory (VmHWM) of every process in the tree, sampled while it runs."""
from __future__ import annotations

import contextlib
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


def run(label: str, argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
        log: Path | None = None, interval: float = 0.05) -> RunResult:
    """Run `argv` to the end and measure it. Output goes to `log` (or is discarded)."""
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
    return RunResult(label, wall, usage.ru_utime + usage.ru_stime, proc.returncode, sampler.result())
