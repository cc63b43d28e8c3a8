"""Real servers for the reminder tests: an SMTP server on a loopback port, Celery workers on a
real broker, and a Redis of the test's own to stop. Every wait is a bounded loop."""

import asyncio
import email
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from email import policy
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(condition, what, seconds=30.0):
    """Poll `condition` until it is true, for at most `seconds`; fail saying what never happened."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds:.0f} s waiting for {what}")


class SMTPServer:
    """An SMTP server on 127.0.0.1 that keeps every message it accepts.

    `hold()` makes it stall the next sender at MAIL FROM, before any message is accepted, until
    `release()`: a way to stop a sweep mid-way at a known point.
    """

    def __init__(self):
        self.port = free_port()
        self.messages = []
        self._held = threading.Event()
        self._holding = False
        self.stalled = threading.Event()
        self._controller = None

    def start(self):
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    def hold(self):
        self._held.clear()
        self._holding = True

    def release(self):
        self._holding = False
        self._held.set()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        if self._holding:
            self.stalled.set()
            await asyncio.get_running_loop().run_in_executor(None, self._held.wait, 30)
        envelope.mail_from = address
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"

    def items(self):
        """Every reminder received, as (recipient, pledge title) pairs, from the digests' text."""
        received = []
        for message in self.messages:
            text = message.get_body(preferencelist=("plain",)).get_content()
            for title in re.findall(r"^\d+\. [^:]+: (.+)$", text, flags=re.MULTILINE):
                received.append((message["To"], title.strip()))
        return received


def database_url():
    """The test database, as a URL a worker process can open."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user = settings["USER"] or "postgres"
    return f"postgres://{user}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


class Worker:
    """A Celery worker in its own process, consuming reminder sweeps from `broker_url`."""

    def __init__(self, broker_url, smtp_port, log_dir, name, **settings):
        self.log = Path(log_dir) / f"worker-{name}.log"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "DATABASE_URL": database_url(),
            "CELERY_BROKER_URL": broker_url,
            "EMAIL_HOST": "127.0.0.1",
            "EMAIL_PORT": str(smtp_port),
            **{key: str(value) for key, value in settings.items()},
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool",
            "solo",
            "--loglevel",
            "INFO",
            "--hostname",
            f"{name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT, start_new_session=True
        )
        wait_until(lambda: "ready." in self.output() or self.process.poll() is not None, f"worker {name} to start")
        assert self.process.poll() is None, self.output()

    def output(self):
        return self.log.read_text() if self.log.exists() else ""

    def finished(self):
        """How many sweeps this worker has finished."""
        return self.output().count("succeeded in")

    def kill(self):
        """SIGKILL: no clean shutdown, no acknowledgement, as when a machine dies."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def send_sweep(broker_url, task="pledges.send_reminders"):
    """Publish one sweep task (the reminders' unless named) to the broker, as beat does."""
    from config.celery_app import app

    with app.connection_for_write(broker_url) as conn:
        app.send_task(task, connection=conn)


class RedisServer:
    """A Redis of the test's own on a free loopback port, to stop and start at will."""

    def __init__(self, data_dir):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        executable = shutil.which("redis-server")
        if executable is None:
            raise RuntimeError("redis-server is not installed")
        self.process = subprocess.Popen(
            [
                executable,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(data_dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, "the test's Redis to start", 10)

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=10)


# Fixtures for the tests of mail sent by real workers (a plugin of conftest.py).

REDIS = ("127.0.0.1", 6379)


def redis_answers():
    try:
        with socket.create_connection(REDIS, timeout=1):
            return True
    except OSError:
        return False


def broker_url():
    """A Redis database of this test process's own: one per database engine and xdist worker,
    so suites and test processes running side by side never share (or flush) a queue. (13 and
    14 are the production recipe's.)"""
    from django.conf import settings

    worker = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0) % 6
    first = 1 if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else 7
    return f"redis://127.0.0.1:6379/{first + worker}"


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.release()
    server.stop()


@pytest.fixture
def broker():
    import redis

    url = broker_url()
    client = redis.Redis.from_url(url)
    client.flushdb()  # nothing left over from an earlier run
    yield url
    client.flushdb()


@pytest.fixture
def workers(smtp, broker, tmp_path):
    started = []

    def start(name="w1", **settings):
        worker = Worker(broker, smtp.port, tmp_path, name, **settings)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()
