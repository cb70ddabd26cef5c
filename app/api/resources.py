"""The department API: residents, households and organisations, each over its screen."""
from ..views.records import HouseholdView, OrganisationView, ResidentView
from .base import ScopedModelRestApi


class ResidentApi(ScopedModelRestApi):
    view = ResidentView


class HouseholdApi(ScopedModelRestApi):
    view = HouseholdView


class OrganisationApi(ScopedModelRestApi):
    view = OrganisationView
