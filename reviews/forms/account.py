"""Sign-in."""

from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's sign-in form, with the user name's length enforced. AuthenticationForm sets
    max_length after the field is built, so no validator checks it: a name of any length
    reached authenticate(), and django-axes stored a failed one in a 255-character column
    (a 500 on PostgreSQL)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))
