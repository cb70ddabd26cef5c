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
        return self.show or self.form

    def export_columns(self) -> tuple:
        return self.export or self.show_columns()


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
