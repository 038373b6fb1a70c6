"""A small asyncio HTTP/1.1 load generator for the probes: raw streams, keep-alive pools, open-loop rates.

Hand-written on purpose: a client library's own CPU cost (a millisecond per request) would be most of what it
measures at 500 requests per second on two cores.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)  # seconds, answered requests
    statuses: dict[int, int] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)  # connection errors by kind
    elapsed: float = 0.0

    def add(self, status: int, latency: float) -> None:
        self.latencies.append(latency)
        self.statuses[status] = self.statuses.get(status, 0) + 1

    def error(self, exc: BaseException) -> None:
        name = type(exc).__name__
        self.errors[name] = self.errors.get(name, 0) + 1

    def quantile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        if len(self.latencies) == 1:
            return self.latencies[0]
        return statistics.quantiles(self.latencies, n=1000, method="inclusive")[int(q * 1000) - 1]

    def over(self, seconds: float) -> int:
        return sum(1 for x in self.latencies if x > seconds)

    def line(self, name: str) -> str:
        rate = len(self.latencies) / self.elapsed if self.elapsed else float("nan")
        return (f"{name:<28} n={len(self.latencies):5d}  p50={self.quantile(0.5) * 1000:7.1f} ms  "
                f"p99={self.quantile(0.99) * 1000:7.1f} ms  max={max(self.latencies, default=0) * 1000:7.1f} ms  "
                f"{rate:6.0f}/s  status={dict(sorted(self.statuses.items()))}  errors={sum(self.errors.values())}")


def request_bytes(method: str, path: str, host: str, *, headers: dict[str, str] | None = None, body: bytes = b"",
                  keep_alive: bool = True) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", f"Host: {host}", f"Content-Length: {len(body)}",
             f"Connection: {'keep-alive' if keep_alive else 'close'}"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    return status, (await reader.readexactly(length) if length else b"")


async def one_shot(host: str, port: int, raw: bytes, results: Results, timeout: float = 30.0) -> None:
    """One request on its own connection (as Slack sends commands)."""
    started = time.perf_counter()
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
        writer.write(raw)
        status, _ = await asyncio.wait_for(_read_response(reader), timeout)
        results.add(status, time.perf_counter() - started)
        writer.close()
    except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as exc:
        results.error(exc)


async def open_loop(host: str, port: int, requests: list[bytes], rate: float, results: Results,
                    connections: int = 64) -> None:
    """Sends ``requests`` at ``rate`` per second (scheduled, whatever the answers' pace) over a keep-alive pool."""
    pool: asyncio.Queue = asyncio.Queue()
    for _ in range(connections):
        pool.put_nowait(None)  # connections are opened lazily

    async def send(raw: bytes) -> None:
        conn = await pool.get()
        started = time.perf_counter()
        try:
            if conn is None:
                conn = await asyncio.open_connection(host, port)
            reader, writer = conn
            writer.write(raw)
            status, _ = await asyncio.wait_for(_read_response(reader), 30)
            results.add(status, time.perf_counter() - started)
        except (OSError, asyncio.IncompleteReadError, asyncio.TimeoutError, ValueError) as exc:
            results.error(exc)
            conn = None
        pool.put_nowait(conn)

    start = time.perf_counter()
    tasks = []
    for i, raw in enumerate(requests):
        delay = start + i / rate - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(send(raw)))
    await asyncio.gather(*tasks)
    results.elapsed = time.perf_counter() - start
    while not pool.empty():
        conn = pool.get_nowait()
        if conn is not None:
            conn[1].close()
