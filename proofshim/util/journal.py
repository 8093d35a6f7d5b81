"""The patch journal: every change proofshim makes to ROOT is recorded here and undone in reverse.
Pure Python: it knows nothing of ROOT."""
from __future__ import annotations

from collections.abc import Callable

_MISSING = object()


class Journal:
    """Record changes as (description, undo) pairs; `undo_all` replays them in reverse, once."""

    def __init__(self) -> None:
        self._undo: list[tuple[str, Callable[[], None]]] = []

    def __len__(self) -> int:
        return len(self._undo)

    def entries(self) -> list[str]:
        return [what for what, _ in self._undo]

    def setattr(self, obj, name: str, value) -> None:
        """Set obj.name = value, remembering what was there (or that nothing was)."""
        old = obj.__dict__.get(name, _MISSING) if hasattr(obj, "__dict__") else getattr(obj, name, _MISSING)

        def undo():
            if old is _MISSING:
                try:
                    delattr(obj, name)
                except AttributeError:
                    pass
            else:
                setattr(obj, name, old)

        setattr(obj, name, value)
        self._undo.append((f"setattr {getattr(obj, '__name__', obj)!s}.{name}", undo))

    def wrap(self, owner, name: str, wrapper: Callable) -> None:
        """Wrap the function or method `owner.name` with wrapt: calls go to
        wrapper(wrapped, instance, args, kwargs). Undoing puts back exactly what `owner`'s own
        dictionary held (or nothing, when the method came from a base class)."""
        import wrapt  # noqa: PLC0415 - a dependency of proofshim; the journal stays importable without it

        getattr(owner, name)   # cppyy adds a C++ method to its class's dictionary on first lookup
        old = vars(owner).get(name, _MISSING) if isinstance(owner, type) else getattr(owner, name)
        wrapt.wrap_function_wrapper(owner, name, wrapper)

        def undo():
            if old is _MISSING:
                try:
                    delattr(owner, name)
                except AttributeError:
                    pass
            else:
                setattr(owner, name, old)

        self._undo.append((f"wrap {getattr(owner, '__name__', owner)!s}.{name}", undo))

    def call(self, what: str, do: Callable[[], None], undo: Callable[[], None]) -> None:
        """Run `do` now and remember `undo`."""
        do()
        self._undo.append((what, undo))

    def undo_all(self) -> list[str]:
        """Undo everything, newest first; calling it again does nothing. Returns what was undone."""
        done = []
        while self._undo:
            what, undo = self._undo.pop()
            undo()
            done.append(what)
        return done
