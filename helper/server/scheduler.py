"""Who gets read next: a bounded priority queue in front of a pool of OCR workers.

``visible`` requests go before ``background`` ones and, within a priority, the newest goes
first: the image the user is looking at now matters more than one scrolled past (NVDA's
contentRecog works the same way: the newest request wins). Identical requests (same bytes, same
language hint) share one reading while in flight and are answered from an in-memory LRU cache
afterwards. The engine runs in threads (onnxruntime releases the GIL), never on the event loop.

Every submitted request resolves its future exactly once, with a ``result`` or an ``error``
message: that is what lets the connection layer promise one answer per request.
"""

from __future__ import annotations

import asyncio
import hashlib
import heapq
import itertools
import logging
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

from helper.errors import HelperError
from helper.ocr.result import Result
from helper.server.protocol import OcrRequest, RequestId, error_message, result_message

log = logging.getLogger("helper.server")

_RANK = {"visible": 0, "background": 1}


class Recognizer(Protocol):
    def recognize(self, image: bytes, lang: str | None = None) -> Result: ...

    def release_memory(self) -> None:
        """Give back what readings freed; called when the queue runs empty."""


class Busy(HelperError):
    code = "busy"


class Cancelled(HelperError):
    code = "cancelled"


class ShuttingDown(HelperError):
    code = "shutting_down"


Reply = dict[str, Any]


@dataclass(eq=False)
class _Waiter:
    owner: object
    request: OcrRequest
    future: asyncio.Future[Reply]
    since: float = field(default_factory=time.perf_counter)


@dataclass(eq=False)
class _Job:
    key: bytes
    image: bytes
    lang: str | None
    rank: int
    waiters: list[_Waiter]
    running: bool = False


class Scheduler:
    def __init__(
        self,
        engine: Recognizer,
        workers: int,
        max_queued: int,
        max_queued_bytes: int,
        cache_entries: int,
    ) -> None:
        self._engine = engine
        self._workers = workers
        self._max_queued = max_queued
        self._max_queued_bytes = max_queued_bytes
        self._cache: OrderedDict[bytes, Result] = OrderedDict()
        self._cache_entries = cache_entries
        self._jobs: dict[bytes, _Job] = {}  # queued or running, by key
        self._heap: list[tuple[int, int, _Job]] = []
        self._order = itertools.count()
        self._queued = 0
        self._queued_bytes = 0
        self._wakeup = asyncio.Event()
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ocr")
        self._tasks: list[asyncio.Task[None]] = []
        self._closing = False
        self._untrimmed = False  # a reading ended since the heap was last trimmed

    def start(self) -> None:
        self._tasks = [asyncio.create_task(self._work(), name=f"ocr-{n}") for n in range(self._workers)]

    @property
    def queued(self) -> int:
        return self._queued

    @property
    def running(self) -> int:
        """Images being read right now."""
        return sum(job.running for job in list(self._jobs.values()))

    def submit(self, request: OcrRequest, owner: object) -> asyncio.Future[Reply]:
        """The future of this request's one answer. Never raises: refusals resolve at once."""
        future: asyncio.Future[Reply] = asyncio.get_running_loop().create_future()
        waiter = _Waiter(owner, request, future)
        if self._closing:
            future.set_result(error_message(request.id, ShuttingDown("the daemon is stopping")))
            return future
        key = _key(request)
        cached = self._cache.get(key)
        if cached is not None:
            self._cache.move_to_end(key)
            future.set_result(result_message(request, cached, cached=True, queue_ms=0.0))
            return future
        job = self._jobs.get(key)
        if job is not None:  # the same image is already queued or being read: share it
            job.waiters.append(waiter)
            if not job.running and _RANK[request.priority] < job.rank:
                job.rank = _RANK[request.priority]
                self._push(job)
            return future
        too_many_bytes = self._queued_bytes + len(request.image) > self._max_queued_bytes
        if self._queued >= self._max_queued or too_many_bytes:
            future.set_result(error_message(request.id, Busy("too many images are waiting; try again soon")))
            return future
        job = _Job(key, request.image, request.lang, _RANK[request.priority], [waiter])
        self._jobs[key] = job
        self._queued += 1
        self._queued_bytes += len(job.image)
        self._push(job)
        return future

    def cancel(self, owner: object, request_id: RequestId) -> bool:
        """Withdraw a queued request of ``owner``; False when it is running, answered or unknown."""
        for job in self._jobs.values():
            if job.running:
                continue
            for waiter in job.waiters:
                if waiter.owner is owner and waiter.request.id == request_id:
                    job.waiters.remove(waiter)
                    _resolve(waiter, error_message(request_id, Cancelled("cancelled by the client")))
                    if not job.waiters:
                        self._drop(job)
                    return True
        return False

    def forget(self, owner: object) -> None:
        """A connection went away: its queued requests need no reading (nobody would hear it)."""
        for job in list(self._jobs.values()):
            if job.running:
                continue
            job.waiters = [w for w in job.waiters if w.owner is not owner]
            if not job.waiters:
                self._drop(job)

    async def close(self) -> None:
        """Answer everything still queued with ``shutting_down`` and stop the workers."""
        self._closing = True
        for job in list(self._jobs.values()):
            if not job.running:
                for waiter in job.waiters:
                    _resolve(waiter, error_message(waiter.request.id, ShuttingDown("the daemon is stopping")))
                self._drop(job)
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _push(self, job: _Job) -> None:
        # Newest first within a rank: a decreasing sequence number sorts later requests first.
        heapq.heappush(self._heap, (job.rank, -next(self._order), job))
        self._wakeup.set()

    def _drop(self, job: _Job) -> None:
        if self._jobs.get(job.key) is job:
            del self._jobs[job.key]
            self._queued -= 1
            self._queued_bytes -= len(job.image)
        job.waiters = []

    def _next(self) -> _Job | None:
        while self._heap:
            rank, _, job = heapq.heappop(self._heap)
            # Stale entries: dropped jobs, jobs already taken, or re-pushed at a better rank.
            if self._jobs.get(job.key) is job and not job.running and rank == job.rank:
                return job
        return None

    async def _work(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            job = self._next()
            if job is None:
                if self._untrimmed and self.running == 0:
                    # Idle: give back what the last readings freed (nobody waits for it now).
                    self._untrimmed = False
                    await loop.run_in_executor(self._pool, self._engine.release_memory)
                    continue
                self._wakeup.clear()
                await self._wakeup.wait()
                continue
            job.running = True
            self._untrimmed = True
            self._queued -= 1
            self._queued_bytes -= len(job.image)
            started = time.perf_counter()
            try:
                result = await loop.run_in_executor(self._pool, self._engine.recognize, job.image, job.lang)
            except asyncio.CancelledError:
                self._fail(job, ShuttingDown("the daemon is stopping"))
                raise
            except HelperError as exc:
                self._fail(job, exc)
                continue
            except Exception as exc:  # a bug of ours: answer, log the kind (never the content), go on
                log.error("internal error while reading an image: %s", type(exc).__name__)
                self._fail(job, HelperError("the image could not be read because of an internal error"))
                continue
            for waiter in self._finish(job):
                queue_ms = max(0.0, started - waiter.since) * 1000
                try:
                    reply = result_message(waiter.request, result, cached=False, queue_ms=queue_ms)
                except Exception as exc:  # a bug of ours in shaping the answer: still one answer each
                    log.error("internal error while answering: %s", type(exc).__name__)
                    failure = HelperError("the result could not be sent because of an internal error")
                    reply = error_message(waiter.request.id, failure)
                    result = None
                _resolve(waiter, reply)
            if result is not None:
                self._remember(job.key, result)

    def _fail(self, job: _Job, error: HelperError) -> None:
        for waiter in self._finish(job):
            _resolve(waiter, error_message(waiter.request.id, error))

    def _finish(self, job: _Job) -> list[_Waiter]:
        """Take a job that was read out of the table; its waiters are the caller's to answer."""
        if self._jobs.get(job.key) is job:
            del self._jobs[job.key]
        waiters, job.waiters, job.image = job.waiters, [], b""
        return waiters

    def _remember(self, key: bytes, result: Result) -> None:
        if self._cache_entries <= 0:
            return
        self._cache[key] = result
        self._cache.move_to_end(key)
        while len(self._cache) > self._cache_entries:
            self._cache.popitem(last=False)


def _key(request: OcrRequest) -> bytes:
    digest = hashlib.sha256(request.image)
    digest.update(b"\0lang=" + (request.lang or "").encode())
    return digest.digest()


def _resolve(waiter: _Waiter, reply: Reply) -> None:
    if not waiter.future.done():
        waiter.future.set_result(reply)
