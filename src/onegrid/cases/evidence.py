"""Evidence files: photos decoded and encoded again without their metadata, PDFs checked.

What is kept is what was re-encoded, under its SHA-256; the audit record names the hash of the
bytes received as well. A photo's EXIF (a citizen's GPS position, the phone's serial) is dropped,
its orientation applied first. Files are served so that a browser never runs them as a page.
"""

import hashlib
import io
import os
import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy.orm import Session

from onegrid.audit import service as audit
from onegrid.cases.models import Case, Evidence
from onegrid.config import get_settings
from onegrid.core.errors import Invalid
from onegrid.core.permissions import Principal
from onegrid.db.base import utcnow

# More pixels than this would take hundreds of megabytes to decode (a decompression bomb);
# a 48-megapixel phone's full-size photo is under it.
MAX_PIXELS = 50_000_000
PDF = "application/pdf"
_IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
_EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", PDF: ".pdf"}
# Judged by the file's first bytes, not by its name or the type the client claims.
_SIGNATURES = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"%PDF-", PDF),
)
_DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)


def sniff(data: bytes) -> str | None:
    """Returns the content type the bytes claim to be (JPEG, PNG, WebP, PDF), or None."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return next((kind for magic, kind in _SIGNATURES if data.startswith(magic)), None)


@dataclass(frozen=True)
class Upload:
    """A checked file, ready to keep: the bytes to store and the hash of those received."""

    filename: str
    content_type: str
    data: bytes
    received_sha256: str


def _too_large() -> Invalid:
    return Invalid(
        f"图片像素过多（上限 {MAX_PIXELS // 1_000_000} 百万像素），请缩小后再上传",
        f"the image has too many pixels (at most {MAX_PIXELS // 1_000_000} megapixels); "
        "make it smaller and upload it again",
    )


def _undecodable(kind: str) -> Invalid:
    name = kind.removeprefix("image/").upper()
    return Invalid(
        f"文件不是有效的 {name} 图片：无法解码（文件可能已损坏或伪装成图片）",
        f"the file is not a valid {name} image: it does not decode (damaged, or not an image)",
    )


def _clean(image: Image.Image, fmt: str) -> Image.Image:
    # A new image holds the pixels only: nothing of the original's info (EXIF, XMP, ICC,
    # comments) can ride along into the encoder.
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    if fmt == "JPEG":
        mode = "L" if image.mode in ("1", "L") else "RGB"
    else:
        mode = "RGBA" if has_alpha else ("L" if image.mode in ("1", "L") else "RGB")
    pixels = image.convert(mode)
    clean = Image.new(mode, pixels.size)
    clean.paste(pixels)
    return clean


def _upright(image: Image.Image) -> Image.Image:
    # The orientation lives in the EXIF about to be dropped: applied to the pixels first.
    try:
        return ImageOps.exif_transpose(image)
    except _DECODE_ERRORS:
        return image  # an unreadable EXIF block: the pixels as they are


def reencode(data: bytes, kind: str) -> tuple[bytes, str]:
    """Returns the image decoded fully and encoded again without metadata, and its type."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data), formats=list(_IMAGE_FORMATS)) as image:
                fmt = image.format or ""
                if _IMAGE_FORMATS.get(fmt) != kind:
                    raise _undecodable(kind)
                width, height = image.size
                if width * height > MAX_PIXELS:
                    raise _too_large()
                image.load()
                clean = _clean(_upright(image), fmt)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _too_large() from None
    except _DECODE_ERRORS:
        raise _undecodable(kind) from None
    out = io.BytesIO()
    if fmt == "PNG":
        clean.save(out, "PNG")
    else:
        clean.save(out, fmt, quality=90)
    return out.getvalue(), kind


def _check_pdf(data: bytes) -> None:
    # A minimal check of structure: a header, and the end-of-file marker in the last kilobyte.
    if not data.startswith(b"%PDF-") or b"%%EOF" not in data[-1024:]:
        raise Invalid("PDF 文件不完整或已损坏", "the PDF file is incomplete or damaged")


def prepare(*, filename: str, data: bytes) -> Upload:
    """Checks a file (and re-encodes a photo), or raises Invalid naming what is wrong."""
    limit = get_settings().evidence_max_bytes
    if not data:
        raise Invalid("文件为空", "the file is empty")
    if len(data) > limit:
        raise Invalid(
            f"文件超过 {limit // 1_000_000} MB 上限",
            f"the file is over the {limit // 1_000_000} MB limit",
        )
    kind = sniff(data)
    if kind is None:
        raise Invalid(
            "只接受 JPEG、PNG、WebP 图片或 PDF 文件",
            "only JPEG, PNG or WebP images and PDF files are accepted",
        )
    if kind == PDF:
        _check_pdf(data)
        kept = data
    else:
        kept, kind = reencode(data, kind)
    name = Path(filename or "evidence").name[:200] or "evidence"
    return Upload(name, kind, kept, hashlib.sha256(data).hexdigest())


def path_for(sha256: str) -> Path:
    """Returns where the file with this hash is kept."""
    return Path(get_settings().evidence_dir) / sha256[:2] / sha256


def keep(upload: Upload) -> str:
    """Writes a prepared file where its hash says (if it is not there yet); returns the hash.

    A file no case names is harmless: a report's photos are kept before its case is written,
    outside the write lock."""
    digest = hashlib.sha256(upload.data).hexdigest()
    target = path_for(digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".part")
        with open(partial, "wb") as handle:
            handle.write(upload.data)
            handle.flush()
            os.fsync(handle.fileno())  # on disk before the case says it has it
        partial.replace(target)
    return digest


def store(*, session: Session, case: Case, upload: Upload, who: Principal) -> Evidence:
    """Keeps a prepared file for the case and records it in the audit log."""
    digest = keep(upload)
    row = Evidence(
        district_code=case.district_code,
        case_id=case.id,
        filename=upload.filename,
        content_type=upload.content_type,
        size=len(upload.data),
        sha256=digest,
        uploaded_at=utcnow(),
        uploaded_by=who.username,
    )
    session.add(row)
    session.flush()
    audit.record_by(
        session=session,
        who=who,
        district_code=case.district_code,
        action="case.evidence",
        object_type="case",
        object_id=case.receipt,
        detail={
            "evidence": row.id,
            "sha256": digest,
            "size": len(upload.data),
            "type": upload.content_type,
            "received_sha256": upload.received_sha256,
        },
    )
    return row


def read(evidence: Evidence) -> bytes:
    """Returns the bytes of a stored evidence file."""
    return path_for(evidence.sha256).read_bytes()


def download_name(evidence: Evidence) -> str:
    """Returns the name to save the file under: its own, with the extension its type has."""
    stem = Path(evidence.filename).stem.lstrip(".").strip() or "evidence"
    return stem + _EXTENSIONS.get(evidence.content_type, ".bin")


def content_disposition(disposition: str, filename: str) -> str:
    """Returns a Content-Disposition value with an ASCII filename and the UTF-8 one (RFC 6266)."""
    fallback = re.sub(r"[^A-Za-z0-9._-]", "_", filename)
    encoded = quote(filename, safe="")
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{encoded}"


def download_headers(evidence: Evidence) -> dict[str, str]:
    """Returns the headers a download is served with: never sniffed, never run as a page."""
    image = evidence.content_type in _IMAGE_FORMATS.values()
    return {
        "Content-Disposition": content_disposition(
            "inline" if image else "attachment", download_name(evidence)
        ),
        "X-Content-Type-Options": "nosniff",
        # Even opened directly, the file is a sandboxed document that may load nothing.
        "Content-Security-Policy": "sandbox; default-src 'none'",
        "Cache-Control": "private, no-store",
    }
