from django import forms
from django.conf import settings


class ImportForm(forms.Form):
    """The admin's file upload for an import."""

    file = forms.FileField(help_text="A CSV file in the documented layout (UTF-8; comma or semicolon separated).")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.PLEDGES_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; the most is {settings.PLEDGES_IMPORT_MAX_BYTES:,}."
            )
        return upload
