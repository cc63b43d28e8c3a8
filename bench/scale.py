"""Benchmark: the public site and the reminder sweep at a newsroom's scale.

`make bench-web` and `make bench-sweep` run this (PostgreSQL at BENCH_DATABASE_URL, Redis at
BENCH_REDIS_URL, wrk as the load generator). For each size in BENCH_SIZES (default 10,000 and
1,000,000 pledges, each with 5 measured updates, written with COPY) it serves the site with
gunicorn (2 workers, the production settings, Redis as the cache) and prints each page's
requests per second as a ratio to a bare Django view served by the same processes in the same
run; and it times a repeat reminder sweep with nothing new due, and the admin's pledge list.

    python bench/scale.py web|sweep|all
"""

import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SIZES = [int(size) for size in os.environ.get("BENCH_SIZES", "10000,1000000").split(",")]
SECONDS = int(os.environ.get("BENCH_SECONDS", "5"))
SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/pledges_bench").rsplit("/", 1)[0]
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12")
DATABASE = os.environ.get("BENCH_SCALE_DATABASE", "pledges_bench_scale")
# BENCH_REUSE=1: measure the database left by an earlier run (BENCH_KEEP=1) instead of generating it again.
REUSE, KEEP = os.environ.get("BENCH_REUSE") == "1", os.environ.get("BENCH_KEEP") == "1"


def environment(**extra):
    return {
        "PATH": os.environ["PATH"],
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DJANGO_SECRET_KEY": SECRET,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,testserver",
        "PLEDGES_SITE_URL": "https://pledges.example.org",
        "DATABASE_URL": f"{SERVER}/{DATABASE}",
        "DATABASE_CONN_MAX_AGE": "600",
        "CACHE_URL": REDIS,
        "CELERY_BROKER_URL": "memory://",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PLEDGES_VAR_DIR": str(ROOT / "var" / "bench"),
        **extra,
    }


SECRET = secrets.token_urlsafe(50)


def django(code, **extra):
    """Run Python with Django set up against the benchmark database; returns its output."""
    result = subprocess.run(
        [str(BIN / "python"), "-c", "import django; django.setup()\n" + code],
        cwd=ROOT,
        env=environment(**extra),
        capture_output=True,
        text=True,
        timeout=3600,
    )
    if result.returncode:
        raise SystemExit(result.stderr)
    return result.stdout


def prepare(size):
    if REUSE:
        return int(
            django(
                "from pledges.models import Pledge\n"
                "print(Pledge.objects.filter(slug__startswith='volume-').order_by('pk').first().pk)"
            ).strip()
        )
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    subprocess.run(
        [str(BIN / "python"), "manage.py", "migrate", "--noinput", "-v0"],
        cwd=ROOT,
        env=environment(),
        check=True,
        timeout=600,
    )
    for command in (["setup_site"], ["collectstatic", "--noinput", "-v0"]):
        subprocess.run(
            [str(BIN / "python"), "manage.py", *command],
            cwd=ROOT,
            env=environment(),
            check=True,
            capture_output=True,
            timeout=600,
        )
    started = time.monotonic()
    first = django(
        "from bench.volume import generate; from pledges.models import Pledge\n"
        f"generate({size}); print(Pledge.objects.filter(slug__startswith='volume-').order_by('pk').first().pk)"
    ).strip()
    print(f"  generated {size:,} pledges and {5 * size:,} updates with COPY in {time.monotonic() - started:.0f} s")
    # As a running site's tables are: vacuumed and analysed (else autovacuum would do it while
    # the pages are measured, on the same two cores, and the planner would see empty tables).
    with psycopg.connect(f"{SERVER}/{DATABASE}", autocommit=True) as database:
        database.execute("VACUUM ANALYZE")
    return int(first)


class Gunicorn:
    def __init__(self, **extra):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.process = subprocess.Popen(
            [str(BIN / "gunicorn"), "config.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", "2"],
            cwd=ROOT,
            env=environment(**extra),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        for _ in range(200):
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise SystemExit("gunicorn did not start")

    def rate(self, path, script=None, **extra):
        """Requests per second from wrk (1 thread, 8 connections, BENCH_SECONDS), after a warm-up."""
        url = f"http://127.0.0.1:{self.port}{path}"
        command = ["wrk", "-t1", "-c8", f"-d{SECONDS}s", url] + (["-s", str(script)] if script else [])
        subprocess.run(
            ["wrk", "-t1", "-c8", "-d1s", url] + (["-s", str(script)] if script else []),
            capture_output=True,
            env={**os.environ, **extra},
            timeout=60,
        )
        output = subprocess.run(
            command, capture_output=True, text=True, env={**os.environ, **extra}, timeout=120
        ).stdout
        if "Non-2xx" in output:
            raise SystemExit(f"{path}: errors\n{output}")
        return float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def stop(self):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)


def web(size, first_id):
    rows = []
    server = Gunicorn()
    try:
        bare = [server.rate("/bench/bare")]
        rows.append(("overview `/en/`, served from the cache", server.rate("/en/")))
        rows.append(("a pledge page, read again (from the cache)", server.rate(f"/en/pledges/volume-{first_id}/")))
        rows.append(
            (
                "a pledge page (a random one each time)",
                server.rate(
                    "/", ROOT / "bench" / "random_pledge.lua", BENCH_PLEDGES=str(size), BENCH_FIRST_ID=str(first_id)
                ),
            )
        )
        rows.append(("`/en/about/` (no data on it)", server.rate("/en/about/")))
        quiet, busy, saves, kept, asked = newsroom(server, size, first_id)
        rows.append((f"pledge pages, {HOT_SHARE:.0%} for {HOT} popular ones", quiet))
        rows.append(("  the same while a pledge is saved each second", busy))
        rows.append(
            (
                f"  with saves / without: {busy / quiet:.2f}; {saves} saves; popular pages a reader had "
                f"that still answer 304: {kept} of {asked}",
                None,
            )
        )
        bare.append(server.rate("/bench/bare"))
    finally:
        server.stop()
    server = Gunicorn(BENCH_CACHE_OFF="1")
    try:
        bare.append(server.rate("/bench/bare"))
        rows.append(("overview `/en/`, cache off", server.rate("/en/")))
        rows.append(
            (
                "a pledge page, cache off (a random one)",
                server.rate(
                    "/", ROOT / "bench" / "random_pledge.lua", BENCH_PLEDGES=str(size), BENCH_FIRST_ID=str(first_id)
                ),
            )
        )
    finally:
        server.stop()
    baseline = sum(bare) / len(bare)
    rows.append(("", None))
    pledge, other = f"volume-{first_id}", f"volume-{first_id + size // 2}"
    for name, path, saved in (
        ("overview, cache off", "/en/", None),
        ("overview, after a save to a pledge not on it", "/en/", other),
        ("a pledge page, cache off", f"/en/pledges/{pledge}/", None),
        ("a pledge page, after a save to it", f"/en/pledges/{pledge}/", pledge),
    ):
        rows.append((f"{name}, in one process: {cold_costs(path, saved)}", None))
    print(
        f"  bare Django view: {baseline:,.0f} requests/s (mean of {len(bare)} runs: "
        + ", ".join(f"{rate:,.0f}" for rate in bare)
        + ")"
    )
    for name, rate in rows:
        if rate is None:
            print(f"  {name}")
        else:
            print(f"  {name:45} {rate:9,.0f} requests/s   {rate / baseline:6.3f}x")


HOT, HOT_SHARE = 200, 0.8  # a few pledges most readers ask for, as real traffic has


def newsroom(server, size, first_id):
    """Pledge pages under readers' traffic (HOT_SHARE of requests for HOT popular pledges, the rest
    for any) without and then with an editor saving one random pledge a second through the
    services; and how many of the popular pages a reader already has still answer 304 after a
    run's saves elsewhere (at least ten)."""
    load = {
        "BENCH_PLEDGES": str(size),
        "BENCH_FIRST_ID": str(first_id),
        "BENCH_HOT": str(HOT),
        "BENCH_HOT_SHARE": str(HOT_SHARE),
    }
    script = ROOT / "bench" / "newsroom.lua"
    etags = _etags(server, first_id)  # the popular pages, read once as their readers have
    quiet = server.rate("/", script, **load)
    saver = subprocess.Popen(
        [
            str(BIN / "python"),
            "-c",
            "import django; django.setup()\n" + SAVER.format(first=first_id + HOT, size=size - HOT),
        ],
        cwd=ROOT,
        env=environment(),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    saves = 0
    try:
        # Measured once the saver is saving: its start (Python, Django) is not an editor's load.
        saves += saver.stdout.readline().startswith("saved")
        busy = server.rate("/", script, **load)
        time.sleep(max(0, 10 - SECONDS))
    finally:
        os.killpg(saver.pid, signal.SIGTERM)
        saves += saver.communicate(timeout=30)[0].count("saved")
    kept = sum(_conditional(server, path, etag) == 304 for path, etag in etags.items())
    # Again without saves: the random pages read meanwhile are warm now, so the run with saves
    # is compared with the mean of one before it and one after.
    quiet = (quiet + server.rate("/", script, **load)) / 2
    return quiet, busy, saves, kept, len(etags)


# One random pledge a second, as an editor saves it (a history row, the versions it moves); not
# one of the popular ones, so that their 304s measure what saves elsewhere do.
SAVER = """
import random, sys, time
from pledges.models import Pledge
while True:
    pledge = Pledge.objects.get(slug=f"volume-{{{first} + random.randrange({size})}}")
    pledge.title = f"Volume pledge, edited at {{time.time():.0f}}"
    pledge.save()
    print("saved", flush=True)
    time.sleep(1)
"""


def _etags(server, first_id):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    etags = {}
    for n in range(HOT):
        path = f"/en/pledges/volume-{first_id + n}/"
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        etags[path] = response.getheader("ETag")
    return etags


def _conditional(server, path, etag):
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("GET", path, headers={"If-None-Match": etag})
    response = connection.getresponse()
    response.read()
    return response.status


def cold_costs(path, saved=None):
    """Where one uncached request's time goes: its queries (each timed round trip included) and
    the rest (Python: the ORM's rows and objects, the template), best of five, in one process.

    With `saved` (a pledge's slug), the cache is on and that pledge is saved through the model
    before each request: the page is drawn again as a reader meets it after an editor's save,
    with what the save did not touch (other pledges' cards, the versions, the site's words) kept.
    Without, nothing is kept: the page from nothing."""
    save = (
        f"    pledge = Pledge.objects.get(slug={saved!r}); pledge.title = f'Edited {{time.time()}}'; pledge.save()\n"
        if saved
        else ""
    )
    return django(
        "import time\nfrom django.db import connection\nfrom django.test import Client\n"
        "from pledges.models import Pledge\n"
        "client, spent, best = Client(), [], []\n"
        "def timed(execute, sql, params, many, context):\n"
        "    started = time.perf_counter()\n    try:\n        return execute(sql, params, many, context)\n"
        "    finally:\n        spent.append(time.perf_counter() - started)\n"
        f"client.get({path!r})\n"
        "for _ in range(5):\n" + save + "    spent.clear(); started = time.perf_counter()\n"
        "    with connection.execute_wrapper(timed):\n"
        f"        assert client.get({path!r}).status_code == 200\n"
        "    best.append((time.perf_counter() - started, sum(spent), len(spent)))\n"
        "total, sql, count = min(best)\n"
        "print(f'{total * 1000:.1f} ms: {count} queries {sql * 1000:.1f} ms, the rest {(total - sql) * 1000:.1f} ms')",
        **({} if saved else {"BENCH_CACHE_OFF": "1"}),
    ).strip()


def sweep(size):
    timing = django(
        # As a running site's pledges are: last written longer ago than the sweep's RECENT_WRITE
        # (it leaves a pledge written since its read to the next sweep), and swept once since.
        "import time\nfrom django.utils import timezone\nfrom pledges.models import Pledge\n"
        "from pledges.reminders import sweep\nfrom pledges.reminders.sweep import RECENT_WRITE\n"
        "settled = timezone.now() - 2 * RECENT_WRITE\n"
        "Pledge.objects.filter(updated_at__gt=settled).update(updated_at=settled)\nsweep()\nbest = []\n"
        "for _ in range(3):\n    started = time.perf_counter(); report = sweep(); best.append(time.perf_counter() - started)\n"
        "print(f'{min(best) * 1000:.1f} {report.pledges_checked}')"
    ).split()
    admin = django(
        "import time\nfrom django.contrib.auth import get_user_model\nfrom django.test import Client\n"
        "user = get_user_model().objects.filter(username='bench').first() or get_user_model().objects.create_superuser('bench', 'bench@example.org', 'x')\n"
        "client = Client(); client.force_login(user); best = []\n"
        "for _ in range(5):\n    started = time.perf_counter(); response = client.get('/admin/pledges/pledge/')\n"
        "    assert response.status_code == 200; best.append(time.perf_counter() - started)\n"
        "print(f'{min(best) * 1000:.1f}')"
    ).strip()
    print(f"  repeat reminder sweep, nothing new due: {float(timing[0]):8.1f} ms ({timing[1]} pledges read)")
    print(f"  admin pledge list:                      {float(admin):8.1f} ms")


def main(which):
    try:
        for size in SIZES:
            print(f"{size:,} pledges")
            first_id = prepare(size)
            if which in ("web", "all"):
                web(size, first_id)
            if which in ("sweep", "all"):
                sweep(size)
    finally:  # a million pledges take gigabytes: give the space back (unless asked to keep it)
        if not (KEEP or REUSE):
            with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "web")
