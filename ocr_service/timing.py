"""The pipeline's own stage timers (wall and CPU seconds per stage), read by `make bench`."""
from __future__ import annotations

import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field

STAGES = ("ingest", "cleanup", "ocr", "extraction", "decision", "output")


@dataclass
class StageTimer:
    wall: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    cpu: dict[str, float] = field(default_factory=lambda: defaultdict(float))

    @contextmanager
    def stage(self, name: str):
        w0, c0 = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.wall[name] += time.perf_counter() - w0
            self.cpu[name] += time.process_time() - c0

    def add(self, other: "StageTimer") -> None:
        for k, v in other.wall.items():
            self.wall[k] += v
        for k, v in other.cpu.items():
            self.cpu[k] += v

    def as_dict(self) -> dict[str, dict[str, float]]:
        return {"wall": dict(self.wall), "cpu": dict(self.cpu)}
