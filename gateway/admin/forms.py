"""The admin pages' form classes: the partner page's post → `admin.PartnerForm`, and the message
log's filters → `message_log.LogFilter`.

The fields both protocols share are `PartnerPageForm`; `CXMLPartnerForm` and `OCIPartnerForm`
add their own, so a post converts only what its protocol's page shows. The service and
`CXMLMapping` judge the values; a form only reports text it cannot convert
(`gateway.web.forms`).

The buyer simulator's post stays read by hand in its view: which of its fields count depends on
the button (`send` takes the document as typed, `template` the operation and item lines), and
its GET builds the same template from a returned cart instead of a post.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import wtforms
from werkzeug.datastructures import MultiDict

from gateway.cxml import CartEncoding, Operation
from gateway.models import AcceptedDeploymentMode, OrderPricePolicy, PartnerProtocol
from gateway.oci import OCIVersion
from gateway.services import message_log
from gateway.services.partners import admin
from gateway.services.punchout.cart_mapping import CXMLMapping
from gateway.web.forms import (
    STRIP,
    AmountField,
    InputForm,
    IsoDateField,
    TextField,
    WholeNumberField,
)

DATE_MESSAGE = "dates must look like 2026-05-01"


class LinesField(wtforms.Field):
    """A textarea of one entry a line: the trimmed, non-blank lines."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        self.data = _lines(valuelist[0] if valuelist else "")


class PairsField(wtforms.Field):
    """A textarea of `KEY=VALUE` lines (`what` names it in the message) as a dict."""

    def __init__(self, what: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.what = what

    def process_formdata(self, valuelist: list[Any]) -> None:
        pairs: dict[str, str] = {}
        for line in _lines(valuelist[0] if valuelist else ""):
            key, sep, value = line.partition("=")
            if not sep or not key.strip():
                raise ValueError(f"Each line of the {self.what} must look like KEY=VALUE.")
            pairs[key.strip()] = value.strip()
        self.data = pairs


class JsonObjectField(wtforms.Field):
    """A JSON object (blank: `{}`); anything else is refused with `message`."""

    def __init__(self, message: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message = message

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            value = json.loads((valuelist[0] if valuelist else "") or "{}")
        except ValueError:
            raise ValueError(self.message) from None
        if not isinstance(value, dict):
            raise ValueError(self.message)  # noqa: TRY004 - WTForms reports a field's ValueError
        self.data = value


class PartnerPageForm(InputForm):
    """The partner page's fields for either protocol."""

    name = TextField()
    customer = TextField()
    active = wtforms.BooleanField()
    default_role = TextField(default="punchout")
    allowed_urls = LinesField()
    frame_ancestors = TextField()
    unit_map = PairsField("unit map")

    def partner_form(self, protocol: str) -> admin.PartnerForm:
        """The partner as the service takes it (the other protocol's parts left at defaults)."""
        return admin.PartnerForm(
            name=self.name.data,
            protocol=protocol,
            customer_number=self.customer.data,
            allowed_urls=self.allowed_urls.data,
            active=self.active.data,
            default_role=self.default_role.data,
            frame_ancestors=tuple(self.frame_ancestors.data.split()),
        )


class CXMLPartnerForm(PartnerPageForm):
    """A cXML partner: identities, cart encoding, operationAllowed, replay protection, the
    deploymentMode it may send and the mapping of its cart lines."""

    identities = LinesField()
    encoding = TextField(default=CartEncoding.BASE64)
    operation_allowed = TextField(default=Operation.EDIT)
    replay_protection = wtforms.BooleanField()
    deployment_mode = TextField(default=AcceptedDeploymentMode.BOTH)
    classification_domain = TextField(filters=STRIP)
    classification_codes = PairsField("classification codes")
    extrinsics = PairsField("Extrinsics")
    forbidden_part_id_characters = TextField(filters=STRIP)
    description_max_length = WholeNumberField("The description limit must be a whole number.")
    price_decimals = WholeNumberField("Price decimals must be a whole number.")
    order_price_policy = TextField(default=OrderPricePolicy.HOLD)
    order_price_tolerance = AmountField()

    def partner_form(self, protocol: str) -> admin.PartnerForm:
        return dataclasses.replace(
            super().partner_form(protocol),
            identities=self.identities.data,
            encoding=self.encoding.data,
            operation_allowed=self.operation_allowed.data,
            replay_protection=self.replay_protection.data,
            accepted_deployment_mode=self.deployment_mode.data,
            order_price_policy=self.order_price_policy.data,
            order_price_tolerance=self.order_price_tolerance.data,
            mapping=CXMLMapping(
                unit_map=self.unit_map.data,
                classification_domain=self.classification_domain.data or "UNSPSC",
                classification_codes=self.classification_codes.data,
                extrinsics=self.extrinsics.data,
                forbidden_part_id_characters=self.forbidden_part_id_characters.data,
                description_max_length=self.description_max_length.data,
                price_decimals=self.price_decimals.data,
            ),
        )


class OCIPartnerForm(PartnerPageForm):
    """An SAP OCI partner: its USERNAME, OCI version and further settings as JSON."""

    username = TextField()
    version = TextField(default=OCIVersion.V4)
    oci_settings = JsonObjectField("The OCI settings must be a JSON object.")

    def partner_form(self, protocol: str) -> admin.PartnerForm:
        return dataclasses.replace(
            super().partner_form(protocol),
            username=self.username.data,
            version=self.version.data,
            oci_settings={**self.oci_settings.data, "unit_map": self.unit_map.data},
        )


class MessageFilterForm(InputForm):
    """The message log's filters in the query string: `partner` (an id), `direction`, `type`,
    `status` and the dates `from` and `to`."""

    partner = WholeNumberField("partner must be a partner id")
    direction = TextField()
    document_type = TextField(name="type", filters=(lambda text: text[:64],))
    status = TextField(filters=(lambda text: text[:8],))
    date_from = IsoDateField(DATE_MESSAGE, name="from")
    date_to = IsoDateField(DATE_MESSAGE, name="to")

    def log_filter(self) -> message_log.LogFilter:
        """The filters as `message_log.search` takes them."""
        return message_log.LogFilter(
            partner_id=self.partner.data,
            direction=self.direction.data,
            document_type=self.document_type.data,
            status=self.status.data,
            date_from=self.date_from.data,
            date_to=self.date_to.data,
        )


def read_partner(formdata: MultiDict[str, str], protocol: str) -> admin.PartnerForm:
    """The posted partner page of `protocol`; an unknown protocol reads the shared fields only
    (and the service refuses it). InvalidInput names the first unreadable field."""
    form_class: dict[str, type[PartnerPageForm]] = {
        PartnerProtocol.CXML: CXMLPartnerForm,
        PartnerProtocol.OCI: OCIPartnerForm,
    }
    return form_class.get(protocol, PartnerPageForm).read(formdata).partner_form(protocol)


def _lines(text: str) -> tuple[str, ...]:
    return tuple(line.strip() for line in text.splitlines() if line.strip())
