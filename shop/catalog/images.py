"""Product images uploaded by staff: checked, re-encoded and stored (the dashboard's product
editor and POST /api/v1/admin/products/{slug}/images both come here through actions.py).

An upload is untrusted bytes whatever its name or Content-Type says. It is accepted only if
Pillow reads it as JPEG, PNG or WebP (the file's own signature decides, never its name), it is
at most MAX_UPLOAD_BYTES, and its pixel count is read from the header and checked BEFORE any
pixel is decoded (a 20,000 x 20,000 PNG is a few KB on disk and 1.6 GB in memory). What is
stored is never the upload: the decoded pixels are re-encoded as a new WebP, at most
MAX_SIDE pixels a side, turned upright by the EXIF orientation and then without any metadata
(no EXIF, GPS, XMP, ICC profile or comment survives), under a random name the shop chooses.
"""

from __future__ import annotations

import secrets
import warnings
from pathlib import Path
from typing import IO, Protocol, cast

from django.conf import settings
from PIL import Image, ImageOps

from shop.core.errors import InvalidInput

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000  # 40 megapixels: any camera's photo, not a decompression bomb
MAX_SIDE = 1600  # what the shop stores and shows, at most, per side
ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP")
UPLOAD_DIR = "products/uploads"
WEBP_QUALITY = 82


class Upload(Protocol):
    """A binary file as uploads come (Django's UploadedFile, an open file, BytesIO)."""

    def read(self, size: int = -1, /) -> bytes: ...
    def seek(self, offset: int, whence: int = 0, /) -> int: ...
    def tell(self) -> int: ...


class ImageRejected(InvalidInput):
    code = "invalid_image"
    status = 422


def _refuse(message: str) -> ImageRejected:
    return ImageRejected(message)


def _decoded(stream: Upload, size: int) -> Image.Image:
    """The upload's pixels, fully decoded, or ImageRejected with words for a person."""
    if size > MAX_UPLOAD_BYTES:
        raise _refuse("The image is larger than 10 MB.")
    if size == 0:
        raise _refuse("The image file is empty.")
    stream.seek(0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(cast(IO[bytes], stream), formats=list(ALLOWED_FORMATS))
            width, height = image.size
            if width * height > MAX_PIXELS or max(width, height) > 20_000:
                raise _refuse("The image has too many pixels (at most 40 megapixels).")
            image.load()
        except ImageRejected:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning):
            raise _refuse("The image has too many pixels (at most 40 megapixels).") from None
        except (OSError, ValueError, SyntaxError, Image.UnidentifiedImageError):
            raise _refuse("Upload a JPEG, PNG or WebP image.") from None
    if image.format not in ALLOWED_FORMATS:
        raise _refuse("Upload a JPEG, PNG or WebP image.")
    if getattr(image, "n_frames", 1) > 1:
        raise _refuse("Animated images are not accepted; upload a still image.")
    return image


def _clean(image: Image.Image) -> Image.Image:
    """Upright, in RGB(A), at most MAX_SIDE a side, and a NEW image: nothing of the original's
    info (EXIF, XMP, ICC, comments) is carried over."""
    image = ImageOps.exif_transpose(image) or image
    mode = "RGBA" if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info else "RGB"
    image = image.convert(mode)
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)
    clean = Image.new(mode, image.size)
    clean.paste(image)
    return clean


def image_store(*, stream: Upload, size: int, slug: str) -> str:
    """Checks and re-encodes an upload; returns its path under MEDIA_ROOT (a new .webp)."""
    clean = _clean(_decoded(stream, size))
    relative = f"{UPLOAD_DIR}/{slug[:80]}-{secrets.token_hex(6)}.webp"
    target = Path(settings.MEDIA_ROOT) / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    clean.save(target, "WEBP", quality=WEBP_QUALITY, method=4)
    return relative


def image_discard(relative: str) -> None:
    """Removes a stored upload (when the transaction that recorded it fails)."""
    if relative.startswith(UPLOAD_DIR + "/"):
        (Path(settings.MEDIA_ROOT) / relative).unlink(missing_ok=True)
