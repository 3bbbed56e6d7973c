"""Run restflow cache invalidation as Dramatiq messages (caching.md §12.3, §12.5).

The producer declares the actor lazily on its first dispatch. A Dramatiq worker must
declare it itself, after its broker is configured, in a module the worker imports::

    from restflow.dispatch.dramatiq import register_actor

    register_actor(queue_name="cache-invalidation")
"""

from __future__ import annotations

import importlib
from typing import Any

from restflow.caching.dispatchers.base import Dispatcher
from restflow.caching.tasks import run_cache_rules

__all__ = ["ACTOR_NAME", "DramatiqDispatcher", "register_actor", "task_run_cache_rules"]

#: The documented default ``ACTOR_NAME``.
ACTOR_NAME = "restflow.task_run_cache_rules"


def task_run_cache_rules(rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]]) -> None:
    """The function of restflow's actors (whatever their name): apply the rules."""
    run_cache_rules(rule_ids, rule_kwargs, dispatcher_name="dramatiq")


def register_actor(actor_name: str = ACTOR_NAME, queue_name: str = "default") -> Any:
    """Declare restflow's actor ``actor_name`` on the current broker (idempotent).

    When restflow already declared an actor of that name on this broker, it is returned
    and ``queue_name`` is declared on the broker if it is new, so a worker can consume it.
    A different actor of that name is left alone (Dramatiq refuses the declaration).
    """
    import dramatiq

    broker = dramatiq.get_broker()
    existing = broker.actors.get(actor_name)
    if existing is not None and existing.fn is task_run_cache_rules:
        broker.declare_queue(queue_name)  # idempotent by the Broker contract
        return existing
    declare = dramatiq.actor(actor_name=actor_name, queue_name=queue_name, broker=broker)
    return declare(task_run_cache_rules)


class DramatiqDispatcher(Dispatcher):
    """Enqueues ``[rule_ids, rule_kwargs]`` for the actor ``actor_name`` on queue ``queue``.

    ``dispatcher_config`` keys: ``queue`` (→ ``QUEUE`` → ``"default"``) and ``actor_name``
    (→ ``ACTOR_NAME`` → ``"restflow.task_run_cache_rules"``). The message is routed to
    ``queue`` itself, whatever queue the actor was declared with (W-31).
    """

    name = "dramatiq"
    supports_batching = True

    def validate_config(self) -> None:
        try:
            importlib.import_module("dramatiq")
        except ImportError as exc:
            raise ImportError(
                "dramatiq is required for dramatiq cache invalidation: install "
                "restflow-dispatch-dramatiq (or drf-restflow[dramatiq])."
            ) from exc

    def resolve(self) -> tuple[str, str]:
        """``(queue, actor_name)`` from the config, else the settings block."""
        block = self.settings()
        queue = self.config.get("queue") or block.get("QUEUE") or "default"
        actor_name = self.config.get("actor_name") or block.get("ACTOR_NAME") or ACTOR_NAME
        return str(queue), str(actor_name)

    @property
    def queue(self) -> str:
        return self.resolve()[0]

    @property
    def actor_name(self) -> str:
        return self.resolve()[1]

    def batch_key(self) -> tuple[Any, ...]:
        return (type(self), *self.resolve())

    def get_actor(self, actor_name: str | None = None, queue: str | None = None) -> Any:
        """The actor declared on the current broker under ``actor_name``, declared if absent."""
        import dramatiq
        from dramatiq.errors import ActorNotFound

        if actor_name is None or queue is None:
            queue, actor_name = self.resolve()
        try:
            return dramatiq.get_broker().get_actor(actor_name)
        except ActorNotFound:
            return register_actor(actor_name, queue)

    def dispatch(
        self, *, rule_ids: list[int], rule_kwargs: dict[str, dict[str, Any]], **context: Any
    ) -> Any:
        queue, actor_name = self.resolve()
        actor = self.get_actor(actor_name, queue)
        message = actor.message(list(rule_ids), rule_kwargs)
        if message.queue_name != queue:
            message = message.copy(queue_name=queue)
        actor.broker.declare_queue(queue)  # idempotent by the Broker contract
        return actor.broker.enqueue(message)
