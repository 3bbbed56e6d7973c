"""``Q_CLUSTER`` of the test process and of the cluster it starts (Redis broker, db 15)."""

from __future__ import annotations


def q_cluster(name: str, redis_url: str) -> dict:
    return {
        "name": name,
        "workers": 1,
        "timeout": 30,
        "retry": 60,
        "max_attempts": 1,
        "poll": 0.1,
        "redis": redis_url,
        "scheduler": False,  # the worker database has no django_q tables
        "save_limit": -1,
        "catch_up": False,
    }
