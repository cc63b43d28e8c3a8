"""How a checked progress-updates file is written: updates in bulk, their sources replaced as the
file lists them, their audit history, and then each pledge's verdict."""

from datetime import date

from pledges.files.layouts.side_columns import MAX_SOURCES, SOURCE_PARTS
from pledges.models import (
    DatePrecision,
    ProgressUpdate,
    Source,
    SourceGrade,
)
from pledges.services import bulk, history_record, pledges_refresh_verdicts, records_stamp_new, records_update

SOURCE_FIELDS = (*SOURCE_PARTS, "published_precision")  # what a file sets on a source


class UpdateWrites:
    """ProgressUpdateResource's write path (django-import-export's bulk hooks call it)."""

    def write_new(self, instances, now):
        for update in instances:
            self.relink(update)
        records_stamp_new(instances, now=now)
        for update, pk in zip(
            instances, bulk.insert(ProgressUpdate, [bulk.field_values(u) for u in instances], return_ids=True)
        ):
            update.pk = update.id = pk

    def write_changed(self, instances, attributes, now):
        for update in instances:
            self.relink(update)
        # The measurement's target and period are side columns set on the record (import_instance),
        # the date's precision comes with the date; the time of a correction is stamped by the
        # row's checks (ProgressUpdateResource).
        measured = {
            "target",
            "measured_precision",
            "measured_start",
            "measured_end",
            "corrected_at",
            "occurred_precision",
        }
        records_update(ProgressUpdate, instances, attributes | measured, now=now)

    def write_related(self, created, changed, now):
        resourced = created + [
            (update, row)
            for update, row in changed
            if any(column.startswith("source") for column, _old, _new in row.change.changes)
        ]
        self._replace_sources([(update, self._row_sources(row.values)) for update, row in resourced], now)
        updates = [u for u, _row in created + changed]
        history_record(
            ProgressUpdate, [u for u, _row in created], created=True, user=self.user, reason=self.reason, now=now
        )
        history_record(
            ProgressUpdate, [u for u, _row in changed], created=False, user=self.user, reason=self.reason, now=now
        )
        pledges_refresh_verdicts({update.pledge_id for update in updates}, user=self.user, reason=self.reason)

    @staticmethod
    def _row_sources(values):
        # grade or archived_url None: the file has no such column (kept as stored; see _replace_sources).
        sources = []
        for number in range(1, MAX_SOURCES + 1):
            if values.get(f"source{number}_url"):
                source = Source(
                    position=number, **{part: values.get(f"source{number}_{part}") for part in SOURCE_PARTS}
                )
                published = source.published_on  # a PreciseDate: the day and how much of it is known
                source.published_on = date(published.year, published.month, published.day) if published else None
                source.published_precision = published.precision if published else DatePrecision.DAY
                sources.append(source)
        return sources

    def _replace_sources(self, updates_with_sources, now):
        """Make each update's sources exactly the given ones, recording every change in history."""
        wanted = {update.pk: sources for update, sources in updates_with_sources}
        stored = {(s.update_id, s.position): s for s in Source.objects.filter(update_id__in=wanted)}
        created, changed = [], []
        for update_id, sources in wanted.items():
            for source in sources:
                source.update_id = update_id
                current = stored.pop((update_id, source.position), None)
                if not source.grade:
                    source.grade = current.grade if current is not None else SourceGrade.REPORTING
                if source.archived_url is None:
                    source.archived_url = current.archived_url if current is not None else ""
                if current is None:
                    created.append(source)
                elif any(getattr(current, part) != getattr(source, part) for part in SOURCE_FIELDS):
                    source.pk = current.pk
                    changed.append(source)
        for removed in stored.values():
            removed._history_user = self.user
            removed._change_reason = self.reason
            removed.delete()
        for source, pk in zip(created, bulk.insert(Source, [bulk.field_values(s) for s in created], return_ids=True)):
            source.pk = source.id = pk
        Source.objects.bulk_update(changed, list(SOURCE_FIELDS), batch_size=2000)
        history_record(Source, created, created=True, user=self.user, reason=self.reason, now=now)
        history_record(Source, changed, created=False, user=self.user, reason=self.reason, now=now)
