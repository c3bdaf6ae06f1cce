#!/usr/bin/python3
"""Records what Pillow decodes, as the reference for decode.test.ts.

Run with Debian's python3-pil (apt-get install python3-pil): /usr/bin/python3 record.py
It writes the small images in this folder and pillow.json: for each image, Pillow's version and
Image.open(path).convert("RGB").tobytes(), which is what Keras' load_img(color_mode="rgb")
hands to the model (no EXIF rotation).
"""
import base64
import io
import json
import os

import PIL
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
W, H = 12, 8


def pattern(channels, scale=1, offset=0):
    """Smooth gradients plus a hard edge, so that JPEG's DCT and chroma upsampling both matter."""
    out = []
    for y in range(H):
        for x in range(W):
            edge = 90 if x >= W // 2 else 0
            px = [(x * 19 + y * 7 + edge) % 256, (y * 29 + 40 + edge) % 256, (x * y * 5 + 200 - edge) % 256, (x * 11 + y * 3) % 256]
            out.extend(v * scale + offset for v in px[:channels])
    return out


def save(name, image, **kwargs):
    image.save(os.path.join(HERE, name), **kwargs)


def main():
    rgb = Image.frombytes("RGB", (W, H), bytes(pattern(3)))
    save("rgb-q90.jpg", rgb, quality=90)
    save("rgb-q75-420.jpg", rgb, quality=75, subsampling=2)
    save("gray.jpg", rgb.convert("L"), quality=90)
    cmyk = Image.frombytes("CMYK", (W, H), bytes(pattern(4)))
    # Pillow writes Adobe-style inverted CMYK JPEGs, as Photoshop does.
    save("cmyk.jpg", cmyk, quality=95)
    # 16-bit PNGs: values spread over the whole 16-bit range, low bytes not zero.
    gray16 = Image.new("I;16", (W, H))
    gray16.putdata([v * 257 + (v % 7) for v in pattern(1)])
    save("gray16.png", gray16)
    rgb16 = bytearray()
    for v in pattern(3):
        rgb16 += (v * 257 + (v % 5)).to_bytes(2, "big")
    save_rgb16_png("rgb16.png", bytes(rgb16))
    ppm = b"P6\n# 10-bit samples\n%d %d\n1023\n" % (W, H) + b"".join((v * 4 + 1).to_bytes(2, "big") for v in pattern(3))
    with open(os.path.join(HERE, "rgb10.ppm"), "wb") as f:
        f.write(ppm)
    save("rgb.ppm", rgb)

    record = {"pillow": PIL.__version__, "images": {}}
    for name in sorted(os.listdir(HERE)):
        if name.endswith((".jpg", ".png", ".ppm")):
            with Image.open(os.path.join(HERE, name)) as image:
                record["images"][name] = {
                    "mode": image.mode,
                    "size": list(image.size),
                    "rgb": base64.b64encode(image.convert("RGB").tobytes()).decode("ascii"),
                }
    with open(os.path.join(HERE, "pillow.json"), "w") as f:
        json.dump(record, f, indent=1, sort_keys=True)
        f.write("\n")


def save_rgb16_png(name, big_endian_samples):
    """Pillow cannot write 48-bit RGB PNGs, so this one is assembled by hand (zlib + CRCs)."""
    import struct
    import zlib

    raw = b"".join(b"\x00" + big_endian_samples[y * W * 6 : (y + 1) * W * 6] for y in range(H))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", W, H, 16, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b"")
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
