"""Load probe: 200 concurrent signed Slack commands and 500 REST requests per second against the real service.

    python -m tests.reliability.burst                      # trains a small model set first (a few minutes)
    python -m tests.reliability.burst --model-dir DIR      # or CADDIE_PROBE_MODEL_DIR=DIR

The service (uvicorn, the Bolt app, the REST API, a trained model set) runs in a subprocess; this process plays
Slack (the fake Web API receiving the answers) and the clients. Phases: a bare FastAPI endpoint of the same
server at the REST rate, then the REST API alone, then REST with the burst of Slack commands in the middle.
Prints p50/p99 of acks and REST answers, the overhead ratio (REST / bare, p50 and p99), acks over 3 s and
connection errors. Exit status 1 when an ack took over 3 s or a connection failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from tests.reliability.http_load import Results, one_shot, open_loop, request_bytes

SECRET = "burst-probe-signing-secret-0123456789"
HOST = "127.0.0.1"
ACK_LIMIT = 3.0


def model_dir(given: Path | None) -> Path:
    """A trained model set: the one given, else one trained on the small simulated chain (cached in /tmp)."""
    if given is not None:
        return given
    root = Path(tempfile.gettempdir()) / "caddie-probe-models"
    if not (root / "models").exists():
        from datetime import date

        from ml.data.simulator import simulate
        from ml.settings import MLSettings
        from ml.train import train_all

        settings = MLSettings(model_dir=root / "models", database_url=f"sqlite:///{root / 'caddie.db'}",
                              _env_file=None)
        train_all(settings, dataset=simulate(n_customers=120, days=240, end=date(2024, 6, 30), seed=11))
    return root / "models"


def serve(args: argparse.Namespace) -> None:
    """The service side (subprocess): the real web app plus ``/bare``, on uvicorn."""
    from datetime import timedelta

    from bot.api_keys import ApiKeys
    from bot.refresh import FixedCaddie
    from bot.settings import BotSettings
    from bot.web.app import create_web_app
    from bot.web.server import serve_forever
    from bot.web.settings import WebSettings
    from ml.service import Caddie

    caddie = Caddie.load(args.model_dir)
    settings = BotSettings(_env_file=None, slack_bot_token="xoxb-probe", slack_signing_secret=SECRET,
                           slack_api_url=args.slack_api, database_url=args.database_url,
                           today=caddie.as_of + timedelta(days=1), log_level="WARNING")
    web = WebSettings(_env_file=None, api_rate_per_second=100_000, api_rate_burst=100_000, api_host=HOST)
    slack_app = None
    if args.seen_memory_only:
        from bot.app import create_app
        from bot.replay import SeenRequests

        slack_app = create_app(settings, FixedCaddie(caddie), seen=SeenRequests(None))
    app = create_web_app(settings, FixedCaddie(caddie), web=web, keys=ApiKeys(args.database_url),
                         slack_app=slack_app)

    @app.get("/bare")
    def bare() -> dict[str, bool]:
        return {"ok": True}

    serve_forever(app, web, port=args.port)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _wait_until_up(port: int, process: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError("the service exited at start-up")
        try:
            socket.create_connection((HOST, port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError("the service did not start")


def slack_command(port: int, fake, text: str, key: str) -> bytes:  # noqa: ANN001 - FakeSlack
    from slack_sdk.signature import SignatureVerifier

    body = urlencode({"token": "legacy", "team_id": "T0PROBE", "channel_id": "C0STORE", "user_id": "U0PROBE",
                      "command": "/forecast", "text": text, "api_app_id": "A0CADDIE",
                      "response_url": fake.response_url(key), "trigger_id": "1.2.3"}).encode()
    ts = str(int(time.time()))
    signature = SignatureVerifier(SECRET).generate_signature(timestamp=ts, body=body.decode())
    return request_bytes("POST", "/slack/events", f"{HOST}:{port}", body=body, keep_alive=False, headers={
        "Content-Type": "application/x-www-form-urlencoded", "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": signature})


async def _phases(port: int, fake, key: str, products: list[str], stores: list[str], rate: float,  # noqa: ANN001
                  seconds: float, commands: int, clients: int) -> dict[str, Results]:
    host = f"{HOST}:{port}"
    auth = {"Authorization": f"Bearer {key}"}
    n = int(rate * seconds)
    rest = [request_bytes("GET", f"/v1/forecasts?{urlencode({'product': products[i % len(products)], 'store': stores[i % len(stores)], 'days': 3})}",  # noqa: E501
                          host, headers=auth) for i in range(n)]
    bare = [request_bytes("GET", "/bare", host) for _ in range(n)]
    out = {name: Results() for name in ("bare", "rest", "rest+burst", "acks")}
    await open_loop(HOST, port, bare[: n // 5], rate, Results())  # warm-up
    await open_loop(HOST, port, bare, rate, out["bare"])
    await open_loop(HOST, port, rest, rate, out["rest"])
    words = [p.split()[0].lower() for p in products]
    burst = [slack_command(port, fake, f"{words[i % len(words)]} demain", f"c{i}") for i in range(commands)]

    lanes = asyncio.Semaphore(clients)

    async def client(raw: bytes) -> None:
        async with lanes:
            await one_shot(HOST, port, raw, out["acks"])

    async def fire() -> None:
        await asyncio.sleep(seconds / 4)
        started = time.perf_counter()
        await asyncio.gather(*(client(raw) for raw in burst))
        out["acks"].elapsed = time.perf_counter() - started

    await asyncio.gather(open_loop(HOST, port, rest, rate, out["rest+burst"]), fire())
    return out


def report(out: dict[str, Results], answers: int, commands: int) -> int:
    for name in ("bare", "rest", "rest+burst", "acks"):
        print(out[name].line({"acks": "slack acks"}.get(name, name)))
    bare, rest = out["bare"], out["rest"]
    print(f"overhead ratio REST / bare: p50 {rest.quantile(0.5) / bare.quantile(0.5):.1f}x, "
          f"p99 {rest.quantile(0.99) / bare.quantile(0.99):.1f}x")
    acks = out["acks"]
    errors = sum(sum(r.errors.values()) for r in out.values())
    print(f"acks over {ACK_LIMIT:.0f} s: {acks.over(ACK_LIMIT)} of {commands}; connection errors: {errors} "
          f"{[r.errors for r in out.values() if r.errors]}; response_url answers received: {answers}/{commands}")
    return 1 if acks.over(ACK_LIMIT) or errors or len(acks.latencies) < commands else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=os.environ.get("CADDIE_PROBE_MODEL_DIR") or None)
    parser.add_argument("--rate", type=float, default=500.0, help="REST requests per second")
    parser.add_argument("--seconds", type=float, default=4.0, help="length of each REST phase")
    parser.add_argument("--commands", type=int, default=200, help="concurrent Slack commands")
    parser.add_argument("--clients", type=int, default=0,
                        help="Slack clients sending the commands (default: one per command, all at once)")
    parser.add_argument("--seen-memory-only", action="store_true",
                        help="replays caught in memory only (no seen_requests table): to measure the table's cost")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--slack-api", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args)
        return 0
    return run(args)


def run(args: argparse.Namespace) -> int:
    from bot.api_keys import ApiKeys
    from ml.service import Caddie
    from tests.fake_slack import FakeSlack

    models = model_dir(args.model_dir)
    caddie = Caddie.load(models)
    products = [p.name for p in caddie.products(20)]
    stores = [s.store_id for s in caddie.stores()]
    workdir = Path(tempfile.mkdtemp(prefix="caddie-burst-"))
    database_url = f"sqlite:///{workdir / 'caddie.db'}"
    key = ApiKeys(database_url).create("burst-probe", "products")[0]
    fake, port = FakeSlack().start(), _free_port()
    command = [sys.executable, "-m", "tests.reliability.burst", "--serve", "--model-dir", str(models),
               "--port", str(port), "--slack-api", fake.api_url, "--database-url", database_url,
               *(["--seen-memory-only"] if args.seen_memory_only else [])]
    server = subprocess.Popen(command, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        _wait_until_up(port, server)
        print(f"service pid {server.pid} on port {port}; {os.cpu_count()} cores; REST {args.rate:g}/s x "
              f"{args.seconds:g} s per phase; {args.commands} concurrent Slack commands during the last phase "
              f"from {args.clients or args.commands} clients")
        out = asyncio.run(_phases(port, fake, key, products, stores, args.rate, args.seconds, args.commands,
                                  args.clients or args.commands))
        deadline = time.monotonic() + 120
        while len(fake.calls(path_prefix="/response/")) < args.commands and time.monotonic() < deadline:
            time.sleep(0.5)
        answers = len({r.path for r in fake.calls(path_prefix="/response/")})
        return report(out, answers, args.commands)
    finally:
        server.terminate()
        server.wait(timeout=30)
        fake.stop()


if __name__ == "__main__":
    sys.exit(main())
