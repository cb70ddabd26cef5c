"""WTForms adapters over app.rules: the same rules the import and the API apply."""
import math

from flask_babel import gettext as _
from wtforms.validators import StopValidation, ValidationError

from .. import rules


def _editing_id(form):
    return getattr(form, "_id", None)  # FAB sets form._id to the pk being edited


def id_number(form, field):
    """Checks the number (the model normalises and upgrades it), derives sex and birth date when
    left empty, and names both fields when typed values disagree."""
    parsed, error = rules.parse_id(field.data)
    if error:
        raise StopValidation(error)
    conflicts = [m for m in (rules.sex_mismatch(parsed, form.sex.data),
                             rules.birth_mismatch(parsed, form.birth_date.data)) if m]
    if conflicts:
        raise ValidationError("；".join(conflicts))
    form.sex.data = form.sex.data or parsed.sex_code
    form.birth_date.data = form.birth_date.data or parsed.birth_date
    status = form.status.data if "status" in form else "active"
    if status == "active" and (duplicate := rules.duplicate_id(parsed.number, _editing_id(form))):
        raise ValidationError(duplicate)


def _cross_check(form, check):
    parsed, error = rules.parse_id(form.id_card_no.data)
    return check(parsed) if parsed and not error else None


def sex_matches_id(form, field):
    if message := _cross_check(form, lambda p: rules.sex_mismatch(p, field.data)):
        raise ValidationError(message)


def birth_matches_id(form, field):
    if message := _cross_check(form, lambda p: rules.birth_mismatch(p, field.data)):
        raise ValidationError(message)


def one_head(form, field):
    status = form.status.data if "status" in form else "active"
    if message := rules.second_head(form.household.data, field.data, _editing_id(form), status):
        raise ValidationError(message)


def phone(form, field):
    value, error = rules.phone_error(field.data)
    if error:
        raise ValidationError(error)
    field.data = value or None


def household_no_unique(form, field):
    from sqlalchemy import select

    from ..extensions import db
    from ..models import Household

    community = form.community.data if "community" in form else None
    if community is None or not field.data:
        return
    other = db.session.scalar(select(Household.id).where(
        Household.community_id == community.id, Household.household_no == field.data.strip()))
    if other is not None and other != _editing_id(form):
        raise ValidationError(_("户编号“%(number)s”在%(community)s已存在", number=field.data,
                                community=community.name))


def leaving_needs_date_and_reason(form, field):
    """迁出/死亡 (or a cancelled household) is recorded with its date and reason."""
    if field.data and field.data != "active":
        missing = [str(form[name].label.text) for name in ("status_date", "status_reason")
                   if name in form and not form[name].data]
        if missing:
            raise ValidationError(_("状态为“%(status)s”时，须填写%(fields)s",
                                    status=dict(field.choices).get(field.data, field.data),
                                    fields=_("和").join(missing)))


INT_MAX = 2**31 - 1  # the database's INTEGER: a larger number fails in the driver, not the form


def finite_number(form, field):
    """A decimal column stores numbers only: "NaN" and "Infinity" parse as decimals but are none."""
    if field.data is None:
        return
    try:
        finite = math.isfinite(field.data)
    except ValueError:  # Decimal("sNaN")
        finite = False
    if not finite:
        raise StopValidation(_("请填写有效的数字"))


def within_integer_range(form, field):
    """Whole numbers the database can store (a bigger one would end the request with an error)."""
    if isinstance(field.data, int) and not -INT_MAX <= field.data <= INT_MAX:
        raise StopValidation(_("数值过大，请检查后重新填写"))
