"""``--notify TARGET``: where a run's summary is sent.

- ``sns:arn:aws:sns:REGION:ACCOUNT:TOPIC``: published with boto3 (text for e-mail and SMS
  subscribers, JSON for SQS, Lambda and HTTP ones);
- ``slack+https://hooks.slack.com/services/...``, or any ``https://hooks.slack.com/...``: a Slack
  (or Slack-compatible: Mattermost, Rocket.Chat...) incoming webhook, mrkdwn text;
- ``https://...``: a generic webhook, the summary POSTed as JSON (see :func:`notice.as_json`).

``http://`` is accepted for a loopback address only (a webhook URL is a credential). Every webhook URL
is registered as a secret: it never appears in a log line or a message.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib.util import find_spec
from typing import Protocol
from urllib.parse import urlsplit

from cloudaudit.deliver import webhook
from cloudaudit.deliver.destination import is_loopback
from cloudaudit.deliver.notice import Notice, as_json, as_slack, as_text, subject
from cloudaudit.errors import MissingDependencyError, UsageError
from cloudaudit.install import install_hint
from cloudaudit.logs import register_secret
from cloudaudit.terminal import printable

FORMS = "sns:TOPIC_ARN, slack+https://HOOK_URL (or https://hooks.slack.com/...) or https://WEBHOOK_URL"
_TOPIC_ARN = re.compile(r"^arn:aws[a-z-]*:sns:([a-z0-9-]+):\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$")
SLACK_HOSTS = ("hooks.slack.com", "hooks.slack-gov.com")


class Notifier(Protocol):
    """One notification target."""

    @property
    def label(self) -> str:
        """How the target is named in messages (never its secret)."""

    def send(self, notice: Notice) -> None:
        """Deliver the notice; raise :class:`webhook.NotifyError` (or the SDK's error) when it cannot."""


@dataclass(frozen=True)
class SnsTopic:
    """An SNS topic (its region is the ARN's)."""

    arn: str

    @property
    def label(self) -> str:
        """The topic's ARN (not a secret)."""
        return f"SNS topic {self.arn}"

    def send(self, notice: Notice) -> None:
        """Publish one message with a text and a JSON rendering (``MessageStructure=json``)."""
        import boto3
        from botocore.config import Config

        region = self.arn.split(":")[3]
        sns = boto3.client("sns", region_name=region, config=Config(retries={"mode": "standard"}))
        text = as_text(notice)
        data = json.dumps(as_json(notice))
        per_protocol = {
            "default": text,
            "email": text,
            "sqs": data,
            "lambda": data,
            "http": data,
            "https": data,
        }
        sns.publish(
            TopicArn=self.arn,
            Subject=subject(notice),
            Message=json.dumps(per_protocol),
            MessageStructure="json",
        )


@dataclass(frozen=True)
class SlackWebhook:
    """A Slack-compatible incoming webhook."""

    url: str = ""

    @property
    def label(self) -> str:
        """``Slack webhook (hooks.slack.com)``."""
        return webhook.label(self.url, "Slack webhook")

    def send(self, notice: Notice) -> None:
        """POST the mrkdwn message."""
        webhook.post_json(self.url, as_slack(notice))


@dataclass(frozen=True)
class JsonWebhook:
    """A generic webhook receiving the notice as JSON."""

    url: str = ""

    @property
    def label(self) -> str:
        """``webhook (example.com)``."""
        return webhook.label(self.url)

    def send(self, notice: Notice) -> None:
        """POST the JSON notice."""
        webhook.post_json(self.url, as_json(notice))


def parse_notifier(target: str) -> Notifier:
    """The notifier ``target`` names; a UsageError naming the accepted forms otherwise (the target itself
    is not repeated: it may be a secret)."""
    target = target.strip()
    if target.startswith("sns:"):
        return _sns(target.removeprefix("sns:"))
    slack = target.lower().startswith("slack+")
    url = target[len("slack+") :] if slack else target
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise UsageError(f"--notify: not a notification target; use {FORMS}")
    if parts.scheme == "http" and not is_loopback(parts.hostname):
        raise UsageError(f"--notify: {webhook.label(url)} must use https (http only to a loopback address)")
    if parts.username or parts.password:
        raise UsageError(f"--notify: {webhook.label(url)}: no user or password in the URL")
    register_secret(url)
    register_secret(target)
    if slack or parts.hostname.lower() in SLACK_HOSTS:
        return SlackWebhook(url)
    return JsonWebhook(url)


def _sns(arn: str) -> SnsTopic:
    if not _TOPIC_ARN.match(arn):
        raise UsageError(
            f"--notify sns:{printable(arn, limit=120)}: "
            "not an SNS topic ARN (arn:aws:sns:REGION:ACCOUNT:TOPIC)"
        )
    if find_spec("boto3") is None:
        raise MissingDependencyError(f"--notify sns: needs boto3; install it with: {install_hint('aws')}")
    return SnsTopic(arn)
