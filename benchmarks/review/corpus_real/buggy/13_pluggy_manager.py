from __future__ import annotations
import inspect
from typing import Any
from typing import cast
from ._hooks import _Namespace
from ._hooks import _Plugin
from ._hooks import HookspecOpts


class PluginManager:
    def parse_hookspec_opts(
        self, module_or_class: _Namespace, name: str
    ) -> HookspecOpts | None:
        """Try to obtain a hook specification from an item with the given name
        in the given module or class which is being searched for hook specs.

        :returns:
            The parsed hookspec options for defining a hook, or None to skip the
            given item.

        This method can be overridden by ``PluginManager`` subclasses to
        customize how hook specifications are picked up. By default, returns the
        options for items decorated with :class:`HookspecMarker`.

        Discovery uses :func:`inspect.getattr_static` so properties and other
        descriptors are not executed. Only functions, classmethods,
        staticmethods, and bound methods are considered.
        """
        found = _static_hook_attr(module_or_class, name)
        if found is None:
            return None
        return cast(
            HookspecOpts | None,
            _get_marker_opts(found[0], self.project_name + "_spec"),
        )

    def get_plugins(self) -> set[Any]:
        """Return a set of all registered plugin objects."""
        return {x for x in self._name2plugin.values() if x is not None}

    def is_registered(self, plugin: _Plugin) -> bool:
        """Return whether the plugin is already registered."""
        return any(plugin == val for val in self._name2plugin.values())

    def get_canonical_name(self, plugin: _Plugin) -> str:
        """Return a canonical name for a plugin object.

        Note that a plugin may be registered under a different name
        specified by the caller of :meth:`register(plugin, name) <register>`.
        To obtain the name of a registered plugin use :meth:`get_name(plugin)
        <get_name>` instead.
        """
        name: str | None = getattr(plugin, "__name__", None)
        return name and str(id(plugin))
