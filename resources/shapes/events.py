"""Events from events.k8s.io/v1 and from core v1, in one shape; the `since` filter's grammar."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kube.times import rfc3339
from resources.shapes.common import Obj, meta


def _shape(ev: Obj, *, regarding: Obj, message: Any, source: Any, first: Any, last: Any, count: Any) -> Obj:
    return {
        **meta(ev),
        "type": ev.get("type"),
        "reason": ev.get("reason"),
        "message": message,
        "involvedKind": regarding.get("kind"),
        "involvedName": regarding.get("name"),
        "involvedNamespace": regarding.get("namespace"),
        "source": source or None,
        "action": ev.get("action") or None,
        "count": int(count or 1),
        "firstSeen": rfc3339(first),
        "lastSeen": rfc3339(last or first),
    }


def event_item(ev: Obj) -> Obj:
    """An events.k8s.io/v1 Event (`regarding`, `note`, `series`, the `deprecated*` copies of core's fields)."""
    series = ev.get("series") or {}
    first = (ev.get("deprecatedFirstTimestamp") or ev.get("eventTime")
             or (ev.get("metadata") or {}).get("creationTimestamp"))
    last = series.get("lastObservedTime") or ev.get("deprecatedLastTimestamp") or ev.get("eventTime")
    source = ev.get("reportingController") or (ev.get("deprecatedSource") or {}).get("component")
    return _shape(ev, regarding=ev.get("regarding") or {}, message=ev.get("note"), source=source,
                  first=first, last=last, count=series.get("count") or ev.get("deprecatedCount"))


def core_event_item(ev: Obj) -> Obj:
    """A core v1 Event (`involvedObject`, `message`, first/lastTimestamp and `count`, or the newer series)."""
    series = ev.get("series") or {}
    first = ev.get("firstTimestamp") or ev.get("eventTime") or (ev.get("metadata") or {}).get("creationTimestamp")
    last = series.get("lastObservedTime") or ev.get("lastTimestamp") or ev.get("eventTime")
    source = ev.get("reportingComponent") or (ev.get("source") or {}).get("component")
    return _shape(ev, regarding=ev.get("involvedObject") or {}, message=ev.get("message"), source=source,
                  first=first, last=last, count=series.get("count") or ev.get("count"))


def newest_first(item: Obj) -> tuple[int, float, str, str]:
    """A sort key putting the most recently seen events first (then namespace, name); events never seen last."""
    last = item.get("lastSeen")
    try:
        stamp = dt.datetime.fromisoformat(last.replace("Z", "+00:00")).timestamp() if last else None
    except ValueError:
        stamp = None
    return (1 if stamp is None else 0, -(stamp or 0.0), item.get("namespace") or "", item.get("name") or "")


# --- since ---------------------------------------------------------------------------------------

_DURATION = re.compile(r"^(?:(\d{1,9})d)?(?:(\d{1,9})h)?(?:(\d{1,9})m)?(?:(\d{1,9})s)?$")
SINCE_HELP = ("Only events last seen at or after this time: an RFC 3339 / ISO 8601 time "
              "(`2026-11-30T20:00:00Z`; no zone means UTC) or a duration before now (`30s`, `10m`, `2h`, `1d`, "
              "`1h30m`)")
MAX_DURATION = dt.timedelta(days=3650)


def parse_since(text: str, now: dt.datetime) -> dt.datetime:
    """The moment `text` names (an aware UTC datetime); ValueError with a message an operator can act on."""
    text = text.strip()
    match = _DURATION.match(text)
    if text and match and any(match.groups()):
        days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        try:
            delta = dt.timedelta(days=days, hours=hours, minutes=minutes, seconds=seconds)
        except OverflowError:
            delta = MAX_DURATION
        return now - min(delta, MAX_DURATION)
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        raise ValueError(f"'{text[:40]}' is neither a time (e.g. 2026-11-30T20:00:00Z) nor a duration "
                         "(e.g. 10m, 2h, 1d, 1h30m)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)
