"""Empty path segments are absent: `//api/json//bulk/campaigns/get/` is the function
`bulk/campaigns/get`, as a web server in front of the real switch (Apache, nginx's
`merge_slashes`) would read it. Real clients send such paths: a PHP SDK joins
`https://host/api/json/` and `'/' . $function`.

Two places do it. Inside the function part, the API handler drops empty segments from the
name (`clean_function`). Before it (`//api/json/...`, `/api//json/...`,
`/t/x//api/json/...`), no route matches, so `MergedSlashes`, a resource the router tries
last, matches the path with its runs of slashes merged and answers with that route. The
handler still sees the request as it was sent, so the journal keeps the raw path.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from aiohttp import web
from aiohttp.web_urldispatcher import AbstractResource, MatchInfoError, UrlDispatcher
from yarl import URL

_RUNS = re.compile(r"//+")


def clean_function(name: str) -> str:
    """The function's name without empty segments: `/bulk//campaigns/get/` is
    `bulk/campaigns/get`."""
    if "//" not in name:  # the usual case: at most a slash at either end
        return name.strip("/")
    return "/".join(segment for segment in name.split("/") if segment)


class MergedSlashes(AbstractResource):
    """The route a path reaches once its runs of slashes are merged; no routes of its own.

    Its canonical path is `/`, so the router, which walks from the longest prefix to `/`,
    tries it only after every route of the path as sent has failed to match.
    """

    def __init__(self, router: UrlDispatcher) -> None:
        super().__init__()
        self._router = router

    @property
    def canonical(self) -> str:
        return "/"

    def url_for(self, **kwargs: str) -> URL:
        raise NotImplementedError("merged slashes are a way of matching, not a URL")

    async def resolve(self, request: web.Request):  # aiohttp's _Resolve
        path = request.rel_url.path_safe
        merged = _RUNS.sub("/", path)
        if merged == path:
            return None, set()
        found = await self._router.resolve(request.clone(rel_url=URL.build(path=merged)))
        if isinstance(found, MatchInfoError):
            missed = found.http_exception
            allowed: set[str] = getattr(missed, "allowed_methods", set())
            return None, set(allowed)
        return found, set()

    def add_prefix(self, prefix: str) -> None:
        pass  # never mounted in a sub-application

    def get_info(self) -> dict[str, str]:  # type: ignore[override]  # aiohttp's private TypedDict
        return {"merged_slashes": "/"}

    def raw_match(self, path: str) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[web.AbstractRoute]:
        return iter(())


def install(app: web.Application) -> None:
    """Register the merged-slashes resource; call it after every other route is added."""
    app.router.register_resource(MergedSlashes(app.router))
