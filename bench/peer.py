"""WireMock, the peer a user would compare mockswitch with: found, started, checked.

The benchmark runs WireMock's standalone jar, as bundled by the npm package `wiremock`
(pinned in bench/wiremock/package.json; `npm --prefix bench/wiremock ci` installs it), on
the Java found on PATH (Debian: `apt-get install -y openjdk-17-jre-headless`), or the jar given
with `--wiremock-jar`. Its stubs (bench/wiremock/mappings/bench.json) answer the requests of
scenarios (a) and (b) with the bytes mockswitch answers on a new database. When Java or the
jar is missing, `find()` says why and the benchmark leaves the column out.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from .servers import HOST, ROOT, Server, free_port, http

HOME = ROOT / "bench" / "wiremock"  # WireMock's --root-dir: it reads mappings/ from here
MAPPINGS = HOME / "mappings" / "bench.json"
VERSION = json.loads((HOME / "package.json").read_text())["dependencies"]["wiremock"]
BUNDLED_JAR = HOME / "node_modules" / "wiremock" / "build" / f"wiremock-standalone-{VERSION}.jar"
INSTALL = "npm --prefix bench/wiremock ci"
JAVA_PACKAGE = "openjdk-17-jre-headless"
HEALTH = "/__admin/health"


@dataclass(frozen=True)
class Found:
    """Where WireMock is, or why it is not: `note` is shown in the table's header."""

    java: str | None
    jar: Path | None
    note: str

    @property
    def usable(self) -> bool:
        return self.java is not None and self.jar is not None


def java_version(java: str) -> str | None:
    """`java -version`'s version string (e.g. 17.0.15), or None when it does not run."""
    try:
        out = subprocess.run(
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError:
        return None
    found = re.search(r'version "([^"]+)"', out.stderr + out.stdout)
    return found.group(1) if found else None


def find(jar: Path | None = None, java: str | None = None) -> Found:
    """Java on PATH (or `java`) and the jar (`jar`, or the npm package's), each checked."""
    java = java or shutil.which("java")
    version = java_version(java) if java else None
    jar = jar or BUNDLED_JAR
    if java is None or version is None:
        return Found(
            None, None, f"WireMock skipped: no java on PATH (apt-get install -y {JAVA_PACKAGE})"
        )
    if not jar.is_file():
        how = INSTALL if jar == BUNDLED_JAR else "check --wiremock-jar"
        return Found(None, None, f"WireMock skipped: no {jar.name} ({how})")
    return Found(java, jar, f"WireMock: {jar.name}, java {version}")


def server(found: Found, log_dir: Path, journal: bool = True) -> Server:
    """WireMock on 127.0.0.1 and a free port, serving bench/wiremock/mappings/.

    Its defaults otherwise, as a user would start it: the request journal on (every request
    kept in memory, unbounded) unless `journal` is False, Jetty's default threads, the JVM's
    default heap. Its readiness is `/__admin/health` answering 200."""
    if found.java is None or found.jar is None:
        raise ValueError(found.note)
    port = free_port()
    argv = [found.java, "-jar", str(found.jar), "--port", str(port), "--bind-address", HOST]
    argv += ["--root-dir", str(HOME), "--disable-banner"]
    if not journal:
        argv.append("--no-request-journal")
    return Server("wiremock", argv, port, log_dir / f"wiremock-{port}.log", cwd=HOME)


def stubs() -> list[dict]:
    return json.loads(MAPPINGS.read_text())["mappings"]


def check(running: Server) -> None:
    """One request per stub, answered with the stub's bytes, before anything is measured:
    a table must not show the throughput of 404s."""
    for stub in stubs():
        request = stub["request"]
        query = "&".join(
            f"{name}={_example(rule)}" for name, rule in request["queryParameters"].items()
        )
        status, body, _ = http("GET", running.port, f"{request['urlPath']}?{query}")
        expected = json.loads(stub["response"]["body"])
        if status != stub["response"]["status"] or body != expected:
            raise RuntimeError(f"WireMock answered {status} {body!r} for stub {stub['name']!r}")


def _example(rule: dict[str, str]) -> str:
    """A query value the rule accepts: its `equalTo`, or a non-digit for the one `matches`."""
    return rule.get("equalTo", "x")
