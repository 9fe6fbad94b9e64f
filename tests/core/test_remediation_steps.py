"""Remediation steps as data: the file format, its errors, and commands filled without injection."""

from __future__ import annotations

import shlex
import subprocess
from pathlib import Path

import pytest

from cloudaudit.remediation import (
    StepsError,
    fill_command,
    fill_text,
    load_steps_file,
    merged,
    parse_steps,
    values_of,
)

GOOD = """\
fake.store.box_open:
  console:
    - Open the console and choose {{name}} in {{ region }}.
  cli:
    - "fakecloud box update --id {{id}} --policy '{\\"Rules\\":[]}'"
  docs:
    - https://fake.example/docs
"""


def test_a_file_gives_each_checks_steps() -> None:
    steps = parse_steps(GOOD, Path("r.yaml"))["fake.store.box_open"]
    assert steps.console == ("Open the console and choose {{name}} in {{ region }}.",)
    assert steps.cli == ("fakecloud box update --id {{id}} --policy '{\"Rules\":[]}'",)
    assert steps.docs == ("https://fake.example/docs",)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "a.b.c:\n  console: [x]\n  cli: ['run {{bucket}}']\n",
            r"r\.yaml.*line 3.*unknown placeholder \{\{bucket\}\}",
        ),
        ("a.b.c:\n  console: [x]\n", r"r\.yaml.*cli"),
        ("a.b.c:\n  console: []\n  cli: [y]\n", r"r\.yaml.*console"),
        ("a.b.c:\n  console: [x]\n  cli: [y]\n  docs: [http://plain.example]\n", r"not an https URL"),
        ("a.b.c:\n  console: [x]\n  cli: [y]\n  shell: [z]\n", r"shell"),
        ("- a list\n", r"r\.yaml.*maps check ids"),
        ("a.b.c: [unclosed\n", r"r\.yaml"),
    ],
)
def test_a_bad_file_is_one_line_naming_the_file(text: str, message: str) -> None:
    with pytest.raises(StepsError, match=message) as caught:
        parse_steps(text, Path("r.yaml"))
    assert "\n" not in caught.value.message


def test_a_check_described_in_two_files_is_refused(tmp_path: Path) -> None:
    first, second = tmp_path / "a.yaml", tmp_path / "b.yaml"
    first.write_text(GOOD)
    second.write_text(GOOD)
    assert set(merged([first])) == {"fake.store.box_open"}
    with pytest.raises(StepsError, match=r"b\.yaml: remediation of fake\.store\.box_open is given twice"):
        merged([first, second])


def test_an_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(StepsError, match=r"cannot read remediation file .*missing\.yaml"):
        load_steps_file(tmp_path / "missing.yaml")


HOSTILE = "x'; touch /tmp/pwned; echo '$(id)` \n"


def test_a_hostile_name_stays_one_argument_of_the_command() -> None:
    values = values_of("arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1", HOSTILE, "eu-west-1", "1")
    command = fill_command("tool revoke --group {{segment}} --name {{name}} --region {{region}}", values)
    words = ["tool", "revoke", "--group", "sg-1", "--name", HOSTILE, "--region", "eu-west-1"]
    assert shlex.split(command) == words
    echoed = subprocess.run(
        ["sh", "-c", fill_command("printf %s {{name}}", values)], capture_output=True, text=True, check=True
    )
    assert echoed.stdout == HOSTILE


def test_console_text_takes_the_values_as_they_are_and_a_missing_name_is_the_ids_segment() -> None:
    values = values_of("projects/p/global/firewalls/allow-all", "", "global", "p")
    assert values["name"] == "allow-all"
    assert fill_text("Choose {{name}} in project {{account}}.", values) == "Choose allow-all in project p."
