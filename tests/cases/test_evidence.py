"""Evidence: photos decoded and re-encoded without metadata, PDFs checked, downloads inert."""

import hashlib
import io
import struct
import zlib
from urllib.parse import quote

import pytest
from PIL import Image

from tests.images import GPS_IFD, MAKE, ORIENTATION, jpeg_with_gps, png

POLYGLOT = b"\xff\xd8\xff\xe0" + b"<html><script>alert(document.cookie)</script></html>"
PDF = (
    b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n%%EOF\n"
)


@pytest.fixture
def case_id(make_case) -> int:
    return make_case().id


@pytest.fixture
def upload(client, tokens, case_id):
    """Uploads a file as the command centre: upload(name, bytes, lang=…) → the response."""

    def send(name: str, data: bytes, lang: str = "zh"):
        return client.post(
            f"/api/v1/cases/{case_id}/evidence?lang={lang}",
            headers={"Authorization": f"Bearer {tokens['command']}"},
            files={"file": (name, io.BytesIO(data), "image/jpeg")},
        )

    return send


@pytest.fixture
def download(client, tokens, case_id):
    def fetch(evidence_id: int):
        response = client.get(
            f"/api/v1/cases/{case_id}/evidence/{evidence_id}",
            headers={"Authorization": f"Bearer {tokens['command']}"},
        )
        assert response.status_code == 200, response.text
        return response

    return fetch


def listed(client, tokens, case_id) -> list[dict]:
    response = client.get(
        f"/api/v1/cases/{case_id}/evidence",
        headers={"Authorization": f"Bearer {tokens['command']}"},
    )
    return response.json()


def png_claiming(width: int, height: int) -> bytes:
    """Returns a tiny PNG whose header claims these dimensions (a decompression bomb's shape)."""
    data = bytearray(png(1, 1))
    header = b"IHDR" + struct.pack(">II", width, height) + bytes(data[24:29])
    data[12:29] = header
    data[29:33] = struct.pack(">I", zlib.crc32(header))
    return bytes(data)


def test_a_jpeg_prefixed_html_file_is_refused(client, tokens, case_id, upload) -> None:
    refused = upload("photo.jpg", POLYGLOT)
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == (
        "文件不是有效的 JPEG 图片：无法解码（文件可能已损坏或伪装成图片）"
    )
    english = upload("photo.jpg", POLYGLOT, lang="en")
    assert english.json()["error"]["message"].startswith("the file is not a valid JPEG image")
    assert listed(client, tokens, case_id) == []  # nothing kept


def test_a_truncated_photo_is_refused(upload) -> None:
    whole = jpeg_with_gps(400, 300)
    assert upload("cut.jpg", whole[: len(whole) // 2]).status_code == 422


def test_a_photo_comes_back_without_its_exif_and_gps(client, tokens, case_id, upload, download):
    original = jpeg_with_gps()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(GPS_IFD)  # it had a position
    response = upload("现场照片.jpg", original)
    assert response.status_code == 201, response.text
    body = response.json()
    served = download(body["id"])
    kept = served.content
    assert body["sha256"] == hashlib.sha256(kept).hexdigest()
    assert kept != original  # what is kept is the re-encoded photo
    assert body["size"] == len(kept) and body["content_type"] == "image/jpeg"
    image = Image.open(io.BytesIO(kept))
    image.load()
    assert image.format == "JPEG" and image.size == (40, 20)
    exif = image.getexif()
    assert not exif.get_ifd(GPS_IFD) and MAKE not in exif and len(exif) == 0
    assert b"Exif" not in kept and b"PhoneMaker" not in kept and b"Citizen Phone" not in kept
    assert served.headers["content-type"] == "image/jpeg"
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-security-policy"] == "sandbox; default-src 'none'"
    assert served.headers["content-disposition"] == (
        f"inline; filename=\"____.jpg\"; filename*=UTF-8''{quote('现场照片.jpg')}"
    )


def test_a_turned_photo_is_turned_before_its_exif_is_dropped(upload, download) -> None:
    # Orientation 6: the camera was held on its side; viewers turn it 90° clockwise.
    response = upload("side.jpg", jpeg_with_gps(40, 20, orientation=6))
    image = Image.open(io.BytesIO(download(response.json()["id"]).content))
    assert image.size == (20, 40)
    assert ORIENTATION not in image.getexif()
    assert image.getpixel((10, 5))[2] < 60  # the dark half is now on top
    assert image.getpixel((10, 35))[2] > 150


def test_a_png_is_kept_as_a_png(upload, download) -> None:
    response = upload("map.png", png(8, 6))
    assert response.status_code == 201 and response.json()["content_type"] == "image/png"
    served = download(response.json()["id"])
    assert Image.open(io.BytesIO(served.content)).size == (8, 6)
    assert served.headers["content-disposition"].startswith('inline; filename="map.png"')


@pytest.mark.parametrize(("width", "height"), [(8_000, 8_000), (30_000, 30_000)])
def test_a_decompression_bomb_is_refused(upload, width: int, height: int) -> None:
    refused = upload("bomb.png", png_claiming(width, height), lang="en")
    assert refused.status_code == 422
    assert refused.json()["error"]["message"].startswith("the image has too many pixels")
    assert "像素过多" in upload("bomb.png", png_claiming(width, height)).text


def test_a_pdf_downloads_as_an_attachment(upload, download) -> None:
    response = upload("report.html", PDF)  # whatever it is named, it is saved as a PDF
    assert response.status_code == 201, response.text
    assert response.json()["content_type"] == "application/pdf"
    served = download(response.json()["id"])
    assert served.content == PDF
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["content-disposition"] == (
        "attachment; filename=\"report.pdf\"; filename*=UTF-8''report.pdf"
    )
    assert served.headers["x-content-type-options"] == "nosniff"
    assert served.headers["content-security-policy"] == "sandbox; default-src 'none'"


def test_a_pdf_without_its_end_is_refused(upload) -> None:
    refused = upload("half.pdf", PDF[:40], lang="en")
    assert refused.status_code == 422
    assert refused.json()["error"]["message"] == "the PDF file is incomplete or damaged"
