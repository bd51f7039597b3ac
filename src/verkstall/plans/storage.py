"""Where uploaded plan documents live: under DATA_DIR/documents, outside the web root.

The storage has no URL; a document is only ever read back through the plan's download view,
which checks that the actor may see the order (views.plan_document)."""

from __future__ import annotations

import os
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible(path="verkstall.plans.storage.DocumentStorage")
class DocumentStorage(FileSystemStorage):
    """DATA_DIR is read at each use, so a test (or a deployment) that moves it is followed."""

    def __init__(self):
        super().__init__(base_url=None)

    @property
    def base_location(self):  # type: ignore[override]
        return str(Path(settings.DATA_DIR) / "documents")

    @property
    def location(self):  # type: ignore[override]
        return os.path.abspath(self.base_location)

    def url(self, name):
        raise ValueError("Plan documents have no public URL; use the download view.")


document_storage = DocumentStorage()
