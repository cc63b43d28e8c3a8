"""A large file imported in the background."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportJob(models.Model):
    """A large file an editor imports in the background: checked, confirmed, then written.

    The admin hands a file over the size or row threshold (PLEDGES_IMPORT_BACKGROUND_BYTES,
    PLEDGES_IMPORT_BACKGROUND_ROWS) to a Celery worker instead of reading it in the request;
    the job's page shows a progress bar and then the preview or the result. See pledges.files.jobs.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        CHECKING = "checking", _("Checking the file")
        CHECKED = "checked", _("Checked: confirm to import")
        CONFIRMED = "confirmed", _("Confirmed, waiting for a worker")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        REJECTED = "rejected", _("Rejected: nothing was written")
        FAILED = "failed", _("Failed: nothing was written")
        EXPIRED = "expired", _("Not confirmed in time: nothing was written")

    class Layout(models.TextChoices):
        PLEDGES = "pledges", _("Pledges")
        UPDATES = "updates", _("Progress updates")

    layout = models.CharField(max_length=10, choices=Layout.choices, verbose_name=_("layout"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_jobs", verbose_name=_("user")
    )
    file_name = models.CharField(max_length=255, verbose_name=_("file name"))
    file_format = models.CharField(max_length=10, verbose_name=_("file format"))
    data = models.BinaryField(help_text=_("The file, until it is imported or rejected."), verbose_name=_("data"))
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED, verbose_name=_("status"))
    rows_total = models.PositiveIntegerField(null=True, blank=True, verbose_name=_("rows"))
    rows_done = models.PositiveIntegerField(default=0, verbose_name=_("rows done"))
    fingerprint = models.CharField(
        max_length=64, blank=True, help_text=_("The digest of the previewed changes."), verbose_name=_("fingerprint")
    )
    outcome = models.JSONField(
        default=dict, blank=True, help_text=_("The preview, the result or the errors."), verbose_name=_("outcome")
    )
    created_at = models.DateTimeField(default=timezone.now, verbose_name=_("created at"))
    finished_at = models.DateTimeField(null=True, blank=True, verbose_name=_("finished at"))
    # Which worker process holds the job and when it last said it was alive (pledges.files.jobs):
    # a job whose worker died is failed, not left "Checking the file" for ever.
    worker = models.CharField(max_length=255, blank=True, verbose_name=_("worker"))
    heartbeat_at = models.DateTimeField(null=True, blank=True, verbose_name=_("last heartbeat"))

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.file_name} ({self.get_status_display()})"

    RUNNING = (Status.QUEUED, Status.CHECKING, Status.CONFIRMED, Status.IMPORTING)
    WORKING = (Status.CHECKING, Status.IMPORTING)  # held by a worker process
    ENDED = (Status.DONE, Status.REJECTED, Status.FAILED, Status.EXPIRED)  # its file is deleted

    @property
    def running(self):
        return self.status in self.RUNNING
