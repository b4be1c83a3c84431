import pytest

from knowledge.text import analyze, lexicon, normalize, words
from knowledge.translate import cyrillic_from_latin, latin_key, translator


def test_normalize_folds_case_yo_and_kazakh_letters():
    assert normalize("Ёлка «Таза Қазақстан»") == 'елка "таза казакстан"'


def test_normalize_keeps_length_so_offsets_point_into_the_original():
    text = "Программа «Таза Қазақстан» 24/7"
    assert [text[start : start + len(w)].lower() for w, start in words(text, parts=False)] == [
        "программа",
        "таза",
        "қазақстан",
        "24/7",
    ]


@pytest.mark.parametrize(
    ("word", "lemma"),
    [
        ("туристов", "турист"),
        ("малого", "малый"),  # pymorphy3 alone says «малое»
        ("малом", "малый"),
        ("среднего", "средний"),
        ("обьем", "объем"),  # ь typed for ъ
        ("субьектов", "субъект"),
        ("2025", "2025"),
    ],
)
def test_analyze_gives_one_lemma_for_all_forms(word, lemma):
    assert analyze(word).lemma == lemma


@pytest.mark.parametrize(
    ("text", "weights"),
    [
        # function and question words weigh nothing, words found everywhere little
        (
            "Сколько туристов приехало в Алматы?",
            {"сколько": 0.0, "туристов": 1.0, "приехало": 0.45, "в": 0.0, "алматы": 0.25},
        ),
        # ordinals and months say when, not what about: they weigh like adverbs
        (
            "первые три квартала с мая по сентябрь",
            {
                "первые": 0.3,
                "три": 0.0,
                "квартала": 1.0,
                "с": 0.0,
                "мая": 0.3,
                "по": 0.0,
                "сентябрь": 0.3,
            },
        ),
        # a month's adjective says when as the month does
        ("январское совещание", {"январское": 0.3, "совещание": 1.0}),
        # the noun of a several-word preposition says how the question is built
        (
            "в связи с переходом в рамках программы",
            {"в": 0.0, "связи": 0.3, "с": 0.0, "переходом": 1.0, "рамках": 0.3, "программы": 1.0},
        ),
        # a synonym-table word that pymorphy3 only guesses as a verb («айти» like «идти»)
        ("рынок айти внедрают", {"рынок": 1.0, "айти": 1.0, "внедрают": 0.45}),
    ],
)
def test_how_much_each_word_weighs(text, weights):
    assert {t.word: t.weight for t in lexicon().tokens(text)} == weights


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("инвестпроектов", ("инвестиционный", "проектов")),
        ("соцвыплаты", ("социальный", "выплаты")),
        ("госпрограмма", ("государственный", "программа")),
        ("генконсулы", ("генеральный", "консулы")),
        ("медведь", None),  # the rest would be a particle
        ("туризм", None),  # the rest is too short to be a word
        ("горохов", None),  # a surname
        ("медобъектов", ("медицинский", "объектов")),  # a surname's ending, a long noun
        ("авианаправлений", ("авиационный", "направлений")),
    ],
)
def test_stump_compounds_split_into_adjective_and_noun(word, parts):
    assert lexicon().split_compound(word) == parts


@pytest.mark.parametrize(
    ("word", "entity"),
    [
        ("дали", False),  # «дать»; the painter Dalí is an unlikely reading
        ("досаев", True),
        ("караганде", True),
    ],
)
def test_names_come_from_likely_readings_only(word, entity):
    assert analyze(word).entity is entity


def test_synonym_phrases_meet_in_one_group():
    lx = lexicon()
    short = {g for g, _, _ in lx.groups(lx.tokens("МСП"))}
    long = {g for g, _, _ in lx.groups(lx.tokens("субъектов малого и среднего бизнеса"))}
    assert short and short <= long


@pytest.mark.parametrize(
    ("latin", "russian"),
    [("ploshad", "площадь"), ("industrialnoy", "индустриальной"), ("subektov", "субъектов")],
)
def test_latin_spellings_meet_the_russian_word(latin, russian):
    assert latin_key(latin) == latin_key(russian)


@pytest.mark.parametrize(
    ("latin", "russian"),
    [
        ("priehalo", "приехало"),
        ("shchedryy", "щедрый"),
        # a vowel then «y» then a vowel: «ya», not «ay» («kakaya» is «какая»)
        ("kakaya", "какая"),
        ("novaya", "новая"),
        ("moyu", "мою"),
        ("kakoy", "какой"),
        ("dayut", "дают"),
    ],
)
def test_unknown_latin_words_are_transliterated(latin, russian):
    assert cyrillic_from_latin(latin) == russian


def test_english_questions_become_russian_words():
    tr = translator()
    tokens = [w for w, _ in words("How many tourists visited Almaty in 2025?", parts=False)]
    assert tr.is_english(tokens)
    assert tr.english_to_russian(tokens) == ["сколько", "туристы", "приехали", "алматы", "2025"]


def test_kazakh_questions_become_russian_words():
    tr = translator()
    question = "Алматыға 2025 жылы қанша турист келді?"
    tokens = [w for w, _ in words(question, parts=False)]
    assert tr.is_kazakh(question, tokens)
    assert tr.kazakh_to_russian(tokens) == [
        "алматы",
        "2025",
        "год",
        "сколько",
        "турист",
        "приехали",
    ]


@pytest.mark.parametrize(
    ("question", "russian"),
    [
        # «-ies» is the plural of a «-y» entry; «as» is a function word
        ("Which cities serve as a model?", ["какой", "город", "serve", "модель"]),
        (
            "Which countries' consuls met the akim?",
            ["какой", "страны", "консулы", "встретился", "аким"],
        ),
        # the plural of a three-letter entry
        ("Which hubs operate?", ["какой", "хаб", "функционирует"]),
    ],
)
def test_english_glossary_words_and_their_forms(question, russian):
    tokens = [w for w, _ in words(question, parts=False)]
    assert translator().english_to_russian(tokens) == russian


@pytest.mark.parametrize(
    ("question", "russian"),
    [
        # suffixes after the lexicon's stems: «кездесуіне», «қатысты», «консулдармен»
        (
            "Әкімнің консулдармен кездесуіне кімдер қатысты?",
            ["аким", "консул", "встреча", "кто", "участвовать"],
        ),
        (
            "Алматыда тоғыз айда неше қонақ болды?",
            ["алматы", "девять", "месяц", "сколько", "гость", "было"],
        ),
        # a change: «қалай өзгерді» = «как изменилось»
        ("Алушылар саны қалай өзгерді?", ["получатели", "количество", "как", "измениться"]),
    ],
)
def test_kazakh_lexicon_words_with_suffixes(question, russian):
    tokens = [w for w, _ in words(question, parts=False)]
    assert translator().kazakh_to_russian(tokens) == russian


def test_russian_is_neither_english_nor_kazakh():
    tr = translator()
    question = "Каков объем рынка IT-услуг?"
    tokens = [w for w, _ in words(question, parts=False)]
    assert not tr.is_english(tokens)
    assert not tr.is_kazakh(question, tokens)


def test_russian_in_latin_letters_with_shared_words_is_not_english():
    # «akim», «almaty» are glossary words spelt as Russian spells them; «s» is «с»
    tokens = ["kto", "akim", "almaty", "vstrechalsya", "s", "konsulami"]
    assert not translator().is_english(tokens)
    assert translator().is_english(["who", "is", "the", "akim", "of", "almaty"])
