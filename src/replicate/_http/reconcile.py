"""Creates whose outcome is unknown: find out whether the prediction exists, then carry on or retry.

A create may fail leaving us not knowing whether the server acted on it (the connection dropped
after the request went out, the answer timed out, a 5xx). Creating again could run (and bill) the
model twice; giving up loses a prediction that may be running. So the client looks first:

    CreateShape.of(call)   what a create asked for (None: not a create we can recognise)
    find_created(...)      steps (`Call`s answered with responses, `Sleep`s): settle, wait for
                           identical creates still in flight, list what was created between
                           the request and its failure (in the API's time), take the first
                           match nobody here holds
    CreateLedger           per client: the ids its creates hold (two identical creates in
                           flight stay two predictions), and the creates still in flight

`client._ClientBase._exchange` runs `find_created` between attempts; the run drivers of `steps.py`
run `cancel_abandoned` for a create the caller gave up on. It relies on the list endpoint, and
on the API handing the input back as it was sent (see the README).
"""

from __future__ import annotations

import datetime
import email.utils
import json
import re
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Dict, Generator, Optional, Tuple, Union, cast

import httpx

from .._base.errors import APIResponseValidationError
from .call import Call, expand_path
from .endpoint import Sleep

CLOCK_MARGIN = 10.0
"""Seconds listed before the request was sent: our clock and the API's may disagree this much
(when no answer of the API has told us its clock yet)."""
SERVER_CLOCK_MARGIN = 2.0
"""Seconds listed either side once the API's clock is known from its `Date` header (to a
second): for a `created_at` cut to whole seconds, and the API's machines disagreeing a little."""
SETTLE_AFTER_TIMEOUT = 2.0
"""After a timeout the server may still be acting on the request; listing too early would miss
the prediction and create a second one."""
PENDING_WAIT = 75.0
"""How long to wait for identical creates still awaiting their answer (a `Prefer: wait` create
is held up to 60 s): their answer names the prediction that is theirs, not ours."""
PENDING_POLL = 0.05
MAX_PAGES = 50
"""A bound, not the rule: listing stops at the first item older than the request (newest come
first). A busy account can create hundreds of predictions between the request and the listing."""
HELD_FOR = 3600.0
"""Seconds an id stays in the ledger: far longer than any listing reaches back."""
LIST_RETRIES = 5
"""Retries of each list request of a search: a safe GET, and all that stands between a lost answer
and running the model twice. At 20% failed requests, the default 2 left a search failing about
once in 125; 5, once in 15,600."""
ABANDON_SETTLE = 0.5
"""Before looking for what a create the caller gave up on made: it may still be on its way."""
_QUICK = {"timeout": 3.0, "max_retries": 0}
_WIDE = (SERVER_CLOCK_MARGIN - CLOCK_MARGIN, CLOCK_MARGIN - SERVER_CLOCK_MARGIN)
"""The API's clock less ours when no answer has told it."""

# The creates: POST /predictions (the version in the body), /models/{owner}/{name}/predictions,
# /deployments/{owner}/{name}/predictions, /models/{owner}/{name}/versions/{version}/trainings.
_CREATE_PATH = re.compile(
    r"/(?:predictions"
    r"|deployments/(?P<deployment>[^/]+/[^/]+)/predictions"
    r"|models/(?P<model>[^/]+/[^/]+)/(?:predictions|versions/(?P<version>[^/]+)/(?P<training>trainings)))"
)


@dataclass(frozen=True)
class CreateShape:
    """What a create asked for, as the list endpoint reports it back."""

    list_path: str
    key: str
    """The whole request in one string: identical creates have the same key."""
    input: Any
    webhook: Optional[str] = None
    model: Optional[str] = None
    version: Optional[str] = None
    deployment: Optional[str] = None

    @classmethod
    def of(cls, call: Call[Any]) -> Optional[CreateShape]:
        """The shape of a billable create call, or None when it is not one we can look for."""
        found = _CREATE_PATH.fullmatch(call.path)
        body = call.body
        if call.method != "POST" or found is None or not isinstance(body, Mapping) or call.files is not None:
            return None
        body = cast("Mapping[str, Any]", body)
        fields = found.groupdict()
        training = fields.pop("training")
        if call.path == "/predictions":
            fields.update(_version_fields(str(body.get("version", ""))))
        webhook = body.get("webhook")
        return cls(
            list_path="/trainings" if training else "/predictions",
            key=call.path + " " + _canonical(body),
            input=json.loads(_canonical(body.get("input"))),  # as the API hands it back: tuples as lists
            webhook=webhook if isinstance(webhook, str) else None,
            **fields,
        )

    def matches(self, item: Mapping[str, Any]) -> bool:
        """Whether a listed prediction (or training) could be the one this create made."""
        if item.get("input") != self.input:
            return False
        if self.model and item.get("model") not in (None, self.model):
            return False
        if self.version and item.get("version") not in (None, "hidden", self.version):
            return False
        if self.deployment and item.get("deployment") not in (None, self.deployment):
            return False
        # Listings may leave the webhook out; when they include it, it must be ours.
        return "webhook" not in item or item.get("webhook") == self.webhook


def _version_fields(ref: str) -> Dict[str, str]:
    name, _, version = ref.partition(":")
    if version:
        return {"model": name, "version": version}
    if "/" in name:
        return {"model": name}
    return {"version": name}


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=str)


class CreateLedger:
    """A client's creates: ids held, and how many of each shape are still awaiting an answer.

    Thread-safe: a sync client is shared by threads (run_many's workers among them).
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held: Dict[str, float] = {}
        self._pending: Counter[str] = Counter()
        self.clock: Optional[Tuple[float, float]] = None
        """The API's clock less ours, as (at least, at most) seconds: what list answers agree on."""

    def saw_date(
        self, date: Optional[str], asked_at: float, answered_at: float
    ) -> Optional[Tuple[float, float]]:
        """Learn the API's clock from the `Date` of an answer asked and received at these times."""
        try:
            moment = email.utils.parsedate_to_datetime(date or "").timestamp()
        except (TypeError, ValueError, IndexError, OverflowError):
            return None  # read tolerantly: no Date, no estimate (the wide margin stays)
        # The Date is the API's time cut to a second, taken between our asking and our receiving
        # (a Date rounded instead is within the margin). An answer slow to come (retried, queued)
        # says little: what every answer agrees on is kept, until one disagrees (a clock moved).
        seen = (moment - answered_at, moment + 1.0 - asked_at)
        with self._lock:
            known = self.clock
            if known is not None and _overlap(known, seen):
                self.clock = (max(known[0], seen[0]), min(known[1], seen[1]))
            else:
                self.clock = seen
        return seen

    def sending(self, shape: CreateShape) -> None:
        with self._lock:
            self._pending[shape.key] += 1

    def settled(self, shape: CreateShape) -> None:
        with self._lock:
            self._pending[shape.key] -= 1
            if self._pending[shape.key] <= 0:
                del self._pending[shape.key]

    def pending(self, shape: CreateShape) -> int:
        with self._lock:
            return self._pending[shape.key]

    def hold(self, prediction_id: str) -> bool:
        """Claim `prediction_id` for one create; False if another create of ours already holds it."""
        now = time.monotonic()
        with self._lock:
            if prediction_id in self._held:
                return False
            if len(self._held) >= 4096:
                self._held = {k: t for k, t in self._held.items() if now - t < HELD_FOR}
            self._held[prediction_id] = now
            return True

    def hold_answer(self, content: bytes) -> None:
        """Hold the id in a create's answer (read tolerantly: no id, nothing to hold)."""
        try:
            found = json.loads(content).get("id")
        except (ValueError, AttributeError):
            return
        if isinstance(found, str):
            self.hold(found)


_TIMESTAMP = re.compile(r"(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d+)?(Z|[+-]\d\d:?\d\d)?$")


def _epoch(text: object) -> Optional[float]:
    """An ISO 8601 timestamp as epoch seconds (any fraction length, `Z` or an offset); None if unreadable."""
    found = _TIMESTAMP.match(text) if isinstance(text, str) else None
    if found is None:
        return None
    parts = [int(found[n]) for n in range(1, 7)]
    moment = datetime.datetime(*parts, tzinfo=datetime.timezone.utc).timestamp()
    moment += float(found[7] or 0)
    zone = found[8]
    if zone and zone != "Z":
        sign = -1 if zone[0] == "+" else 1
        digits = zone[1:].replace(":", "")
        moment += sign * (int(digits[:2]) * 3600 + int(digits[2:]) * 60)
    return moment


def _utc_text(moment: float) -> str:
    when = datetime.datetime.fromtimestamp(moment, datetime.timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


FindStep = Union[Call[Any], Sleep]


def find_created(
    shape: CreateShape,
    ledger: CreateLedger,
    sent_at: float,
    *,
    settle: float = 0.0,
    quick: bool = False,
    failed_at: Optional[float] = None,
) -> Generator[FindStep, Any, Optional[Dict[str, Any]]]:
    """The prediction (or training) a create sent at `sent_at` made, now held; None if there is none.

    First waits (a while) for identical creates still in flight: their answers name theirs.
    `quick`: no such wait, and list requests bounded like a cancel (the caller is leaving).
    `failed_at`: when the failure was seen (plus the settle); nothing created later is listed.
    """
    if settle > 0:
        yield Sleep(settle)
    waited = 0.0
    while not quick and ledger.pending(shape) and waited < PENDING_WAIT:
        yield Sleep(PENDING_POLL)
        waited += PENDING_POLL
    options: Any = _QUICK if quick else {"max_retries": LIST_RETRIES}
    # The window in the API's time: a couple of seconds either side once its clock is known (from
    # a `Date`), else ten. An answer whose `Date` puts the clock outside that is listed again.
    assumed = _WIDE
    if failed_at is not None and ledger.clock is not None:
        assumed = ledger.clock
    call: Optional[Call[Any]] = _list_call(shape, sent_at, failed_at, assumed, options)
    relisted = False
    pages = 0
    while call is not None and pages < MAX_PAGES:
        pages += 1
        asked_at = time.time()
        answer: httpx.Response = yield call
        seen = ledger.saw_date(answer.headers.get("date"), asked_at, time.time())
        if seen is not None and not relisted and not _overlap(seen, assumed):
            assumed = seen
            del answer
            call, relisted, pages = _list_call(shape, sent_at, failed_at, assumed, options), True, 0
            continue
        floor = sent_at + assumed[0] - SERVER_CLOCK_MARGIN
        found, following, older = _scan(answer, shape, ledger, floor)
        del answer  # not kept while the next page is asked for
        if found is not None:
            return found
        call = call.next_page(following) if following is not None and not older else None
    return None


def _scan(
    answer: httpx.Response, shape: CreateShape, ledger: CreateLedger, floor: float
) -> Tuple[Optional[Dict[str, Any]], Optional[str], bool]:
    """A page's match (now held), its next page, and whether it reached below `floor`."""
    try:
        page: Any = json.loads(answer.content)
    except ValueError:
        # Cannot tell whether it is there: creating again could run the model twice.
        raise APIResponseValidationError(answer, None, message="The list answer is not JSON") from None
    page = cast("Dict[str, Any]", page) if isinstance(page, dict) else {}
    results = page.get("results")
    older = False
    # Plain JSON compared: only the match becomes a typed prediction, in the caller.
    for item in cast("list[Any]", results if isinstance(results, list) else []):
        if not isinstance(item, dict):
            continue
        item = cast("Dict[str, Any]", item)
        created = _epoch(item.get("created_at"))
        if created is not None and created < floor:
            older = True  # newest first: the rest were created before our request
            continue
        found_id = item.get("id")
        if isinstance(found_id, str) and shape.matches(item) and ledger.hold(found_id):
            return item, None, older
    following = page.get("next")
    return None, following if isinstance(following, str) else None, older


def _overlap(one: Tuple[float, float], other: Tuple[float, float]) -> bool:
    return one[0] <= other[1] and other[0] <= one[1]


def _list_call(
    shape: CreateShape,
    sent_at: float,
    failed_at: Optional[float],
    clock: Tuple[float, float],
    options: Any,
) -> Call[Any]:
    """A list request for what was created from `sent_at` to `failed_at` (ours), in the API's time."""
    query: Optional[Dict[str, str]] = None
    if shape.list_path == "/predictions":
        query = {"created_after": _utc_text(sent_at + clock[0] - SERVER_CLOCK_MARGIN)}
        if failed_at is not None:
            query["created_before"] = _utc_text(failed_at + clock[1] + SERVER_CLOCK_MARGIN)
    return Call("GET", shape.list_path, httpx.Response, query=query, options=options)


def cancel_abandoned(
    call: Call[Any], sent_at: float, ledger: Optional[CreateLedger]
) -> Generator[FindStep, Any, str]:
    """Find what a create the caller gave up on (before it answered) made, and cancel it unless it
    has ended. Returns the line to tell the caller: which prediction, and what was done with it."""
    shape = CreateShape.of(call)
    if shape is None or ledger is None:
        return (
            f"its create ({call.method} {call.path}) may have made a prediction, which may still be running"
        )
    found = yield from find_created(shape, ledger, sent_at, settle=ABANDON_SETTLE, quick=True)
    if found is None:
        return "no prediction made by its create was found (check client.predictions.list())"
    kind = "training" if shape.list_path == "/trainings" else "prediction"
    what = f"{kind} {found.get('id')}"
    status = found.get("status")
    if status in ("succeeded", "failed", "canceled"):
        return f"{what} had already ended ({status})"
    path = expand_path(shape.list_path + "/{found_id}/cancel", found_id=str(found.get("id")))
    yield Call("POST", path, None, options=cast(Any, _QUICK))
    return f"{what} was canceled"
