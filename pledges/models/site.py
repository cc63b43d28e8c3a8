"""The site's own rows: its public version, its name and standfirst, each editor's settings, the verdict tally."""

from datetime import date

from django.conf import settings
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from .validation import validate_printable


class PublicVersion(models.Model):
    """The version of everything the public sees: one row, read by its key on every public request.

    Its number goes up in the same transaction as each write a reader could notice (see
    pledges.services.public_version, the one place that decides), so ETags, Last-Modified and cached
    pages follow published data only, at the cost of one indexed read.
    """

    number = models.BigIntegerField(default=0, verbose_name=_("number"))
    changed_at = models.DateTimeField(default=timezone.now, verbose_name=_("changed at"))

    class Meta:
        verbose_name = _("public version")
        verbose_name_plural = _("public versions")

    def __str__(self):
        return f"public data version {self.number} ({self.changed_at:%Y-%m-%d %H:%M:%S})"


class PublicRecordVersion(models.Model):
    """The version of what one public page shows, moved only by writes to what it shows: "site"
    (the name and standfirst every page heads with), "pledge:<slug>" (a pledge with its updates,
    sources, targets and the names it shows), "event:<slug>" (an event and its pledges). Lists
    (the overview, the changes log, feeds, files) follow PublicVersion, which every public write
    moves. A record's number is PublicVersion's number of the write that last moved it."""

    scope = models.CharField(max_length=200, unique=True, verbose_name=_("scope"))
    number = models.BigIntegerField(default=0, verbose_name=_("number"))
    changed_at = models.DateTimeField(default=timezone.now, verbose_name=_("changed at"))

    class Meta:
        verbose_name = _("public record version")
        verbose_name_plural = _("public record versions")

    def __str__(self):
        return f"{self.scope}: version {self.number}"


class SiteText(models.Model):
    """What the site calls itself and says first, in each language: one row, editors' words.

    The name heads every public page; the standfirst opens the overview (what is tracked, from
    which events, by whom). Events are linked and the last-checked date added below it by the page
    itself, so the standfirst never goes stale. Written per language (django-modeltranslation).
    """

    ROW = 1

    name = models.CharField(
        validators=[validate_printable],
        max_length=80,
        default="Pledge tracker",
        help_text=_("Heads every public page and its browser tab."),
        verbose_name=_("name"),
    )
    standfirst = models.TextField(
        validators=[validate_printable],
        blank=True,
        help_text=_(
            "Opens the overview: whose pledges these are, made where and when, and who checks them. "
            "The page lists the events and the last-checked date under it."
        ),
        verbose_name=_("standfirst"),
    )

    class Meta:
        verbose_name = _("site name and standfirst")
        verbose_name_plural = _("site name and standfirst")

    def __str__(self):
        return str(_("Site name and standfirst"))

    @classmethod
    def current(cls):
        """The site's words: its one row, or (the row gone) the default name in every language, unsaved."""
        row = cls.objects.filter(pk=cls.ROW).first()
        if row is None:
            row = cls(pk=cls.ROW)
            for code, _name in settings.LANGUAGES:
                with translation.override(code):
                    setattr(row, f"name_{code.replace('-', '_')}", str(_("Pledge tracker")))
        return row


class EditorSettings(models.Model):
    """What an editor (a staff user) chose for themselves: the language their reminders are
    written in, and the admin shown in. Blank: the site's default language."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="editor_settings", verbose_name=_("user")
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_("For the reminder e-mails and the admin. Blank: the site's default."),
    )

    class Meta:
        verbose_name = _("editor's settings")
        verbose_name_plural = _("editors' settings")

    def __str__(self):
        return str(self.user)


def chosen_language(user):
    """The language `user` chose for themselves, "" if none."""
    try:
        return user.editor_settings.language
    except EditorSettings.DoesNotExist:
        return ""


def language_of(user):
    """The language to write to `user` in: theirs if they chose one, else the site's default."""
    return chosen_language(user) or settings.LANGUAGE_CODE


# An undated pledge's row in the tally: a day no deadline reaches.
UNDATED_DAY = date(9999, 12, 31)


class VerdictTally(models.Model):
    """How many published pledges hold each verdict with each deadline day, kept by the database.

    Triggers on the pledge table (migration 0023) add and subtract as rows are written by any
    path (the ORM, bulk writes, COPY), so the overview's counts by verdict and of overdue
    deadlines are sums over a few thousand rows, not counts over every pledge. Nothing else
    writes it. Undated pledges count under UNDATED_DAY.
    """

    verdict = models.CharField(max_length=20, verbose_name=_("verdict"))
    deadline_day = models.DateField(verbose_name=_("deadline day"))
    n = models.BigIntegerField(verbose_name=_("count"))

    class Meta:
        verbose_name = _("verdict count")
        verbose_name_plural = _("verdict counts")
        constraints = [models.UniqueConstraint(fields=["verdict", "deadline_day"], name="tally_one_row_a_group")]

    def __str__(self):
        return f"{self.verdict} {self.deadline_day}: {self.n}"
