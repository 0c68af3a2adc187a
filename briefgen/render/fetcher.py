"""The only way WeasyPrint may read anything: data: URLs and files inside allowed folders.

Content is untrusted, so nothing it names may reach the network or a file outside
the project's own assets. Each URL is decoded and its path resolved (symlinks
included) before it is judged, and an allowed file is then read by us, from the
resolved path, so what is judged is what is read: no second decoding, no redirect,
no special file. Refusals are recorded so the build can fail with the URL and where
it came from, instead of WeasyPrint silently leaving a hole.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from briefgen.content.files import MAX_ASSET_BYTES, UnsafeFile, read_regular_file

if TYPE_CHECKING:  # WeasyPrint has no type hints: to mypy this is Any
    from weasyprint.urls import URLFetcherResponse


class SafeFetcher:
    """A WeasyPrint URL fetcher that allows only `data:` and regular files under `roots`."""

    # WeasyPrint reads this on every failed fetch: False means "log it and go on", so every
    # refusal of a document is collected (and the build fails on them afterwards).
    _fail_on_errors = False

    def __init__(self, roots: tuple[Path, ...]) -> None:
        # A root that is itself a link (content/assets -> /etc) allows nothing.
        self.roots = tuple(root.resolve() for root in roots if not root.is_symlink())
        self.refused: list[tuple[str, str]] = []

    def __call__(self, url: str, *args: object, **kwargs: object) -> URLFetcherResponse:
        return self.fetch(url)

    def fetch(self, url: str, headers: Mapping[str, str] | None = None) -> URLFetcherResponse:
        """WeasyPrint's fetcher interface: a response for an allowed URL, ValueError otherwise."""
        from weasyprint.urls import URLFetcher, URLFetcherResponse

        reason = self.refusal(url)
        if reason:
            self.refused.append((url, reason))
            raise ValueError(f"refused: {url}: {reason}")
        if urlsplit(url).scheme.lower() == "data":
            return URLFetcher(allowed_protocols={"data"}, allow_redirects=False).fetch(url, headers)
        path = self._path(url)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        try:  # what was judged is what is read: a regular file, no link, no pipe, capped
            data = read_regular_file(path, MAX_ASSET_BYTES)
        except UnsafeFile as exc:
            self.refused.append((url, str(exc)))
            raise ValueError(f"refused: {url}: {exc}") from None
        return URLFetcherResponse(path.as_uri(), data, {"Content-Type": mime_type})

    def refusal(self, url: str) -> str | None:
        """Why a URL may not be fetched, or None when it may."""
        parts = urlsplit(url)
        scheme = parts.scheme.lower()
        if scheme == "data":
            return None
        if scheme != "file":
            return f"{scheme or 'this kind of'} URLs are not allowed; briefs may not reach the network"
        if parts.netloc not in ("", "localhost"):
            return "file URLs on other hosts are not allowed"
        if "\x00" in unquote(parts.path):
            return "the file name contains a NUL character"
        path = self._path(url)
        if not any(root in path.parents for root in self.roots):
            return "only files inside the project's asset folders may be used"
        if not path.is_file():
            return "no such file"
        if path.stat().st_size > MAX_ASSET_BYTES:
            return f"the file is larger than {MAX_ASSET_BYTES:,} bytes"
        return None

    @staticmethod
    def _path(url: str) -> Path:
        return Path(unquote(urlsplit(url).path)).resolve()
