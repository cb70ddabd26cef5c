"""Uploaded files kept server-side between preview and confirm, under INSTANCE_DIR/imports.

Each upload has a random token; its metadata (owner, community, file name, preview, result) is a JSON
file beside it. Only the account that uploaded may use the token. Files older than two days go.
"""
import json
import re
import secrets
import time
from pathlib import Path
from typing import Optional

from flask import current_app

TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")
KEEP_SECONDS = 2 * 24 * 3600


def imports_dir() -> Path:
    path = Path(current_app.config.get("IMPORTS_DIR")
                or Path(current_app.config["INSTANCE_DIR"]) / "imports")
    path.mkdir(parents=True, exist_ok=True)
    return path


class Upload:
    def __init__(self, token: str, meta: dict):
        self.token, self.meta = token, meta

    def path(self, suffix: str) -> Path:
        return imports_dir() / f"{self.token}.{suffix}"

    @property
    def data_path(self) -> Path:
        return self.path("upload")

    @property
    def error_path(self) -> Path:
        return self.path("errors.xlsx")

    def save(self) -> None:
        self.path("json").write_text(json.dumps(self.meta, ensure_ascii=False, default=str))

    @property
    def job_id(self) -> Optional[int]:
        """The background job importing this upload (kept apart from the metadata the job
        itself rewrites)."""
        path = self.path("job")
        return int(path.read_text()) if path.exists() else None

    @job_id.setter
    def job_id(self, value: int) -> None:
        self.path("job").write_text(str(value))

    def discard(self) -> None:
        for suffix in ("upload", "json", "errors.xlsx", "job"):
            self.path(suffix).unlink(missing_ok=True)

    @classmethod
    def create(cls, data: bytes, file_name: str, user_id: int, community_id: int) -> "Upload":
        _purge_old()
        upload = cls(secrets.token_urlsafe(16), {
            "user_id": user_id, "community_id": community_id, "file_name": file_name,
            "created": time.time()})
        upload.data_path.write_bytes(data)
        upload.save()
        return upload

    @classmethod
    def find(cls, token: str, user_id: Optional[int]) -> Optional["Upload"]:
        """The upload with this token if it belongs to ``user_id``."""
        if not TOKEN.fullmatch(token or ""):
            return None
        meta_path = imports_dir() / f"{token}.json"
        if not meta_path.exists():
            return None
        meta = json.loads(meta_path.read_text())
        return cls(token, meta) if user_id is not None and meta["user_id"] == user_id else None


def _purge_old() -> None:
    limit = time.time() - KEEP_SECONDS
    for path in imports_dir().iterdir():
        if path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
