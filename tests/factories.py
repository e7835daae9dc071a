"""factory_boy factories, one per model the tests build directly."""

import factory
from django.contrib.auth import get_user_model

from consultation.models import Area
from responses.models import Assignment, Authority, CountryReturn, Membership


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    username = factory.SelfAttribute("email")
    first_name = "Test"
    password = factory.django.Password("correct horse battery staple")


class CountryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area
        django_get_or_create = ("m49_code",)

    m49_code = factory.Sequence(lambda n: f"{900 + n % 99:03d}")
    name = factory.Sequence(lambda n: f"Country {n}")
    iso3 = ""
    level = Area.Level.COUNTRY


class AuthorityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authority
        django_get_or_create = ("country", "name")

    country = factory.SubFactory(CountryFactory)
    name = factory.Sequence(lambda n: f"Ministry {n}")
    kind = Authority.Kind.INTERIOR


class CountryReturnFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CountryReturn
        django_get_or_create = ("round", "country")

    country = factory.SubFactory(CountryFactory)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    role = Membership.Role.FOCAL_POINT


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assignment

    status = Assignment.Status.FORWARDED
