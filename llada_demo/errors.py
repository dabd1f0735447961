"""The one error type for mistakes a user can make (bad settings, empty or too long prompts)."""


class SettingsError(ValueError):
    """A user-fixable problem; the message says what to change.

    `suggestion` optionally carries the nearest valid settings, for the UI to offer.
    """

    def __init__(self, message: str, suggestion=None):
        super().__init__(message)
        self.suggestion = suggestion
