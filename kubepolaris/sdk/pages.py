"""A page of a list endpoint: a plain list of its items that also knows `total`, `page` and `page_size`."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Page(list, Generic[T]):  # type: ignore[type-arg]
    """`{items, total, page, pageSize}` as a list of `items` (iterate it, index it, `len()` it)."""

    def __init__(self, items: list[T], total: int, page: int, page_size: int) -> None:
        super().__init__(items)
        self.total = total
        self.page = page
        self.page_size = page_size

    @property
    def items(self) -> list[T]:
        """The items on this page, as a plain list."""
        return list(self)

    @property
    def has_next(self) -> bool:
        """Whether a later page holds more items."""
        return self.page * self.page_size < self.total

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Page[T]:
        return cls(list(data.get("items") or []), int(data.get("total", 0)), int(data.get("page", 1)),
                   int(data.get("pageSize", len(data.get("items") or []))))

    def __repr__(self) -> str:
        return f"Page(page={self.page}, page_size={self.page_size}, total={self.total}, items={list.__repr__(self)})"


def iterate_pages(fetch: Callable[[int, int], Page[T]], page_size: int = 100) -> Iterator[T]:
    """Yield every item of every page, asking for page 1, 2, ... until one comes back short or empty."""
    page_number = 1
    while True:
        page = fetch(page_number, page_size)
        yield from page
        if not page or not page.has_next or len(page) < page.page_size:
            return
        page_number += 1
