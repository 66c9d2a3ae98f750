import uuid

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from shop.core.addresses import COUNTRY_CHOICES, FIELD_LIMITS, address_errors, address_normalise


class UserManager(BaseUserManager):  # type: ignore[type-arg]
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields):  # type: ignore[no-untyped-def]
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields):  # type: ignore[no-untyped-def]
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        return self.create_user(email, password, **fields)


class User(AbstractBaseUser, PermissionsMixin):
    """A shopper or a staff member. Signs in with an email address."""

    email = models.EmailField(unique=True)
    name = models.CharField(max_length=150, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)
    # Bumped whenever every credential of the user must die at once (password change or reset,
    # disable, erasure): access tokens carry a version derived from it and from the password
    # hash (shop/accounts/tokens.py), so they stop working before they expire.
    auth_epoch = models.PositiveIntegerField(default=0, editable=False)
    # The account's id as the API shows it: random, so that it tells nothing (not how many
    # accounts exist, not when this one was made), and so that registering can answer an id
    # whether or not the address already had an account (shop/api/accounts.py).
    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["name"]

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"user {self.pk}"

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name.split(" ")[0] if self.name else ""

    @property
    def is_email_verified(self) -> bool:
        """Unverified accounts can shop; anything claimed by email address needs this."""
        return self.email_verified_at is not None


class RefreshToken(models.Model):
    """An API refresh token. Only its SHA-256 is stored; the token itself is shown once.

    Tokens of one sign-in form a family: each use rotates the token (the used one is marked
    `used_at` and a new one joins the family). Presenting a used token again means it leaked:
    the whole family is revoked.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="refresh_tokens")
    family = models.UUIDField(db_index=True)
    token_hash = models.CharField(max_length=64, unique=True)
    user_version = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"refresh token {self.pk} of user {self.user_id}"


MAX_ADDRESSES_PER_USER = 20


class Address(models.Model):
    """A saved shipping address. Read only through shop/policy/access.py (owner only)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="addresses")
    # The rules of every field are shop/core/addresses.py's (the same as checkout's): the
    # lengths here, the formats in clean().
    name = models.CharField("Full name", max_length=FIELD_LIMITS["name"])
    line1 = models.CharField("Address line 1", max_length=FIELD_LIMITS["line1"])
    line2 = models.CharField("Address line 2", max_length=FIELD_LIMITS["line2"], blank=True)
    city = models.CharField(max_length=FIELD_LIMITS["city"])
    state = models.CharField("State or province", max_length=FIELD_LIMITS["state"],
                             blank=True)
    postal_code = models.CharField("Postal code", max_length=FIELD_LIMITS["postal_code"])
    country = models.CharField(max_length=2, choices=COUNTRY_CHOICES)
    phone = models.CharField("Phone (optional)", max_length=FIELD_LIMITS["phone"], blank=True)
    is_default = models.BooleanField("Default address", default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-is_default", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(is_default=True),
                name="accounts_address_one_default_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"address {self.pk} of user {self.user_id}"

    def clean(self) -> None:
        """The address rules of checkout (shop/core/addresses.py), field by field."""
        values = address_normalise({name: getattr(self, name) for name in ADDRESS_FIELDS})
        errors = address_errors(values)
        if errors:
            raise ValidationError(errors)
        for name, value in values.items():
            setattr(self, name, value)

    def as_shipping(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in ADDRESS_FIELDS}


ADDRESS_FIELDS = ("name", "line1", "line2", "city", "state", "postal_code", "country", "phone")
