"""Which fields each surface shows, once per model (the facts of each field live on the model column).

Views, the API, export and import all read these sets; labels come from the columns' ``info``.
"""
from dataclasses import dataclass, field
from typing import Optional

from sqlalchemy import inspect


@dataclass(frozen=True)
class ColumnSet:
    list: tuple
    search: tuple
    form: tuple
    show: tuple = ()
    export: tuple = ()
    key: Optional[str] = None  # natural key for import upserts
    order: tuple = ("id", "asc")
    eager: tuple = ()  # many-to-one relations shown in lists, loaded in the same query
    readonly_on_edit: tuple = field(default=())
    edit: tuple = ()  # an edit form different from the add form (default: form)

    def show_columns(self) -> tuple:
        """Declared ``show``, else the form's fields, else (a read-only log) the list's."""
        return self.show or self.form or self.list

    def export_columns(self) -> tuple:
        return self.export or self.show_columns()


@dataclass(frozen=True)
class ImportSpec:
    """Columns of a spreadsheet import of residents with their households, in template order.

    Each name is a form field of its model; headers are the fields' labels (plus ``aliases``).
    ``derived`` may be left empty (filled from the ID number); ``check`` columns are not stored
    but must agree with the import (所属社区 must name the community being imported into).
    """

    household: tuple
    resident: tuple
    household_key: str
    resident_key: str
    check: tuple = ()
    derived: tuple = ()
    aliases: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)  # template notes beyond what the column type says


def column_info(model, name: str) -> dict:
    """The ``info`` of a column, relationship or dotted path (``household.household_no``)."""
    mapper = inspect(model)
    head, _, rest = name.partition(".")
    if rest and head in mapper.relationships:
        return column_info(mapper.relationships[head].mapper.class_, rest)
    prop = mapper.attrs.get(head) if head in mapper.attrs else None
    if prop is None:
        return {}
    return getattr(prop, "columns", [prop])[0].info if hasattr(prop, "columns") else prop.info


def label_of(model, name: str) -> str:
    return column_info(model, name).get("label", name)


RESIDENT_COLUMNS = ColumnSet(
    list=("name", "id_card_no", "sex", "birth_date", "ethnic", "relation", "household",
          "community", "residence_status", "status"),
    search=("name", "id_card_no", "sex", "birth_date", "ethnic", "residence_status",
            "status", "phone", "community", "education", "special_groups"),
    form=("name", "id_card_no", "sex", "birth_date", "ethnic", "household", "relation",
          "hukou_nature", "hukou_address", "residence_status", "education", "marital",
          "political", "employment", "phone", "special_groups", "status", "status_date",
          "status_reason", "notes"),
    show=("name", "id_card_no", "id_card_original", "sex", "birth_date", "ethnic", "household",
          "relation", "community", "hukou_nature", "hukou_address", "residence_status",
          "education", "marital", "political", "employment", "phone", "special_groups",
          "status", "status_date", "status_reason", "notes", "created_on", "changed_on"),
    key="id_card_no",
    eager=("household", "community"),
)

HOUSEHOLD_COLUMNS = ColumnSet(
    list=("household_no", "household_type", "estate", "building", "unit", "door", "community",
          "phone", "status"),
    search=("household_no", "household_type", "estate", "status", "community"),
    form=("household_no", "household_type", "community", "estate", "building", "unit", "door",
          "floor_area", "rooms", "phone", "status", "status_date", "status_reason", "notes"),
    show=("household_no", "household_type", "community", "estate", "building", "unit", "door",
          "floor_area", "rooms", "phone", "status", "status_date", "status_reason", "notes",
          "created_on", "changed_on"),
    key="household_no",
    eager=("community",),
)

ORGANISATION_COLUMNS = ColumnSet(
    list=("code", "name", "level", "parent", "unit_type", "active"),
    search=("code", "name", "level", "unit_type", "active", "parent"),
    form=("code", "name", "level", "parent", "unit_type", "ur_code", "active"),
    key="code",
    order=("code", "asc"),
    eager=("parent",),
    readonly_on_edit=("code",),
)

CODE_ITEM_COLUMNS = ColumnSet(
    list=("table", "code", "name", "sort_order", "active"),
    search=("table", "code", "name", "active"),
    form=("name", "sort_order", "active"),
    show=("table", "code", "name", "sort_order", "active"),
    key="code",
    order=("sort_order", "asc"),
)

LOGIN_EVENT_COLUMNS = ColumnSet(
    list=("created_on", "kind", "username", "organisation", "address", "user_agent", "detail"),
    search=("created_on", "kind", "username", "address", "user_agent", "detail"),
    form=(),
    show=("created_on", "kind", "username", "user", "organisation", "address", "user_agent",
          "detail"),
    order=("created_on", "desc"),
    eager=("organisation",),
)

POST_COLUMNS = ColumnSet(
    list=("level", "name", "quota", "role_name", "sort_order"),
    search=("level", "name"),
    form=("quota", "role_name", "sort_order"),
    show=("level", "name", "quota", "role_name", "sort_order"),
    key="name",
)

QUOTA_OVERRIDE_COLUMNS = ColumnSet(
    list=("organisation", "post", "quota"),
    search=("organisation", "post"),
    form=("organisation", "post", "quota"),
    eager=("organisation", "post"),
)

COMMUNITY_TARGET_COLUMNS = ColumnSet(
    list=("community", "residents", "households", "changed_on"),
    search=("community",),
    form=("community", "residents", "households"),
    order=("community_id", "asc"),
    eager=("community",),
)

TRAINING_COLUMNS = ColumnSet(
    list=("trained_on", "organisation", "account", "person_name", "course"),
    search=("organisation", "course", "trained_on", "person_name"),
    form=("organisation", "account", "person_name", "course", "trained_on", "notes"),
    order=("trained_on", "desc"),
    eager=("organisation", "account"),
)

EQUIPMENT_COLUMNS = ColumnSet(
    list=("organisation", "kind", "serial_no", "registered_on"),
    search=("organisation", "kind", "serial_no", "registered_on"),
    form=("organisation", "kind", "serial_no", "registered_on", "notes"),
    order=("registered_on", "desc"),
    eager=("organisation",),
)

IMPORT_LOG_COLUMNS = ColumnSet(
    list=("created_on", "user", "community", "file_name", "source", "mode", "status", "rows",
          "created", "updated", "unchanged", "errors"),
    search=("file_name", "status", "created_on"),
    form=(),
    show=("created_on", "user", "community", "file_name", "source", "mode", "status", "rows",
          "created", "updated", "unchanged", "errors", "households_created",
          "households_updated", "message"),
    order=("created_on", "desc"),
    eager=("user", "community"),
)

EXPORT_LOG_COLUMNS = ColumnSet(
    list=("created_on", "user", "organisation", "list_name", "filters", "preset", "mode",
          "rows"),
    search=("list_name", "created_on", "preset"),
    form=(),
    order=("created_on", "desc"),
    eager=("user", "organisation"),
)

RESIDENT_IMPORT = ImportSpec(
    check=("community",),
    household=("household_no", "household_type", "estate", "building", "unit", "door",
               "floor_area", "rooms"),
    resident=("name", "id_card_no", "sex", "birth_date", "ethnic", "relation", "hukou_nature",
              "hukou_address", "residence_status", "education", "marital", "political",
              "employment", "phone", "special_groups", "notes"),
    household_key="household_no",
    resident_key="id_card_no",
    derived=("sex", "birth_date"),
    aliases={"id_card_no": ("身份证号", "身份证号码", "身份证"), "household_no": ("户号",)},
    notes={
        "community": "可留空。填写时须为本次导入的社区（名称或12位区划代码），否则该行不导入。",
        "household_no": "同一户的成员填写相同的户编号；户别和地址在该户任一行填写即可。",
        "id_card_no": "18位；15位旧号码自动升级为18位。已登记的号码按本行内容更新。",
    },
)

API_KEY_COLUMNS = ColumnSet(
    list=("account", "name", "prefix", "access", "created_on", "expires_on", "revoked_on",
          "last_used_on"),
    search=("name", "access", "created_on"),
    form=(),
    order=("created_on", "desc"),
    eager=("account",),
)
