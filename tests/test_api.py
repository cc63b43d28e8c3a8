"""The read API: published records only, filtered and paged as the overview is, in the reader's
language, answering a repeat with 304, open to any origin, throttled per client address; and
every documented operation checked against its own schema by Schemathesis."""

import pytest
import schemathesis
from django.core import signals
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings

from pledges.models import Pledge, ProgressUpdate
from pledges.public.api import api

pytestmark = pytest.mark.django_db


def slugs(response):
    return [pledge["slug"] for pledge in response.json()["results"]]


def test_pledges_are_filtered_as_on_the_overview(client, seeded):
    made_to_kazakhstan = Pledge.objects.filter(beneficiaries__country__code="KZ").count()
    assert len(slugs(client.get("/api/pledges?country=KZ"))) == made_to_kazakhstan == 15
    assert slugs(client.get("/api/pledges?q=railway")) == ["china-kyrgyzstan-uzbekistan-railway"]
    kept = set(Pledge.objects.filter(verdict="kept").values_list("slug", flat=True))
    assert set(slugs(client.get("/api/pledges?verdict=kept"))) == kept
    assert slugs(client.get("/api/pledges?changed_since=2100-01-01T00:00:00Z")) == []
    assert client.get("/api/pledges?verdict=splendid").status_code == 422  # said what was wrong


def test_pledges_are_paged_with_a_next_link(client, seeded):
    first = client.get("/api/pledges?limit=5").json()
    assert len(first["results"]) == 5 and first["next"].endswith("/api/pledges?limit=5&offset=5")
    seen = slugs(client.get("/api/pledges?limit=5"))
    address = first["next"]
    while address:
        page = client.get(address.split("127.0.0.1:8000", 1)[-1]).json()
        seen += [pledge["slug"] for pledge in page["results"]]
        address = page["next"]
    assert sorted(seen) == sorted(Pledge.objects.values_list("slug", flat=True)) and len(seen) == 16
    too_many = client.get("/api/pledges?limit=1000")  # at most 100 a page, and it says so
    assert too_many.status_code == 422 and "limit" in str(too_many.json()["detail"])


def test_nothing_unpublished_leaves(client, seeded):
    Pledge.objects.filter(slug="oil-gas-pipelines").update(is_published=False)
    ProgressUpdate.objects.filter(key="trade-2025").update(is_published=False)
    assert "oil-gas-pipelines" not in slugs(client.get("/api/pledges?limit=100"))
    assert client.get("/api/pledges/oil-gas-pipelines").status_code == 404
    trade = client.get("/api/pledges/trade-70-billion-by-2030").json()
    assert "trade-2025" not in [update["key"] for update in trade["updates"]]
    assert "trade-2024" in [update["key"] for update in trade["updates"]]


def test_a_pledge_in_the_readers_language_with_its_evidence(client, seeded):
    russian = client.get("/api/pledges/trade-70-billion-by-2030?lang=ru")
    assert russian["Content-Language"] == "ru" and russian["Access-Control-Allow-Origin"] == "*"
    pledge = russian.json()
    assert pledge["title"] == "Довести товарооборот Китая и Центральной Азии до 70 млрд долларов к 2030 году"
    assert pledge["title_language"] == "ru" and pledge["verdict_label"] == "Выполнено"
    assert pledge["targets"][0]["label"] == "годовой товарооборот" and pledge["targets"][0]["kind"] == "flow"
    assert [step["verdict"] for step in pledge["rating_history"]][-1] == "kept"
    assert pledge["updates"][0]["sources"][0]["url"].startswith("http")
    railway = client.get("/api/pledges/china-kyrgyzstan-uzbekistan-railway?lang=zh-hans").json()
    assert railway["targets"][0]["steps"] == ["实地勘察", "政府间协定", "开工", "通车"]


def test_a_repeat_gets_304_until_the_data_changes(client, seeded):
    first = client.get("/api/pledges?country=TJ")
    again = client.get("/api/pledges?country=TJ", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    pledge = Pledge.objects.get(slug="oil-gas-pipelines")
    pledge.title = "Pipelines, retitled"
    pledge.save()
    assert client.get("/api/pledges?country=TJ", HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_client_over_its_rate_is_told_to_wait(client, seeded, monkeypatch):
    (throttle,) = api.throttle
    monkeypatch.setattr(throttle, "num_requests", 3)
    for _ in range(3):
        assert client.get("/api/events", REMOTE_ADDR="203.0.113.7").status_code == 200
    assert client.get("/api/events", REMOTE_ADDR="203.0.113.7").status_code == 429
    assert client.get("/api/events", REMOTE_ADDR="203.0.113.8").status_code == 200  # another client


def test_the_api_takes_the_same_queries_for_few_or_many_pledges(client, seeded):
    def queries(url):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    few = queries("/api/pledges?limit=2"), queries("/api/pledges/trade-70-billion-by-2030")
    many = queries("/api/pledges?limit=100"), queries("/api/pledges/trade-70-billion-by-2030?lang=ru")
    assert few == many and few[0] <= 8 and few[1] <= 16


def test_the_schema_and_its_documentation_are_served_from_the_site(client):
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.") and "/api/pledges/{slug}" in schema["paths"]
    docs = client.get("/api/docs")
    assert docs.status_code == 200 and "/static/ninja/swagger-ui-bundle.js" in docs.content.decode()
    assert "cdn" not in docs.content.decode().lower() and "script-src 'self'" in docs["Content-Security-Policy"]


@pytest.mark.any_database
def test_every_documented_operation_answers_as_its_schema_says(seeded, monkeypatch):
    """Schemathesis over the whole schema: every operation, with parameters it makes up from the
    schema, each response checked against the schema (status, type, body), and no 500. (Driven
    here through Hypothesis: Schemathesis's own pytest plugin does not load under pytest 9.)"""
    from config.wsgi import application

    (throttle,) = api.throttle
    monkeypatch.setattr(throttle, "num_requests", 10**9)  # Schemathesis asks often; the rate is tested above
    # As Django's test client does: the test's database connection stays open between requests.
    for signal in (signals.request_started, signals.request_finished):
        monkeypatch.setattr(signal, "receivers", [])
        signal.sender_receivers_cache.clear()
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()

        @given(case=operation.as_strategy())
        @settings(
            max_examples=12, deadline=None, suppress_health_check=list(HealthCheck), database=None, derandomize=True
        )
        def answers_as_documented(case):
            case.call_and_validate()

        answers_as_documented()
        checked.append(operation.label)
    assert sorted(checked) == [
        "GET /api/changes",
        "GET /api/events",
        "GET /api/parties",
        "GET /api/pledges",
        "GET /api/pledges/{slug}",
    ]
