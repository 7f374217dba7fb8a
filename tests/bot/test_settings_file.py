"""Settings from a TOML file: where it is found, how it loses to the environment, what it may
hold, and the example file that documents every key."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bot.settings import Settings, SettingsError, read_settings
from bot.settings.fields import leaves

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "sauti.example.toml"
_SETTING_LINE = re.compile(r"^# ([a-z][a-z0-9_]*) = (.*)$")


@pytest.fixture(autouse=True)
def _away_from_any_local_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def write(path: Path, text: str, mode: int = 0o600) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def problems(config: Path, environ: dict[str, str] | None = None) -> tuple[str, ...]:
    with pytest.raises(SettingsError) as caught:
        read_settings(environ or {}, config_path=config)
    return caught.value.problems


def test_file_values_are_read(tmp_path: Path) -> None:
    config = write(
        tmp_path / "sauti.toml",
        'log_level = "WARNING"\n[http]\nhost = "0.0.0.0"\nport = 9000\n'
        "[telegram.limits]\nglobal_rate = 20\nwebhook_ports = [443]\n",
    )
    settings = read_settings({}, config_path=config)
    assert settings.log_level == "WARNING"
    assert (settings.http.host, settings.http.port) == ("0.0.0.0", 9000)
    assert settings.telegram.limits.global_rate == 20.0
    assert settings.telegram.limits.webhook_ports == (443,)


def test_the_environment_wins_over_the_file(tmp_path: Path) -> None:
    config = write(tmp_path / "sauti.toml", '[http]\nhost = "0.0.0.0"\nport = 9000\n')
    settings = read_settings({"SAUTI_HTTP_PORT": "9100"}, config_path=config)
    assert settings.http.port == 9100
    assert settings.http.host == "0.0.0.0"


def test_sauti_config_names_the_file(tmp_path: Path) -> None:
    config = write(tmp_path / "elsewhere.toml", "[http]\nport = 9200\n")
    assert read_settings({"SAUTI_CONFIG": str(config)}).http.port == 9200


def test_config_sauti_toml_is_read_when_present(tmp_path: Path) -> None:
    write(tmp_path / "config" / "sauti.toml", "[http]\nport = 9300\n")
    assert read_settings({}).http.port == 9300


def test_a_named_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.toml"
    assert problems(missing) == (f"SAUTI_CONFIG: no such file: {missing}",)


def test_a_file_that_is_not_toml_is_an_error(tmp_path: Path) -> None:
    (problem,) = problems(write(tmp_path / "sauti.toml", "[http\nport = 1\n"))
    assert problem.startswith(f"SAUTI_CONFIG: cannot read {tmp_path / 'sauti.toml'}: ")


def test_a_bad_value_in_the_file_names_the_variable_and_the_file_key(tmp_path: Path) -> None:
    config = write(
        tmp_path / "sauti.toml", '[http]\nport = "abc"\n[whatsapp.limits]\npair_burst = 0\n'
    )
    assert problems(config) == (
        f"SAUTI_HTTP_PORT (http.port in {config}): expected an integer from 1 to 65535, got 'abc'",
        f"SAUTI_WHATSAPP_PAIR_BURST (whatsapp.limits.pair_burst in {config}): "
        "expected an integer of at least 1, got 0",
    )


def test_file_and_environment_problems_are_listed_together(tmp_path: Path) -> None:
    config = write(tmp_path / "sauti.toml", "[http]\nport = 0\n")
    found = problems(config, {"SAUTI_LOG_LEVEL": "LOUD", "REDIS_URL": "redis://r:6379"})
    assert [problem.split(" ")[0].rstrip(":") for problem in found] == [
        "SAUTI_LOG_LEVEL",
        "SAUTI_HTTP_PORT",
        "SAUTI_MASTER_KEY",
        "SAUTI_ID_SECRET",
    ]


def test_an_unknown_key_is_reported_with_a_suggestion(tmp_path: Path) -> None:
    config = write(tmp_path / "sauti.toml", "[http]\nprot = 9000\n[telegramm]\nx = 1\n")
    assert problems(config) == (
        f"{config}: unknown key 'http.prot' (did you mean http.port?)",
        f"{config}: unknown key 'telegramm' (did you mean telegram?)",
    )


def test_a_table_where_a_value_belongs_is_reported(tmp_path: Path) -> None:
    config = write(tmp_path / "sauti.toml", "[http.port]\nvalue = 1\n")
    assert problems(config) == (f"{config}: http.port: expected a value, got a table",)


@pytest.mark.parametrize("mode", [0o640, 0o644, 0o604])
def test_secrets_in_a_file_others_can_read_are_refused(tmp_path: Path, mode: int) -> None:
    config = write(
        tmp_path / "sauti.toml", '[telegram]\nbot_token = "123:abc"\n[http]\nport = 9000\n', mode
    )
    (problem,) = problems(config)
    assert problem.startswith(f"SAUTI_CONFIG: {config} holds secrets (TELEGRAM_BOT_TOKEN)")
    assert f"chmod 600 {config}" in problem
    assert "123:abc" not in problem


def test_a_private_file_may_hold_secrets_and_a_readable_one_other_settings(tmp_path: Path) -> None:
    private = write(tmp_path / "private.toml", '[telegram]\nbot_token = "123:abc"\n', 0o600)
    assert read_settings({}, config_path=private).telegram.enabled
    readable = write(tmp_path / "readable.toml", "[http]\nport = 9000\n", 0o644)
    assert read_settings({}, config_path=readable).http.port == 9000


def test_the_example_file_loads_as_it_is() -> None:
    assert read_settings({}, config_path=EXAMPLE) == Settings()


def test_the_example_file_documents_every_key_with_its_default_and_variable(
    tmp_path: Path,
) -> None:
    table: tuple[str, ...] = ()
    uncommented: list[str] = []
    comment_block: list[str] = []
    documented: dict[tuple[str, ...], str] = {}
    for line in EXAMPLE.read_text(encoding="utf-8").splitlines():
        if header := re.fullmatch(r"\[([a-z_.]+)\]", line):
            table = tuple(header.group(1).split("."))
            uncommented.append(line)
        elif setting := _SETTING_LINE.match(line):
            documented[(*table, setting.group(1))] = " ".join(comment_block)
            comment_block = []
            uncommented.append(line.removeprefix("# "))
        elif line.startswith("#"):
            comment_block.append(line)
    by_path = {leaf.path: leaf for leaf in leaves(Settings)}
    assert set(documented) == set(by_path)
    for path, comments in documented.items():
        assert f"# {by_path[path].spec.env}:" in comments, path

    # Uncommenting every key gives exactly the built-in defaults: the file cannot drift.
    config = write(tmp_path / "all.toml", "\n".join(uncommented))
    tomllib.loads(config.read_text(encoding="utf-8"))
    assert read_settings({}, config_path=config) == Settings()
