#!/usr/bin/python3
"""Writes the seed corpora under fuzz/corpus/<target>/ from real inputs.

Images are cut down from Debian's darknet and OpenCV sample photographs with python3-opencv; the
multipart bodies are what curl really sends (captured on a local socket); EXIF payloads are the
APP1 segments of OpenCV's sample photographs. Run with Debian's Python: /usr/bin/python3
fuzz/make_corpus.py (it replaces the seed files it writes, nothing else).
"""
import os
import socket
import struct
import subprocess
import sys
import tempfile
import threading

import cv2

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
ROOT = os.path.dirname(HERE)
DARKNET = "/usr/share/darknet/data"
OPENCV = "/usr/share/doc/opencv-doc/examples"


def write(target, name, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def segments(jpeg):
    """(marker, payload) of each JPEG segment up to the first scan."""
    i, out = 2, []
    while i + 4 <= len(jpeg) and jpeg[i] == 0xFF:
        marker = jpeg[i + 1]
        length = struct.unpack(">H", jpeg[i + 2:i + 4])[0]
        out.append((marker, jpeg[i + 4:i + 2 + length]))
        if marker == 0xDA:
            break
        i += 2 + length
    return out


def with_app1(jpeg, payload):
    """The JPEG with an APP1 segment holding `payload` right after SOI."""
    return jpeg[:2] + b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload + jpeg[2:]


def set_orientation(exif, value):
    """The EXIF payload with its (big-endian, first IFD) orientation tag set to `value`."""
    at = exif.index(b"\x01\x12\x00\x03\x00\x00\x00\x01")
    return exif[:at + 8] + struct.pack(">H", value) + exif[at + 10:]


def small(path, width):
    img = cv2.imread(path)
    h = max(1, round(img.shape[0] * width / img.shape[1]))
    return cv2.resize(img, (width, h), interpolation=cv2.INTER_AREA)


def encode(ext, img, params=()):
    ok, buf = cv2.imencode(ext, img, list(params))
    assert ok, ext
    return buf.tobytes()


def curl_requests(jpeg):
    """Raw requests (Content-Type line + "\\n" + body) curl sends for the documented uploads."""
    with tempfile.TemporaryDirectory() as tmp:
        photo = os.path.join(tmp, "shelf.jpg")
        with open(photo, "wb") as f:
            f.write(jpeg)
        forms = [
            ["-F", f"file=@{photo}", "-F", "shelf_location=A1", "-F", "store=north"],
            ["-F", f"file=@{photo};type=image/jpeg;filename=aisle \"3\".jpg",
             "-F", "captured_at=2026-11-28T07:20:00Z"],
            ["-F", "shelf_location=B2"],
        ]
        out = []
        for args in forms:
            srv = socket.socket()
            srv.bind(("127.0.0.1", 0))
            srv.listen(1)
            got = []

            def serve():
                conn, _ = srv.accept()
                data = b""
                while b"\r\n\r\n" not in data:
                    data += conn.recv(65536)
                head, body = data.split(b"\r\n\r\n", 1)
                length = int([l for l in head.split(b"\r\n")
                              if l.lower().startswith(b"content-length:")][0].split(b":")[1])
                while len(body) < length:
                    body += conn.recv(65536)
                conn.sendall(b"HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n")
                conn.close()
                ctype = [l for l in head.split(b"\r\n") if l.lower().startswith(b"content-type:")]
                got.append(ctype[0].split(b":", 1)[1].strip() + b"\n" + body)

            t = threading.Thread(target=serve)
            t.start()
            port = srv.getsockname()[1]
            subprocess.run(["curl", "-s", "-o", "/dev/null", *args,
                            f"http://127.0.0.1:{port}/api/detect"], check=True)
            t.join()
            srv.close()
            out.append(got[0])
        return out


def main():
    jpeg = encode(".jpg", small(f"{DARKNET}/dog.jpg", 48), [cv2.IMWRITE_JPEG_QUALITY, 60])
    plant = open(f"{OPENCV}/alphamat/input_images/plant.jpg", "rb").read()
    exif = [p for m, p in segments(plant) if m == 0xE1 and p.startswith(b"Exif\0\0")][0]

    # Image probing: one small real file per format, EXIF-rotated and truncated JPEGs.
    write("image_probe", "dog.jpg", jpeg)
    write("image_probe", "dog-exif-6.jpg", with_app1(jpeg, set_orientation(exif, 6)))
    write("image_probe", "dog-progressive.jpg",
          encode(".jpg", small(f"{DARKNET}/dog.jpg", 40), [cv2.IMWRITE_JPEG_PROGRESSIVE, 1]))
    write("image_probe", "dog-truncated.jpg", jpeg[: len(jpeg) * 2 // 3])
    write("image_probe", "eagle.png", encode(".png", small(f"{DARKNET}/eagle.jpg", 24)))
    write("image_probe", "horses.webp", encode(".webp", small(f"{DARKNET}/horses.jpg", 24)))
    write("image_probe", "horses-lossless.webp",
          encode(".webp", small(f"{DARKNET}/horses.jpg", 12), [cv2.IMWRITE_WEBP_QUALITY, 101]))
    write("image_probe", "kite.bmp", encode(".bmp", small(f"{DARKNET}/kite.jpg", 8)))

    # EXIF: APP1 payloads as found in photographs.
    write("exif", "plant-mm-1", exif)
    write("exif", "plant-mm-6", set_orientation(exif, 6))
    write("exif", "plant-mm-8", set_orientation(exif, 8))
    text = open(f"{OPENCV}/text/scenetext05.jpg", "rb").read()
    write("exif", "scenetext05", [p for m, p in segments(text) if m == 0xE1][0][:1024])

    # Multipart bodies exactly as curl sends them.
    for i, req in enumerate(curl_requests(jpeg)):
        write("multipart", f"curl-{i}", req)

    # Class names: labels files and ONNX "names" literals (Ultralytics writes a dict).
    coco = [l.strip() for l in open(f"{ROOT}/models/coco.names") if l.strip()]
    write("class_names", "coco.names", "\n".join(coco) + "\n")
    write("class_names", "voc-crlf.names",
          "\r\n".join(l.strip() for l in open(f"{DARKNET}/voc.names") if l.strip()) + "\r\n")
    write("class_names", "ultralytics-dict",
          "{" + ", ".join(f"{i}: '{n}'" for i, n in enumerate(coco[:12])) + "}")
    write("class_names", "list-literal", "[" + ", ".join(f"'{n}'" for n in coco[:6]) + "]")
    write("class_names", "dict-escapes", "{1: \"it's\", 0: 'tab\\there', 2: 'a\\\\b'}")

    # Query strings and request targets the API serves.
    for name, target in {
        "detections": "/api/detections?store=north&shelf_location=A1&start=2026-11-28T00:00:00Z"
                      "&end=2026-11-29&min_confidence=0.5&limit=50",
        "detections-cursor": "/api/detections?sku=cola%2033cl&cursor=eyJ0IjoxMjN9&format=csv",
        "scans": "/api/scans?store=&shelf_location=A%2F1&limit=10&cursor=MTIz",
        "activity": "/api/activity?granularity=day&class_name=bottle+glass",
        "planograms": "/api/planograms?planogram_name=Summer%20drinks&sku=SKU-1",
        "image": "/api/scans/12/image",
        "detect": "/api/detect?shelf_location=A1&store=north&captured_at=2026-11-28T07%3A20%3A00Z",
    }.items():
        write("query", name, target)

    # Timestamps in every accepted shape, and near the edges.
    for i, t in enumerate(["2026-11-28", "2026-11-28T07:20", "2026-11-28T07:20:00Z",
                           "2026-11-28T07:20:00.123Z", "2026-11-28 07:20:00,5+01:00",
                           "2026-11-28T07:20:00-05:30", "2024-02-29T23:59:60.999999z",
                           "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.999Z"]):
        write("time", f"t{i}", t)

    # JSON bodies of the POST routes.
    write("json_body", "planogram", '{"planogram_name": "Summer drinks", "sku": "SKU-1", '
          '"product_name": "Cola 33cl", "shelf_location": "A1", "expected_count": 12, '
          '"x_position": 0.25, "y_position": null, "meta_data": {"aisle": 3}}')
    write("json_body", "product", '{"class_name": "bottle", "sku": "SKU-7", '
          '"product_name": "Water", "brand": "Spring"}')
    write("json_body", "model", '{"version_name": "nanodet-416-v2", "model_type": "nanodet", '
          '"model_path": "models/nanodet-416.onnx", "base_model": "nanodet-m", '
          '"training_date": "2026-11-01T12:00:00Z", "epochs": 300, '
          '"dataset_path": "/data/shelves", "is_active": true}')
    write("json_body", "metrics", '{"map50": 0.61, "map50_95": 0.42, "precision": 0.7, '
          '"recall": 0.55, "f1_score": 0.62, "inference_time_ms": 48.5, '
          '"test_dataset_path": "/data/test", "num_test_images": 500, '
          '"evaluation_date": "2026-11-20"}')

    # Live upgrade requests: target, Origin ("-" for none), Host, allowed origins.
    for name, lines in {
        "same-host": ["/api/live?after=42", "http://localhost:8000", "localhost:8000"],
        "no-origin": ["/api/live", "-", "127.0.0.1:8000"],
        "allow-list": ["/api/live?after=0&x=1", "https://dash.example", "api.example",
                       "https://dash.example", "http://localhost:5173/"],
        "ipv6": ["/api/live?after=9223372036854775807", "http://[::1]:8000", "[::1]:8000"],
        "bad-after": ["/api/live?after=-1", "null", "localhost"],
    }.items():
        write("live_request", name, "\n".join(lines) + "\n")


if __name__ == "__main__":
    sys.exit(main())
