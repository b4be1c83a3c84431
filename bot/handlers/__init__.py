"""Routers in the order updates should meet them: admin first, the catch-all questions last.

Each of ours is built anew by a factory for every Dispatcher (the tests build many).
"""

from aiogram import Router

from . import admin, feedback
from .charts import charts_router
from .inline import inline_router
from .questions import questions_router
from .start import start_router
from .subscriptions import subscriptions_router
from .topics import topics_router


def get_routers() -> list[Router]:
    """Every router of the bot, in priority order, ready for `dp.include_routers(...)`."""
    singletons = [admin.router, feedback.router]
    for router in singletons:
        previous = router.parent_router
        if previous is not None:
            # admin.py and feedback.py still define module routers, and aiogram lets a router
            # have one parent: the newest Dispatcher takes them over. (To go once those two
            # modules have router factories like the others.)
            previous.sub_routers.remove(router)
            router._parent_router = None
    return [
        admin.router,
        start_router(),
        topics_router(),
        subscriptions_router(),
        charts_router(),
        feedback.router,
        inline_router(),
        questions_router(),
    ]
