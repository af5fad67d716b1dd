# What the checker should know about django-money's model fields.
#
# At runtime `MoneyField` subclasses Django's `DecimalField`, but the model attribute is a
# `MoneyFieldProxy` descriptor: reading it gives a `djmoney.money.Money`, and it accepts a `Money`,
# a `Decimal` or an `int` (the currency then comes from the field's default). django-stubs' plugin
# reads the `_pyi_private_*` attributes below to type model attributes, `__init__` arguments and
# look-ups (https://github.com/django-money/django-money/issues/829). For the checker this file
# replaces djmoney/models/fields.py, so it declares that module's classes; django-money's other
# modules keep their own types (the package ships them, with money.pyi for `Money`).
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.db import models
from django.db.models.expressions import Combinable
from django.utils.functional import _StrOrPromise
from djmoney.money import Currency, Money

_ST = TypeVar("_ST", contravariant=True)
_GT = TypeVar("_GT", covariant=True)

class MoneyFieldProxy:
    field: MoneyField[Any, Any]
    currency_field_name: str
    def __init__(self, field: MoneyField[Any, Any]) -> None: ...
    def __get__(self, obj: models.Model | None, type: type[models.Model] | None = None) -> Any: ...
    def __set__(self, obj: models.Model, value: Any) -> None: ...

class CurrencyField(models.CharField[_ST, _GT]):
    price_field: MoneyField[Any, Any] | None
    def __init__(
        self, price_field: MoneyField[Any, Any] | None = None, default: str | None = ..., **kwargs: Any
    ) -> None: ...

class MoneyField(models.DecimalField[_ST, _GT]):
    # The class is a DecimalField but its descriptor trades in Money, which is no Decimal: the
    # override is what the library does, so the checker's objection to it is silenced here only.
    _pyi_private_set_type: Money | Decimal | int | Combinable  # type: ignore[assignment]
    _pyi_private_get_type: Money  # type: ignore[assignment]
    _pyi_lookup_exact_type: Money | Decimal | int  # type: ignore[assignment]
    default_currency: str | Currency | None
    currency_choices: Iterable[tuple[str, str]]
    currency_max_length: int
    currency_field_name: str | None
    money_descriptor_class: type[MoneyFieldProxy]
    def __init__(
        self,
        verbose_name: _StrOrPromise | None = None,
        name: str | None = None,
        max_digits: int | None = None,
        decimal_places: int = ...,
        default: Any = ...,
        default_currency: str | Currency | None = ...,
        currency_choices: Iterable[tuple[str, str]] = ...,
        currency_max_length: int = ...,
        currency_field_name: str | None = None,
        money_descriptor_class: type[MoneyFieldProxy] = ...,
        **kwargs: Any,
    ) -> None: ...
