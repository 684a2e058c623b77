"""Template parameters and the resources Chalice cannot express: the files bucket, the
stream's dead-letter queue and the alarm topic.

Secrets are never created here: the template takes the NAMES of SSM parameters that the
cloud team creates beforehand (SecureString for the JWT keys, the phone key, the WeChat
secret and the SMS reply push secret), and the functions read them at run time.
"""

from __future__ import annotations

from typing import Any

from chalicelib.domain.uploads import FOLDER as UPLOADS_FOLDER
from infra.package.tables import RETAIN

Template = dict[str, Any]
_PARAM_NAME = {"Type": "String", "AllowedPattern": "^/[A-Za-z0-9_.\\-/]+$"}


def parameters() -> Template:
    return {
        "TablePrefix": {
            "Type": "String",
            "Default": "yunge-prod-",
            "AllowedPattern": "^[A-Za-z0-9_.\\-]{0,200}$",
            "Description": "Prefix of every table name (YUNGE_TABLE_PREFIX).",
        },
        "Bureau": {
            "Type": "String",
            "Default": "bayannur",
            "Description": "Tenant key of the bureau this deployment serves (YUNGE_BUREAU).",
        },
        "BureauName": {
            "Type": "String",
            "Default": "",
            "MaxLength": 40,
            "Description": "The bureau name that titles its monthly reports (YUNGE_BUREAU_NAME).",
        },
        "JwtKeyParameterName": {
            **_PARAM_NAME,
            "Default": "/yunge/prod/jwt-key",
            "Description": "SSM SecureString holding the token signing key (not created here).",
        },
        "PhoneKeyParameterName": {
            **_PARAM_NAME,
            "Default": "/yunge/prod/phone-key",
            "Description": "SSM SecureString holding the HMAC key of stored phone and login-code "
            "hashes (not created here; never change it once data exists).",
        },
        "WechatAppIdParameterName": {
            **_PARAM_NAME,
            "Default": "/yunge/prod/wechat-app-id",
            "Description": "SSM String holding the mini-program AppID (not created here).",
        },
        "WechatSecretParameterName": {
            **_PARAM_NAME,
            "Default": "/yunge/prod/wechat-secret",
            "Description": "SSM SecureString holding the mini-program AppSecret.",
        },
        "SmsProvider": {
            "Type": "String",
            "Default": "sns",
            "AllowedValues": ["sns", "aliyun"],
            "Description": "Who sends SMS: aliyun for mainland numbers (SNS cannot reach them).",
        },
        "SmsSignature": {
            "Type": "String",
            "Default": "【云格供电】",
            "AllowedPattern": "^【[^【】]{2,12}】$",
            "Description": "The bureau's registered SMS signature (签名), in 【】.",
        },
        "AliyunSmsParameterName": {
            **_PARAM_NAME,
            "Default": "/yunge/prod/aliyun-sms",
            "Description": "SSM SecureString (JSON): access_key_id, access_key_secret and "
            "template_codes (our template id → Aliyun TemplateCode). Read only when "
            "SmsProvider is aliyun.",
        },
        "SmsReplyTokenParameterName": {
            **_PARAM_NAME,
            "Default": "/yunge/prod/sms-reply-token",
            "Description": "SSM SecureString: the secret in the URL Aliyun pushes customers' SMS "
            "replies to (<EndpointURL>v1/sms/replies/<secret>; not created here). Without it "
            "no reply is taken.",
        },
        "Holidays": {
            "Type": "String",
            "Default": "",
            "AllowedPattern": "^[0-9.=;a-z\\- ]*$",
            "Description": "Holiday schedule for a year chinesecalendar does not know yet, from "
            "the State Council notice: 2027-02-06..2027-02-12=off; 2027-02-14=work; ...",
        },
        "ApiRateLimit": {
            "Type": "Number",
            "Default": 100,
            "MinValue": 1,
            "Description": "API stage throttling: steady requests per second over all clients "
            "(a storm brings a few fault reports a second; above this API Gateway answers 429).",
        },
        "ApiBurstLimit": {
            "Type": "Number",
            "Default": 200,
            "MinValue": 1,
            "Description": "API stage throttling: requests allowed at once above the rate.",
        },
        "UploadRetentionDays": {
            "Type": "Number",
            "Default": 180,
            "MinValue": 1,
            "Description": "Days before a ticket photo under uploads/ expires.",
        },
        "Tariffs": {
            "Type": "String",
            "Default": "",
            "Description": "Stepped residential tariffs as a JSON list of versions (label, basis "
            "monthly|annual, thresholds_kwh, prices_yuan, effective_from YYYY-MM-01), from the "
            "published 销售电价表; empty: the usage query shows no tier. No price is built in.",
        },
        "LowBalanceYuan": {
            "Type": "Number",
            "Default": 20,
            "MinValue": 0,
            "Description": "A bill leaving a settlement balance under this (元), or arrears, "
            "sends the customer one reminder per bill period.",
        },
        "ReportHoldSeconds": {
            "Type": "Number",
            "Default": 120,
            "MinValue": 0,
            "MaxValue": 180,
            "Description": "Seconds a lone 'no power' report waits for its neighbours before its "
            "own dispatch (a tripped 台区 becomes one outage, one manager SMS); 0 dispatches at "
            "once. At most 180, so the minute pass still dispatches within the 5-minute step.",
        },
        "AlarmEmail": {
            "Type": "String",
            "Default": "",
            "Description": "Optional address subscribed to the alarm topic (confirm by mail).",
        },
    }


def api_throttling() -> list[Template]:
    """Stage-wide throttling (every resource and method): the last line behind the per-caller
    limits the functions count themselves (domain/limits.py)."""
    return [
        {
            "ResourcePath": "/*",
            "HttpMethod": "*",
            "ThrottlingRateLimit": {"Ref": "ApiRateLimit"},
            "ThrottlingBurstLimit": {"Ref": "ApiBurstLimit"},
        }
    ]


def conditions() -> Template:
    return {"HasAlarmEmail": {"Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]}}


def _deny_insecure_transport(actions: str, resources: list[Any]) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": actions,
        "Resource": resources,
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def files_bucket() -> Template:
    bucket = {
        "Type": "AWS::S3::Bucket",
        **RETAIN,
        "Properties": {
            "BucketEncryption": {
                "ServerSideEncryptionConfiguration": [
                    {"ServerSideEncryptionByDefault": {"SSEAlgorithm": "AES256"}}
                ]
            },
            "PublicAccessBlockConfiguration": {
                "BlockPublicAcls": True,
                "BlockPublicPolicy": True,
                "IgnorePublicAcls": True,
                "RestrictPublicBuckets": True,
            },
            "OwnershipControls": {"Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]},
            # the work page (/m/) PUTs photos to presigned URLs from the browser: the
            # signature, not the origin, is what admits a write, and nothing is readable
            "CorsConfiguration": {
                "CorsRules": [
                    {
                        "AllowedMethods": ["PUT"],
                        "AllowedOrigins": ["*"],
                        "AllowedHeaders": ["content-type"],
                        "MaxAge": 3000,
                    }
                ]
            },
            "LifecycleConfiguration": {
                "Rules": [
                    {
                        "Id": "expire-uploads",
                        "Status": "Enabled",
                        "Prefix": UPLOADS_FOLDER,
                        "ExpirationInDays": {"Ref": "UploadRetentionDays"},
                    },
                    {
                        # an import's file is read once by its job; its result and error
                        # file (import-jobs/) stay
                        "Id": "expire-import-uploads",
                        "Status": "Enabled",
                        "Prefix": "imports/",
                        "ExpirationInDays": 30,
                    },
                    {
                        "Id": "abort-incomplete-multipart",
                        "Status": "Enabled",
                        "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1},
                    },
                ]
            },
            "Tags": [{"Key": "app", "Value": "yunge"}],
        },
    }
    bucket_arn = {"Fn::GetAtt": ["FilesBucket", "Arn"]}
    objects = {"Fn::Sub": "${FilesBucket.Arn}/*"}
    policy = {
        "Type": "AWS::S3::BucketPolicy",
        "Properties": {
            "Bucket": {"Ref": "FilesBucket"},
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [_deny_insecure_transport("s3:*", [bucket_arn, objects])],
            },
        },
    }
    return {"FilesBucket": bucket, "FilesBucketPolicy": policy}


def dead_letter_queue() -> Template:
    """Where the stream trigger parks a batch it gave up on (a pointer to the records)."""
    queue = {
        "Type": "AWS::SQS::Queue",
        "Properties": {
            "MessageRetentionPeriod": 14 * 24 * 3600,
            "SqsManagedSseEnabled": True,
            "Tags": [{"Key": "app", "Value": "yunge"}],
        },
    }
    policy = {
        "Type": "AWS::SQS::QueuePolicy",
        "Properties": {
            "Queues": [{"Ref": "TicketStreamDlq"}],
            "PolicyDocument": {
                "Version": "2012-10-17",
                "Statement": [
                    _deny_insecure_transport("sqs:*", [{"Fn::GetAtt": ["TicketStreamDlq", "Arn"]}])
                ],
            },
        },
    }
    return {"TicketStreamDlq": queue, "TicketStreamDlqPolicy": policy}


def alarm_topic() -> Template:
    return {
        "AlarmTopic": {
            "Type": "AWS::SNS::Topic",
            "Properties": {"DisplayName": "Yunge alarms"},
        },
        "AlarmEmailSubscription": {
            "Type": "AWS::SNS::Subscription",
            "Condition": "HasAlarmEmail",
            "Properties": {
                "TopicArn": {"Ref": "AlarmTopic"},
                "Protocol": "email",
                "Endpoint": {"Ref": "AlarmEmail"},
            },
        },
    }
