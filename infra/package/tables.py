"""Every DynamoDB table as CloudFormation, generated from the pynamodb models (ALL_MODELS),
so the deployed schema and the one the app and tests use can never drift.

Names are `${TablePrefix}<base name>`, the same rule as `Settings.table(...)`; the
functions receive the prefix as YUNGE_TABLE_PREFIX.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pynamodb.attributes import TTLAttribute
from pynamodb.models import Model

from chalicelib.store import models

Template = dict[str, Any]
RETAIN = {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"}


def base_name(model: type[Model]) -> str:
    """The table's name without the deployment prefix ("tickets"), even after bind_tables."""
    return models.BASE_TABLE_NAMES[model]


def logical_id(model: type[Model]) -> str:
    """ "ticket_events" → "TicketEventsTable": the resource the policies and alarms name."""
    return "".join(part.capitalize() for part in base_name(model).split("_")) + "Table"


def ttl_attribute(model: type[Model]) -> str | None:
    names = [a.attr_name for a in model.get_attributes().values() if isinstance(a, TTLAttribute)]
    if len(names) > 1:
        raise ValueError(f"{model.__name__}: DynamoDB allows one TTL attribute, got {names}")
    return names[0] if names else None


def _index(index: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "IndexName": index["index_name"],
        "KeySchema": index["key_schema"],
        "Projection": index["projection"],
    }


def table_resource(model: type[Model]) -> dict[str, Any]:
    schema = model._get_schema()
    definitions = {d["AttributeName"]: d for d in schema["attribute_definitions"]}
    meta = model.Meta
    if getattr(meta, "billing_mode", None) != "PAY_PER_REQUEST":
        raise ValueError(f"{model.__name__}: every table is on-demand (PAY_PER_REQUEST)")
    props: dict[str, Any] = {
        "TableName": {"Fn::Sub": "${TablePrefix}" + base_name(model)},
        "BillingMode": "PAY_PER_REQUEST",
        "AttributeDefinitions": [definitions[k] for k in sorted(definitions)],
        "KeySchema": sorted(schema["key_schema"], key=lambda k: k["KeyType"]),  # HASH first
        "PointInTimeRecoverySpecification": {"PointInTimeRecoveryEnabled": True},
        "SSESpecification": {"SSEEnabled": True},
        "DeletionProtectionEnabled": True,
        "Tags": [{"Key": "app", "Value": "yunge"}],
    }
    indexes = sorted(schema["global_secondary_indexes"], key=lambda i: i["index_name"])
    if indexes:
        props["GlobalSecondaryIndexes"] = [_index(i) for i in indexes]
    if schema["local_secondary_indexes"]:
        raise ValueError(f"{model.__name__}: local secondary indexes are not supported here")
    stream = getattr(meta, "stream_view_type", None)
    if stream:
        props["StreamSpecification"] = {"StreamViewType": stream}
    ttl = ttl_attribute(model)
    if ttl:
        props["TimeToLiveSpecification"] = {"AttributeName": ttl, "Enabled": True}
    return {"Type": "AWS::DynamoDB::Table", **RETAIN, "Properties": props}


def tables() -> Template:
    """{logical id: AWS::DynamoDB::Table} for every model in ALL_MODELS."""
    return {logical_id(m): table_resource(m) for m in models.ALL_MODELS}


def streamed_table(template_resources: Template) -> str:
    """The logical id of the one table with a stream (tickets): the stream trigger's source."""
    streamed = [
        name
        for name, res in template_resources.items()
        if res["Type"] == "AWS::DynamoDB::Table" and "StreamSpecification" in res["Properties"]
    ]
    if len(streamed) != 1:
        raise ValueError(f"expected exactly one streamed table, found {streamed}")
    return streamed[0]
