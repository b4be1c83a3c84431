"""A process for test_reload_faults: the admin's /reload over a folder holding a file that this
process really cannot read (chmod 000), even when it runs as root.

    python tests/reliability/unreadable_worker.py WORKDIR

Root reads a chmod 000 file through the capabilities CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH. So, as root, the worker first drops both from its bounding set and
executes itself again: the new process is root without them, and the kernel refuses the
read with EACCES, as it would for any other user. Then, in WORKDIR: a copy of seeds/, a store
built from it, a new good article and secret.txt (chmod 000) next to it, /reload from the
admin through the real Dispatcher, two questions. Prints one JSON object (or {"skip": why}).
"""

from __future__ import annotations

import asyncio
import ctypes
import json
import os
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
for folder in (ROOT, HERE, ROOT / "tests" / "bot"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

PR_CAPBSET_DROP = 24
CAP_DAC_OVERRIDE = 1
CAP_DAC_READ_SEARCH = 2
_DROPPED = "CITYBOT_TEST_DAC_DROPPED"


def effective_capabilities() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("CapEff:"):
            return int(line.split()[1], 16)
    return 0


def drop_file_read_override() -> str | None:
    """Re-execute without the capabilities that let root read anything; None when done,
    else why it cannot be done here."""
    if os.geteuid() != 0:
        return None  # not root: chmod 000 holds already
    if os.environ.get(_DROPPED):
        mask = 1 << CAP_DAC_OVERRIDE | 1 << CAP_DAC_READ_SEARCH
        return None if not effective_capabilities() & mask else "capabilities still there"
    if not sys.platform.startswith("linux"):
        return "root elsewhere than Linux"
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            return f"prctl(PR_CAPBSET_DROP) failed: {os.strerror(ctypes.get_errno())}"
    os.environ[_DROPPED] = "1"
    sys.stdout.flush()
    os.execv(sys.executable, [sys.executable, *sys.argv])
    return "exec failed"  # not reached


async def main(workdir: Path) -> dict[str, Any]:
    from e2e_kit import TOURISTS, VELO, VELO_ARTICLE
    from reliability_kit import (
        ADMIN_ID,
        Driver,
        copy_seeds,
        error_log,
    )

    from bot.app import build_bot, build_dispatcher
    from bot.config import Settings
    from bot.recording import OFFLINE_TOKEN, RecordingSession
    from knowledge import FactStore
    from knowledge.library import Library

    articles = copy_seeds(workdir / "articles")
    url = f"sqlite+aiosqlite:///{workdir / 'unreadable.db'}"
    store = await FactStore.open(url)
    try:
        library = await Library.open(store, articles)
        (articles / "010_velo.txt").write_text(VELO_ARTICLE, encoding="utf-8")
        secret = articles / "secret.txt"
        secret.write_text(VELO_ARTICLE.replace("120", "130"), encoding="utf-8")
        secret.chmod(0)
        try:
            secret.read_bytes()
            unreadable = False
        except PermissionError:
            unreadable = True
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            bot_token=None,
            admin_ids=frozenset({ADMIN_ID}),
            articles_dir=articles,
            database_url=url,
            throttle_messages=1_000,
        )
        session = RecordingSession()
        chat = Driver(
            build_dispatcher(settings, library, store),
            build_bot(OFFLINE_TOKEN, session=session),
            session,
        )
        with error_log() as errors:
            reload_reply = await chat.reply("/reload", ADMIN_ID)
            velo = await chat.reply(VELO, 2000)
            tourists = await chat.reply(TOURISTS, 2000)
        return {
            "euid": os.geteuid(),
            "capabilities": f"{effective_capabilities():x}",
            "really_unreadable": unreadable,
            "reload": reload_reply.splitlines(),
            "articles": [info.id for info in await store.articles()],
            "velo": velo,
            "tourists": tourists,
            "errors": errors.lines(),
        }
    finally:
        await store.close()


if __name__ == "__main__":
    why_not = drop_file_read_override()
    if why_not is not None:
        print(json.dumps({"skip": why_not}))
        raise SystemExit(0)
    result = asyncio.run(main(Path(sys.argv[1])))
    print(json.dumps(result, ensure_ascii=False))
