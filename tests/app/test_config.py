"""Configuration from the environment and the app factory."""
from __future__ import annotations

import stat

import pytest
from flask import Flask

from xeroapp import create_app
from xeroapp.config import DEFAULT_SCOPES, Config, TestConfig, load_config, normalise_database_url
from xeroapp.queue import RedisNotConfigured, get_queue, get_redis

ENV = ("SECRET_KEY", "TOKEN_ENCRYPTION_KEY", "DATABASE_URL", "REDIS_URL", "XERO_CLIENT_ID",
       "XERO_CLIENT_SECRET", "XERO_LOGIN_URL", "XERO_IDENTITY_URL", "XERO_API_URL", "XERO_SCOPES")


@pytest.fixture
def bare_env(monkeypatch, tmp_path):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return Flask("probe", instance_path=str(tmp_path / "instance"))


@pytest.mark.parametrize(("given", "expected"), [
    ("postgres://u:p@db/x", "postgresql+psycopg://u:p@db/x"),
    ("postgresql://postgres@127.0.0.1/test", "postgresql+psycopg://postgres@127.0.0.1/test"),
    ("postgresql+psycopg://u@h/x", "postgresql+psycopg://u@h/x"),
    ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
])
def test_database_urls_are_normalised(given, expected):
    assert normalise_database_url(given) == expected


def test_defaults(bare_env):
    load_config(bare_env, None)
    config = bare_env.config
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{bare_env.instance_path}/xeroapp.db"
    assert (config["XERO_CLIENT_ID"], config["XERO_CLIENT_SECRET"]) == ("sandbox-app", "sandbox-secret")
    assert config["XERO_LOGIN_URL"] == "https://login.xero.com"
    assert config["XERO_IDENTITY_URL"] == "https://identity.xero.com"
    assert config["XERO_API_URL"] == "https://api.xero.com"
    assert config["XERO_SCOPES"] == DEFAULT_SCOPES
    assert "accounting.transactions" not in DEFAULT_SCOPES.split()
    assert config["REDIS_URL"] is None
    assert config["RQ_QUEUES"] == ["xero", "xero-bulk", "xero-low"]


def test_environment_overrides(bare_env, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/app")
    monkeypatch.setenv("XERO_API_URL", "http://127.0.0.1:5055/")
    monkeypatch.setenv("XERO_CLIENT_ID", "real-app")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/3")

    load_config(bare_env, None)

    assert bare_env.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/app"
    assert bare_env.config["XERO_API_URL"] == "http://127.0.0.1:5055"
    assert bare_env.config["XERO_CLIENT_ID"] == "real-app"
    assert bare_env.config["SECRET_KEY"] == "from-env"
    assert bare_env.config["REDIS_URL"] == "redis://127.0.0.1:6379/3"


def test_secrets_are_generated_once_into_the_instance_folder(bare_env, tmp_path):
    load_config(bare_env, None)
    first = dict(bare_env.config)
    again = Flask("probe", instance_path=bare_env.instance_path)
    load_config(again, None)

    assert len(first["SECRET_KEY"]) >= 32
    assert again.config["SECRET_KEY"] == first["SECRET_KEY"]
    assert again.config["TOKEN_ENCRYPTION_KEY"] == first["TOKEN_ENCRYPTION_KEY"]
    for name in ("secret_key", "token_encryption_key"):
        path = tmp_path / "instance" / name
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_class_or_a_mapping_configures_the_app(bare_env):
    from_class = create_app(TestConfig)
    from_mapping = create_app({"TESTING": True, "SECRET_KEY": "x", "TOKEN_ENCRYPTION_KEY": "y",
                               "DATABASE_URL": "sqlite://", "XERO_API_URL": "http://sandbox/"})
    assert from_class.testing and from_class.config["SECRET_KEY"] == TestConfig.SECRET_KEY
    assert from_mapping.config["XERO_API_URL"] == "http://sandbox"
    assert from_mapping.config["SQLALCHEMY_DATABASE_URI"] == "sqlite://"
    assert not Config.__dict__.get("TESTING")


def test_a_config_class_does_not_undo_the_environment(bare_env, monkeypatch):
    monkeypatch.setenv("XERO_API_URL", "http://127.0.0.1:5055")
    app = create_app(TestConfig)
    assert app.config["XERO_API_URL"] == "http://127.0.0.1:5055"
    assert app.config["SECRET_KEY"] == TestConfig.SECRET_KEY  # what the class itself sets wins


def test_create_app_does_not_touch_redis(bare_env):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "TOKEN_ENCRYPTION_KEY": "y",
                      "DATABASE_URL": "sqlite://", "REDIS_URL": "redis://127.0.0.1:1/0"})
    with app.app_context():
        assert "xeroapp.redis" not in app.extensions
        get_queue()  # building a queue does not connect either


def test_redis_without_url_is_a_clear_error(bare_env):
    app = create_app({"TESTING": True, "SECRET_KEY": "x", "TOKEN_ENCRYPTION_KEY": "y",
                      "DATABASE_URL": "sqlite://"})
    with app.app_context(), pytest.raises(RedisNotConfigured):
        get_redis()


def test_queue_uses_the_configured_redis(app):
    with app.app_context():
        queue = get_queue()
        assert queue.name == "xero"
        assert queue.connection is get_redis()
        assert get_redis().ping()
