"""User-facing strings: what the bot says, in one place.

No aiogram here: `python -m bot` reads the start-up lines before aiogram is imported.
"""

from __future__ import annotations

# --- start-up -------------------------------------------------------------------------------

NO_TOKEN_LINE = "BOT_TOKEN не задан — запускаю чат в консоли (выход: Ctrl+D)."
CONSOLE_LINE = "Чат в консоли (выход: Ctrl+D)."
CONSOLE_HINT = (
    "Начните с /start или /help, или просто спросите, например: "
    "«Сколько туристов приехало в Алматы в 2025 году?» — а потом «а в 2024?»"
)
NO_INPUT_LINE = (
    "Ошибка настройки BOT_TOKEN: не задан, а чату в консоли не из чего читать (нет терминала). "
    "Задайте BOT_TOKEN в .env, или для чата: docker compose run --rm bot (с терминалом)."
)

# --- /subscribe, /subscriptions, /unsubscribe ----------------------------------------------

SUBSCRIBE_HEADER = (
    "Выберите темы: после каждого обновления статей пришлю новые факты по ним одним "
    "сообщением. Нажмите на тему ещё раз, чтобы отписаться."
)
SUBSCRIBED_MARK = "✅ "
NO_TOPICS_TO_FOLLOW = "Тем пока нет: в статьях не нашлось фактов."
SUBSCRIBED = "Подписка на «{topic}» оформлена"
UNSUBSCRIBED = "Подписка на «{topic}» отменена"
TOPIC_GONE = "Такой темы больше нет. Откройте /subscribe ещё раз."
MY_TOPICS = "Ваши подписки: {topics}. Изменить: /subscribe, отписаться от всех: /unsubscribe."
NO_SUBSCRIPTIONS = "У вас нет подписок. Выбрать темы: /subscribe."
UNSUBSCRIBED_ALL = "Подписки отменены ({count}). Подписаться снова: /subscribe."
SUBSCRIPTIONS_UNAVAILABLE = "Подписки сейчас недоступны, попробуйте позже."

# --- the message after a reload -------------------------------------------------------------

NEWS_HEADER_ONE = "Новое по теме «{topics}»:"
NEWS_HEADER_MANY = "Новое по темам «{topics}»:"
NEWS_FOOTER = "Отписаться: /unsubscribe, изменить темы: /subscribe"
WAS_BECAME = "было → стало: "
MORE_FACTS = "… и ещё {n}"

# --- questions -------------------------------------------------------------------------------

DID_YOU_MEAN = "Уточните, что вы имели в виду:"
NOT_TEXT_HINT = "Я понимаю только текст. Напишите вопрос словами, например: «{example}»"
UNKNOWN_COMMAND = (
    "Такой команды нет. Команды: /start, /help, /topics, /sources — или просто задайте вопрос."
)
STALE_BUTTON = "Эта кнопка устарела. Напишите вопрос текстом."
# A near-miss: the articles lack only the period, the year or the place asked about.
NEAR_MISS_PERIOD = "За {asked} данных нет; {available} — "
NEAR_MISS_YEAR = "За {asked} данных нет; есть за {available}: "
NEAR_MISS_PLACE = "«{name}» в статьях не упоминается; вот что есть: "
LATEST_HEADER = "Самое новое в статьях (сначала новое):"
SPEAKER = "Это слова: "
NO_SPEAKER = "Чьи это слова, в статье не сказано."
UNDATED = "дата публикации не указана"
AS_OF = "данные на {month} {year}"
MONTHS_NOMINATIVE = (
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
)

# --- charts ---------------------------------------------------------------------------------

CHART_BUTTON = "📈 График"
NO_OTHER_DATA = "Других данных нет: в статьях только эта цифра."
CHART_STALE = "Этот график больше не построить: данные изменились. Спросите ещё раз."
CHART_NO_SERIES = "Других данных нет: график не из чего построить."
CHART_X_LABEL = "Период"
CHART_PARTIAL_NOTE = "* неполный период"
CHART_CAPTION_POINT = "{period}{partial}: {figure} — источник от {date}"
CHART_PARTIAL_CAPTION = " (неполный период)"
CHART_FILE_LINE = "График сохранён: {path}"
INLINE_CHART_TITLE = "📈 {title}"

# --- /stats ---------------------------------------------------------------------------------

STATS_SUBSCRIBERS = "Подписчики по темам: {topics}"
STATS_NO_SUBSCRIBERS = "Подписчиков пока нет"
STATS_OUTBOX = "Рассылка: в очереди {pending}, отправлено за сутки {sent}, не доставлено {failed}"
