"""Screenshots attached to 问题反馈: checked by content (not by name), size-limited, stored under
FEEDBACK_DIR with a random name; the database keeps only that name."""
import uuid
from pathlib import Path
from typing import Optional

from flask import current_app

# Image types accepted, recognised by their first bytes: (signature test, extension, MIME type).
IMAGE_TYPES = (
    (lambda head: head.startswith(b"\x89PNG\r\n\x1a\n"), "png", "image/png"),
    (lambda head: head.startswith(b"\xff\xd8\xff"), "jpg", "image/jpeg"),
    (lambda head: head[:6] in (b"GIF87a", b"GIF89a"), "gif", "image/gif"),
    (lambda head: head[:4] == b"RIFF" and head[8:12] == b"WEBP", "webp", "image/webp"),
)
MIME_TYPES = {ext: mime for _test, ext, mime in IMAGE_TYPES}


def screenshot_dir() -> Path:
    path = Path(current_app.config["FEEDBACK_DIR"])
    path.mkdir(parents=True, exist_ok=True)
    return path


def screenshot_problem(upload) -> Optional[str]:
    """Why an uploaded file is refused (Chinese), or None when it is an acceptable image."""
    limit = current_app.config["FEEDBACK_MAX_BYTES"]
    upload.stream.seek(0, 2)
    size = upload.stream.tell()
    upload.stream.seek(0)
    if size > limit:
        return f"截图过大：{size / 1048576:.1f} MB，最大 {limit / 1048576:.0f} MB"
    if _extension(upload) is None:
        return "截图只接受 PNG、JPEG、GIF 或 WebP 图片"
    return None


def save_screenshot(upload) -> str:
    """Store a checked upload; returns the stored file name."""
    name = f"{uuid.uuid4().hex}.{_extension(upload)}"
    upload.save(screenshot_dir() / name)
    return name


def screenshot_path(name: str) -> Optional[Path]:
    """The stored file for a name from the database (never a path from the request)."""
    path = screenshot_dir() / Path(name).name
    return path if path.is_file() else None


def _extension(upload) -> Optional[str]:
    head = upload.stream.read(16)
    upload.stream.seek(0)
    return next((ext for test, ext, _mime in IMAGE_TYPES if test(head)), None)
