"""Many pledges at once, for tests that check a page's queries do not grow with the data."""

from datetime import date, timedelta
from decimal import Decimal

from pledges.models import Country, DeadlinePrecision, Party, Pledge, ProgressUpdate, Target, Topic, Unit
from pledges.services import public_version


def add_pledges(count, *, updates_each=0, published=True):
    """Add `count` quantitative pledges, each with `updates_each` measured, published updates."""
    if count <= 0:
        return []
    party, _ = Party.objects.get_or_create(name="Volume Leader")
    topic = Topic.objects.first()
    start = Pledge.objects.count()
    pledges = Pledge.objects.bulk_create(
        Pledge(
            slug=f"volume-{start + n}",
            title=f"Volume pledge {start + n}",
            topic=topic,
            announced_on=date(2022, 1, 25),
            quote="We will do it.",
            summary="It will be done.",
            source_title="Speech",
            source_publisher="Publisher",
            source_url="https://example.org/speech",
            deadline_text="by 2030",
            deadline_precision=DeadlinePrecision.YEAR,
            deadline_end=date(2030, 12, 31) - timedelta(days=n % 2000),
            is_published=published,
        )
        for n in range(count)
    )
    unit, _ = Unit.objects.get_or_create(
        code="projects", defaults={"kind": "count", "name": "projects", "written": "{value} projects"}
    )
    targets = Target.objects.bulk_create(Target(pledge=p, unit=unit, target_value=Decimal(100)) for p in pledges)
    countries = list(Country.objects.filter(code__in=["KZ", "UZ", "KG"]))
    states = [Party.objects.get_or_create(country=c, defaults={"name": c.name, "kind": "state"})[0] for c in countries]
    Pledge.parties.through.objects.bulk_create(Pledge.parties.through(pledge=p, party=party) for p in pledges)
    through = Pledge.beneficiaries.through
    through.objects.bulk_create(through(pledge=p, party=state) for p in pledges for state in states)
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(
            pledge=p,
            target=target,
            key=f"u{k}",
            occurred_on=date(2023, 1, 1) + timedelta(days=30 * k),
            summary="Progress.",
            measurement_value=Decimal(10 * (k + 1)),
            measurement_country=countries[k % len(countries)] if k % 2 else None,
            is_published=published,
        )
        for p, target in zip(pledges, targets)
        for k in range(updates_each)
    )
    # Written without audit history (the app's writers keep it, and it moves the version):
    # say what a writer would have said.
    if published:
        public_version.bump()
    return pledges
