"""One frozen `Settings`, read from flags, `MOCKSWITCH_*` variables and a TOML file.

Every setting is declared once, as a field of `Settings` (`setting(parse, default, help)`):
its flag, environment variable, TOML key, type, default and help all come from that field
(`OPTIONS` lists them; `settings_table` renders them for the docs). Flags win over the
environment, which wins over the file, which wins over the default. A bad value stops the
start with a message that names where it came from.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import tomllib
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from mockswitch.enswitch.versions import API_VERSIONS, Version, parse_version
from mockswitch.nearest import did_you_mean
from mockswitch.simulator.clock import MAX_SPEED, MODES, SPEEDS, ClockError, check_speed, parse_time

DEFAULT_DB = "mockswitch.sqlite3"


def _default_fixtures() -> Path:
    """The data set shipped with mockswitch: inside the package in a wheel (the build puts
    it there), else the checkout's top-level `fixtures/` (a checkout, an editable install)."""
    package = Path(__file__).resolve().parent
    shipped = package / "default_fixtures"
    return shipped if shipped.is_dir() else package.parent / "fixtures"


DEFAULT_FIXTURES = _default_fixtures()


class ConfigError(Exception):
    """A setting with a value that cannot be used; the message says which and why."""


# The largest value of a count, a size or a duration: every setting has an upper bound, so
# that no value too big to hold (a backlog beyond a C int, a journal bound beyond SQLite's
# integers, an infinite timeout) gets past the start to fail later.
MAX_COUNT = 2**31 - 1
MAX_BYTES = 2**30  # 1 GiB
MAX_SECONDS = 86_400.0  # a day
MAX_SEED = 2**63 - 1


def _within(
    convert: Callable[[str], Any], noun: str, minimum: Any, maximum: Any
) -> Callable[[str], Any]:
    def parse(text: str) -> Any:
        try:
            value = convert(text)
        except ValueError:
            if _DIGITS.fullmatch(text):  # more digits than int() reads
                shown = _short(text.strip())
                if text.strip().startswith("-"):
                    raise ValueError(f"{shown} is less than {minimum}") from None
                raise ValueError(f"{shown} is more than {maximum}") from None
            raise ValueError(f"{_short(text)!r} is not {noun}") from None
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{text.strip()!r} is not a finite number")
        if value < minimum:
            raise ValueError(f"{value} is less than {minimum}")
        if value > maximum:
            raise ValueError(f"{_short(str(value))} is more than {maximum}")
        return value

    return parse


_DIGITS = re.compile(r"\s*[+-]?[0-9_]+\s*")


def _short(text: str) -> str:
    """A value as a message shows it: a number of 400 digits is not read, it is counted."""
    return text if len(text) <= 40 else f"{text[:20]}...({len(text)} characters)"


def _integer(minimum: int, maximum: int = MAX_COUNT) -> Callable[[str], int]:
    return _within(int, "an integer", minimum, maximum)


def _number(minimum: float, maximum: float = MAX_SECONDS) -> Callable[[str], float]:
    return _within(float, "a number", minimum, maximum)


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ValueError(f"{text!r} is not a boolean (use true or false)")


def _choice(*allowed: str) -> Callable[[str], str]:
    def parse(text: str) -> str:
        if text not in allowed:
            # A misspelt word gets the nearest; a number (a version) is no typo of another.
            guess = did_you_mean(text, allowed, quote="") if re.search("[A-Za-z]", text) else ""
            raise ValueError(f"{text!r} is not one of {', '.join(allowed)}{guess}")
        return text

    return parse


def _prefix(text: str) -> str:
    text = text.strip()
    if not text or text == "/":
        return ""
    if not text.startswith("/") or text.endswith("/") or "//" in text:
        raise ValueError(f"{text!r} must look like /local (a leading slash, no trailing one)")
    return text


def _port(text: str) -> int:
    value = _integer(0)(text)
    if value > 65535:
        raise ValueError(f"{value} is not a TCP port")
    return value


def _speed(text: str) -> float:
    value = _number(0, math.inf)(text)  # check_speed says what a speed may be
    try:
        return check_speed(value)
    except ClockError:
        raise ValueError(f"{value:g} is not a speed: {SPEEDS}") from None


def _moment(text: str) -> str:
    """An ISO 8601 time (kept as given; empty for the server's start)."""
    text = text.strip()
    if text:
        try:
            parse_time(text, "clock_start")
        except ClockError as error:
            raise ValueError(error.message) from None
    return text


def _text(text: str) -> str:
    return text


def _secret(text: str) -> str:
    # A token read from a file or a variable often ends in a newline that is not part of it.
    text = text.strip()
    if text and not re.fullmatch(r"[\x21-\x7e]+", text):
        raise ValueError("must be printable ASCII without spaces (it travels in an HTTP header)")
    return text


LOCALHOST = "localhost"
_ORIGIN = re.compile(r"[a-z][a-z0-9+.-]*://(\[[0-9a-f:.]+\]|[a-z0-9_.~-]+)(:[0-9]{1,5})?")


def _origins(text: str) -> str:
    """Browser origins allowed by CORS: exact origins, `*`, `localhost` (any port), `none`."""
    entries = [e.strip() for e in text.split(",") if e.strip()]
    if not entries:
        raise ValueError("is empty (use none to allow no browser origin)")
    for entry in entries:
        if entry in ("*", LOCALHOST, "none"):
            if len(entries) > 1 and entry != LOCALHOST:
                raise ValueError(f"{entry!r} stands alone, not in a list")
        elif not _ORIGIN.fullmatch(entry.lower()):
            raise ValueError(
                f"{entry!r} is not an origin such as http://localhost:5173 (a scheme and a "
                "host, an optional port, no path or trailing slash)"
            )
    # Browsers send the scheme and host in lower case: compare in lower case.
    return ",".join(e if e in ("*", LOCALHOST, "none") else e.lower() for e in entries)


ANY_HOST = "*"
_HOST_NAME = re.compile(r"(\*\.)?[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")
_IP_LITERAL = re.compile(r"\[?[0-9a-f:.]+\]?")


def _hosts(text: str) -> str:
    """Host names the server answers to beyond its defaults: a comma list of names, each
    exact or `*.` and a domain for any name under it; `*` alone for any host at all."""
    entries = [e.strip().lower().rstrip(".") for e in text.split(",") if e.strip()]
    if entries == [ANY_HOST]:
        return ANY_HOST
    for entry in entries:
        if entry == ANY_HOST:
            raise ValueError("'*' stands alone, not in a list")
        if "/" in entry:
            raise ValueError(f"{entry!r} is a URL: give the host name alone")
        if ":" in entry and not _IP_LITERAL.fullmatch(entry):
            raise ValueError(f"{entry!r} is a host name with a port: give the name alone")
        if not (_HOST_NAME.fullmatch(entry) or _IP_LITERAL.fullmatch(entry)):
            raise ValueError(
                f"{entry!r} is not a host name such as mock.example or *.ci.example (letters, "
                "digits, '-', '_' and dots)"
            )
    return ",".join(entries)


def upstream_address(text: str) -> str:
    """A switch's base address: http(s)://host[:port][/path], no query."""
    text = text.strip().rstrip("/")
    if not text:
        return ""
    if not re.fullmatch(r"https?://[^/?#\s]+(/[^?#\s]*)?", text):
        raise ValueError(f"{text!r} is not a switch address such as https://switch.example.com")
    return text


@dataclass(frozen=True, slots=True)
class Option:
    name: str  # the Settings field; flag --name-with-dashes; env MOCKSWITCH_NAME
    parse: Callable[[str], Any]
    default: Any
    help: str
    metavar: str = ""
    flag: bool = True  # False for switches that take no value (--reseed)

    @property
    def env(self) -> str:
        return "MOCKSWITCH_" + self.name.upper()

    @property
    def cli(self) -> str:
        return "--" + self.name.replace("_", "-")


def setting(
    parse: Callable[[str], Any],
    default: Any,
    help: str,
    metavar: str = "",
    *,
    flag: bool = True,
    secret: bool = False,
) -> Any:
    """A field of `Settings` with what its flag, variable and file key need: the parser of
    its text, the default, the help and the flag's metavar. `flag=False` makes a switch that
    takes no value (`--reseed`); a `secret` never shows in a repr (so never in a log line)."""
    extra = {"parse": parse, "help": help, "metavar": metavar, "flag": flag}
    return field(default=default, repr=not secret, metadata={"option": extra})


@dataclass(frozen=True, slots=True)
class Settings:
    """Every setting, declared once: its type, parser, default and help. The flag
    (`--name-with-dashes`), the variable (`MOCKSWITCH_NAME`) and the TOML key (`name`) are
    read from the field's name (`OPTIONS`)."""

    host: str = setting(
        _text, "127.0.0.1", "address to listen on; 0.0.0.0 exposes the mock to the network", "ADDR"
    )
    port: int = setting(_port, 8080, "TCP port to listen on; 0 picks a free one", "PORT")
    db: str = setting(
        _text,
        DEFAULT_DB,
        "SQLite database file, created and seeded on first start (its folder must exist); "
        ":memory: for none",
        "PATH",
    )
    fixtures: str = setting(
        _text,
        "",
        "folder of fixture files to seed from (default: the data set shipped with mockswitch, "
        "fixtures/ in a checkout)",
        "DIR",
    )
    reseed: bool = setting(
        _boolean,
        False,
        "seed the database again at start, even if it already holds data",
        flag=False,
    )
    api_version: str = setting(
        _choice(*API_VERSIONS),
        API_VERSIONS[-1],
        "the Enswitch version to imitate; parameters added later are unknown to it",
        "VERSION",
    )
    http_status: str = setting(
        _choice("enswitch", "mirror"),
        "enswitch",
        "enswitch: HTTP 200 for every API-level outcome, as the real switch; mirror: the "
        "envelope code becomes the HTTP status",
        "MODE",
    )
    prefix: str = setting(
        _prefix, "", "also serve the API under this path prefix, e.g. /local", "PATH"
    )
    max_request_bytes: int = setting(
        _integer(1024, MAX_BYTES),
        262144,
        "largest request (query string plus body) accepted; larger ones get a 413 envelope",
        "BYTES",
    )
    max_request_line_bytes: int = setting(
        _integer(8190, MAX_BYTES),
        8 * 2**20,
        "longest request line (URL) the HTTP parser reads; a longer one gets a plain-text 400 "
        "instead of an envelope",
        "BYTES",
    )
    backlog: int = setting(
        _integer(1, 65535),
        1024,
        "connections the kernel may queue before mockswitch accepts them; a burst of more "
        "drops handshakes, which clients retry only after a second or more",
        "N",
    )
    max_connections: int = setting(
        _integer(1, 1_000_000),
        4096,
        "most connections open at once; at the cap a new one takes the place of the one idle "
        "longest, or is refused with a 503 when every one is busy (lowered at start to what "
        "the open-file limit leaves room for, which is raised to its hard limit first if "
        "need be)",
        "N",
    )
    header_timeout: float = setting(
        _number(0.001),
        5.0,
        "how long a request's line and headers may take to arrive (from the connection's "
        "opening, or from the first byte after it was idle) before the connection is closed, "
        "in seconds",
        "SECONDS",
    )
    keepalive_timeout: float = setting(
        _number(0.001),
        75.0,
        "how long a kept-alive connection may stay idle between requests before it is "
        "closed, in seconds",
        "SECONDS",
    )
    max_tenants: int = setting(
        _integer(1),
        1000,
        "most tenants (isolated copies of the data set) the server keeps at once",
        "N",
    )
    max_fault_rules: int = setting(
        _integer(1),
        1000,
        "most fault rules a tenant may hold; every call is checked against each rule in turn",
        "N",
    )
    max_long_polls: int = setting(
        _integer(1),
        256,
        "most /_mock/calls/wait long polls waiting at once, across all tenants",
        "N",
    )
    max_event_streams: int = setting(
        _integer(1),
        64,
        "most /_mock/events streams (the dashboard's live view) open at once, across all tenants",
        "N",
    )
    journal_max: int = setting(
        _integer(0), 0, "keep only the newest N calls per tenant in the journal; 0 keeps all", "N"
    )
    journal_body_cap: int = setting(
        _integer(0, MAX_BYTES),
        65536,
        "longest response body the journal stores for a call, in characters",
        "CHARS",
    )
    journal_field_cap: int = setting(
        _integer(64, MAX_BYTES),
        16384,
        "longest path, function name, query string, username, key, parameter name or "
        "value and warning the journal stores for a call, in characters; an entry's "
        "truncated lists what was cut",
        "CHARS",
    )
    calls_page_max: int = setting(
        _integer(1),
        1000,
        "largest page (limit) a journal query may ask for, and most calls a wait returns",
        "N",
    )
    wait_timeout_max: float = setting(
        _number(0), 60.0, "longest a /_mock/calls/wait long poll may wait, in seconds", "SECONDS"
    )
    faults: str = setting(
        _text, "", "fault rules to start with: a JSON or YAML file, or the document itself", "FILE"
    )
    stubs: str = setting(
        _text,
        "",
        "stubs to start with (answers for functions mockswitch does not simulate): a JSON or "
        "YAML file; a reset returns to them",
        "FILE",
    )
    max_stubs: int = setting(_integer(1), 1000, "most stubs a tenant may hold", "N")
    max_stub_bytes: int = setting(
        _integer(4096),
        32 * 2**20,
        "most bytes of stubs a tenant may hold (each stub counts its envelope and 1 KB); "
        "more is a 413",
        "BYTES",
    )
    max_stub_bytes_total: int = setting(
        _integer(4096),
        128 * 2**20,
        "most bytes of stubs every tenant together may hold (those given at start counted "
        "once); more is a 413",
        "BYTES",
    )
    max_stub_depth: int = setting(
        _integer(1),
        64,
        "deepest nesting of arrays and objects in a stub's data; deeper is a 400",
        "N",
    )
    proxy_to: str = setting(
        upstream_address,
        "",
        "a real switch to forward every function that is neither simulated nor stubbed to, "
        "e.g. https://switch.example.com",
        "URL",
    )
    proxy_timeout: float = setting(
        _number(0.001),
        10.0,
        "how long a forwarded call may wait for the switch (queueing included), in seconds",
        "SECONDS",
    )
    proxy_max_concurrency: int = setting(
        _integer(1),
        16,
        "most calls forwarded to the switch at once; the others wait their turn",
        "N",
    )
    proxy_max_response_bytes: int = setting(
        _integer(1024, MAX_BYTES),
        4 * 2**20,
        "largest answer taken from the switch; a larger one gets the upstream-failure envelope",
        "BYTES",
    )
    record_stubs: str = setting(
        _text,
        "",
        "write each proxied answer to this file as a stub declaration (no secrets), to "
        "replay later with --stubs",
        "FILE",
    )
    record_stubs_max_bytes: int = setting(
        _integer(4096),
        64 * 2**20,
        "largest file --record-stubs writes; answers that would pass it are not recorded "
        "(a warning says so)",
        "BYTES",
    )
    messages: str = setting(
        _text,
        "",
        "a messages file (as `mockswitch verify --learn` writes): answer with these messages "
        "instead of mockswitch's own",
        "FILE",
    )
    faults_seed: int = setting(
        _integer(0, MAX_SEED),
        0,
        "seed of the fault rules' dice when a rule names none: same seed, same faults",
        "N",
    )
    clock: str = setting(
        _choice(*MODES),
        "virtual",
        "each tenant's clock, which drives the bulk dialler: virtual moves only when told "
        "(POST /_mock/clock/advance), real follows wall time times --clock-speed",
        "MODE",
    )
    clock_speed: float = setting(
        _speed,
        1.0,
        f"how much faster than wall time a real clock runs (more than 0, at most {MAX_SPEED:g})",
        "FACTOR",
    )
    clock_start: str = setting(
        _moment,
        "",
        "the clocks' time at start (and after a reset), ISO 8601 such as "
        "2026-12-07T09:00:00Z (default: the server's start, to the second)",
        "ISO8601",
    )
    outcomes: str = setting(
        _text,
        "",
        "the dialler's outcome rules to start with: a JSON or YAML file, or the document "
        "itself, as PUT /_mock/outcomes takes it",
        "FILE",
    )
    dials_max: int = setting(
        _integer(0),
        100000,
        "keep only the newest N dials (the dialler's attempts) per tenant; 0 keeps all",
        "N",
    )
    sync: str = setting(
        _choice("normal", "full"),
        "normal",
        "SQLite synchronous mode: normal survives a killed process, full a power cut",
        "MODE",
    )
    log_format: str = setting(
        _choice("human", "json"), "human", "one log line per call, for people or as JSON", "FORMAT"
    )
    event_loop: str = setting(
        _choice("asyncio", "uvloop", "auto"),
        "asyncio",
        "the event loop serve runs on: asyncio's own; uvloop (pip install "
        "'mockswitch[fast]'): more calls a second, a worse tail beside a large reset "
        "(docs/benchmarks.md); auto: uvloop when it is installed",
        "LOOP",
    )
    quiet: bool = setting(_boolean, False, "do not log each call", flag=False)
    log_repeat_interval: float = setting(
        _number(0),
        10.0,
        "a warning or error logged again and again, word for word, is logged once per this "
        "many seconds, with a count of those left out; 0 logs every one",
        "SECONDS",
    )
    allowed_hosts: str = setting(
        _hosts,
        "",
        "host names the server answers to (the Host header) beyond its defaults: any IP "
        "address, localhost and *.localhost, a name without a dot (a compose service), "
        "this machine's own name, host.docker.internal and host.containers.internal; a comma "
        "list of names, *.example.com for any name under it, or * for any host at all "
        "(which lets a web page whose name is rebound to this machine call the mock); "
        "other hosts get a 421",
        "NAMES",
    )
    cors_origins: str = setting(
        _origins,
        LOCALHOST,
        "browser origins allowed to call (CORS): a comma list of exact origins such as "
        "https://app.example, * for any, none for no browser; localhost allows any port "
        "on localhost, 127.0.0.1 and [::1]",
        "ORIGINS",
    )
    cors_credentials: bool = setting(
        _boolean,
        False,
        "let browser code send cookies and auth headers (fetch credentials: include, axios "
        "withCredentials): an allowed origin is echoed and gets "
        "Access-Control-Allow-Credentials: true; not with cors_origins *",
        flag=False,
    )
    metrics: bool = setting(
        _boolean, True, "serve Prometheus metrics at /_mock/metrics (true or false)", "BOOL"
    )
    shutdown_timeout: float = setting(
        _number(0),
        8.0,
        "on SIGTERM, how long the calls in flight may take to finish before they are cut "
        "off, in seconds (Docker kills after 10)",
        "SECONDS",
    )
    admin_token: str = setting(
        _secret,
        "",
        "a secret that the control API's changing calls (reset, faults, clearing the journal, "
        "dropping a tenant) then require, as Authorization: Bearer TOKEN or "
        "X-Mockswitch-Token; reads and the Enswitch API stay open (prefer the variable: "
        "flags show in ps)",
        "TOKEN",
        secret=True,
    )

    def __post_init__(self) -> None:
        # Settings that are fine alone but not together; checked here so that every way of
        # making Settings (flags, variables, a file, ServerThread's keywords) refuses them.
        if self.cors_credentials and self.cors_origins == "*":
            raise ConfigError(
                "--cors-credentials cannot be combined with --cors-origins '*' (browsers refuse "
                "credentials from a wildcard): list the origins, or use localhost"
            )

    @property
    def api_version_tuple(self) -> Version:
        return parse_version(self.api_version)

    def fixtures_path(self) -> Path:
        """The fixtures folder to seed from: the one given, or the shipped default."""
        return Path(self.fixtures) if self.fixtures else DEFAULT_FIXTURES


# Every setting's flag, variable and file key, in the order of the declarations above.
OPTIONS: tuple[Option, ...] = tuple(
    Option(f.name, default=f.default, **f.metadata["option"]) for f in fields(Settings)
)
_BY_NAME = {o.name: o for o in OPTIONS}


def settings_table() -> str:
    """Every setting as a Markdown table: flag, variable, file key, default and help (for
    docs/configuration.md)."""
    rows = [
        "| flag | environment | file key | default | meaning |",
        "| --- | --- | --- | --- | --- |",
    ]
    for option in OPTIONS:
        flag = f"{option.cli} {option.metavar}".strip() if option.flag else option.cli
        default = "(none)" if option.default == "" else f"`{_shown(option.default)}`"
        meaning = option.help.replace("|", "\\|")
        rows.append(f"| `{flag}` | `{option.env}` | `{option.name}` | {default} | {meaning} |")
    return "\n".join(rows) + "\n"


def _shown(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


def add_arguments(parser: argparse.ArgumentParser, names: Collection[str] | None = None) -> None:
    """Add a flag for every setting (or those in `names`), with its variable in the help."""
    parser.add_argument(
        "--config", metavar="FILE", help="TOML file of settings (env MOCKSWITCH_CONFIG)"
    )
    for option in OPTIONS:
        if names is not None and option.name not in names:
            continue
        default = option.default if option.default != "" else "none"
        text = f"{option.help} (env {option.env}; default {default})"
        if option.flag:
            parser.add_argument(
                option.cli, dest=option.name, metavar=option.metavar, default=None, help=text
            )
        else:
            parser.add_argument(
                option.cli,
                dest=option.name,
                action="store_const",
                const="true",
                default=None,
                help=text,
            )


def load_settings(
    flags: argparse.Namespace | Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Settings from flags, then the environment, then a TOML file, then the defaults."""
    environ = os.environ if environ is None else environ
    given = vars(flags) if isinstance(flags, argparse.Namespace) else dict(flags or {})
    config_file = given.get("config") or environ.get("MOCKSWITCH_CONFIG")
    from_file = _read_toml(Path(config_file)) if config_file else {}
    values: dict[str, Any] = {}
    for option in OPTIONS:
        for source, raw in (
            (option.cli, given.get(option.name)),
            (option.env, environ.get(option.env)),
            (f"{config_file}: {option.name}", from_file.get(option.name)),
        ):
            if raw is not None:
                values[option.name] = _parse(option, source, raw)
                break
        else:
            values[option.name] = option.default
    return Settings(**values)


def _parse(option: Option, source: str, raw: Any) -> Any:
    if isinstance(raw, list):  # a TOML array, for list settings: cors_origins = ["a", "b"]
        raw = ",".join(str(item) for item in raw)
    if isinstance(raw, dict):
        raise ConfigError(f"{source}: is a table, not a value")
    text = str(raw).lower() if isinstance(raw, bool) else str(raw)
    try:
        return option.parse(text)
    except ValueError as error:
        raise ConfigError(f"{source}: {error}") from None


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: cannot be read: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: not UTF-8 text ({error.reason})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from None
    table = document.get("mockswitch", document)
    settings = {key.replace("-", "_"): value for key, value in table.items()}
    unknown = sorted(set(settings) - set(_BY_NAME))
    if unknown:
        named = ", ".join(name + did_you_mean(name, _BY_NAME, quote="") for name in unknown)
        raise ConfigError(f"{path}: unknown settings: {named}")
    return settings
