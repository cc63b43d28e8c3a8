"""The README's production recipe, run as written: gunicorn with the production settings on
PostgreSQL, Redis as cache and broker, a separate Celery worker and beat, e-mail to an SMTP server.

It makes a database of its own, runs the operator's commands in processes of their own, and
talks to gunicorn only on a loopback port, as the TLS-terminating proxy in front would (with
X-Forwarded-Proto: https). Every wait is bounded.
"""

import csv
import gzip
import http.client
import io
import json
import os
import re
import secrets
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from http.cookies import SimpleCookie
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from tests.live import SMTPServer, free_port, wait_until

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
REDIS = "redis://127.0.0.1:6379"

pytestmark = pytest.mark.django_db


def _redis_answers():
    import redis

    try:
        return redis.Redis.from_url(REDIS, socket_timeout=1).ping()
    except redis.RedisError:
        return False


class Site:
    """An HTTP client for the site behind its (imagined) proxy: cookies kept by hand, since the
    production cookies are Secure and this hop is plain http on loopback."""

    def __init__(self, port):
        self.port = port
        self.cookies = {}

    def request(self, method, path, body=None, headers=None, https=True):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": f"127.0.0.1:{self.port}", **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        conn.request(method, path, body=body, headers=sent)
        response = conn.getresponse()
        content = response.read()
        for header in response.msg.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        conn.close()
        return response.status, response.msg, content


@pytest.fixture
def production(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the production recipe runs on PostgreSQL (make test with DATABASE_URL=postgres://...)")
    if not _redis_answers():
        pytest.skip(f"the production recipe needs Redis at {REDIS}")
    name = f"pledges_smoke_{os.getpid()}"
    admin_url = f"postgres://{connection.settings_dict['USER'] or 'postgres'}@127.0.0.1:{connection.settings_dict['PORT'] or 5432}"
    with psycopg.connect(admin_url + "/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    import redis

    for db in (13, 14):
        redis.Redis.from_url(f"{REDIS}/{db}").flushdb()
    smtp = SMTPServer()
    smtp.start()
    port = free_port()
    # The README's production environment, with this machine's servers.
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "PLEDGES_SITE_URL": "https://pledges.example.org",
        "DATABASE_URL": f"{admin_url}/{name}",
        "CACHE_URL": f"{REDIS}/13",
        "CELERY_BROKER_URL": f"{REDIS}/14",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp.port),
        "PLEDGES_VAR_DIR": str(tmp_path),
        "PLEDGES_REMINDER_SWEEP_SECONDS": "3",
        "DJANGO_SUPERUSER_PASSWORD": "a-long-and-unusual-password-1",
    }
    processes = []

    def command(*args):
        result = subprocess.run(
            [str(BIN / "python"), "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr
        return result.stdout

    def start(name, *args):
        log = tmp_path / f"{name}.log"
        process = subprocess.Popen(
            [str(BIN / args[0]), *args[1:]],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        processes.append(process)
        return log, process

    try:
        yield env, command, start, smtp, Site(port), port
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        smtp.stop()
        with psycopg.connect(admin_url + "/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_production_recipe_serves_pages_static_files_health_admin_and_reminders(production):
    env, command, start, smtp, site, port = production

    # Once per release, as the README says.
    command("migrate", "--noinput")
    command("setup_site")
    command("collectstatic", "--noinput")
    command("createsuperuser", "--noinput", "--username", "boss", "--email", "boss@example.org")
    # An editor whose pledge is a week from its deadline: a reminder is due.
    due = (timezone.localdate() + timedelta(days=7)).isoformat()
    command(
        "shell",
        "-c",
        (
            "from django.contrib.auth.models import Group, User; from pledges.models import Pledge; "
            "ed = User.objects.create_user('ed', email='ed@example.org', is_staff=True); "
            "ed.groups.add(Group.objects.get(name='Editors')); "
            "p = Pledge.objects.get(slug='training-5000-places'); p.owner = ed; p.deadline_precision = 'day'; "
            f"p.deadline_end = '{due}'; p.last_reviewed_on = '{due}'; p.deadline_start = None; p.save()"
        ),
    )

    # Three kinds of process, as in production.
    web, web_process = start("web", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", "2")
    start("worker", "celery", "-A", "config", "worker", "--loglevel", "INFO")  # a pool of processes
    start(
        "beat",
        "celery",
        "-A",
        "config",
        "beat",
        "--loglevel",
        "INFO",
        "--schedule",
        str(Path(env["PLEDGES_VAR_DIR"]) / "beat"),
    )

    def answers():
        try:
            return site.request("GET", "/healthz", https=False)[0] == 200
        except OSError:
            return False

    wait_until(answers, "gunicorn to answer /healthz", 60)

    status, headers, content = site.request("GET", "/healthz", https=False)  # plain http: no redirect
    assert (status, json.loads(content)) == (200, {"status": "ok", "database": "ok", "cache": "ok", "broker": "ok"})

    # A public page over https: HSTS, CSP, and the seeds.
    assert site.request("GET", "/en/", https=False)[1]["Location"] == f"https://127.0.0.1:{port}/en/"
    status, headers, content = site.request("GET", "/en/")
    page = content.decode()
    assert status == 200 and "16 pledges tracked" in page
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert "script-src 'self'" in headers["Content-Security-Policy"]

    # Static CSS with a hashed name, compressed, cached for long.
    (css,) = re.findall(r'href="(/static/pledges/site\.[0-9a-f]{12}\.css)"', page)
    status, headers, content = site.request("GET", css, headers={"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    assert headers["Content-Encoding"] == "gzip" and b".verdict" in gzip.decompress(content)
    assert "max-age=315360000" in headers["Cache-Control"]

    # An admin login, with the CSRF token and the secure cookies a browser would keep.
    status, headers, content = site.request("GET", "/admin/login/?next=/admin/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()
    form = f"csrfmiddlewaretoken={token}&username=boss&password=a-long-and-unusual-password-1&next=/admin/"
    status, headers, _content = site.request(
        "POST",
        "/admin/login/?next=/admin/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Origin": f"https://127.0.0.1:{port}",
            "Referer": f"https://127.0.0.1:{port}/admin/login/",
        },
    )
    assert (status, headers["Location"]) == (302, "/admin/")
    status, _headers, content = site.request("GET", "/admin/")
    assert status == 200 and b"Site administration" in content

    # Beat asks, the worker sweeps, the SMTP server gets the editor's digest.
    wait_until(lambda: any(message["To"] == "ed@example.org" for message in smtp.messages), "the reminder e-mail", 90)
    (digest,) = [message for message in smtp.messages if message["To"] == "ed@example.org"]
    text = digest.get_body(preferencelist=("plain",)).get_content()
    assert "Deadline approaching: Offer 5,000 seminar and workshop places over three years" in text
    assert "https://pledges.example.org/admin/pledges/pledge/" in text

    # Logs on stderr, each line with its request's id.
    status, headers, _content = site.request("GET", "/en/pledges/no-such-pledge/")
    assert status == 404
    request_id = headers["X-Request-ID"]
    wait_until(
        lambda: f"[{request_id}] django.request: Not Found: /en/pledges/no-such-pledge/" in web.read_text(),
        "the 404 in the web log with its request id",
        10,
    )

    # A flood of addresses that differ only in what the site ignores (a browser's language, a
    # tracking parameter): each worker's memory stays within its bounded caches (the audit saw
    # each grow by 1.1-1.5 GB on 800 such requests).
    workers = [int(pid) for pid in Path(f"/proc/{web_process.pid}/task/{web_process.pid}/children").read_text().split()]
    assert len(workers) == 2

    def resident_mb(pid):
        status = Path(f"/proc/{pid}/status").read_text()
        return int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024

    for path in ("/deadlines.ics", "/en/", "/feed/") * 10:  # each page rendered by each worker first
        site.request("GET", path)
    before = {pid: resident_mb(pid) for pid in workers}
    flood = [("/deadlines.ics", {"Accept-Language": f"x-{n}"}) for n in range(400)]
    flood += [(f"/en/?utm={n}", {}) for n in range(400)] + [
        (f"/feed/?ref={n}", {"Accept-Language": f"y-{n}"}) for n in range(200)
    ]
    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(lambda request: Site(port).request("GET", request[0], headers=request[1])[0], flood))
    assert set(statuses) == {200}
    growth = {pid: resident_mb(pid) - before[pid] for pid in workers}
    assert all(grown < 64 for grown in growth.values()), growth  # the near cache holds at most 32 MB

    # A background import whose worker process is killed mid-check (as the kernel's OOM killer
    # would): the pool requeues the task, the redelivered task finds the job's process gone, and
    # the job's page says it failed, its file deleted, instead of "Checking the file" for ever.
    seed_header, seed_row = list(csv.reader((ROOT / "seeds" / "pledges.csv").read_text(encoding="utf-8").splitlines()))[
        :2
    ]
    big = io.StringIO()
    writer = csv.writer(big)
    writer.writerow(seed_header)
    for number in range(2000):  # 3 MB: over the size a request imports itself
        writer.writerow([f"pledge-{number}", f"Pledge {number}", *seed_row[2:]])
    status, _headers, content = site.request("GET", "/admin/pledges/pledge/import/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', content).group(1).decode()
    boundary = secrets.token_hex(16)
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n{token}\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="format"\r\n\r\n0\r\n'
        f'--{boundary}\r\nContent-Disposition: form-data; name="import_file"; filename="big.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{big.getvalue()}\r\n--{boundary}--\r\n"
    ).encode()
    status, headers, _content = site.request(
        "POST",
        "/admin/pledges/pledge/import/",
        body=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={boundary}",
            "Origin": f"https://127.0.0.1:{port}",
            "Referer": f"https://127.0.0.1:{port}/admin/pledges/pledge/import/",
        },
    )
    assert status == 302 and "/import/jobs/" in headers["Location"], status
    job_page = headers["Location"]

    def job():
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
            return db.execute("SELECT status, worker, length(data) FROM pledges_importjob").fetchone()

    wait_until(lambda: job()[0] == "checking", "a worker to start checking the file", 60)
    os.kill(int(job()[1].rsplit(":", 1)[1]), signal.SIGKILL)
    wait_until(lambda: job()[0] == "failed", "the job of the killed worker to fail", 60)
    assert job()[2] == 0  # its file deleted
    status, _headers, content = site.request("GET", job_page)
    assert status == 200 and b"Failed: nothing was written" in content
    assert b"The worker reading this file stopped before it finished" in content
