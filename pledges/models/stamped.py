"""What every write of an edited record sets, in one place."""

from django.db import models
from django.utils import timezone


class Stamped(models.Model):
    """A record whose every write is stamped: `stamp(now)` says what a write sets besides the
    values written (the time, for edit conflicts and the changes log; a pledge's next reminder
    check). `save()` calls it, and so does the one bulk write (`services.writes.records_update`
    and the importer's inserts); no writer sets those fields itself (tests/test_layers.py)."""

    STAMPED_FIELDS: tuple[str, ...] = ("updated_at",)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.stamp(timezone.now())
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.STAMPED_FIELDS}
        super().save(*args, **kwargs)

    def stamp(self, now):
        self.updated_at = now
