class VariableKey:
    """
    A dictionary key which is a variable.

    @ivar item: The variable AST object.
    """
    def __init__(self, item):
        self.name = item.id

    def __eq__(self, compare):
        return (
            compare.__class__ == self.__class__ and
            compare.name == self.name
        )

    def __hash__(self):
        hash(self.name)


class Importation(Definition):
    """
    A binding created by an import statement.

    @ivar fullName: The complete name given to the import statement,
        possibly including multiple dotted components.
    @type fullName: C{str}
    """

    def __init__(self, name, source, full_name=None, *, is_lazy: int):
        self.fullName = full_name or name
        self.redefined = []
        self.is_lazy = is_lazy
        super().__init__(name, source)

    def redefines(self, other):
        if isinstance(other, SubmoduleImportation):
            # See note in SubmoduleImportation about RedefinedWhileUnused
            return self.fullName == other.fullName
        return isinstance(other, Definition) and self.name == other.name

    def _has_alias(self):
        """Return whether importation needs an as clause."""
        return not self.fullName.split('.')[-1] == self.name

    @property
    def _lazy_s(self) -> str:
        return 'lazy ' if self.is_lazy else ''

    @property
    def _alias_s(self) -> str:
        return f' as {self.name}' if self._has_alias() else ''

    @property
    def source_statement(self):
        """Generate a source statement equivalent to the import."""
        return f'{self._lazy_s}import {self.fullName}{self._alias_s}'

    @property
    def imported_name(self):
        """Return import full name with alias."""
        return f'{self.fullName}{self._alias_s}'
