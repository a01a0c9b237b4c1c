from enum import Enum, StrEnum, auto


class Format(str, Enum):
    """Raster formats the renderer can write."""

    PNG = "png"
    JPEG = "jpeg"
    WEBP = "webp"


class Finish(StrEnum):
    """Paper finishes for printed orders; values are the lower-cased member names."""

    GLOSSY = auto()
    MATTE = auto()
    SATIN = auto()
