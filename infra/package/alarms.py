"""CloudWatch alarms, all notifying AlarmTopic: a parked stream batch (DLQ depth), a stream
falling behind (iterator age), any function error, SMS that could not be sent (`SmsFailed`)
and a holiday calendar that does not cover the next 60 days (`CalendarUncoveredDays`), both
emitted as EMF by Powertools Metrics under namespace Yunge, service=yunge.
"""

from __future__ import annotations

from typing import Any

from infra.package.events import DLQ, functions

Template = dict[str, Any]
ITERATOR_AGE_MS = 5 * 60 * 1000  # five minutes behind the table: dispatch is late


def _alarm(description: str, namespace: str, metric: str, **spec: Any) -> Template:
    props: dict[str, Any] = {
        "AlarmDescription": description,
        "Namespace": namespace,
        "MetricName": metric,
        "Statistic": "Sum",
        "Period": 300,
        "EvaluationPeriods": 1,
        "Threshold": 0,
        "ComparisonOperator": "GreaterThanThreshold",
        "TreatMissingData": "notBreaching",
        "AlarmActions": [{"Ref": "AlarmTopic"}],
        "OKActions": [{"Ref": "AlarmTopic"}],
    }
    props.update(spec)
    return {"Type": "AWS::CloudWatch::Alarm", "Properties": props}


def alarms(resources: Template, stream_function: str) -> Template:
    out: Template = {
        "TicketStreamDlqDepthAlarm": _alarm(
            "Stream records were parked in the DLQ: replay them (README, Operations).",
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            Statistic="Maximum",
            Dimensions=[{"Name": "QueueName", "Value": {"Fn::GetAtt": [DLQ, "QueueName"]}}],
        ),
        "TicketStreamIteratorAgeAlarm": _alarm(
            "The ticket stream is more than five minutes behind: dispatch is late.",
            "AWS/Lambda",
            "IteratorAge",
            Statistic="Maximum",
            Period=60,
            EvaluationPeriods=3,
            Threshold=ITERATOR_AGE_MS,
            Dimensions=[{"Name": "FunctionName", "Value": {"Ref": stream_function}}],
        ),
        "CalendarCoverageAlarm": _alarm(
            "The holiday calendar does not know every day of the next 60: enter the State "
            "Council's notice in YUNGE_HOLIDAYS (README, Holidays).",
            "Yunge",
            "CalendarUncoveredDays",
            Statistic="Maximum",
            Period=3600,
            Dimensions=[{"Name": "service", "Value": "yunge"}],
        ),
        "SmsFailedAlarm": _alarm(
            "SMS could not be sent (parked notifications: see the admin list).",
            "Yunge",
            "SmsFailed",
            Dimensions=[{"Name": "service", "Value": "yunge"}],
        ),
    }
    for name in functions(resources):
        out[f"{name}ErrorsAlarm"] = _alarm(
            f"{name} raised an unhandled error.",
            "AWS/Lambda",
            "Errors",
            Dimensions=[{"Name": "FunctionName", "Value": {"Ref": name}}],
        )
    return out
