"""referwell: when to refer, to whom, and how.

`from referwell import assess` gives the engine as a library call; nothing heavy
is imported until it is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from referwell.services.assessing import assess


def __getattr__(name: str) -> Any:
    if name == "assess":
        from referwell.services.assessing import assess

        return assess
    raise AttributeError(name)


__all__ = ["assess"]
