"""Autosave under load: gunicorn on loopback, many clients, and a check that no update is lost.

    make bench                                   # both modes, as CI's environment
    python -m bench.autosave                     # throughput: 16 clients as fast as they can
    python -m bench.autosave --mode respondents  # 200 respondents who think between actions
    python -m bench.autosave --profile           # one autosave in-process: queries and profile

The throughput mode then drives, on the same gunicorn with the same clients, a bare view that
only authenticates the session and answers (`/accounts/session/`), and ends with one line:
`saves_per_s=... bare_per_s=... ratio=... lost=...` (ratio: autosave throughput over the bare
view's, the share of the framework's own ceiling that a save reaches).

Settings come from the environment, as for the tests (`make bench` passes the same variables as
`make test`). The data live in a PostgreSQL database of their own, `<name>_bench` next to the
one DATABASE_URL names, created and migrated if needed; the cache gets Redis database 15 and a
key prefix of its own. Every country gets a return, an NSO and one focal point (created once,
then reused); sessions are written directly (no password hashing) and the CSRF token is a fixed
secret sent as cookie and header. The app runs under gunicorn (DEBUG off, plain HTTP) and is
stopped at the end.

Throughput: each client owns one return and cycles over a few questions of sections A, B and F
(text, yes/no, decimal), sending the version it last got back, so that there is no conflict.
Respondents: each respondent owns one return and, after 1-3 s of thought, autosaves (80 %),
opens a section page (15 %) or the return's overview (5 %). Both modes then compare every
client's last saved value and version, and its number of saves, with the database.
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import random
import secrets
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.client import HTTPConnection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from consultation.parsing import parse_whole_number

ROOT = Path(__file__).resolve().parent.parent
QUESTIONNAIRE_FILE = ROOT / "fixtures" / "questionnaires" / "migration-2026.yaml"
ROUND_CODE = "2026"
CACHE_PREFIX = "bench-autosave"
BENCH_REDIS_DB = 15  # the last of Redis's 16 default databases
USER_PREFIX = "bench-fp-"
BACKEND = "django.contrib.auth.backends.ModelBackend"
CORES = os.cpu_count() or 1

# (section, question, kind): the answers each client edits in turn; none has a show_if.
QUESTIONS = (
    ("A", "A3", "text"),
    ("A", "A8", "yes_no"),
    ("B", "B6", "yes_no"),
    ("F", "F1", "yes_no"),
    ("F", "F2", "decimal"),
    ("A", "A14", "yes_no"),
)
PAGE_SECTIONS = ("A", "B", "F")

# The aims of the issue.
AIM_SAVES_PER_SECOND = 300
AIM_MEDIAN_MS = 15
AIM_PAGE_P95_MS = 300
AIM_AUTOSAVE_P95_MS = 100


# --- The database -------------------------------------------------------------------------------


def bench_database_url(url: str) -> str:
    """DATABASE_URL with the database's name followed by `_bench`."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql", "postgis"):
        raise SystemExit(
            "bench.autosave needs PostgreSQL: set DATABASE_URL as `make test` does "
            f"(it names {parts.scheme or 'nothing'!r})."
        )
    name = parts.path.lstrip("/") or "postgres"
    return urlunsplit(parts._replace(path=f"/{name}_bench"))


def create_database(url: str) -> None:
    """Create the database named by `url` if it does not exist."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    maintenance = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(maintenance, autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def bench_cache_url(url: str) -> str:
    """CACHE_URL with a key prefix of its own and, for Redis, a database of its own.

    The cached questionnaire must be the bench database's, and the tests' `cache.clear()`
    (FLUSHDB) must not empty the cache while the benchmark runs next to them.
    """
    if not url:
        return url
    parts = urlsplit(url)
    if parts.scheme in ("redis", "rediss"):
        parts = parts._replace(path=f"/{BENCH_REDIS_DB}")
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "key_prefix"]
    query.append(("key_prefix", CACHE_PREFIX))
    return urlunsplit(parts._replace(query=urlencode(query)))


def server_environment(database_url: str) -> dict[str, str]:
    """What the app sees, here and under gunicorn: production-like, plain HTTP on loopback."""
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL_FILE", "CACHE_URL_FILE", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=database_url,
        CACHE_URL=bench_cache_url(os.environ.get("CACHE_URL", "")),
        DEBUG="false",
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL=os.environ.get("LOG_LEVEL", "WARNING"),
    )
    if not environment.get("SECRET_KEY") and not environment.get("SECRET_KEY_FILE"):
        environment["SECRET_KEY"] = secrets.token_urlsafe(50)
    return environment


def setup_django(environment: dict[str, str]) -> None:
    os.environ.update(environment)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def migrate() -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    # With DEBUG off, {% static %} on the pages needs an up-to-date manifest (as `make test`).
    call_command("collectstatic", interactive=False, verbosity=0)


# --- The world: returns, NSOs, focal points, sessions --------------------------------------------


@dataclass
class Seat:
    """One focal point of one country's return, signed in."""

    return_id: int
    authority_id: int
    user_id: int
    session_key: str = ""


def reference_round() -> Any:
    from consultation.areas import load_areas
    from consultation.loader import load_questionnaire
    from consultation.models import Round
    from responses.rounds import open_round

    round_ = Round.objects.filter(code=ROUND_CODE).first()
    if round_ is None:
        load_areas()
        load_questionnaire(QUESTIONNAIRE_FILE, round_code=ROUND_CODE)
        round_ = Round.objects.get(code=ROUND_CODE)
    if round_.status == Round.Status.DRAFT:
        open_round(round_=round_, opened_by=None)  # replies are saved only in an open round
        round_.refresh_from_db()
    return round_


def prepare_seats() -> list[Seat]:
    """A return, an NSO and a focal point for every country, created once (a few bulk queries)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from consultation.models import Area
    from responses.models import Authority, CountryReturn, Membership

    user_model = get_user_model()
    round_ = reference_round()
    with transaction.atomic():
        countries = list(Area.objects.filter(level=Area.Level.COUNTRY).order_by("m49_code"))
        returns = {r.country_id: r for r in CountryReturn.objects.filter(round=round_)}
        CountryReturn.objects.bulk_create(
            [CountryReturn(round=round_, country=c) for c in countries if c.pk not in returns]
        )
        returns = {r.country_id: r for r in CountryReturn.objects.filter(round=round_)}
        nsos = {a.country_id: a for a in Authority.objects.filter(kind=Authority.Kind.NSO)}
        Authority.objects.bulk_create(
            [
                Authority(
                    country=c,
                    name=f"National statistical office of {c.name}",
                    kind=Authority.Kind.NSO,
                )
                for c in countries
                if c.pk not in nsos
            ]
        )
        nsos = {a.country_id: a for a in Authority.objects.filter(kind=Authority.Kind.NSO)}
        usernames = {c.pk: f"{USER_PREFIX}{c.m49_code}@example.org" for c in countries}
        users = {u.username: u for u in user_model.objects.filter(username__startswith=USER_PREFIX)}
        user_model.objects.bulk_create(
            [
                user_model(username=name, email=name, password=make_password(None))
                for name in usernames.values()
                if name not in users
            ]
        )
        users = {u.username: u for u in user_model.objects.filter(username__startswith=USER_PREFIX)}
        Membership.objects.bulk_create(
            [
                Membership(
                    user=users[usernames[c.pk]],
                    role=Membership.Role.FOCAL_POINT,
                    country_return=returns[c.pk],
                    authority=nsos[c.pk],
                )
                for c in countries
            ],
            ignore_conflicts=True,
        )
    return [
        Seat(returns[c.pk].pk, nsos[c.pk].pk, users[usernames[c.pk]].pk)
        for c in countries
        if c.pk in returns
    ]


def reset_answers(seats: list[Seat]) -> None:
    """Forget the seats' answers (and their history): every run starts from version 0.

    The returns stay in progress: a status changes only through its lifecycle.
    """
    from responses.models import Answer

    Answer.objects.filter(country_return_id__in=[s.return_id for s in seats]).delete()


def sign_in(seats: list[Seat]) -> None:
    """A database session for each seat, as a sign-in would write it (without PBKDF2)."""
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from config.sessions import SESSION_STARTED_KEY

    Session.objects.filter(expire_date__lt=timezone.now()).delete()
    users = get_user_model().objects.in_bulk([s.user_id for s in seats])
    for seat in seats:
        user = users[seat.user_id]
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = BACKEND
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session[SESSION_STARTED_KEY] = time.time()
        session.save()
        seat.session_key = session.session_key


# --- Gunicorn -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Server:
    """gunicorn serving config.wsgi on 127.0.0.1, as a subprocess in a session of its own."""

    def __init__(self, options: argparse.Namespace, environment: dict[str, str]) -> None:
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(  # noqa: SIM115
            prefix="bench-gunicorn-", suffix=".log", delete=False
        )
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--bind",
            f"127.0.0.1:{self.port}",
            "--workers",
            str(options.workers),
            "--worker-class",
            options.worker_class,
            "--timeout",
            "60",
            "--log-level",
            "warning",
        ]
        if options.worker_class == "gthread":
            command += ["--threads", str(options.threads)]
        command += shlex.split(options.gunicorn_options)
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def wait_until_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"gunicorn stopped at start:\n{self.log_tail()}")
            try:
                connection = HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", "/accounts/login/")
                connection.getresponse().read()
                connection.close()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"gunicorn did not answer within {timeout:.0f} s:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        if not self.log.closed:
            self.log.flush()
        text = Path(self.log.name).read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()


# --- CPU accounting -----------------------------------------------------------------------------


def cpu_snapshot() -> tuple[float, dict[int, tuple[str, int, int]]]:
    """Machine busy ticks, and per process (name, parent, ticks), from /proc.

    A PostgreSQL backend's name is its title ("postgres: ... <database> ..."), to tell the
    benchmark's backends from those of anything else running on the machine.
    """
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return 0.0, {}
    values = [int(v) for v in fields]
    busy = sum(values) - values[3] - (values[4] if len(values) > 4 else 0)
    processes = {}
    for entry in Path("/proc").iterdir():
        if parse_whole_number(entry.name) is None:
            continue
        try:
            text = (entry / "stat").read_text()
            name = text[text.index("(") + 1 : text.rindex(")")]
            if name.startswith("postgres"):
                name = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, ValueError):
            continue
        rest = text[text.rindex(")") + 2 :].split()
        processes[int(entry.name)] = (name, int(rest[1]), int(rest[11]) + int(rest[12]))
    return float(busy), processes


def machine_busy(seconds: float = 1.0) -> float:
    """How many cores something else keeps busy now (before the benchmark starts)."""
    before = cpu_snapshot()[0]
    time.sleep(seconds)
    return (cpu_snapshot()[0] - before) / os.sysconf("SC_CLK_TCK") / seconds


def cpu_during(start_at: float, duration: float) -> list[Any]:
    """[snapshot at start_at, snapshot after duration, seconds between], filled by timers."""
    taken: list[Any] = []

    def take() -> None:
        taken.append(cpu_snapshot())
        if len(taken) == 2:
            taken.append(duration - 0.2)

    # The clients stop (and their processes end) at start_at + duration: measure just before.
    for delay in (start_at - time.time(), start_at + duration - 0.2 - time.time()):
        timer = threading.Timer(max(0.0, delay), take)
        timer.daemon = True
        timer.start()
    return taken


def cpu_usage(
    before: tuple[float, dict], after: tuple[float, dict], seconds: float, server_pid: int
) -> dict[str, float]:
    """Cores used during the run: by the machine, gunicorn, the benchmark's PostgreSQL backends,
    Redis, the clients, and anything else (other work on the machine)."""
    hertz = os.sysconf("SC_CLK_TCK")
    processes = after[1]
    database = urlsplit(os.environ.get("DATABASE_URL", "")).path.lstrip("/")

    def descends(pid: int, ancestor: int) -> bool:
        seen = 0
        while pid and seen < 50:
            if pid == ancestor:
                return True
            pid = processes.get(pid, ("", 0, 0))[1]
            seen += 1
        return False

    groups: Counter[str] = Counter()
    for pid, (name, _parent, ticks) in processes.items():
        used = ticks - before[1].get(pid, (name, 0, 0))[2]
        if used <= 0:
            continue
        if descends(pid, server_pid):
            groups["gunicorn"] += used
        elif name.startswith("postgres") and f" {database} " in name:
            groups["postgres"] += used
        elif name.startswith("redis"):
            groups["redis"] += used
        elif descends(pid, os.getpid()):
            groups["clients"] += used
    usage = {name: ticks / hertz / seconds for name, ticks in groups.items()}
    usage["machine"] = (after[0] - before[0]) / hertz / seconds
    usage["other"] = max(0.0, usage["machine"] - sum(v for k, v in usage.items() if k != "machine"))
    return usage


def print_cpu(cpu: list[Any], server_pid: int, requests: int) -> None:
    """Cores used, and the server's CPU per request: what bounds the rate on an idle machine."""
    if len(cpu) != 3:
        return
    usage = cpu_usage(*cpu, server_pid)
    names = ("gunicorn", "postgres", "redis", "clients", "other")
    print(
        f"cpu (cores): machine {usage['machine']:.2f} of {CORES}; "
        + ", ".join(f"{name} {usage.get(name, 0.0):.2f}" for name in names)
    )
    rate = requests / cpu[2]
    if rate:
        app = usage.get("gunicorn", 0.0) * 1000 / rate
        database = usage.get("postgres", 0.0) * 1000 / rate
        print(
            f"cpu per request: gunicorn {app:.1f} ms + postgres {database:.1f} ms; "
            f"{CORES} idle cores would serve at most ~{CORES * 1000 / (app + database):.0f}/s"
        )


# --- The clients ---------------------------------------------------------------------------------


@dataclass
class KeyState:
    """What a client knows of one of its answers: the version and value it last saved."""

    section: str
    question: str
    kind: str
    version: int = 0
    value: Any = None
    saves: int = 0
    uncertain: bool = False
    counter: int = 0

    @property
    def key(self) -> str:
        return f"{self.question}||"

    def next_edit(self, tag: str) -> tuple[str, Any]:
        """The next form value (always different from the stored one) and its stored JSON."""
        self.counter += 1
        if self.kind == "text":
            text = f"{tag} edit {self.counter}"
            return text, text
        if self.kind == "decimal":
            number = f"{self.counter % 400}.{self.counter % 9 + 1}"
            return number, number
        choice = "yes" if self.counter % 2 else "no"
        return choice, choice


@dataclass
class Tally:
    """Latencies and errors of one client (or one process's respondents), by kind of request."""

    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter = field(default_factory=Counter)

    def add(self, kind: str, milliseconds: float) -> None:
        self.latencies.setdefault(kind, []).append(milliseconds)

    def merge(self, other: "Tally") -> None:
        for kind, values in other.latencies.items():
            self.latencies.setdefault(kind, []).extend(values)
        self.errors.update(other.errors)


class Client:
    """One signed-in respondent's HTTP connection (reopened when gunicorn closes it)."""

    def __init__(self, port: int, seat: Seat, timeout: float = 30) -> None:
        self.port = port
        self.seat = seat
        self.timeout = timeout
        self.connection = HTTPConnection("127.0.0.1", port, timeout=timeout)
        csrf = secrets.token_hex(16)  # 32 characters: an unmasked CSRF secret
        self.headers = {
            "Cookie": f"sessionid={seat.session_key}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
        }
        self.keys = [KeyState(*question) for question in QUESTIONS]
        self.turn = 0
        self.last_used = 0.0

    def request(self, method: str, path: str, body: bytes | None = None) -> tuple[int, bytes]:
        headers = dict(self.headers)
        if body is not None:
            headers["Content-Type"] = "application/json"
        if time.monotonic() - self.last_used > 1.0:
            # gunicorn closes idle keep-alive connections (2 s by default): a POST sent as it
            # does would fail. A browser reopens such a connection too.
            self.connection.close()
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            content = response.read()
        except Exception:
            self.connection.close()
            self.connection = HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            raise
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
        self.last_used = time.monotonic()
        return response.status, content

    def autosave(self, tally: Tally, tag: str, kind: str = "autosave") -> None:
        state = self.keys[self.turn % len(self.keys)]
        self.turn += 1
        field_value, stored = state.next_edit(tag)
        body = json.dumps(
            {
                "answers": [
                    {
                        "key": state.key,
                        "version": state.version,
                        "data": {state.question: field_value},
                    }
                ]
            }
        ).encode()
        path = f"/returns/{self.seat.return_id}/sections/{state.section}/autosave/"
        start = time.perf_counter()
        try:
            status, content = self.request("POST", path, body)
        except Exception as error:
            tally.errors[f"{kind}: {type(error).__name__}"] += 1
            state.uncertain = True  # the save may or may not have happened
            return
        tally.add(kind, (time.perf_counter() - start) * 1000)
        if status != 200:
            tally.errors[f"{kind}: HTTP {status}"] += 1
            if status >= 500:
                state.uncertain = True
            return
        reply = json.loads(content)
        if reply.get("errors"):
            tally.errors[f"{kind}: invalid {sorted(reply['errors'])}"] += 1
        if state.key in reply.get("saved", {}):
            state.version = reply["saved"][state.key]
            state.value = stored
            state.saves += 1
        elif state.key in reply.get("unchanged", {}):
            tally.errors[f"{kind}: unchanged"] += 1
            state.version = reply["unchanged"][state.key]
        elif not reply.get("errors"):
            tally.errors[f"{kind}: not saved"] += 1

    def view(self, tally: Tally, kind: str, path: str) -> None:
        start = time.perf_counter()
        try:
            status, _content = self.request("GET", path)
        except Exception as error:
            tally.errors[f"{kind}: {type(error).__name__}"] += 1
            return
        tally.add(kind, (time.perf_counter() - start) * 1000)
        if status != 200:
            tally.errors[f"{kind}: HTTP {status}"] += 1

    def outcome(self) -> list[dict[str, Any]]:
        return [
            {
                "return_id": self.seat.return_id,
                "authority_id": self.seat.authority_id,
                "question": s.question,
                "version": s.version,
                "value": s.value,
                "saves": s.saves,
                "uncertain": s.uncertain,
            }
            for s in self.keys
        ]


def throughput_client(
    index: int, port: int, seat: Seat, start_at: float, duration: float, queue: Any
) -> None:
    """Autosave as fast as the server answers, from `start_at` for `duration` seconds."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    client = Client(port, seat)
    warm_up = Tally()
    for _ in range(3):
        client.autosave(warm_up, f"client {index}")
    time.sleep(max(0.0, start_at - time.time()))
    tally = Tally()
    end = start_at + duration
    while time.time() < end:
        client.autosave(tally, f"client {index}")
    tally.errors.update({f"warm-up {k}": v for k, v in warm_up.errors.items()})
    queue.put((tally, client.outcome()))


BARE_PATH = "/accounts/session/"


def bare_client(
    index: int, port: int, seat: Seat, start_at: float, duration: float, queue: Any
) -> None:
    """Ask the bare view as fast as the server answers, from `start_at` for `duration` seconds."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    client = Client(port, seat)
    warm_up = Tally()
    for _ in range(3):
        client.view(warm_up, "bare", BARE_PATH)
    time.sleep(max(0.0, start_at - time.time()))
    tally = Tally()
    end = start_at + duration
    while time.time() < end:
        client.view(tally, "bare", BARE_PATH)
    tally.errors.update({f"warm-up {k}": v for k, v in warm_up.errors.items()})
    queue.put((tally, []))


def respondents_process(
    seats: list[Seat], port: int, start_at: float, duration: float, think: float, queue: Any
) -> None:
    """A thread per respondent: think 1-3 s, then autosave, open a section, or the overview."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    tally = Tally()
    lock = threading.Lock()
    outcomes: list[dict[str, Any]] = []
    end = start_at + duration

    def respondent(seat: Seat) -> None:
        rng = random.Random(seat.return_id)
        client = Client(port, seat)
        mine = Tally()
        time.sleep(max(0.0, start_at - time.time()) + rng.uniform(0, 3 * think))
        while time.time() < end:
            draw = rng.random()
            if draw < 0.80:
                client.autosave(mine, f"respondent {seat.return_id}")
            elif draw < 0.95:
                section = rng.choice(PAGE_SECTIONS)
                path = f"/returns/{seat.return_id}/sections/{section}/"
                client.view(mine, "section page", path)
            else:
                client.view(mine, "overview", f"/returns/{seat.return_id}/")
            time.sleep(rng.uniform(1, 3) * think)
        with lock:
            tally.merge(mine)
            outcomes.extend(client.outcome())

    threads = [threading.Thread(target=respondent, args=(seat,)) for seat in seats]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    queue.put((tally, outcomes))


def run_processes(targets: list[tuple[Any, tuple]], timeout: float) -> tuple[Tally, list[dict]]:
    """Fork one process per target, collect (Tally, outcomes) from each."""
    from django.db import connections

    connections.close_all()  # no database connection shared with the children
    context = multiprocessing.get_context("fork")
    queue = context.Queue()
    processes = [context.Process(target=t, args=(*args, queue)) for t, args in targets]
    for process in processes:
        process.start()
    tally, outcomes = Tally(), []
    try:
        for _ in processes:
            part, outcome = queue.get(timeout=timeout)
            tally.merge(part)
            outcomes.extend(outcome)
    except BaseException:
        for process in processes:
            process.terminate()
        raise
    finally:
        for process in processes:
            process.join(timeout=5)
            if process.is_alive():
                process.kill()
    return tally, outcomes


# --- Checks and report --------------------------------------------------------------------------


def lost_updates(outcomes: list[dict[str, Any]]) -> tuple[list[str], int, int]:
    """Compare what the clients saved with the database: (problems, keys checked, skipped)."""
    from responses.models import Answer

    answers = {
        (a.country_return_id, a.authority_id, a.question.code): a
        for a in Answer.objects.filter(
            country_return_id__in={o["return_id"] for o in outcomes}, row_code="", column_code=""
        )
        .select_related("question")
        .prefetch_related("changes")
    }
    problems, checked, skipped = [], 0, 0
    for o in outcomes:
        if o["uncertain"]:
            skipped += 1
            continue
        checked += 1
        where = f"return {o['return_id']} {o['question']}"
        answer = answers.get((o["return_id"], o["authority_id"], o["question"]))
        if answer is None:
            if o["saves"]:
                problems.append(f"{where}: {o['saves']} saves, nothing stored")
            continue
        changes = len(answer.changes.all())
        if answer.value != o["value"] or answer.version != o["version"]:
            problems.append(
                f"{where}: stored {answer.value!r} v{answer.version}, "
                f"last saved {o['value']!r} v{o['version']}"
            )
        if changes != o["saves"]:
            problems.append(f"{where}: {changes} AnswerChange rows for {o['saves']} saves")
    return problems, checked, skipped


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def print_table(tally: Tally, seconds: float) -> None:
    header = f"{'request':<14} {'count':>7} {'per s':>7} {'median':>9} {'p95':>9} {'max':>9}"
    print(header)
    print("-" * len(header))
    for kind, values in sorted(tally.latencies.items()):
        print(
            f"{kind:<14} {len(values):>7} {len(values) / seconds:>7.1f} "
            f"{statistics.median(values):>6.1f} ms {percentile(values, 0.95):>6.1f} ms "
            f"{max(values):>6.1f} ms"
        )
    errors = sum(tally.errors.values())
    print(f"errors: {errors}")
    for kind, count in tally.errors.most_common():
        print(f"  {count:>6}  {kind}")


def print_lost_updates(outcomes: list[dict[str, Any]]) -> bool:
    problems, checked, skipped = lost_updates(outcomes)
    saves = sum(o["saves"] for o in outcomes)
    print(
        f"lost updates: {len(problems)}  ({checked} answer keys and {saves} saves checked "
        f"against the database"
        + (f"; {skipped} keys skipped after a failed request)" if skipped else ")")
    )
    for problem in problems[:50]:
        print(f"  {problem}")
    return not problems


def verdict(label: str, met: bool) -> str:
    return f"{label}: {'met' if met else 'NOT MET'}"


# --- The modes ----------------------------------------------------------------------------------


@dataclass
class ThroughputResult:
    ok: bool
    saves_per_s: float
    lost: int


def run_throughput(
    options: argparse.Namespace, seats: list[Seat], server: Server
) -> ThroughputResult:
    chosen = seats[: options.clients]
    if len(chosen) < options.clients:
        raise SystemExit(f"only {len(seats)} returns for {options.clients} clients")
    reset_answers(chosen)
    start_at = time.time() + 2 + options.clients * 0.05
    targets = [
        (throughput_client, (i, server.port, seat, start_at, options.duration))
        for i, seat in enumerate(chosen)
    ]
    cpu = cpu_during(start_at, options.duration)
    tally, outcomes = run_processes(targets, timeout=options.duration + 120)
    saves = tally.latencies.get("autosave", [])
    print()
    print(f"== throughput: {options.clients} clients, no think time, {options.duration:.0f} s")
    print_table(tally, options.duration)
    print_cpu(cpu, server.process.pid, sum(len(v) for v in tally.latencies.values()))
    intact = print_lost_updates(outcomes)
    lost = len(lost_updates(outcomes)[0])
    rate = len(saves) / options.duration
    median = statistics.median(saves) if saves else float("inf")
    errors = sum(tally.errors.values())
    print(
        "aims: "
        + "; ".join(
            [
                verdict(
                    f"≥ {AIM_SAVES_PER_SECOND} saves/s ({rate:.0f})", rate >= AIM_SAVES_PER_SECOND
                ),
                verdict(f"median < {AIM_MEDIAN_MS} ms ({median:.1f})", median < AIM_MEDIAN_MS),
                verdict(f"no errors ({errors})", not errors),
                verdict("no lost update", intact),
            ]
        )
    )
    return ThroughputResult(ok=intact and not errors, saves_per_s=rate, lost=lost)


def run_bare(options: argparse.Namespace, seats: list[Seat], server: Server) -> float:
    """The bare view's throughput with the same clients: requests per second."""
    chosen = seats[: options.clients]
    start_at = time.time() + 2 + options.clients * 0.05
    targets = [
        (bare_client, (i, server.port, seat, start_at, options.duration))
        for i, seat in enumerate(chosen)
    ]
    cpu = cpu_during(start_at, options.duration)
    tally, _outcomes = run_processes(targets, timeout=options.duration + 120)
    print()
    print(f"== bare view {BARE_PATH}: {options.clients} clients, {options.duration:.0f} s")
    print_table(tally, options.duration)
    print_cpu(cpu, server.process.pid, sum(len(v) for v in tally.latencies.values()))
    errors = sum(tally.errors.values())
    if errors:
        print(f"bare view errors: {errors}")
    return len(tally.latencies.get("bare", [])) / options.duration


def run_respondents(options: argparse.Namespace, seats: list[Seat], server: Server) -> bool:
    chosen = seats[: options.respondents]
    if len(chosen) < options.respondents:
        raise SystemExit(f"only {len(seats)} returns for {options.respondents} respondents")
    reset_answers(chosen)
    processes = max(1, min(options.processes, len(chosen)))
    groups = [chosen[i::processes] for i in range(processes)]
    start_at = time.time() + 2
    targets = [
        (
            respondents_process,
            (group, server.port, start_at, options.respondents_duration, options.think),
        )
        for group in groups
    ]
    cpu = cpu_during(start_at, options.respondents_duration)
    tally, outcomes = run_processes(targets, timeout=options.respondents_duration + 120)
    print()
    print(
        f"== respondents: {options.respondents} respondents in {processes} processes, "
        f"think time {options.think:g} x 1-3 s, {options.respondents_duration:.0f} s"
    )
    print_table(tally, options.respondents_duration)
    print_cpu(cpu, server.process.pid, sum(len(v) for v in tally.latencies.values()))
    intact = print_lost_updates(outcomes)
    pages = tally.latencies.get("section page", []) + tally.latencies.get("overview", [])
    saves = tally.latencies.get("autosave", [])
    page_p95 = percentile(pages, 0.95) if pages else float("inf")
    save_p95 = percentile(saves, 0.95) if saves else float("inf")
    errors = sum(tally.errors.values())
    print(
        "aims: "
        + "; ".join(
            [
                verdict(f"no errors ({errors})", not errors),
                verdict(
                    f"page p95 < {AIM_PAGE_P95_MS} ms ({page_p95:.0f})", page_p95 < AIM_PAGE_P95_MS
                ),
                verdict(
                    f"autosave p95 < {AIM_AUTOSAVE_P95_MS} ms ({save_p95:.0f})",
                    save_p95 < AIM_AUTOSAVE_P95_MS,
                ),
                verdict("no lost update", intact),
            ]
        )
    )
    return intact and not errors


def profile_one_autosave(options: argparse.Namespace, seat: Seat) -> None:
    """Autosaves in-process with the test client: the queries of one, and where the time goes."""
    import cProfile
    import pstats

    from django.conf import settings
    from django.db import connection
    from django.test import Client as TestClient
    from django.test.utils import override_settings

    client = TestClient(HTTP_HOST="127.0.0.1")
    client.cookies[settings.SESSION_COOKIE_NAME] = seat.session_key
    state = KeyState("A", "A3", "text")

    def save() -> Any:
        value, _stored = state.next_edit("profile")
        response = client.post(
            f"/returns/{seat.return_id}/sections/A/autosave/",
            data=json.dumps(
                {"answers": [{"key": state.key, "version": state.version, "data": {"A3": value}}]}
            ),
            content_type="application/json",
        )
        if response.status_code != 200:
            raise SystemExit(
                f"autosave answered {response.status_code}: {response.content[:300]!r}"
            )
        state.version = response.json()["saved"][state.key]
        return response

    with override_settings(ALLOWED_HOSTS=["127.0.0.1"]):
        for _ in range(5):
            save()
        queries: list[tuple[float, str]] = []

        def record(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            start = time.perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                queries.append(((time.perf_counter() - start) * 1000, sql))

        # The test client's request_started signal empties connection.queries: wrap instead.
        walls, cpus, in_queries = [], [], []
        by_position: dict[int, list[float]] = {}
        sqls: dict[int, str] = {}
        with connection.execute_wrapper(record):
            for _ in range(options.profile_requests):
                queries.clear()
                wall, cpu = time.perf_counter(), time.process_time()
                save()
                walls.append((time.perf_counter() - wall) * 1000)
                cpus.append((time.process_time() - cpu) * 1000)
                in_queries.append(sum(ms for ms, _sql in queries))
                for position, (ms, sql) in enumerate(queries):
                    by_position.setdefault(position, []).append(ms)
                    sqls[position] = sql
        try:
            from pyinstrument import Profiler
        except ImportError:
            Profiler = None
        if Profiler is not None:
            sampler = Profiler(interval=0.0002)
            sampler.start()
        else:
            profiler = cProfile.Profile()
            profiler.enable()
        for _ in range(options.profile_requests):
            save()
        if Profiler is not None:
            sampler.stop()
        else:
            profiler.disable()
    print()
    print(f"== autosave in-process (Django test client), {options.profile_requests} requests")
    print(
        f"wall time          median {statistics.median(walls):.2f} ms, "
        f"p95 {percentile(walls, 0.95):.2f} ms"
    )
    print(f"python cpu time    median {statistics.median(cpus):.2f} ms (this process only)")
    print(f"waiting on queries median {statistics.median(in_queries):.2f} ms (commits excluded)")
    print(f"queries per request: {len(by_position)} (median time of each)")
    for position, times in sorted(by_position.items()):
        print(f"  {statistics.median(times):6.2f} ms  {sqls[position][:130]}")
    print()
    if Profiler is not None:
        print(sampler.output_text(unicode=True, color=False, show_all=False))
    else:
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(60)
        stats.sort_stats("tottime").print_stats(30)


# --- Main ---------------------------------------------------------------------------------------


def parse_options(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--mode", choices=["throughput", "respondents", "both"], default="throughput"
    )
    parser.add_argument("--clients", type=int, default=16, help="throughput clients (16)")
    parser.add_argument("--duration", type=float, default=20, help="seconds of throughput (20)")
    parser.add_argument("--respondents", type=int, default=200, help="respondents (200)")
    parser.add_argument(
        "--respondents-duration", type=float, default=30, help="seconds of respondents (30)"
    )
    parser.add_argument("--think", type=float, default=1.0, help="scale of the 1-3 s think time")
    parser.add_argument(
        "--processes", type=int, default=4, help="processes sharing the respondents' threads (4)"
    )
    parser.add_argument(
        "--workers", type=int, default=2 * CORES + 1, help=f"gunicorn workers ({2 * CORES + 1})"
    )
    parser.add_argument(
        "--worker-class", choices=["sync", "gthread"], default="sync", help="gunicorn (sync)"
    )
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker (4)")
    parser.add_argument(
        "--gunicorn-options", default="", help="more gunicorn options, e.g. '--keep-alive 5'"
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile autosaves in-process, no gunicorn"
    )
    parser.add_argument("--profile-requests", type=int, default=200)
    return parser.parse_args(argv)


def stop_on_signal(number: int, _frame: Any) -> None:
    raise KeyboardInterrupt(f"signal {number}")


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    # Ctrl-C and kill stop the run and gunicorn (even when started with SIGINT ignored).
    signal.signal(signal.SIGINT, stop_on_signal)
    signal.signal(signal.SIGTERM, stop_on_signal)
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        raise SystemExit("Set DATABASE_URL (PostgreSQL) as `make test` does, or run `make bench`.")
    database_url = bench_database_url(url)
    create_database(database_url)
    environment = server_environment(database_url)
    setup_django(environment)
    migrate()
    seats = prepare_seats()
    modes = ["throughput", "respondents"] if options.mode == "both" else [options.mode]
    wanted = max(
        options.clients if "throughput" in modes else 1,
        options.respondents if "respondents" in modes else 1,
    )
    sign_in(seats[:wanted])

    print(
        f"database        {urlsplit(database_url).path.lstrip('/')} "
        f"({len(seats)} returns, one focal point each)"
    )
    if options.profile:
        reset_answers(seats[:1])
        profile_one_autosave(options, seats[0])
        return 0
    threads = f", {options.threads} threads each" if options.worker_class == "gthread" else ""
    busy = machine_busy()
    print(f"cores           {CORES} ({busy:.2f} busy just before the run)")
    if busy > 0.2:
        print("                warning: the machine is busy; figures will be lower than alone")
    print(f"gunicorn        {options.workers} {options.worker_class} workers{threads}, config.wsgi")
    if "throughput" in modes:
        print(f"throughput      {options.clients} client processes, {options.duration:g} s")
    if "respondents" in modes:
        print(
            f"respondents     {options.respondents} respondents, {options.processes} processes, "
            f"think {options.think:g} x 1-3 s, {options.respondents_duration:g} s"
        )

    server = Server(options, environment)
    ok = True
    throughput: ThroughputResult | None = None
    bare_per_s = 0.0
    try:
        server.wait_until_ready()
        for mode in modes:
            if mode == "throughput":
                throughput = run_throughput(options, seats, server)
                ok = throughput.ok and ok
                bare_per_s = run_bare(options, seats, server)
            else:
                ok = run_respondents(options, seats, server) and ok
    except KeyboardInterrupt:
        print("interrupted")
        ok = False
    finally:
        server.stop()
        problems = [
            line
            for line in server.log_tail(200).splitlines()
            if "Traceback" in line or "ERROR" in line
        ]
        if problems:
            print(f"gunicorn logged {len(problems)} errors; log: {server.log.name}")
        else:
            with contextlib.suppress(OSError):
                os.unlink(server.log.name)
    if throughput is not None:
        ratio = throughput.saves_per_s / bare_per_s if bare_per_s else 0.0
        print()
        print(
            f"saves_per_s={throughput.saves_per_s:.0f} bare_per_s={bare_per_s:.0f} "
            f"ratio={ratio:.2f} lost={throughput.lost}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
