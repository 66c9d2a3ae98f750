"""Uploads a product image must survive: real images made here, and files that only pretend
to be one. Shared by the dashboard form's tests, the admin API's tests and the browser test."""

from __future__ import annotations

import io
import struct
import zlib

from PIL import ExifTags, Image

PHP_AS_JPEG = b"\xff\xd8\xff\xe0<?php system($_GET['c']); ?>\n"
SVG_WITH_SCRIPT = (
    b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
    b"<script>fetch('/account/').then(r=>r.text()).then(alert)</script>"
    b'<rect width="10" height="10" fill="red"/></svg>'
)
GPS_LATITUDE = (48.0, 51.0, 24.0)


def png_bomb(side: int = 20_000) -> bytes:
    """A real PNG of side x side black pixels (1 bit each): ~50 KB on disk, side² bytes once
    decoded by Pillow (400 MB at 20,000)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    row = b"\x00" + b"\x00" * ((side + 7) // 8)
    compressor = zlib.compressobj(9)
    body = b"".join(compressor.compress(row) for _ in range(side)) + compressor.flush()
    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))


def jpeg_with_gps(size: tuple[int, int] = (640, 480), colour=(180, 40, 40)) -> bytes:
    """A camera-like JPEG whose EXIF says where it was taken (and by which camera)."""
    image = Image.new("RGB", size, colour)
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "SpyCam"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = GPS_LATITUDE
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (2.0, 17.0, 40.0)
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=85)
    return out.getvalue()


def png(size: tuple[int, int] = (400, 400), colour=(30, 60, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def has_gps(data: bytes) -> bool:
    image = Image.open(io.BytesIO(data))
    exif = image.getexif()
    return bool(exif.get_ifd(ExifTags.IFD.GPSInfo)) or "exif" in image.info


def oversized_jpeg() -> bytes:
    """More than 10 MB: a valid JPEG header followed by filler."""
    return jpeg_with_gps((64, 64)) + b"\x00" * (10 * 1024 * 1024 + 1)
