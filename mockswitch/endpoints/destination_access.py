"""What the bulk/destinations functions share: the number kind, the statuses, the rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mockswitch.domain.records import DESTINATION_STATUSES, Destination
from mockswitch.enswitch.dnumbers import dnumber_problem
from mockswitch.enswitch.params import Choice, Invalid, Text

STATUS = Choice(DESTINATION_STATUSES)


@dataclass(frozen=True, slots=True)
class PlainNumber:
    """A destination's number: digits with an optional leading +, like a plain-number dtype."""

    def convert(self, text: str) -> str:
        text = Text().convert(text)
        problem = dnumber_problem("number", text, {})
        if problem:
            raise Invalid(problem)
        return text

    def describe(self) -> str:
        return "digits with an optional leading +"


PLAIN_NUMBER = PlainNumber()


def distinct(dnumbers: list[str]) -> list[str]:
    """The numbers in the order given, each once: a number listed twice is one destination."""
    return list(dict.fromkeys(dnumbers))


# A destination is a plain number (PLAIN_NUMBER), whose destination type is the empty one,
# as in the vendor's example row `{"dtype":"","dnumber":"2125551234",...}`.
PLAIN_NUMBER_DTYPE = ""


def destination_data(destination: Destination) -> dict[str, Any]:
    """A destination as `data` shows it: the campaign's id as a JSON number, and the
    destination type (always a plain number's) just before the number, as the vendor shows."""
    return {
        "campaign": destination.campaign,
        "dtype": PLAIN_NUMBER_DTYPE,
        "dnumber": destination.dnumber,
        "status": destination.status,
    }
