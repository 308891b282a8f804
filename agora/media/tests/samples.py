"""Hostile and ordinary sample files for media tests, and an independent metadata reader (exiftool)."""

from __future__ import annotations

import io
import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, PngImagePlugin

GPS_XMP = (
    b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
    b'<rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="52,31.2N" '
    b'exif:GPSLongitude="13,24.3E"/></rdf:RDF></x:xmpmeta>'
)
# Metadata groups exiftool reports that must never appear in a stored file.
FORBIDDEN_GROUPS = ("EXIF", "XMP", "IPTC", "GPS", "MakerNotes", "ICC_Profile", "Photoshop", "JFIF:Comment")
FORBIDDEN_WORDS = ("GPS", "Canon", "Serial", "secret-comment", "Location", "xyz")


def exif_with_gps(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "Canon"  # Make
    exif[0x0110] = "Canon EOS 5D"  # Model
    exif[0x0112] = orientation
    exif[0x9286] = "secret-comment"  # UserComment-ish, lives in the main IFD here
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (52.0, 31.0, 12.0)
    gps[3] = "E"
    gps[4] = (13.0, 24.0, 18.0)
    return exif


def _gradient(size: tuple[int, int], mode: str = "RGB") -> Image.Image:
    image = Image.linear_gradient("L").resize(size).convert(mode)
    return image


def jpeg_with_gps(size: tuple[int, int] = (800, 400), orientation: int = 6) -> bytes:
    buffer = io.BytesIO()
    _gradient(size).save(
        buffer, "JPEG", exif=exif_with_gps(orientation).tobytes(), xmp=GPS_XMP, comment=b"secret-comment"
    )
    return buffer.getvalue()


def png_with_xmp_location(size: tuple[int, int] = (300, 200)) -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", GPS_XMP.decode())
    info.add_text("Comment", "secret-comment")
    info.add_text("Location", "Berlin")
    buffer = io.BytesIO()
    _gradient(size, "RGBA").save(buffer, "PNG", pnginfo=info, exif=exif_with_gps().tobytes())
    return buffer.getvalue()


def heic_with_metadata(size: tuple[int, int] = (320, 240)) -> bytes:
    buffer = io.BytesIO()
    _gradient(size).save(buffer, "HEIF", exif=exif_with_gps().tobytes(), xmp=GPS_XMP)
    return buffer.getvalue()


def animated_gif(frames: int, size: tuple[int, int] = (16, 16)) -> bytes:
    images = [
        Image.new("RGB", size, color=(index % 256, (index * 7) % 256, (index // 256) % 256))
        for index in range(frames)
    ]
    buffer = io.BytesIO()
    images[0].save(
        buffer, "GIF", save_all=True, append_images=images[1:], duration=40, loop=0, comment=b"secret-comment"
    )
    return buffer.getvalue()


def png_bomb(width: int = 100_000, height: int = 100_000) -> bytes:
    """A tiny PNG whose header declares width x height pixels (a decompression / pixel flood bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body) + chunk(b"IEND", b"")


def truncated_png() -> bytes:
    buffer = io.BytesIO()
    Image.effect_noise((400, 400), 64).convert("RGB").save(buffer, "PNG")
    data = buffer.getvalue()
    return data[: len(data) // 2]


HTML_AS_JPEG = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"


def upload(name: str, data: bytes, content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"{name} is not installed (Debian: apt-get install ffmpeg libimage-exiftool-perl)"
        # CI installs the tools and must not pass by skipping the metadata checks.
        if os.environ.get("AGORA_REQUIRE_TOOLS"):
            pytest.fail(message)
        pytest.skip(message)
    return path


def mp4_with_location(workdir: Path) -> bytes:
    """A one-second MP4 with a location atom (©xyz), a title and a creation time, plus a subtitle stream."""
    ffmpeg = need_tool("ffmpeg")
    output = workdir / "located.mp4"
    subprocess.run(
        [
            ffmpeg,
            "-nostdin",
            "-loglevel",
            "error",
            "-y",
            "-f",
            "lavfi",
            "-i",
            "testsrc=duration=1:size=320x240:rate=10",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=440:duration=1",
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-c:a",
            "aac",
            "-metadata",
            "location=+52.5200+013.4050/",
            "-metadata",
            "title=secret-comment",
            "-metadata",
            "creation_time=2021-01-06T12:00:00Z",
            "-movflags",
            "+use_metadata_tags",
            str(output),
        ],
        check=True,
        capture_output=True,
    )
    return output.read_bytes()


def exiftool_tags(path: Path) -> dict[str, Any]:
    """Every tag exiftool finds in a file (all groups, duplicates and unknown tags included)."""
    exiftool = need_tool("exiftool")
    result = subprocess.run([exiftool, "-j", "-G", "-a", "-u", str(path)], capture_output=True, check=True)
    tags: dict[str, Any] = json.loads(result.stdout)[0]
    return tags


def leaked_metadata(path: Path) -> list[str]:
    """Tags in `path` that a stripped file must not have (empty when clean)."""
    leaks = []
    for tag, value in exiftool_tags(path).items():
        if tag == "SourceFile" or (
            tag.startswith(("ExifTool:", "File:", "System:")) and tag != "File:Comment"
        ):
            continue
        group = tag.split(":", 1)[0]
        text = f"{tag}={value}"
        if group in FORBIDDEN_GROUPS or any(word.lower() in text.lower() for word in FORBIDDEN_WORDS):
            leaks.append(text)
    return leaks
