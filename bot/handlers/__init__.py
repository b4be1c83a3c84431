"""Routers in the order updates should meet them: admin first, the catch-all questions last.

Each of ours is built anew by a factory for every Dispatcher (the tests build many).
"""

from aiogram import Router

from .admin import admin_router
from .charts import charts_router
from .feedback import feedback_router
from .inline import inline_router
from .questions import questions_router
from .start import start_router
from .subscriptions import subscriptions_router
from .topics import topics_router


def get_routers() -> list[Router]:
    """Every router of the bot, in priority order, ready for `dp.include_routers(...)`."""
    return [
        admin_router(),
        start_router(),
        topics_router(),
        subscriptions_router(),
        charts_router(),
        feedback_router(),
        inline_router(),
        questions_router(),
    ]
