"""Routers in the order updates should meet them: admin first, the catch-all questions last."""

from aiogram import Router

from . import admin, feedback, inline, questions, start, topics
from .charts import charts_router
from .subscriptions import subscriptions_router


def get_routers() -> list[Router]:
    """Every router of the bot, in priority order, ready for `dp.include_routers(...)`."""
    routers = [
        admin.router,
        start.router,
        topics.router,
        feedback.router,
        inline.router,
        questions.router,
    ]
    for router in routers:
        previous = router.parent_router
        if previous is not None:
            # Routers are module singletons and aiogram lets a router have one parent, but a
            # process may build several Dispatchers (the tests build one per test): the newest
            # Dispatcher takes them over.
            previous.sub_routers.remove(router)
            router._parent_router = None
    # Built anew for every Dispatcher (a router factory): nothing to take over.
    routers[3:3] = [subscriptions_router(), charts_router()]
    return routers
