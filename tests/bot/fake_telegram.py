"""A stand-in for the Telegram Bot API on 127.0.0.1: enough of it, and as strict as Telegram,
for the bot to long-poll it over real HTTP.

Tests push updates with `push_update(...)` and wait for what the bot does with
`wait_for_call(...)`; every request is recorded in `calls`. Waiting uses an event that is
replaced on every change, so nothing polls with sleep().

Files: `add_file(...)` makes a document the bot can fetch (getFile, then a download from
/file/bot<token>/<file_path>, as from Telegram). Messages the bot sent can be edited
(editMessageText) as strictly as Telegram allows: only existing ones, and only with changes.

Broadcasts (issue 17): photos (sendPhoto, the uploaded bytes kept in `photos`), chats that
blocked the bot (`blocked`: 403), and `hold_sends(...)`, which keeps sendMessage requests
waiting unanswered until released, so that a test can kill the bot while one is in flight
(a held request is never delivered: `delivered()` lists only messages answered 200).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any, Self

from aiohttp import web

TOKEN = "123456:TEST-TOKEN"
BOT_USER = {"id": 123456, "is_bot": True, "first_name": "Citybot", "username": "citybot_test"}
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_DOWNLOAD = 20 * 1024 * 1024  # getFile refuses bigger files
MAX_INLINE_RESULTS = 50
_START_PARAMETER = re.compile(r"[A-Za-z0-9_-]{1,64}")
NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup "
    "are exactly the same as a content and reply markup of the current message"
)

# Parameters aiogram sends JSON-encoded in form fields.
_JSON_FIELDS = {
    "reply_markup",
    "commands",
    "scope",
    "allowed_updates",
    "entities",
    "link_preview_options",
    "reply_parameters",
    "results",
    "button",
}
_INT_FIELDS = {"chat_id", "offset", "limit", "timeout", "message_id", "user_id", "cache_time"}

# Telegram's HTML: these tags, these attributes, and only these entities.
_ALLOWED_TAGS: dict[str, set[str]] = {
    "b": set(),
    "strong": set(),
    "i": set(),
    "em": set(),
    "u": set(),
    "ins": set(),
    "s": set(),
    "strike": set(),
    "del": set(),
    "span": {"class"},
    "tg-spoiler": set(),
    "a": {"href"},
    "code": {"class"},
    "pre": set(),
    "blockquote": {"expandable"},
    "tg-emoji": {"emoji-id"},
}
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#\d+|#x[0-9a-fA-F]+);")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


class EntityError(ValueError):
    """Text Telegram would refuse with "can't parse entities"."""


class _TelegramHTML(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.stack: list[str] = []
        self.parts: list[str] = []

    def fail(self, reason: str) -> None:
        raise EntityError(reason)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _ALLOWED_TAGS:
            self.fail(f'Unsupported start tag "{tag}"')
        names = {name for name, _ in attrs}
        if names - _ALLOWED_TAGS[tag]:
            self.fail(f'Unsupported attribute in tag "{tag}"')
        values = dict(attrs)
        if tag == "a" and not values.get("href"):
            self.fail('Tag "a" must have attribute "href"')
        if tag == "span" and values.get("class") != "tg-spoiler":
            self.fail('Tag "span" must have class "tg-spoiler"')
        if tag == "tg-emoji" and not values.get("emoji-id"):
            self.fail('Tag "tg-emoji" must have attribute "emoji-id"')
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.fail(f'Unsupported start tag "{tag}/"')

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.fail(f'Unmatched end tag "{tag}"')
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or "&" in data:
            self.fail("Unescaped < or & in the text")
        self.parts.append(data)

    def handle_entityref(self, name: str) -> None:
        if name not in _NAMED:
            self.fail(f'Unsupported HTML entity "&{name};"')
        self.parts.append(_NAMED[name])

    def handle_charref(self, name: str) -> None:
        code = int(name[1:], 16) if name.lower().startswith("x") else int(name)
        self.parts.append(chr(code))

    def handle_comment(self, data: str) -> None:
        self.fail("Comments are not supported")

    def handle_decl(self, decl: str) -> None:
        self.fail("Declarations are not supported")

    def handle_pi(self, data: str) -> None:
        self.fail("Processing instructions are not supported")

    def unknown_decl(self, data: str) -> None:
        self.fail("Unknown declaration")


def parse_html(text: str) -> str:
    """The plain text Telegram would show for `text` in HTML mode; EntityError if refused."""
    for match in re.finditer("&", text):
        if not _ENTITY.match(text, match.start()):
            raise EntityError(f"Unescaped & at byte offset {len(text[: match.start()].encode())}")
    parser = _TelegramHTML()
    parser.feed(text)
    parser.close()
    if parser.rawdata:  # HTMLParser keeps an unfinished "<…" here
        raise EntityError("Unclosed start tag")
    if parser.stack:
        raise EntityError(f'Can\'t find end tag corresponding to start tag "{parser.stack[-1]}"')
    return "".join(parser.parts)


def text_length(text: str) -> int:
    """Telegram counts UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class ApiCall:
    method: str
    params: dict[str, Any]
    status: int | None = None  # None while the request is still being answered (long polls)
    response: dict[str, Any] = field(default_factory=dict)
    held: bool = False  # kept waiting by FakeTelegram.hold_sends

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        return self.response.get("result")


class BadRequest(Exception):
    def __init__(self, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.description = description
        self.status = status


class FakeTelegram:
    """The fake Bot API server. `await start()`, point the bot at `base_url`, `await stop()`."""

    def __init__(self, token: str = TOKEN) -> None:
        self.token = token
        self.calls: list[ApiCall] = []
        self.get_me_failures = 0  # the next N getMe calls answer 500
        self._too_many = 0  # the next N sendMessage calls answer 429
        self._too_many_chat: int | None = None  # … those to this chat only, if set
        self._retry_after = 1
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)
        # (chat id, message id) → (text as shown, reply markup) of messages the bot sent.
        self.messages: dict[tuple[int, int], tuple[str, Any]] = {}
        self._files: dict[str, tuple[str, bytes]] = {}  # file_id → (file_path, content)
        self._file_ids = itertools.count(1)
        self.photos: dict[tuple[int, int], bytes] = {}  # (chat id, message id) → PNG bytes
        self.blocked: set[int] = set()  # chats whose user blocked the bot: 403
        self._hold_after: int | None = None  # sendMessage calls let through before holding
        self._hold_chats: set[int] | None = None
        self._released = asyncio.Event()
        self._changed = asyncio.Event()
        self._closing = False
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle ------------------------------------------------------------------------

    async def start(self, port: int = 0) -> None:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        server = site._server
        assert server is not None
        self.port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        self._closing = True
        self._notify()  # long polls return at once
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # --- what tests do --------------------------------------------------------------------

    def push_update(self, update: dict[str, Any]) -> int:
        """Queue an update (its update_id is assigned here); returns the id."""
        update = {**update, "update_id": next(self._update_ids)}
        self._updates.append(update)
        self._notify()
        return update["update_id"]

    def add_file(
        self, content: bytes, file_name: str = "article.txt", mime_type: str = "text/plain"
    ) -> dict[str, Any]:
        """Store a file the bot may download; returns its Document, for `document_update`."""
        number = next(self._file_ids)
        file_id = f"BQACAgIAAxkBAAI{number:04d}"
        self._files[file_id] = (f"documents/file_{number}.txt", content)
        return {
            "file_id": file_id,
            "file_unique_id": f"AgAD{number:04d}",
            "file_name": file_name,
            "mime_type": mime_type,
            "file_size": len(content),
        }

    def too_many_requests(
        self, count: int = 1, retry_after: int = 1, chat_id: int | None = None
    ) -> None:
        """Answer the next `count` sendMessage calls (to `chat_id` only, if given) with 429
        "retry after N"."""
        self._too_many = count
        self._retry_after = retry_after
        self._too_many_chat = chat_id

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 10.0) -> None:
        """Until `condition()` holds, checked after every request and answer (no polling)."""

        async def wait() -> None:
            while not condition():
                await self._changed.wait()

        await asyncio.wait_for(wait(), timeout)

    def hold_sends(self, after: int, chats: set[int] | None = None) -> None:
        """Let `after` more sendMessage calls (to `chats`, if given) through, then keep the
        next ones waiting, unanswered, until `release_held()` (which answers them 503)."""
        self._hold_after = after
        self._hold_chats = chats

    def release_held(self) -> None:
        self._hold_after = None
        self._released.set()

    @property
    def holding(self) -> int:
        """sendMessage requests waiting unanswered now."""
        return sum(1 for call in self.calls if call.method == "sendMessage" and call.held)

    def delivered(self, since: int = 0) -> list[tuple[int, str]]:
        """(chat id, text) of the messages delivered (sendMessage answered 200), in order."""
        return [
            (call.params["chat_id"], str(call.params.get("text", "")))
            for call in self.calls[since:]
            if call.method == "sendMessage" and call.ok
        ]

    def mark(self) -> int:
        """Position in `calls`, to wait only for what happens next."""
        return len(self.calls)

    def find(
        self, method: str, *, since: int = 0, where: Callable[[ApiCall], bool] | None = None
    ) -> list[ApiCall]:
        return [
            call
            for call in self.calls[since:]
            if call.method.lower() == method.lower() and (where is None or where(call))
        ]

    async def wait_for_call(
        self,
        method: str,
        *,
        since: int = 0,
        where: Callable[[ApiCall], bool] | None = None,
        ok: bool | None = True,
        timeout: float = 10.0,
    ) -> ApiCall:
        """The first call of `method` from `since` on: answered and successful by default;
        ok=False: answered with an error; ok=None: any, even one still being answered."""

        def matches(call: ApiCall) -> bool:
            if ok is not None and (call.status is None or call.ok != ok):
                return False
            return where is None or where(call)

        async def wait() -> ApiCall:
            while True:
                found = self.find(method, since=since, where=matches)
                if found:
                    return found[0]
                await self._changed.wait()

        return await asyncio.wait_for(wait(), timeout)

    async def reply_to(self, update: dict[str, Any], *, timeout: float = 10.0) -> ApiCall:
        """Push `update` and wait for the bot's sendMessage to that chat."""
        mark = self.mark()
        chat_id = _chat_of(update)
        self.push_update(update)
        return await self.wait_for_call(
            "sendMessage",
            since=mark,
            where=lambda c: c.params.get("chat_id") == chat_id,
            timeout=timeout,
        )

    # --- the API --------------------------------------------------------------------------

    def _notify(self) -> None:
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        call = ApiCall(method=method, params=params)
        # Recorded on arrival, so a test can see a long poll that is still waiting.
        self.calls.append(call)
        self._notify()
        if request.match_info["token"] != self.token:
            status, body = 401, _error(401, "Unauthorized")
        else:
            handler = getattr(self, f"_api_{method.lower()}", None)
            if handler is None:
                status, body = 404, _error(404, "Not Found")
            else:
                try:
                    status, body = 200, {"ok": True, "result": await handler(params)}
                except BadRequest as error:
                    status, body = error.status, _error(error.status, error.description)
                except _Answer as answer:
                    status, body = answer.status, answer.body
        call.status, call.response = status, body
        self._notify()
        return web.json_response(body, status=status)

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        params: dict[str, Any] = {}
        for key, value in (await request.post()).items():
            if not isinstance(value, str):
                params[key] = value.file.read()  # an uploaded file: its bytes
                continue
            if key in _JSON_FIELDS:
                value = json.loads(value)
            elif key in _INT_FIELDS and re.fullmatch(r"-?\d+", value):
                value = int(value)
            params[key] = value
        params.update({k: v for k, v in request.query.items() if k not in params})
        return params

    async def _api_getme(self, params: dict[str, Any]) -> Any:
        if self.get_me_failures > 0:
            self.get_me_failures -= 1
            raise BadRequest("Internal Server Error", status=500)
        return BOT_USER

    async def _api_getupdates(self, params: dict[str, Any]) -> Any:
        offset = int(params.get("offset") or 0)
        limit = int(params.get("limit") or 100)
        timeout = float(params.get("timeout") or 0)
        if offset:
            # Everything below the offset is confirmed: Telegram forgets it.
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            pending = self._updates[:limit]
            remaining = deadline - loop.time()
            if pending or self._closing or remaining <= 0:
                return pending
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def _api_sendmessage(self, params: dict[str, Any]) -> Any:
        held_chat = self._hold_chats is None or params.get("chat_id") in self._hold_chats
        if self._hold_after is not None and held_chat:
            if self._hold_after > 0:
                self._hold_after -= 1
            else:
                call = next(c for c in reversed(self.calls) if c.params is params)
                call.held = True
                self._notify()
                await self._released.wait()
                call.held = False
                raise BadRequest("Service Unavailable: the request was held", status=503)
        if self._too_many > 0 and self._too_many_chat in (None, params.get("chat_id")):
            self._too_many -= 1
            raise _Answer(
                429,
                {
                    "ok": False,
                    "error_code": 429,
                    "description": f"Too Many Requests: retry after {self._retry_after}",
                    "parameters": {"retry_after": self._retry_after},
                },
            )
        chat_id = _require_chat(params)
        self._check_blocked(chat_id)
        text = _checked_text(params)
        _check_markup(params.get("reply_markup"))
        return self._message(chat_id, text, params.get("reply_markup"))

    def _check_blocked(self, chat_id: int) -> None:
        if chat_id in self.blocked:
            raise BadRequest("Forbidden: bot was blocked by the user", status=403)

    async def _api_sendphoto(self, params: dict[str, Any]) -> Any:
        chat_id = _require_chat(params)
        self._check_blocked(chat_id)
        photo = params.get("photo")
        if isinstance(photo, str) and photo.startswith("attach://"):
            photo = params.pop(photo.removeprefix("attach://"), None)  # the uploaded part
            params["photo"] = photo
        if not isinstance(photo, bytes) or not photo.startswith(b"\x89PNG"):
            raise BadRequest("Bad Request: wrong file identifier/HTTP URL specified")
        caption = ""
        if params.get("caption"):
            caption = _checked_text(
                {"text": params["caption"], "parse_mode": params.get("parse_mode", "")}
            )
            if text_length(caption) > MAX_CAPTION:
                raise BadRequest("Bad Request: message caption is too long")
        _check_markup(params.get("reply_markup"))
        message = self._message(chat_id, caption, params.get("reply_markup"))
        self.photos[(chat_id, message["message_id"])] = photo
        del message["text"]
        number = message["message_id"]
        message["photo"] = [
            {"file_id": f"AgACphoto{number}", "file_unique_id": f"AQphoto{number}",
             "width": 1000, "height": 600}
        ]  # fmt: skip
        if caption:
            message["caption"] = caption
        return message

    async def _api_editmessagetext(self, params: dict[str, Any]) -> Any:
        text = _checked_text(params)
        markup = params.get("reply_markup")
        _check_markup(markup)
        if "inline_message_id" in params:
            return True
        return self._edit(_require_chat(params), params.get("message_id"), text, markup)

    async def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> Any:
        markup = params.get("reply_markup")
        _check_markup(markup)
        if "inline_message_id" in params:
            return True
        chat_id = _require_chat(params)
        current = self.messages.get((chat_id, params.get("message_id") or 0))
        text = current[0] if current else ""
        return self._edit(chat_id, params.get("message_id"), text, markup)

    def _edit(self, chat_id: int, message_id: Any, text: str, markup: Any) -> dict[str, Any]:
        if not isinstance(message_id, int) or (chat_id, message_id) not in self.messages:
            raise BadRequest("Bad Request: message to edit not found")
        if self.messages[(chat_id, message_id)] == (text, markup or None):
            raise BadRequest(NOT_MODIFIED)
        return self._message(chat_id, text, markup, message_id=message_id)

    async def _api_answerinlinequery(self, params: dict[str, Any]) -> Any:
        if not params.get("inline_query_id"):
            raise BadRequest("Bad Request: QUERY_ID_INVALID")
        results = params.get("results")
        if not isinstance(results, list):
            raise BadRequest("Bad Request: results must be an array")
        if len(results) > MAX_INLINE_RESULTS:
            raise BadRequest("Bad Request: RESULTS_TOO_MUCH")
        ids = [str(result.get("id", "")) for result in results]
        if any(not 1 <= len(i.encode()) <= 64 for i in ids):
            raise BadRequest("Bad Request: RESULT_ID_INVALID")
        if len(set(ids)) != len(ids):
            raise BadRequest("Bad Request: RESULT_ID_DUPLICATE")
        for result in results:
            if result.get("type") == "photo" and result.get("photo_file_id"):
                _checked_text(
                    {
                        "text": result.get("caption") or "-",
                        "parse_mode": result.get("parse_mode", ""),
                    }
                )
                continue
            if result.get("type") != "article" or not result.get("title"):
                raise BadRequest("Bad Request: RESULT_TYPE_INVALID")
            content = result.get("input_message_content") or {}
            try:
                _checked_text(
                    {
                        "text": content.get("message_text", ""),
                        "parse_mode": content.get("parse_mode", ""),
                    }
                )
            except BadRequest as error:
                raise BadRequest(error.description.replace("message", "message_text")) from None
            _check_markup(result.get("reply_markup"))
        button = params.get("button")
        if button is not None:
            if not button.get("text"):
                raise BadRequest("Bad Request: BUTTON_TEXT_INVALID")
            parameter = button.get("start_parameter")
            if parameter is not None and not _START_PARAMETER.fullmatch(parameter):
                raise BadRequest("Bad Request: START_PARAM_INVALID")
        return True

    async def _api_getfile(self, params: dict[str, Any]) -> Any:
        file_id = params.get("file_id")
        if file_id not in self._files:
            raise BadRequest("Bad Request: invalid file_id")
        path, content = self._files[file_id]
        if len(content) > MAX_DOWNLOAD:
            raise BadRequest("Bad Request: file is too big")
        return {
            "file_id": file_id,
            "file_unique_id": f"u{file_id}",
            "file_size": len(content),
            "file_path": path,
        }

    async def _download(self, request: web.Request) -> web.StreamResponse:
        """GET /file/bot<token>/<file_path>: the file's bytes, as Telegram serves them."""
        path = request.match_info["path"]
        call = ApiCall(method="download", params={"file_path": path})
        self.calls.append(call)
        if request.match_info["token"] != self.token:
            call.status = 401
            self._notify()
            return web.json_response(_error(401, "Unauthorized"), status=401)
        content = next((c for p, c in self._files.values() if p == path), None)
        if content is None:
            call.status = 404
            self._notify()
            return web.json_response(_error(404, "Not Found"), status=404)
        call.status = 200
        self._notify()
        return web.Response(body=content, content_type="application/octet-stream")

    async def _api_sendchataction(self, params: dict[str, Any]) -> Any:
        _require_chat(params)
        if not params.get("action"):
            raise BadRequest("Bad Request: action is empty")
        return True

    async def _api_setmycommands(self, params: dict[str, Any]) -> Any:
        commands = params.get("commands")
        if not isinstance(commands, list):
            raise BadRequest("Bad Request: commands must be an array")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", command.get("command", "")):
                raise BadRequest("Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(command.get("description", "")) <= 256:
                raise BadRequest("Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        return True

    async def _api_deletewebhook(self, params: dict[str, Any]) -> Any:
        return True

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> Any:
        if not params.get("callback_query_id"):
            raise BadRequest("Bad Request: query is too old and response timeout expired")
        if len(params.get("text", "")) > 200:
            raise BadRequest("Bad Request: MESSAGE_TOO_LONG")
        return True

    def _message(
        self, chat_id: int, text: str, markup: Any, message_id: int | None = None
    ) -> dict[str, Any]:
        if message_id is None:
            message_id = next(self._message_ids)
        self.messages[(chat_id, message_id)] = (text, markup or None)
        message: dict[str, Any] = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private"},
            "from": BOT_USER,
            "text": text,
        }
        if markup:
            message["reply_markup"] = markup
        return message


class _Answer(Exception):
    """Answer with this status and body as is."""

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def _error(code: int, description: str) -> dict[str, Any]:
    return {"ok": False, "error_code": code, "description": description}


def _require_chat(params: dict[str, Any]) -> int:
    chat_id = params.get("chat_id")
    if not isinstance(chat_id, int):
        raise BadRequest("Bad Request: chat not found")
    return chat_id


def _checked_text(params: dict[str, Any]) -> str:
    """The text as Telegram would store it, or the 400 Telegram would answer."""
    text = params.get("text", "")
    if params.get("parse_mode", "").upper() == "HTML":
        try:
            text = parse_html(text)
        except EntityError as error:
            raise BadRequest(f"Bad Request: can't parse entities: {error}") from None
    if not text.strip():
        raise BadRequest("Bad Request: message text is empty")
    if text_length(text) > MAX_TEXT:
        raise BadRequest("Bad Request: message is too long")
    return text


def _check_markup(markup: Any) -> None:
    if not markup:
        return
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if not button.get("text"):
                raise BadRequest("Bad Request: button text is empty")
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= 64:
                raise BadRequest("Bad Request: BUTTON_DATA_INVALID")


def _chat_of(update: dict[str, Any]) -> int:
    if "message" in update:
        return int(update["message"]["chat"]["id"])
    if "inline_query" in update:
        return int(update["inline_query"]["from"]["id"])
    query = update["callback_query"]
    return int(query["message"]["chat"]["id"]) if "message" in query else query["from"]["id"]


# --- updates as Telegram sends them ---------------------------------------------------------

_ids = itertools.count(1000)


def user(user_id: int) -> dict[str, Any]:
    return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}", "language_code": "ru"}


def message_update(user_id: int, text: str | None = None, **content: Any) -> dict[str, Any]:
    """A private message from `user_id`: text, or other content (sticker=…, photo=…)."""
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "date": int(time.time()),
        "chat": {"id": user_id, "type": "private", "first_name": f"User{user_id}"},
        "from": user(user_id),
        **content,
    }
    if text is not None:
        message["text"] = text
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
    return {"message": message}


def sticker_update(user_id: int) -> dict[str, Any]:
    sticker = {
        "file_id": "CAACAgIAAxkBAAIBF2",
        "file_unique_id": "AgADBAADr",
        "type": "regular",
        "width": 512,
        "height": 512,
        "is_animated": False,
        "is_video": False,
        "emoji": "👍",
    }
    return message_update(user_id, sticker=sticker)


def callback_update(user_id: int, data: str, message: dict[str, Any]) -> dict[str, Any]:
    """Pressing a button with `data` under the bot's `message` (as the bot got it back)."""
    return {
        "callback_query": {
            "id": str(next(_ids)),
            "from": user(user_id),
            "chat_instance": f"ci{user_id}",
            "message": message,
            "data": data,
        }
    }


def inline_query_update(user_id: int, query: str, offset: str = "") -> dict[str, Any]:
    """`@bot query` typed by `user_id` in some chat."""
    return {
        "inline_query": {
            "id": str(next(_ids)),
            "from": user(user_id),
            "query": query,
            "offset": offset,
            "chat_type": "sender",
        }
    }


def document_update(
    user_id: int, document: dict[str, Any], caption: str | None = None
) -> dict[str, Any]:
    """A file sent by `user_id` (a Document from `FakeTelegram.add_file`)."""
    content: dict[str, Any] = {"document": document}
    if caption is not None:
        content["caption"] = caption
    return message_update(user_id, **content)
