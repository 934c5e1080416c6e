"""Real image files for the tests, made with Pillow: evidence is decoded, so fakes are refused."""

import io

from PIL import Image

# EXIF tags: Make, Model, Orientation, and the GPS block with its latitude and longitude.
MAKE, MODEL, ORIENTATION, GPS_IFD = 0x010F, 0x0110, 0x0112, 0x8825
GPS_LATITUDE_REF, GPS_LATITUDE, GPS_LONGITUDE_REF, GPS_LONGITUDE = 1, 2, 3, 4


def png(width: int = 4, height: int = 3, color=(200, 30, 30)) -> bytes:
    """Returns a small, valid PNG."""
    out = io.BytesIO()
    Image.new("RGB", (width, height), color).save(out, "PNG")
    return out.getvalue()


def jpeg_with_gps(width: int = 40, height: int = 20, orientation: int = 1) -> bytes:
    """Returns a JPEG carrying EXIF: the camera, an orientation and a GPS position in 沈阳."""
    image = Image.new("RGB", (width, height), (30, 120, 200))
    # The left half dark: shows which way the picture was turned.
    image.paste((0, 0, 0), (0, 0, width // 2, height))
    exif = Image.Exif()
    exif[MAKE] = "PhoneMaker"
    exif[MODEL] = "Citizen Phone 12"
    exif[ORIENTATION] = orientation
    exif.get_ifd(GPS_IFD).update(
        {
            GPS_LATITUDE_REF: "N",
            GPS_LATITUDE: (41.0, 48.0, 30.5),
            GPS_LONGITUDE_REF: "E",
            GPS_LONGITUDE: (123.0, 25.0, 10.25),
        }
    )
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif, quality=95)
    return out.getvalue()
