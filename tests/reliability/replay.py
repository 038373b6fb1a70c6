"""Once-only probe: replays signed Slack requests and re-runs a daily post after a crash; prints the duplicates.

    python -m tests.reliability.replay [--model-dir DIR] [--n 50]

1. ``n`` signed commands, each sent 3 times with the same timestamp and body (a replay), to TWO web services
   sharing one database (two bot processes behind a load balancer): answers beyond one per command are
   duplicates.
2. ``n`` Slack retries (``X-Slack-Retry-Num``) of commands already answered: any answer is a duplicate.
3. The daily post, killed after ``chat.postMessage`` and before its record, then run again once its claim is
   stale: a second message is a duplicate.
Exit status 1 when any duplicate is found.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path


def _services(caddie, fake, database_url: str):  # noqa: ANN001, ANN202
    from contextlib import ExitStack

    from bot.app import create_app
    from bot.refresh import FixedCaddie
    from bot.settings import BotSettings
    from bot.web.app import create_web_app
    from bot.web.server import running
    from bot.web.settings import WebSettings
    from tests.test_slack_app import SECRET

    settings = BotSettings(_env_file=None, slack_bot_token="xoxb-probe", slack_signing_secret=SECRET,
                           slack_api_url=fake.api_url, database_url=database_url,
                           today=caddie.as_of + timedelta(days=1))
    stack = ExitStack()
    urls = []
    for _ in range(2):  # two processes' worth of state: own Bolt app, own memory, one database
        app = create_web_app(settings, FixedCaddie(caddie), web=WebSettings(_env_file=None),
                             slack_app=create_app(settings, FixedCaddie(caddie)))
        urls.append(stack.enter_context(running(app)) + "/slack/events")
    return stack, urls


def replays(caddie, n: int) -> tuple[int, int]:  # noqa: ANN001
    """(duplicates from replays across two services, duplicates from Slack retries)."""
    from tests.fake_slack import FakeSlack
    from tests.web_harness import command_form, signed_post

    fake = FakeSlack().start()
    workdir = Path(tempfile.mkdtemp(prefix="caddie-replay-"))
    stack, urls = _services(caddie, fake, f"sqlite:///{workdir / 'caddie.db'}")
    words = [p.name.split()[0].lower() for p in caddie.products(10)]
    try:
        with stack:
            for i in range(n):
                form, at = command_form(fake, f"{words[i % len(words)]} demain", key=f"c{i}"), int(time.time())
                for attempt in range(3):
                    signed_post(urls[attempt % 2], form, timestamp=at)
            _wait(fake, n)
            time.sleep(3)  # a duplicate answer, if any, would come within seconds of the first
            before = [r.path for r in fake.calls(path_prefix="/response/")]
            for i in range(n):
                form = command_form(fake, f"{words[i % len(words)]} demain", key=f"c{i}")
                signed_post(urls[i % 2], form, headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "timeout"})
            time.sleep(5)  # answers, if any were (wrongly) started, arrive within seconds
            answers = [r.path for r in fake.calls(path_prefix="/response/")]
    finally:
        fake.stop()
    return len(before) - len(set(before)), len(answers) - len(before)


def _wait(fake, n: int, timeout: float = 120) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while len({r.path for r in fake.calls(path_prefix="/response/")}) < n and time.monotonic() < deadline:
        time.sleep(0.2)


def repost(caddie) -> int:  # noqa: ANN001
    """Messages beyond one after a crash between posting and recording, then a run after the claim went stale."""
    from slack_sdk import WebClient
    from sqlalchemy import update

    from bot import jobs
    from bot.post_claims import make_engine, scheduled_posts
    from tests.fake_slack import FakeSlack

    fake = FakeSlack().start()
    engine = make_engine(f"sqlite:///{Path(tempfile.mkdtemp(prefix='caddie-repost-')) / 'c.db'}")
    client, day, channel = WebClient(token="xoxb-probe", base_url=fake.api_url), caddie.as_of + timedelta(days=1), "C0LOG"
    recorder = jobs._record_posted

    def crash(*args: object, **kwargs: object) -> None:
        raise SystemExit("killed before recording the post")

    try:
        jobs._record_posted = crash
        try:
            jobs.post_daily_forecasts(client, caddie, engine, channel, day, top_n=3)
        except SystemExit:
            pass
        jobs._record_posted = recorder
        with engine.begin() as conn:  # the next run comes after the claim went stale
            conn.execute(update(scheduled_posts).values(claimed_at=scheduled_posts.c.claimed_at - timedelta(hours=1)))
        jobs.post_daily_forecasts(client, caddie, engine, channel, day, top_n=3)
        jobs.post_daily_forecasts(client, caddie, engine, channel, day, top_n=3)
        return len(fake.calls("chat.postMessage")) - 1
    finally:
        jobs._record_posted = recorder
        fake.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=os.environ.get("CADDIE_PROBE_MODEL_DIR") or None)
    parser.add_argument("--n", type=int, default=50, help="distinct commands replayed")
    args = parser.parse_args(argv)
    from ml.service import Caddie
    from tests.reliability.burst import model_dir

    caddie = Caddie.load(model_dir(args.model_dir))
    replayed, retried = replays(caddie, args.n)
    reposted = repost(caddie)
    print(f"{args.n} commands x 3 identical deliveries over 2 services sharing a database: {replayed} duplicate "
          f"answers")
    print(f"{args.n} Slack retries (X-Slack-Retry-Num) of answered commands: {retried} duplicate answers")
    print(f"daily post killed between chat.postMessage and its record, then run twice more: {reposted} duplicate "
          f"posts")
    return 1 if replayed or retried or reposted else 0


if __name__ == "__main__":
    sys.exit(main())
