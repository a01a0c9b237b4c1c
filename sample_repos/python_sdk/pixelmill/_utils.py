"""Small annotation helpers used inside the type modules."""

from typing import Optional


class PropertyInfo:
    """Extra information attached to an annotation with `Annotated[...]`.

    `discriminator` names the tag field of a tagged union; `alias` the key used on the wire.
    """

    def __init__(self, *, alias: Optional[str] = None, discriminator: Optional[str] = None) -> None:
        self.alias = alias
        self.discriminator = discriminator

    def __repr__(self) -> str:
        return f"PropertyInfo(alias={self.alias!r}, discriminator={self.discriminator!r})"
