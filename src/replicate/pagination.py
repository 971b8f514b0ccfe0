"""Pages of results, and walking through all of them.

    page = client.models.list()          # the first page: page.results, page.next
    for model in client.models.list():   # every model of every page, fetched as needed
        ...
    async for model in async_client.models.list():   # the same, async (no await needed)
        ...
    first = await async_client.models.list()         # or await it for the first page

Iterating holds one page at a time and lets go of each item as it is handed over, so walking
5,000 items keeps memory flat. A page whose JSON does not type in one pass (or whose items carry
large free-form JSON: see `BaseModel._typed_from_json`) types its items one at a time as they
are handed over: the items before a bad one arrive, and the bad one raises
`APIResponseValidationError` naming the item and the page's request.
"""

from __future__ import annotations

from typing import (
    TYPE_CHECKING,
    Any,
    AsyncIterator,
    Awaitable,
    Callable,
    Generator,
    Generic,
    Iterator,
    List,
    Optional,
    TypeVar,
)

from typing_extensions import Self

if TYPE_CHECKING:
    from ._client import AsyncReplicate, Replicate
    from ._http.call import Call

__all__ = [
    "AsyncCursorURLPage",
    "AsyncCursorURLPageWithCreatedFilters",
    "AsyncPaginator",
    "SyncCursorURLPage",
    "SyncCursorURLPageWithCreatedFilters",
]

T = TypeVar("T")
PageT = TypeVar("PageT", bound="AsyncCursorURLPage[Any]")


class _CursorURLPage(Generic[T]):
    next: Optional[str]
    """The absolute URL of the next page, or None on the last page."""
    previous: Optional[str]

    def __init__(
        self,
        *,
        client: Any,
        items: List[Any],
        read: Optional[Callable[[Any], T]],
        invalid: Callable[[int, Exception], Exception],
        next: Optional[str],
        previous: Optional[str],
        call: Call[Any],
    ) -> None:
        self._client = client
        self._items = items  # typed already, or (with a `read`) JSON values each typed when needed
        self._read = read
        self._invalid = invalid
        self._results: Optional[List[T]] = items if read is None else None
        self.next = next
        self.previous = previous
        self._call = call

    @property
    def results(self) -> List[T]:
        """This page's items, typed (validated on first access)."""
        if self._results is None:
            self._results = list(self._handed_over(release=False))
        return self._results

    def _handed_over(self, *, release: bool) -> Iterator[T]:
        """This page's items, each typed as it is taken. With `release`, the page lets go of each
        item as it hands it over, for a page only the iteration holds: a page of typed items held
        whole kept enough young objects alive for the garbage collector to run every page or two."""
        items: List[Any] = self._items
        read = self._read
        if self._results is not None:  # typed already
            items, read = self._results, None
        for index in range(len(items)):
            item = items[index]
            if release:
                items[index] = None
            if read is not None:
                try:
                    item = read(item)
                except ValueError as exc:  # pydantic's ValidationError is one
                    raise self._invalid(index, exc) from None
            yield item

    def has_next_page(self) -> bool:
        return bool(self.next) and bool(self._items)

    def _next_call(self) -> Call[Any]:
        if not self.next:
            raise RuntimeError("This is the last page: check has_next_page() before get_next_page().")
        return self._call.next_page(self.next)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(results=<{len(self._items)} items>, next={self.next!r})"


class SyncCursorURLPage(_CursorURLPage[T]):
    _client: Replicate

    def get_next_page(self) -> Self:
        return self._client._request(self._next_call())

    def iter_pages(self) -> Iterator[Self]:
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = page.get_next_page()

    def __iter__(self) -> Iterator[T]:  # type: ignore[override]
        for page in self.iter_pages():
            # the pages after this one are reachable only from here: let go of their items
            yield from page._handed_over(release=page is not self)


class AsyncCursorURLPage(_CursorURLPage[T]):
    _client: AsyncReplicate

    async def get_next_page(self) -> Self:
        return await self._client._request(self._next_call())

    async def iter_pages(self) -> AsyncIterator[Self]:
        page = self
        while True:
            yield page
            if not page.has_next_page():
                return
            page = await page.get_next_page()

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            # the pages after this one are reachable only from here: let go of their items
            for item in page._handed_over(release=page is not self):
                yield item


class SyncCursorURLPageWithCreatedFilters(SyncCursorURLPage[T]):
    """A page of predictions, listed with optional `created_after`/`created_before` filters."""


class AsyncCursorURLPageWithCreatedFilters(AsyncCursorURLPage[T]):
    """A page of predictions, listed with optional `created_after`/`created_before` filters."""


class AsyncPaginator(Generic[T, PageT]):
    """What async `list()` methods return: await it for the first page, or `async for` every item."""

    def __init__(self, fetch_first_page: Callable[[], Awaitable[PageT]]) -> None:
        self._fetch_first_page = fetch_first_page

    def __await__(self) -> Generator[Any, None, PageT]:
        return self._fetch_first_page().__await__()

    async def __aiter__(self) -> AsyncIterator[T]:
        page: PageT = await self
        async for item in page:
            yield item
