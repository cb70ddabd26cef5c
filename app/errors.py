"""Errors whose text is a complete Chinese message fit to show the user, whatever path raised
them."""


class UserFacingError(Exception):
    """An error whose text is a complete Chinese message fit to show the user."""
