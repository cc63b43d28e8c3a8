"""The periodic check of every source's link: does the page a reader would open still answer?

Beat runs `pledges.check_links` (and `manage.py check_links` the same `sweep`). Each sweep takes
the sources checked longest ago (never checked first), asks each address with a bounded time and
a bounded number of redirects, and records what it found on the source: when, the HTTP status,
the error, and since when the link has been broken. Editors see the broken ones in the admin
(Sources, filtered "broken").

Written on the standard library rather than a crawler because two things matter more than
features here: a request never goes to a private, loopback or link-local address (an editor's
typo, or a page redirecting to 169.254.169.254, must not make the server probe its own network),
checked for every address a host resolves to and every redirect; and the connection goes to the
address that was checked, not to a second look-up of the name (no DNS rebinding).
"""

import http.client
import ipaddress
import logging
import socket
import ssl
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from pledges.models import Source

logger = logging.getLogger(__name__)
MAX_REDIRECTS = 5
USER_AGENT = "pledge-tracker link check (+{site})"


@dataclass(frozen=True)
class LinkCheck:
    """What asking for an address found: its final status, or why there was none."""

    status: int | None
    error: str = ""

    @property
    def broken(self):
        return self.status is None or self.status >= 400


class Refused(Exception):
    """An address the checker will not ask (private, loopback, not http)."""


def _public_address(host, port):
    """The first address `host` resolves to, if every one is public; Refused otherwise."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise Refused(f"the name does not resolve ({error.strerror})") from None
    addresses = [info[4][0] for info in infos]
    if not settings.PLEDGES_LINK_CHECK_ALLOW_PRIVATE:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global or ip.is_multicast:
                raise Refused(f"{host} is a private or local address ({ip}); not asked")
    return addresses[0]


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """HTTPS to an address already checked, with the certificate checked for the host's name."""

    def __init__(self, host, address, **kwargs):
        super().__init__(host, **kwargs)
        self.address = address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def _ask(url, method, timeout):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise Refused("not an http or https address")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    address = _public_address(parts.hostname, port)
    if parts.scheme == "https":
        connection = _PinnedHTTPSConnection(
            parts.hostname, address, port=port, timeout=timeout, context=ssl.create_default_context()
        )
    else:
        connection = http.client.HTTPConnection(address, port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    headers = {"Host": parts.netloc.rsplit("@", 1)[-1], "User-Agent": USER_AGENT.format(site=settings.PLEDGES_SITE_URL)}
    try:
        connection.request(method, path, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Location")
    finally:
        connection.close()


def link_check(url, *, timeout=None):
    """Ask for `url` as a browser would (HEAD, else GET), following at most MAX_REDIRECTS redirects."""
    timeout = timeout or settings.PLEDGES_LINK_CHECK_TIMEOUT_SECONDS
    seen = set()
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            if url in seen:
                return LinkCheck(None, "redirect loop")
            seen.add(url)
            status, location = _ask(url, "HEAD", timeout)
            if status in (405, 501):  # a server that does not answer HEAD
                status, location = _ask(url, "GET", timeout)
            if status in (301, 302, 303, 307, 308) and location:
                url = urljoin(url, location)
                continue
            return LinkCheck(status)
        return LinkCheck(None, f"more than {MAX_REDIRECTS} redirects")
    except Refused as refused:
        return LinkCheck(None, str(refused))
    except TimeoutError:
        return LinkCheck(None, f"no answer within {timeout} s")
    except (OSError, http.client.HTTPException, ssl.SSLError) as error:
        return LinkCheck(None, f"{type(error).__name__}: {error}"[:200])


def sweep(*, limit=None, now=None):
    """Check the sources checked longest ago (never checked first), at most `limit` of them; returns
    how many were checked and how many of those are broken."""
    now = now or timezone.now()
    limit = limit or settings.PLEDGES_LINK_CHECK_BATCH
    due = Q(link_checked_at__isnull=True) | Q(
        link_checked_at__lt=now - timedelta(days=settings.PLEDGES_LINK_CHECK_DAYS)
    )
    sources = list(Source.objects.filter(due).order_by("link_checked_at", "pk")[:limit])
    broken = 0
    for source in sources:
        # Claimed first, as the reminders are: a second sweep at the same time skips it.
        claimed = Source.objects.filter(pk=source.pk, link_checked_at=source.link_checked_at).update(
            link_checked_at=now
        )
        if not claimed:
            continue
        found = link_check(source.url)
        broken += found.broken
        Source.objects.filter(pk=source.pk).update(
            link_status=found.status,
            link_error=found.error,
            broken_since=(source.broken_since or timezone.now()) if found.broken else None,
        )
    logger.info("Link check: %d sources checked, %d broken", len(sources), broken)
    return len(sources), broken
