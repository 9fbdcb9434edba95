"""A static files finder for front-end packages from npm: only the files the site serves.

A FileSystemFinder on all of node_modules/bootstrap/dist would collect, hash and compress every
build variant with its source maps (hundreds of files, most of collectstatic's time). This one
finds only the files listed in settings.VENDOR_STATIC_FILES ({URL path: file}).
"""

import os
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class VendorFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.files = {name: os.fspath(path) for name, path in settings.VENDOR_STATIC_FILES.items()}

    def check(self, **kwargs):
        return [
            Error(f"{path} is missing (run `make install`, or `npm ci`)", id="clinic.E010", obj=name)
            for name, path in self.files.items()
            if not Path(path).is_file()
        ]

    def find(self, path, find_all=False, **kwargs):
        found = self.files.get(path)
        if found is None or not Path(found).is_file():
            return []  # "not found", as Django's own finders say it
        return [found] if find_all else found

    def list(self, ignore_patterns):
        for name, path in self.files.items():
            if Path(path).is_file():
                # A storage rooted at the file's folder, and the file's name in the site's URL space.
                storage = FileSystemStorage(location=Path(path).parent)
                storage.prefix = str(Path(name).parent)
                yield Path(path).name, storage
