"""Buttons above a list (导入, 导出Excel …), declared by views in ``toolbar``."""
from dataclasses import dataclass


@dataclass(frozen=True)
class ToolbarButton:
    """A button above a list, shown to accounts holding ``permission`` (permission name, view
    menu). ``method="post"`` makes it a form posting the list's query string with a CSRF token;
    ``options`` ((value, label), …) add a dropdown posting ``preset=value``."""

    label: str
    endpoint: str
    permission: tuple
    icon: str = ""
    method: str = "get"
    options: tuple = ()
