"""What every command and event carries: who did it, when the ledger learned it, and an optional correlation id.

The base aggregate and event classes live here so that every event in the store has ``actor`` and
``correlation_id`` fields and a ``timestamp`` (the recorded time) that the caller passed in: the domain reads no clock.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any, ClassVar, Self
from uuid import UUID

from eventsourcing.domain import Aggregate
from eventsourcing.utils import get_topic

from ledger.control_characters import has_control_character
from ledger.errors import EffectiveInFutureError, InvalidInputError, NotFoundError
from ledger.fiscal_time import require_aware, shanghai_text


@dataclass(frozen=True)
class By:
    """The who/when of a command: ``actor`` did it, the ledger records it ``at`` (recorded time)."""

    actor: str
    at: datetime
    correlation_id: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.actor, str) or not self.actor.strip():
            raise InvalidInputError("every command records who did it: actor must be a non-empty string")
        for name, text in (("actor", self.actor), ("correlation id", self.correlation_id)):
            if text is not None and has_control_character(text):
                raise InvalidInputError(f"the {name} {text!r} holds a control character, which cannot be recorded")
        object.__setattr__(self, "at", require_aware(self.at, "recorded time"))


class LedgerAggregate(Aggregate):
    # A hint for caches: False for create-only records that are written once and (almost) never read again.
    read_after_write: ClassVar[bool] = True

    class Event(Aggregate.Event):
        actor: str
        correlation_id: str | None

    class Created(Event, Aggregate.Created):
        pass

    # Both below make the event and apply it as the library's ``_create`` and ``trigger_event`` do, through its
    # public steps (the event class, ``mutate``, ``pending_events``), without the checks these calls never need (a
    # ``create_id``, an explicit ``TOPIC``, a missing timestamp: ``by.at`` is always set). Every claim creates two
    # evidence keys and changes two aggregates, and those checks were a third of a creation's time (bench/README.md,
    # "Bulk import"). The event's fields and their order are its dataclass's, as before: its stored bytes are the same.
    @classmethod
    def _start(cls, event_class: type[Created], id: UUID, by: By, **attrs: Any) -> Self:  # noqa: A002
        not_after_recorded(attrs.get("effective_at"), by)
        if getattr(cls, "TOPIC", None):  # a moved class keeps its old topic: the library checks it is registered
            return cls._create(
                event_class, id=id, timestamp=by.at, actor=by.actor, correlation_id=by.correlation_id, **attrs
            )
        event = event_class(  # type: ignore[call-arg]
            originator_id=id, originator_version=cls.INITIAL_VERSION, timestamp=by.at, originator_topic=get_topic(cls),
            actor=by.actor, correlation_id=by.correlation_id, **attrs,
        )
        if _inits_nothing(cls):
            # What the event's ``mutate(None)`` (``CanInitAggregate.mutate``) does for such a class, without picking
            # each init's arguments out of the event's fields (two filterings per creation, three creations a claim).
            aggregate: Self = cls.__new__(cls)
            aggregate.__base_init__(originator_id=id, originator_version=cls.INITIAL_VERSION, timestamp=by.at)
            aggregate.__init__()  # type: ignore[misc]
            event.apply(aggregate)
        else:
            aggregate = event.mutate(None)  # type: ignore[assignment]
        aggregate.pending_events.append(event)
        return aggregate

    def _record(self, event_class: type[Event], by: By, **attrs: Any) -> None:
        not_after_recorded(attrs.get("effective_at"), by)
        if getattr(type(self), "TOPIC", None):
            self.trigger_event(
                event_class, timestamp=by.at, actor=by.actor, correlation_id=by.correlation_id, **attrs
            )
            return
        event = event_class(  # type: ignore[call-arg]
            originator_id=self.id, originator_version=self.version + 1, timestamp=by.at, actor=by.actor,
            correlation_id=by.correlation_id, **attrs,
        )
        event.mutate(self)
        self.pending_events.append(event)


def not_after_recorded(effective_at: datetime | None, by: By) -> None:
    """Every event that reports a fact is recorded once it happened (DOMAIN.md "Money and time"): an effective time
    later than the recorded time is refused here, for every event, rather than in each command. Read models go by
    effective time, so a payment "effective 2030" recorded today would count as unpaid today and paid in 2030 while
    the aggregates already treat it as paid."""
    if isinstance(effective_at, datetime) and effective_at.tzinfo is not None and effective_at > by.at:
        raise EffectiveInFutureError(
            f"the effective time {shanghai_text(effective_at)} is later than the time the ledger "
            f"records it ({shanghai_text(by.at)}): record a fact once it has happened"
        )


def created_by(load: Any, entity_id: UUID | str, as_of: datetime, known_at: datetime | None) -> Any | None:
    """The aggregate ``load`` finds, if its creation was recorded by ``as_of`` and by ``known_at``; else None.

    Registration and admission carry no effective time of their own: they take effect when recorded. The API's
    404s and the command line's figures both ask it, so both answer alike.
    """
    try:
        found = load(entity_id if isinstance(entity_id, UUID) else UUID(entity_id))
    except (NotFoundError, ValueError):
        return None
    first = found.created_on
    return found if first <= as_of and (known_at is None or first <= known_at) else None


@cache
def _inits_nothing(cls: type) -> bool:
    """Whether the library, creating ``cls`` from its first event, calls ``cls.__init__`` with no argument (its only
    parameter is ``self``: the aggregates here take their state from ``apply``)."""
    return list(inspect.signature(cls.__init__).parameters) == ["self"]
