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
WEBHOOK_NEEDS = "Ошибка настройки {name}: нужен для --webhook"

# --- the command menu Telegram shows: command → description --------------------------------

PUBLIC_MENU = {
    "start": "Что я знаю и примеры вопросов",
    "help": "Как задать вопрос",
    "topics": "Факты по темам, сначала новые",
    "sources": "Статьи, из которых я беру ответы",
    "subscribe": "Подписаться на новости по темам",
    "subscriptions": "Мои подписки",
    "unsubscribe": "Отписаться от всех тем",
}
# After PUBLIC_MENU, in each admin's private chat.
ADMIN_MENU = {
    "reload": "Перечитать статьи (для администраторов)",
    "add": "Добавить статью: /add и текст, или файл .txt",
    "unanswered": "Вопросы без ответа за 30 дней",
    "stats": "Статистика вопросов и оценок",
}

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
MORE_FACTS = "… и ещё {n}"  # the lines that did not fit in one message

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
# The y axis: the scale the points share, before their unit («млн человек»), largest first;
# and the label of a series without a unit.
CHART_SCALES = ((1e12, "трлн"), (1e9, "млрд"), (1e6, "млн"), (1e3, "тыс."))
CHART_Y_LABEL = "значение"
CHART_PARTIAL_NOTE = "* неполный период"
CHART_CAPTION_POINT = "{period}{partial}: {figure} — источник от {date}"
CHART_PARTIAL_CAPTION = " (неполный период)"
CHART_FILE_LINE = "График сохранён: {path}"
INLINE_CHART_TITLE = "📈 {title}"

# --- /stats ---------------------------------------------------------------------------------

STATS_SUBSCRIBERS = "Подписчики по темам: {topics}"
STATS_NO_SUBSCRIBERS = "Подписчиков пока нет"
STATS_OUTBOX = "Рассылка: в очереди {pending}, отправлено за сутки {sent}, не доставлено {failed}"

# --- answers, examples, topics ------------------------------------------------

# Candidates for /start and /help; /start shows the first three the library can answer.
# Callback data refers to them by index, so only append to this list.
EXAMPLE_QUESTIONS: tuple[str, ...] = (
    "Сколько туристов приехало в Алматы в 2025 году?",
    "Сколько в Алматы малых и средних предприятий?",
    "Сколько выделят на образование в 2026 году?",
    "Сколько км горных троп благоустроят в 2026 году?",
    "Какую долю экономики Казахстана дает Алматы?",
)
INTRO = "Я отвечаю на вопросы о планах и показателях Алматы по новостным статьям."
# Replies to whole messages that are no question (knowledge/data/small_talk.txt).
SMALL_TALK = {
    "greeting": f"Здравствуйте! {INTRO} Спросите своими словами, например:",
    "thanks": "Пожалуйста! Спрашивайте ещё.",
    "about": (
        f"{INTRO} В ответе — цифра, предложение, из которого она взята, и дата источника; "
        "если в статьях ответа нет, я так и скажу. Спрашивайте своими словами — по-русски, "
        "латиницей, по-казахски или по-английски. Темы: /topics, источники: /sources. "
        "Например:"
    ),
}
NOT_FOUND = "В статьях нет ответа на этот вопрос."
UNMENTIONED = "«{name}» в них не упоминается."
DATED_BY_ARTICLE = "Дата самого события в статье не названа: это дата публикации."
DIGEST_HEADER = "Вот что известно по этой теме (сначала новое):"
EMPTY_QUESTION = "Напишите вопрос словами — например: «{example}»"
TOO_LONG = "Вопрос слишком длинный: сформулируйте его короче (до {limit} символов)."
UP_LABEL = "👍"
DOWN_LABEL = "👎"
MAYBE_THIS = "Может быть, вы об этом?"
# What a 👍 or 👎 is answered with.
THANKS_UP = "Спасибо! Рад, что ответ помог."
THANKS_DOWN = "Спасибо! Запишу, что ответ не помог."
ALREADY_VOTED = "Ваша оценка уже учтена."
NO_ALTERNATIVES = (
    "Спасибо за оценку. Других подходящих фактов в статьях нет — вопрос попадёт "
    "в список для редакции."
)
VOTE_FAILED = "Не удалось сохранить оценку. Попробуйте чуть позже."
TOPICS_HEADER = "Темы, о которых есть факты. Нажмите на тему — покажу самые свежие:"
NO_TOPICS = "Тем пока нет: в статьях не нашлось фактов."
MORE_LABEL = "ещё »"
BACK_LABEL = "« назад"

# --- inline mode --------------------------------------------------------------

NOT_FOUND_BUTTON = "Нет ответа — спросить в чате с ботом"

# --- /start, /help and refusals -----------------------------------------------

ADMINS_ONLY = "Эта команда только для администраторов."
ADMINS_PRIVATE_ONLY = (
    "Команды администратора и статьи файлами — только в личном чате со мной: здесь их "
    "увидели бы все участники."
)
FILES_REFUSED = (
    "Статьи файлами принимаю только от администраторов. Вопрос напишите словами, "
    "например: «{example}»"
)

# --- /topics ------------------------------------------------------------------

TOPICS_CHANGED = "Список тем изменился. Откройте /topics ещё раз."

# --- the console chat ---------------------------------------------------------

ADD_HINT = "Вставьте статью (с заголовком --- date: … ---) и закончите строкой из одной точки."

# --- errors -------------------------------------------------------------------

SOMETHING_WENT_WRONG = "Что-то пошло не так. Попробуйте ещё раз чуть позже."
STARTED_WITH_A_PROBLEM = "Бот запущен, но не со всеми статьями. {problem}"

# --- the flood limit ----------------------------------------------------------

THROTTLE_NOTICE = "Слишком много сообщений подряд. Подождите немного — и я снова отвечу."

# --- answers: the parts around the figure --------------------------------------------------

TRY_OTHERWISE = "Попробуйте спросить иначе или посмотрите /help."
OFFER_SUGGESTIONS = "Вот о чём я могу рассказать — нажмите на вопрос:"
EARLIER = "Ранее: "
SOURCE = "Источник: "
UNTITLED = "без названия"
TOPIC_PAGE_BEFORE = "Тема «"
TOPIC_PAGE_AFTER = "»: факты {first}–{last} из {total}, сначала новые"

# --- /start and /help ----------------------------------------------------------------------

HELLO = "Здравствуйте!"
STOCK = "В базе {articles} и {facts}"
# Nouns that render.plural puts in the form a count wants: «4 статьи», «120 фактов».
ARTICLES = "статья"
FACTS = "факт"
PERIOD = "с {first} по {last}"

# --- /sources ------------------------------------------------------------------------------

SOURCES_HEADER = "Загружено {articles}:"
NO_ARTICLES = "Статей пока нет: ответить мне не из чего."
TOPICS_LABEL = "Темы:"
START_INVITATION = "Спросите своими словами или нажмите на пример:"
HELP_TITLE = "Как спросить"
HELP_HOW = (
    "Напишите вопрос обычными словами — о цифрах и планах Алматы: сколько, когда, "
    "на сколько выросло. Я найду предложение в статьях и покажу число, цитату и источник."
)
HELP_EXAMPLES = "Например:"
HELP_MORE = (
    "Можно уточнять, как в разговоре: «а в 2024?», «а в Астане?», «а кто это сказал?», "
    "«подробнее», «а источник?». «Что нового?» — самые свежие факты.",
    "Если ответа в статьях нет, я так и скажу и предложу вопросы, на которые ответ есть. "
    "Под ответом есть 👍 и 👎: после 👎 покажу другие подходящие факты.",
    "В любом чате можно написать @-имя бота и вопрос — и выбрать факт из списка.",
    "Спросите «как менялось …» или «… по годам» — пришлю график, если в статьях есть "
    "цифры за разные периоды.",
    "Команды: /start — что я знаю, /topics — факты по темам, /sources — список статей, "
    "/subscribe — новости по темам, /subscriptions — мои подписки, /unsubscribe — "
    "отписаться, /help — эта подсказка.",
)

# --- /reload, /add and article files (admins) ----------------------------------------------

RELOADED = "Статьи перечитаны."
RELOAD_FAILED = "Не удалось обновить: {reason}. Работает прежняя версия."
SAVED_NOT_RELOADED = (
    "Файл сохранён как {file_name}, но обновить не удалось: {reason}. Работает прежняя версия."
)
# Why a reload failed: the error's own text, or these.
UNKNOWN_ERROR = "неизвестная ошибка"
INTERNAL_ERROR = "внутренняя ошибка, подробности в журнале"
IN_STORE = "Сейчас в базе: "
ADDED = "Статья добавлена: "
ADDED_FILE = " ({date}), файл {file_name}."
NOT_ADDED = "Статья не добавлена: {reason}."
# Why an article is not added (after NOT_ADDED's «Статья не добавлена: »).
NOT_A_TEXT_FILE = "нужен текстовый файл .txt"
FILE_NOT_GIVEN = "Telegram не отдал файл, пришлите его ещё раз"
DOWNLOAD_FAILED = "не удалось скачать файл, пришлите его ещё раз"
BROKEN_CHARACTERS = (
    "в тексте есть повреждённые символы (одиночные суррогаты UTF-16): "
    "скопируйте текст заново или пришлите его файлом .txt"
)
ADD_USAGE = (
    "Пришлите статью файлом .txt (UTF-8, до 2 МБ) или командой /add, за которой в том же "
    "сообщении идёт текст статьи. Статья начинается с заголовка:\n"
    "---\n"
    "date: 2026-02-01\n"
    "title: Название статьи\n"
    "url: https://… (необязательно)\n"
    "---\n"
    "а после него — абзацы текста через пустую строку."
)

# --- admin reports -------------------------------------------------------------------------

NO_JOURNAL = "Журнал вопросов сейчас недоступен, подробности в логах."

TIMES = "раз"
DAYS = "день"
NO_UNANSWERED = "За {days} вопросов без ответа нет."
UNANSWERED_TITLE = "Без ответа за {days}"
UNANSWERED_NOTE = " (не нашлось или 👎), сначала частые:"
UNANSWERED_LINE = "» — {times}, последний {last}"
STATS_TITLE = "Статистика"
STATS_QUESTIONS = "Вопросов сегодня: {today}, за 7 дней: {week}"
STATS_ANSWERED = "С ответом: {answered} из {week} ({share}%)"
STATS_TOPICS = "Темы отвеченных: {topics}"
STATS_UNANSWERED = "Чаще всего без ответа:"
STATS_VOTES = "Оценки: 👍 {up}, 👎 {down}{share}"
