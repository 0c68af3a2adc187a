"""The only way WeasyPrint may read anything: data: URLs and files inside allowed folders.

Content is untrusted, so nothing it names may reach the network or a file outside
the project's own assets. Each URL is decoded and its path resolved (symlinks
included) before it is judged. Refusals are recorded so the build can fail with
the URL and where it came from, instead of WeasyPrint silently leaving a hole.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit


class SafeFetcher:
    """A WeasyPrint URL fetcher that allows only `data:` and files under `roots`."""

    def __init__(self, roots: tuple[Path, ...]):
        self.roots = tuple(root.resolve() for root in roots)
        self.refused: list[tuple[str, str]] = []
        self._default = None

    def __call__(self, url: str, *args, **kwargs):
        return self.fetch(url)

    def fetch(self, url: str, headers=None):
        reason = self.refusal(url)
        if reason:
            self.refused.append((url, reason))
            raise ValueError(f"refused: {url}: {reason}")
        from weasyprint.urls import URLFetcher
        if self._default is None:
            self._default = URLFetcher(allowed_protocols={"data", "file"}, allow_redirects=False)
        return self._default.fetch(url, headers)

    def refusal(self, url: str) -> str | None:
        """Why a URL may not be fetched, or None when it may."""
        scheme = urlsplit(url).scheme.lower()
        if scheme == "data":
            return None
        if scheme != "file":
            return f"{scheme or 'this kind of'} URLs are not allowed; briefs may not reach the network"
        parts = urlsplit(url)
        if parts.netloc not in ("", "localhost"):
            return "file URLs on other hosts are not allowed"
        path = Path(unquote(parts.path)).resolve()
        if not any(path == root or root in path.parents for root in self.roots):
            return "only files inside the project's asset folders may be used"
        if not path.is_file():
            return "no such file"
        return None
