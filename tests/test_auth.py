"""Staff accounts and write protection (atlas/auth): the users file, tokens, sessions, CSRF,
the login rate limit, open redirects, the dependencies' 401/403, and ``atlas user``.

The write routes are exercised through a small test-only router (``/test-auth/...``) that
uses ``EditorDep`` and ``AdminDep`` exactly as the real write routes do.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import stat
from pathlib import Path
from typing import Annotated

import pytest
from fastapi import APIRouter, Body, Depends, FastAPI, Form
from fastapi.testclient import TestClient

from atlas.auth import PUBLIC_WRITES, AdminDep, EditorDep, User, require_role, write_routes
from atlas.auth.ratelimit import LoginLimiter
from atlas.auth.routes import safe_next
from atlas.auth.secret import secret_key_file, session_secret
from atlas.auth.users import UserError, UserStore
from atlas.cli import main
from atlas.config import Settings
from atlas.web.app import create_app

EDITOR_PW = "editor-password-1"
ADMIN_PW = "admin-password-22"
SECRET = "test-secret-key-" + "x" * 32
JSON = {"Accept": "application/json"}

probe = APIRouter(prefix="/test-auth")


@probe.post("/edit")
def probe_edit(user: EditorDep) -> dict:
    return {"name": user.name, "role": user.role}


@probe.post("/admin")
def probe_admin(user: AdminDep) -> dict:
    return {"name": user.name, "role": user.role}


@probe.get("/whoami")
def probe_whoami(user: EditorDep) -> dict:
    return {"name": user.name}


@probe.post("/note")
def probe_note(user: EditorDep, text: Annotated[str, Form()]) -> dict:
    return {"name": user.name, "text": text}


@probe.put("/doc")
def probe_doc(user: EditorDep, body: Annotated[dict, Body()]) -> dict:
    return {"name": user.name, "body": body}


@probe.post("/open")
def probe_open() -> dict:
    return {}


# ------------------------------------------------------------------ fixtures and helpers
@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    return tmp_path / "var" / "users.json"


@pytest.fixture
def store(users_file: Path) -> UserStore:
    store = UserStore(users_file)
    store.add("lin", "editor", EDITOR_PW)
    store.add("chen", "admin", ADMIN_PW)
    return store


def make_app(data_dir: Path, users_file: Path, **extra) -> FastAPI:
    settings = Settings(data_dir=data_dir, tiles="none", users_file=users_file,
                        **({"secret_key": SECRET} | extra))
    app = create_app(settings)
    app.include_router(probe)
    return app


@pytest.fixture
def app(data_copy: Path, users_file: Path, store: UserStore) -> FastAPI:
    return make_app(data_copy, users_file)


@pytest.fixture
def client(app: FastAPI) -> TestClient:
    return TestClient(app, raise_server_exceptions=False)


def form_token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def meta_token(html: str) -> str:
    return re.search(r'<meta name="csrf-token" content="([^"]+)"', html).group(1)


def login(client: TestClient, name: str, password: str, next_url: str = "/"):
    token = form_token(client.get("/login").text)
    return client.post("/login", data={"name": name, "password": password, "csrf_token": token,
                                       "next": next_url}, follow_redirects=False)


def logged_in(client: TestClient, name: str = "lin", password: str = EDITOR_PW) -> str:
    """Log ``client`` in; returns the session's CSRF token (as pages give it to scripts)."""
    assert login(client, name, password).status_code == 303
    return meta_token(client.get("/login").text)


# ------------------------------------------------------------------ the users file
def test_users_file_create_verify_remove(users_file: Path, store: UserStore):
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600
    data = json.loads(users_file.read_text(encoding="utf-8"))
    assert set(data) == {"lin", "chen"}
    assert data["lin"]["role"] == "editor" and data["lin"]["tokens"] == []
    assert data["lin"]["password"].startswith("$argon2id$") and EDITOR_PW not in users_file.read_text()
    assert [p.name for p in users_file.parent.iterdir()] == ["users.json"]  # no temp files left

    assert store.authenticate("lin", EDITOR_PW) == User("lin", "editor")
    assert store.authenticate("chen", ADMIN_PW) == User("chen", "admin")
    assert store.authenticate("lin", ADMIN_PW) is None
    assert store.authenticate("nobody", EDITOR_PW) is None
    assert store.users() == [User("chen", "admin"), User("lin", "editor")]

    other = UserStore(users_file)  # another process (the server) sees the change
    store.remove("lin")
    assert other.get("lin") is None and other.get("chen") == User("chen", "admin")
    with pytest.raises(UserError, match="no user 'lin'"):
        store.remove("lin")


@pytest.mark.parametrize(("name", "role", "password", "message"), [
    ("chen", "editor", "long-enough-pw", "exists already"),
    ("bad name", "editor", "long-enough-pw", "user name"),
    ("", "editor", "long-enough-pw", "user name"),
    ("wang", "owner", "long-enough-pw", "role must be"),
    ("wang", "editor", "short", "at least 8"),
])
def test_bad_user_changes_are_refused(store: UserStore, name, role, password, message):
    with pytest.raises(UserError, match=message):
        store.add(name, role, password)


def test_missing_users_file_means_no_users(tmp_path: Path):
    store = UserStore(tmp_path / "nowhere" / "users.json")
    assert store.users() == [] and store.authenticate("lin", EDITOR_PW) is None


def test_broken_users_file_is_reported(users_file: Path):
    users_file.parent.mkdir(parents=True)
    users_file.write_text('{"lin": {"role": "owner", "password": "x"}}', encoding="utf-8")
    with pytest.raises(UserError, match="role must be one of"):
        UserStore(users_file).users()


def test_tokens_are_stored_only_as_hashes(users_file: Path, store: UserStore):
    token = store.issue_token("lin")
    text = users_file.read_text(encoding="utf-8")
    assert token not in text and hashlib.sha256(token.encode()).hexdigest() in text
    assert store.user_for_token(token) == User("lin", "editor")
    assert store.user_for_token(token + "x") is None
    assert store.token_count("lin") == 1
    with pytest.raises(UserError):
        store.issue_token("nobody")


# ------------------------------------------------------------------ who may write
def test_no_credentials_is_401_with_how_to_log_in(client: TestClient):
    response = client.post("/test-auth/edit", headers=JSON)
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert "/login" in response.json()["detail"] and "Bearer" in response.json()["detail"]


def test_reading_stays_open(client: TestClient):
    assert client.get("/healthz").status_code == 200
    assert client.get("/api/entities").status_code == 200


def test_without_users_writes_are_401_and_the_login_page_says_how(data_copy: Path, tmp_path: Path):
    client = TestClient(make_app(data_copy, tmp_path / "none" / "users.json"))
    response = client.post("/test-auth/edit", headers=JSON)
    assert response.status_code == 401 and "atlas user add" in response.json()["detail"]
    page = client.get("/login?lang=en")
    assert page.status_code == 200 and "atlas user add NAME --role editor" in page.text


def test_browser_gets_the_html_error_page(client: TestClient):
    response = client.post("/test-auth/edit", headers={"Accept": "text/html"})
    assert response.status_code == 401 and response.headers["content-type"].startswith("text/html")
    assert "/login" in response.text and response.headers["www-authenticate"].startswith("Bearer")


def test_bearer_token_authenticates_without_csrf(client: TestClient, store: UserStore):
    editor, admin = store.issue_token("lin"), store.issue_token("chen")
    bearer = lambda token: {"Authorization": f"Bearer {token}", **JSON}  # noqa: E731
    assert client.post("/test-auth/edit", headers=bearer(editor)).json() == {"name": "lin", "role": "editor"}
    assert client.put("/test-auth/doc", json={"a": 1}, headers=bearer(editor)).status_code == 200
    assert client.post("/test-auth/admin", headers=bearer(admin)).json()["role"] == "admin"
    assert client.post("/test-auth/edit", headers=bearer(admin)).status_code == 200  # admin ⊇ editor
    wrong = client.post("/test-auth/edit", headers=bearer(editor[:-1]))
    assert wrong.status_code == 401 and "not valid" in wrong.json()["detail"]
    assert client.post("/test-auth/edit", headers=bearer("")).status_code == 401


def test_wrong_role_is_403(client: TestClient, store: UserStore):
    token = store.issue_token("lin")
    response = client.post("/test-auth/admin", headers={"Authorization": f"Bearer {token}", **JSON})
    assert response.status_code == 403 and "needs admin" in response.json()["detail"]
    csrf = logged_in(client)
    assert client.post("/test-auth/admin", headers={"X-CSRF-Token": csrf, **JSON}).status_code == 403


def test_removed_token_user_is_401(client: TestClient, store: UserStore):
    token = store.issue_token("lin")
    store.remove("lin")
    assert client.post("/test-auth/edit", headers={"Authorization": f"Bearer {token}"}).status_code == 401


# ------------------------------------------------------------------ sessions and CSRF
def test_session_writes_need_the_csrf_token(client: TestClient):
    csrf = logged_in(client)
    refused = client.post("/test-auth/edit", headers=JSON)
    assert refused.status_code == 403 and "CSRF token missing or wrong" in refused.json()["detail"]
    wrong = client.post("/test-auth/edit", headers={"X-CSRF-Token": csrf[:-2] + "xx", **JSON})
    assert wrong.status_code == 403 and "CSRF token missing or wrong" in wrong.json()["detail"]
    assert client.post("/test-auth/edit", data={"csrf_token": "nope"}).status_code == 403
    assert client.post("/test-auth/edit", headers={"X-CSRF-Token": csrf}).json() == \
        {"name": "lin", "role": "editor"}
    assert client.put("/test-auth/doc", json={"a": 1}, headers={"X-CSRF-Token": csrf}).status_code == 200
    note = client.post("/test-auth/note", data={"csrf_token": csrf, "text": "hello"})  # form field
    assert note.json() == {"name": "lin", "text": "hello"}
    assert client.get("/test-auth/whoami").json() == {"name": "lin"}  # safe methods need no token


def test_csrf_token_of_another_session_is_refused(app: FastAPI):
    one, two = TestClient(app), TestClient(app)
    token_one, _ = logged_in(one), logged_in(two)
    assert two.post("/test-auth/edit", headers={"X-CSRF-Token": token_one}).status_code == 403


def test_login_form_needs_its_csrf_token(client: TestClient):
    client.get("/login")
    response = client.post("/login", data={"name": "lin", "password": EDITOR_PW}, follow_redirects=False)
    assert response.status_code == 403 and "CSRF token missing or wrong" in response.text
    assert client.post("/test-auth/edit", headers={"X-CSRF-Token": form_token(response.text)}).status_code == 401


def test_login_sets_a_safe_cookie_and_logout_ends_the_session(client: TestClient):
    response = login(client, "lin", EDITOR_PW, "/corridor?lang=en")
    assert response.status_code == 303 and response.headers["location"] == "/corridor?lang=en"
    cookie = response.headers["set-cookie"].lower()
    assert "atlas_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie
    assert "secure" not in cookie
    csrf = meta_token(client.get("/login").text)
    assert client.post("/logout", data={"csrf_token": "wrong"}).status_code == 403
    out = client.post("/logout", data={"csrf_token": csrf, "next": "/corridor"}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/corridor"
    assert client.post("/test-auth/edit", headers={"X-CSRF-Token": csrf}).status_code == 401


def test_https_only_marks_the_cookie_secure(data_copy: Path, users_file: Path, store: UserStore):
    client = TestClient(make_app(data_copy, users_file, session_https_only=True),
                        base_url="https://testserver")
    assert "secure" in login(client, "lin", EDITOR_PW).headers["set-cookie"].lower()


def test_removing_a_user_ends_their_session(client: TestClient, store: UserStore):
    csrf = logged_in(client)
    store.remove("lin")
    assert client.post("/test-auth/edit", headers={"X-CSRF-Token": csrf}).status_code == 401


def test_wrong_password_does_not_say_whether_the_name_exists(client: TestClient):
    known = login(client, "lin", "not-the-password")
    unknown = login(client, "nobody", "not-the-password")
    assert known.status_code == unknown.status_code == 401
    message = "用户名或密码错误"
    assert message in known.text and message in unknown.text
    assert client.post("/test-auth/edit", headers=JSON).status_code == 401


def test_header_shows_log_in_or_the_user(client: TestClient):
    anonymous = client.get("/corridor?lang=en")
    assert "Log in</a>" in anonymous.text and "/login?lang=en&amp;next=/corridor%3Flang%3Den" in anonymous.text
    assert 'name="csrf-token"' not in anonymous.text
    assert "set-cookie" not in anonymous.headers  # public pages set no cookie
    logged_in(client)
    page = client.get("/corridor")
    assert '<span class="auth-name">lin</span>' in page.text and "退出" in page.text
    assert 'name="csrf-token"' in page.text and 'action="/logout"' in page.text


# ------------------------------------------------------------------ login rate limit
def test_login_is_rate_limited(client: TestClient):
    for _ in range(5):
        assert login(client, "lin", "wrong-password").status_code == 401
    limited = login(client, "LIN", EDITOR_PW)  # the right password, other case: still limited
    assert limited.status_code == 429
    assert 0 < int(limited.headers["retry-after"]) <= 300
    assert login(client, "lin", EDITOR_PW).status_code == 429
    assert login(client, "chen", ADMIN_PW).status_code == 303  # other names from this IP still may


def test_limiter_counts_per_ip_and_name_forgets_and_stays_bounded():
    now = [1000.0]
    limiter = LoginLimiter(clock=lambda: now[0])
    for i in range(5):
        assert limiter.retry_after("1.2.3.4", "lin") == 0
        limiter.failed("1.2.3.4", "lin")
    assert limiter.retry_after("1.2.3.4", "lin") == 300
    assert limiter.retry_after("5.6.7.8", "lin") == 0  # per client IP
    for i in range(15):
        limiter.failed("1.2.3.4", f"name{i}")
    assert limiter.retry_after("1.2.3.4", "someone-else") == 300  # 20 per IP
    now[0] += 301
    assert limiter.retry_after("1.2.3.4", "lin") == 0 and limiter.retry_after("1.2.3.4", "x") == 0
    small = LoginLimiter(max_keys=100)
    for i in range(1000):
        small.failed(f"10.0.{i // 256}.{i % 256}", "lin")
    assert len(small) <= 100


# ------------------------------------------------------------------ open redirects
@pytest.mark.parametrize("target", ["//evil.com", "http://evil.com", "https://evil.com/x",
                                    "/\\evil.com", "\\\\evil.com", "javascript:alert(1)",
                                    "evil.com", "/\tevil", "// evil.com", "/login", "", None])
def test_next_must_be_a_local_path(target):
    assert safe_next(target) == "/"


@pytest.mark.parametrize("target", ["/", "/corridor?lang=en", "/parks/sanchuang#map", "/api/x?a=//b"])
def test_local_next_is_kept(target):
    assert safe_next(target) == target


@pytest.mark.parametrize("target", ["//evil.com", "http://evil.com"])
def test_login_does_not_redirect_elsewhere(client: TestClient, target: str):
    response = login(client, "lin", EDITOR_PW, target)
    assert response.status_code == 303 and response.headers["location"] == "/"


# ------------------------------------------------------------------ session key
def test_generated_secret_key_is_kept(data_copy: Path, users_file: Path, store: UserStore):
    settings = Settings(data_dir=data_copy, tiles="none", users_file=users_file)
    client = TestClient(create_app(settings))
    assert login(client, "lin", EDITOR_PW).status_code == 303
    path = secret_key_file(settings)
    assert path == users_file.parent / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert session_secret(settings) == path.read_text().strip()
    restarted = TestClient(create_app(settings), cookies=client.cookies)  # survives a restart
    assert '<span class="auth-name">lin</span>' in restarted.get("/corridor").text


# ------------------------------------------------------------------ write routes
def test_write_routes_lists_every_unsafe_route_with_its_role(app: FastAPI):
    routes = write_routes(app)
    assert ("POST", "/test-auth/edit", "editor") in routes
    assert ("POST", "/test-auth/admin", "admin") in routes
    assert ("PUT", "/test-auth/doc", "editor") in routes
    assert ("POST", "/test-auth/open", None) in routes
    assert not any(path == "/test-auth/whoami" for _, path, _ in routes)
    assert {(m, p) for m, p, role in routes if p in ("/login", "/logout")} == set(PUBLIC_WRITES)
    assert require_role("editor").required_role == "editor"
    assert require_role("admin") is require_role("admin")


def test_write_routes_sees_router_dependencies():
    app = FastAPI()
    guarded = APIRouter(prefix="/inner", dependencies=[Depends(require_role("admin"))])

    @guarded.delete("/thing")
    def delete_thing(user: EditorDep) -> dict:
        return {}

    outer = APIRouter(prefix="/outer")
    outer.include_router(guarded)
    app.include_router(outer)
    assert write_routes(app) == [("DELETE", "/outer/inner/thing", "admin")]


# ------------------------------------------------------------------ atlas user ...
def run_cli(monkeypatch, capsys, args: list[str], stdin: str = "") -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_user_commands(tmp_path: Path, monkeypatch, capsys):
    path = tmp_path / "users.json"
    base = ["user", "--users-file", str(path)]
    code, out, _ = run_cli(monkeypatch, capsys, [*base, "add", "lin", "--role", "editor",
                                                 "--password-stdin"], EDITOR_PW + "\n")
    assert code == 0 and "Added editor lin" in out
    assert UserStore(path).authenticate("lin", EDITOR_PW) == User("lin", "editor")

    code, out, err = run_cli(monkeypatch, capsys, [*base, "token", "lin"])
    token = out.strip()
    assert code == 0 and len(token) >= 40 and "only now" in err
    assert UserStore(path).user_for_token(token) == User("lin", "editor")

    code, out, _ = run_cli(monkeypatch, capsys, [*base, "list"])
    assert code == 0 and out == "lin\teditor\t1 token(s)\n"

    code, _, err = run_cli(monkeypatch, capsys, [*base, "add", "lin", "--role", "admin",
                                                 "--password-stdin"], ADMIN_PW + "\n")
    assert code == 1 and "exists already" in err
    code, _, err = run_cli(monkeypatch, capsys, [*base, "add", "wang", "--role", "admin",
                                                 "--password-stdin"], "short\n")
    assert code == 1 and "at least 8" in err

    code, out, _ = run_cli(monkeypatch, capsys, [*base, "remove", "lin"])
    assert code == 0 and "Removed lin" in out and UserStore(path).users() == []
    code, _, err = run_cli(monkeypatch, capsys, [*base, "remove", "lin"])
    assert code == 1 and "no user 'lin'" in err
    code, out, _ = run_cli(monkeypatch, capsys, [*base, "list"])
    assert code == 0 and "No users" in out


def test_cli_reads_the_users_file_setting_and_asks_twice(tmp_path: Path, monkeypatch, capsys):
    path = tmp_path / "env" / "users.json"
    monkeypatch.setenv("ATLAS_USERS_FILE", str(path))
    answers = iter([ADMIN_PW, ADMIN_PW])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    code, out, _ = run_cli(monkeypatch, capsys, ["user", "add", "chen", "--role", "admin"])
    assert code == 0 and UserStore(path).get("chen") == User("chen", "admin")
    answers = iter([ADMIN_PW, ADMIN_PW + "x"])
    code, _, err = run_cli(monkeypatch, capsys, ["user", "add", "wang", "--role", "editor"])
    assert code == 1 and "differ" in err
    with pytest.raises(SystemExit):
        main(["user", "add", "wang", "--role", "owner"])
