"""Turning untrusted uploads into clean files: sniffing, limits, decoding and re-encoding.

Nothing of an upload is kept but its pixels (and, for video, its picture and sound): every image is decoded
and encoded afresh from raw pixel data, so EXIF, XMP, IPTC, GPS, maker notes, embedded thumbnails and comments
cannot survive; orientation is applied to the pixels first and colour is converted to sRGB. Video is
transcoded by ffmpeg to H.264/AAC with all metadata and extra streams dropped.

The type of a file is read from its first bytes, never from its name or the Content-Type the client sent, and
the cheap checks (type, size, declared dimensions) run before anything is decoded.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import blurhash
from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageCms, ImageOps

try:  # HEIC/HEIF support is optional: without the decoder, such files are refused as unsupported.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_AVAILABLE = True
except ImportError:  # pragma: no cover - depends on the installation
    HEIF_AVAILABLE = False

# Pillow's own guard, in case a decoder reports a size different from the header we checked.
Image.MAX_IMAGE_PIXELS = settings.AGORA_MEDIA_MAX_IMAGE_PIXELS

# Long side of the stored full-size image and of the smaller size used in timelines.
FULL_SIZE = 3840
SMALL_SIZE = 640
VIDEO_MAX_OUTPUT_SIDE = 1920
FFMPEG_TIMEOUT_SECONDS = 300

IMAGE_TYPES = {"jpeg": "JPEG", "png": "PNG", "gif": "GIF", "webp": "WEBP", "heif": "HEIF"}
VIDEO_TYPES = {"mp4", "webm"}
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"qt  ",
    b"3gp4",
    b"3gp5",
    b"3g2a",
    b"dash",
    b"MSNV",
    b"f4v ",
}


class MediaError(Exception):
    """An upload that cannot be accepted; the message is for the person who uploaded it."""


@dataclass
class Rendition:
    """One clean file made from an upload."""

    variant: str
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


@dataclass
class Processed:
    kind: str
    width: int
    height: int
    renditions: list[Rendition] = field(default_factory=list)
    blurhash: str = ""
    duration: float | None = None


def sniff(head: bytes) -> str | None:
    """The file type from its first bytes ("jpeg", "png", "gif", "webp", "heif", "mp4", "webm"), else None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in HEIF_BRANDS:
            return "heif"
        if brand in MP4_BRANDS:
            return "mp4"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    return None


def unsupported_message() -> str:
    return _(
        "This file type is not supported. "
        "Upload a JPEG, PNG, GIF, WebP or HEIC picture, or an MP4 or WebM video."
    )


def check_upload(stream: IO[bytes], size: int) -> str:
    """The cheap checks, run before a file is accepted for processing: its real type, its size and, for
    pictures, the dimensions and frame count it declares. Returns the sniffed type.
    """
    stream.seek(0)
    detected = sniff(stream.read(32))
    stream.seek(0)
    if detected is None or (detected == "heif" and not HEIF_AVAILABLE):
        raise MediaError(unsupported_message())
    if detected in VIDEO_TYPES:
        if size > settings.AGORA_MEDIA_MAX_VIDEO_BYTES:
            raise MediaError(
                _("Videos can be at most %(limit)d MB.")
                % {"limit": settings.AGORA_MEDIA_MAX_VIDEO_BYTES // 2**20}
            )
        if not ffmpeg_available():
            raise MediaError(_("This server cannot process videos right now (ffmpeg is not installed)."))
        return detected
    if size > settings.AGORA_MEDIA_MAX_IMAGE_BYTES:
        raise MediaError(
            _("Pictures can be at most %(limit)d MB.")
            % {"limit": settings.AGORA_MEDIA_MAX_IMAGE_BYTES // 2**20}
        )
    try:
        with Image.open(stream, formats=[IMAGE_TYPES[detected]]) as image:
            _check_dimensions(image)
    except MediaError:
        raise
    except Image.DecompressionBombError as error:
        raise MediaError(too_many_pixels_message()) from error
    except Exception as error:  # any decoder complaint about untrusted bytes means "damaged"
        raise MediaError(damaged_message()) from error
    finally:
        stream.seek(0)
    return detected


def damaged_message() -> str:
    return _("This file is damaged or incomplete and cannot be read as a picture.")


def too_many_pixels_message() -> str:
    return _("This picture has too many pixels (at most %(limit)d megapixels).") % {
        "limit": settings.AGORA_MEDIA_MAX_IMAGE_PIXELS // 1_000_000
    }


def _check_dimensions(image: Image.Image) -> int:
    """Refuse pixel floods and frame floods from the header alone; returns the number of frames."""
    width, height = image.size
    if width < 1 or height < 1:
        raise MediaError(damaged_message())
    if width * height > settings.AGORA_MEDIA_MAX_IMAGE_PIXELS:
        raise MediaError(too_many_pixels_message())
    if not getattr(image, "is_animated", False):
        return 1
    # Count frames by seeking one at a time up to the limit: `n_frames` would walk (and decode) all of them.
    frames = 1
    limit = settings.AGORA_MEDIA_MAX_ANIMATION_FRAMES
    while True:
        try:
            image.seek(frames)
        except EOFError:
            break
        frames += 1
        if frames > limit or width * height * frames > settings.AGORA_MEDIA_MAX_ANIMATION_PIXELS:
            raise MediaError(_("This animation has too many frames (at most %(limit)d).") % {"limit": limit})
    image.seek(0)
    return frames


# Isolation -----------------------------------------------------------------------------------------------

# How much memory decoding may use on top of what the process already has, and how long it may take.
ISOLATED_MEMORY_BYTES = 768 * 1024 * 1024
IMAGE_SECONDS = 60
VIDEO_SECONDS = FFMPEG_TIMEOUT_SECONDS + 60


def _address_space_now() -> int:
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError):
        return 0


def run_isolated(func: Callable[..., Processed], *args: Any, timeout: int) -> Processed:
    """Run a decoder in a forked child with a memory ceiling and a time limit, so that a file that crashes
    a decoder, eats memory or never ends costs one child process, never the server.
    """
    if not hasattr(os, "fork") or not hasattr(resource, "RLIMIT_AS"):  # pragma: no cover - not Linux
        return func(*args)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)

    def child() -> None:
        try:
            base = _address_space_now()
            if base:
                limit = base + ISOLATED_MEMORY_BYTES
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
            outcome: tuple[str, object] = ("ok", func(*args))
        except MediaError as error:
            outcome = ("refused", str(error))
        except MemoryError:
            outcome = ("refused", _("This file needs too much memory to process."))
        except BaseException as error:  # anything else is the server's problem, reported below
            outcome = ("error", repr(error))
        sender.send(outcome)
        sender.close()

    process = context.Process(target=child, daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise MediaError(_("This file took too long to process."))
        try:
            status, value = receiver.recv()
        except EOFError as error:  # the child died (a crashing decoder, the memory ceiling)
            raise MediaError(_("This file could not be processed.")) from error
    finally:
        if process.is_alive():
            process.kill()
        process.join()
        receiver.close()
    if status == "ok":
        assert isinstance(value, Processed)
        return value
    if status == "refused":
        raise MediaError(str(value))
    raise RuntimeError(f"media processing failed in the child process: {value}")


# Pictures ------------------------------------------------------------------------------------------------


def process_image(path: Path, detected: str, crop_to: tuple[int, int] | None = None) -> Processed:
    """Decode a picture fully and re-encode it without metadata: full size (at most FULL_SIZE on the long
    side), a smaller size for timelines, and a blurhash. With `crop_to` (avatars, headers), one still picture
    cropped from the centre to exactly that size.
    """
    try:
        with Image.open(path, formats=[IMAGE_TYPES[detected]]) as image:
            frames = _check_dimensions(image)
            if frames > 1 and crop_to is None:
                return _process_animation(image)
            image.seek(0)
            image.load()
            clean = _clean_pixels(image)
            if crop_to is not None:
                clean = ImageOps.fit(clean, crop_to, Image.Resampling.LANCZOS)
                data, content_type, extension = _encode_still(clean)
                return Processed(
                    kind="image",
                    width=clean.width,
                    height=clean.height,
                    renditions=[
                        Rendition("original", data, content_type, extension, clean.width, clean.height)
                    ],
                    blurhash=compute_blurhash(clean),
                )
    except MediaError:
        raise
    except Image.DecompressionBombError as error:
        raise MediaError(too_many_pixels_message()) from error
    except Exception as error:
        raise MediaError(damaged_message()) from error
    return _still_renditions(clean)


def _clean_pixels(image: Image.Image) -> Image.Image:
    """Upright, sRGB, RGB or RGBA pixels in a new image that carries nothing else from the upload."""
    upright = ImageOps.exif_transpose(image) or image
    icc = image.info.get("icc_profile")
    has_alpha = upright.mode in ("RGBA", "LA", "PA") or (
        upright.mode == "P" and "transparency" in upright.info
    )
    target_mode = "RGBA" if has_alpha else "RGB"
    if upright.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit greyscale: scale to 8 bits rather than clipping everything above 255 to white.
        upright = upright.point(lambda value: value / 256).convert("L")
    if icc:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
            if upright.mode not in ("RGB", "RGBA", "CMYK", "L"):
                upright = upright.convert(target_mode)
            output_mode = target_mode if upright.mode != "CMYK" else "RGB"
            upright = (
                ImageCms.profileToProfile(
                    upright, source, ImageCms.createProfile("sRGB"), outputMode=output_mode
                )
                or upright
            )
        except (ImageCms.PyCMSError, OSError, ValueError):
            # A broken profile: fall back to treating the pixels as sRGB rather than refusing the picture.
            pass
    converted = upright.convert(target_mode)
    # Rebuild from raw bytes so that no `info` (EXIF, XMP, comments, profile) can ride along.
    return Image.frombytes(target_mode, converted.size, converted.tobytes())


def _encode_still(image: Image.Image) -> tuple[bytes, str, str]:
    buffer = io.BytesIO()
    if image.mode == "RGBA":
        image.save(buffer, "PNG", optimize=True)
        return buffer.getvalue(), "image/png", "png"
    image.save(buffer, "JPEG", quality=85, optimize=True, progressive=True)
    return buffer.getvalue(), "image/jpeg", "jpg"


def _fit(image: Image.Image, long_side: int) -> Image.Image:
    if max(image.size) <= long_side:
        return image
    copy = image.copy()
    copy.thumbnail((long_side, long_side), Image.Resampling.LANCZOS)
    return copy


def compute_blurhash(image: Image.Image) -> str:
    small = image.convert("RGB").resize((32, 32), Image.Resampling.BILINEAR)
    data = small.tobytes()
    rows = [[list(data[(y * 32 + x) * 3 : (y * 32 + x) * 3 + 3]) for x in range(32)] for y in range(32)]
    x_components, y_components = (4, 3) if image.width >= image.height else (3, 4)
    return str(blurhash.encode(rows, x_components, y_components))


def _still_renditions(clean: Image.Image) -> Processed:
    full = _fit(clean, FULL_SIZE)
    data, content_type, extension = _encode_still(full)
    renditions = [Rendition("original", data, content_type, extension, full.width, full.height)]
    if max(full.size) > SMALL_SIZE:
        small = _fit(full, SMALL_SIZE)
        data, content_type, extension = _encode_still(small)
        renditions.append(Rendition("small", data, content_type, extension, small.width, small.height))
    return Processed(
        kind="image",
        width=full.width,
        height=full.height,
        renditions=renditions,
        blurhash=compute_blurhash(full),
    )


def _process_animation(image: Image.Image) -> Processed:
    """Animated GIF/WebP/PNG -> animated WebP, frame by frame from the decoder (one frame in memory at a
    time); nothing but the frames and their timing is written.
    """
    image.seek(0)
    image.load()
    first = _clean_pixels(image)
    buffer = io.BytesIO()
    # Saving the source with save_all re-encodes each decoded frame; exif/xmp/icc are given explicitly
    # as empty so that nothing from the upload's own info is copied.
    image.save(
        buffer,
        "WEBP",
        save_all=True,
        quality=80,
        loop=0,
        exif=b"",
        xmp=b"",
        icc_profile=None,
        duration=image.info.get("duration", 100),
    )
    small = _fit(first, SMALL_SIZE)
    poster_data, content_type, extension = _encode_still(small)
    return Processed(
        kind="animated",
        width=first.width,
        height=first.height,
        renditions=[
            Rendition("original", buffer.getvalue(), "image/webp", "webp", first.width, first.height),
            Rendition("poster", poster_data, content_type, extension, small.width, small.height),
        ],
        blurhash=compute_blurhash(first),
    )


# Video ---------------------------------------------------------------------------------------------------


def ffmpeg_available() -> bool:
    return bool(shutil.which(settings.AGORA_FFMPEG) and shutil.which(settings.AGORA_FFPROBE))


def _probe(path: Path) -> dict[str, Any]:
    result = subprocess.run(
        [
            settings.AGORA_FFPROBE,
            "-v",
            "error",
            "-print_format",
            "json",
            "-show_format",
            "-show_streams",
            str(path),
        ],
        capture_output=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise MediaError(_("This file is damaged or incomplete and cannot be read as a video."))
    try:
        probed: dict[str, Any] = json.loads(result.stdout)
    except ValueError as error:
        raise MediaError(_("This file is damaged or incomplete and cannot be read as a video.")) from error
    return probed


def process_video(path: Path) -> Processed:
    """Transcode to H.264/AAC MP4 (at most 1920 px on the long side), dropping every metadata tag, chapter,
    subtitle, data and extra stream; take a poster frame from the result.
    """
    if not ffmpeg_available():
        raise MediaError(_("This server cannot process videos right now (ffmpeg is not installed)."))
    probed = _probe(path)
    streams: list[dict[str, Any]] = [s for s in probed.get("streams", []) if isinstance(s, dict)]
    video = next((s for s in streams if s.get("codec_type") == "video"), None)
    if video is None:
        raise MediaError(_("This file has no video in it."))
    width, height = int(video.get("width") or 0), int(video.get("height") or 0)
    if not width or not height:
        raise MediaError(_("This file is damaged or incomplete and cannot be read as a video."))
    if max(width, height) > settings.AGORA_MEDIA_MAX_VIDEO_SIDE:
        raise MediaError(
            _("Videos can be at most %(limit)d pixels wide or high.")
            % {"limit": settings.AGORA_MEDIA_MAX_VIDEO_SIDE}
        )
    fmt: dict[str, Any] = probed["format"] if isinstance(probed.get("format"), dict) else {}
    try:
        duration = float(fmt.get("duration") or video.get("duration") or 0)
    except (TypeError, ValueError):
        duration = 0.0
    if duration > settings.AGORA_MEDIA_MAX_VIDEO_SECONDS:
        raise MediaError(
            _("Videos can be at most %(limit)d seconds long.")
            % {"limit": settings.AGORA_MEDIA_MAX_VIDEO_SECONDS}
        )
    has_audio = any(s.get("codec_type") == "audio" for s in streams)
    with tempfile.TemporaryDirectory(prefix="agora-video-") as workdir:
        output = Path(workdir) / "video.mp4"
        poster = Path(workdir) / "poster.png"
        scale = (
            f"scale='if(gt(iw,ih),min({VIDEO_MAX_OUTPUT_SIDE},iw),-2)':'if(gt(iw,ih),-2,min({VIDEO_MAX_OUTPUT_SIDE},ih))',"
            "format=yuv420p"
        )
        command = [
            settings.AGORA_FFMPEG,
            "-nostdin",
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            "-i",
            str(path),
            "-map",
            "0:v:0",
            *(["-map", "0:a:0"] if has_audio else []),
            "-map_metadata",
            "-1",
            "-map_chapters",
            "-1",
            "-sn",
            "-dn",
            "-t",
            str(settings.AGORA_MEDIA_MAX_VIDEO_SECONDS),
            "-vf",
            scale,
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-threads",
            "2",
            *(["-c:a", "aac", "-b:a", "128k", "-ac", "2"] if has_audio else []),
            # No encoder name or creation time either: the file says nothing but what it shows.
            "-fflags",
            "+bitexact",
            "-flags:v",
            "+bitexact",
            "-flags:a",
            "+bitexact",
            "-metadata:s:v:0",
            "handler_name=",
            *(["-metadata:s:a:0", "handler_name="] if has_audio else []),
            "-movflags",
            "+faststart",
            str(output),
        ]
        try:
            result = subprocess.run(command, capture_output=True, timeout=FFMPEG_TIMEOUT_SECONDS, check=False)
        except subprocess.TimeoutExpired as error:
            raise MediaError(_("This video took too long to process.")) from error
        if result.returncode != 0 or not output.exists():
            raise MediaError(_("This file is damaged or incomplete and cannot be read as a video."))
        subprocess.run(
            [
                settings.AGORA_FFMPEG,
                "-nostdin",
                "-loglevel",
                "error",
                "-y",
                "-i",
                str(output),
                "-frames:v",
                "1",
                str(poster),
            ],
            capture_output=True,
            timeout=60,
            check=False,
        )
        out_probe = _probe(output)
        out_video = next(
            s for s in out_probe.get("streams", []) if isinstance(s, dict) and s.get("codec_type") == "video"
        )
        out_width, out_height = int(out_video["width"]), int(out_video["height"])
        renditions = [Rendition("original", output.read_bytes(), "video/mp4", "mp4", out_width, out_height)]
        hash_value = ""
        if poster.exists():
            with Image.open(poster) as frame:
                frame.load()
                clean = _clean_pixels(frame)
            still = _fit(clean, SMALL_SIZE * 2)
            data, content_type, extension = _encode_still(still)
            renditions.append(Rendition("poster", data, content_type, extension, still.width, still.height))
            hash_value = compute_blurhash(clean)
    return Processed(
        kind="video",
        width=out_width,
        height=out_height,
        renditions=renditions,
        blurhash=hash_value,
        duration=duration or None,
    )
