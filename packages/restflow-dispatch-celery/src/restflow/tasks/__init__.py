"""Celery task discovery: ``app.autodiscover_tasks(["restflow"])`` imports this module."""

from __future__ import annotations

from restflow.dispatch.celery import task_run_cache_rules

__all__ = ["task_run_cache_rules"]
