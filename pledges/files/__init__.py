"""Files in and out: the pledge and progress-update layouts as django-import-export resources.

- `widgets`: how one cell is read (with a message naming what is wrong) and written.
- `resources`: one `Resource` per file layout; the library's import flow, with the
  whole file checked before anything is written, and the write path in its bulk hooks.
- `formats`: CSV (comma, semicolon or tab; with or without BOM), TSV, JSON, XLSX and ODS.
- `imports`, `exports`: what the seeds, the commands, the admin and the public files call.
"""
