"""Static files: a content hash in the URL, a year of caching, gzip for text files.

Only static files are compressed. Pages and API answers hold secrets (CSRF and manage tokens)
next to text a user typed, which compression would expose to a BREACH-style attack.
"""

import gzip
import hashlib
from functools import cache
from pathlib import Path

from flask import Flask, Response, request

COMPRESSIBLE = {".css", ".js", ".svg"}


@cache
def file_hash(path: Path, mtime: float) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


@cache
def gzipped(path: Path, mtime: float) -> bytes:
    return gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)


def init_static_files(app: Flask) -> None:
    folder = Path(app.static_folder or "")

    @app.url_defaults
    def add_version(endpoint: str, values: dict) -> None:
        if endpoint == "static" and "filename" in values and "v" not in values:
            path = folder / values["filename"]
            if path.is_file():
                values["v"] = file_hash(path, path.stat().st_mtime)

    @app.after_request
    def compress_static(response: Response) -> Response:
        if request.endpoint != "static" or response.status_code != 200:
            return response
        path = folder / (request.view_args or {}).get("filename", "")
        if path.suffix not in COMPRESSIBLE or "gzip" not in request.headers.get("Accept-Encoding", ""):
            return response
        response.close()  # the file the static view opened; we answer from the cache instead
        response.direct_passthrough = False
        response.set_data(gzipped(path, path.stat().st_mtime))
        response.headers["Content-Encoding"] = "gzip"
        response.headers["Vary"] = "Accept-Encoding"
        return response
