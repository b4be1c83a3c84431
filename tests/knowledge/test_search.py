from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge import FactIndex, ask
from knowledge.dev.evaluate import judge, load_questions
from knowledge.query import Cue
from knowledge.query.classify import question_kind
from knowledge.query.spelling import buckets, closest
from knowledge.text import lexicon

A000 = "000_76f55cd445ededdb.txt"
A001 = "001_9e8737218ffa3194.txt"
A004 = "004_e37ac366897bb94f.txt"


# The question table: the eval's format (tests/eval/questions.jsonl), judged as the eval
# judges; "why" says what a row checks.
SEARCH_QUESTIONS = load_questions(Path(__file__).with_name("search_questions.jsonl"))


@pytest.mark.parametrize("q", SEARCH_QUESTIONS, ids=lambda q: q.id)
def test_search_questions(seed_index, q):
    verdict = judge(q, ask(seed_index, q.question))
    assert verdict.correct, (q.question, verdict.reasons, verdict.answered)


def test_who_is_the_akim_answers_with_the_newest_article(seed_index):
    best = seed_index.match("Кто сейчас аким Алматы?")[0]
    assert best.fact.article_id == A001
    assert "Сатыбалды" in best.fact.text


@pytest.mark.parametrize(
    ("question", "quoted"),
    [
        # a fact listing people by their role answers «кто», and «кто» asks who did what
        # the verb says: here, who took part
        ("Кто принимал участие во встрече с активом?", "представители городского акимата"),
        ("Какие вопросы финансирования школ обсуждены?", "подушевого"),
        ("В какие сферы будет сделан упор при создании рабочих мест?", "креативные индустрии"),
        ("Какие ценные бумаги можно выпустить для экологических проектов?", "облигаций"),
        # general synonyms: «издание» for «газета», «долговые бумаги» for «облигации»
        ("В каком издании президент дал интервью?", "Turkistan"),
        ("Какие долговые бумаги может выпустить город?", "облигаций"),
        # an abbreviation; an English name the facts write in Cyrillic
        ("Кто руководитель представительства МИД?", "Исламбек Раимов"),
        # a name follows the role asked about, however far, before the next comma
        ("Как зовут руководителя представительства МИД?", "Исламбек Раимов"),
        ("Кто председатель правления общества почётных консулов?", "Денис Ван ден Вейх"),
        ("Что такое Smart City в планах города?", "Смарт сити"),
        ("где работают айтишники в алматы", "Farabi Hub"),
        # «цифровая трансформация» is the phrase, not any «цифровой …» («цифровой платформы»)
        ("Почему Алматы важен для цифровой трансформации?", "играет ключевую роль"),
        # «по словам X» says whose words, not what about
        ("Каким центром является Алматы по словам Досаева?", "деловой и финансовый центр"),
        # English: names the facts write in Cyrillic, the words of news reporting
        ("Which media reported on akim Satybaldy's meeting with the city activists?", "Zakon.kz"),
        ("Which countries' general consuls spoke at the meeting with akim Dosayev?", "КНР, Ирана"),
        ("What did Dosayev tell about promising areas for investment?", "Ерболат Досаев"),
        # the article's first sentence says which meeting every later sentence is about
        ("Какой транспорт обсуждали на встрече с консулами?", "скоростного общественного"),
        ("Что обсуждали на январском совещании в акимате?", "малого и среднего бизнеса"),
        # a money word is what the things asked about are for, not the answer's type:
        # «какие» + adjective + noun, «что» + a verb
        ("Какие долговые бумаги город выпустит для финансирования экологии?", "облигаций"),
        ("Что велели усилить в части расходов бюджета?", "контроль за эффективностью"),
        # «перечислите» says how to answer; «площадка», «оснащать», «следить» are synonyms
        ("Перечислите технологические площадки Алматы", "Farabi Hub"),
        ("Какие учреждения будут оснащать оборудованием?", "здравоохранения и образования"),
        ("За чем будут строже следить после совещания?", "контроль за эффективностью"),
        # general synonyms: «деятели культуры», «туриндустрия», «тенденция»
        ("Какие деятели культуры были на встрече с акимом?", "творческой интеллигенции"),
        ("Какая тенденция в туриндустрии Алматы?", "положительная динамика"),
        # Kazakh: a name the facts use, with a case ending («Сатыбалдымен»)
        ("Сатыбалдымен кездесуге кімдер қатысты?", "представители городского акимата"),
        # Kazakh «сөз сөйледі»: spoke
        ("Консулдармен кездесуде кім сөз сөйледі?", "генеральные консулы КНР"),
        # «кто был акимом»: the answer names the role asked about
        ("Кто был акимом во время встречи с консулами?", "Досаева"),
        # the month and year an article was written in date the words said then
        ("Какой туристический проект аким назвал ключевым в сентябре 2025 года?", "горный"),
        # «, когда …» opens a clause about the noun before it; «кто» asks
        ("Кто был акимом, когда проходила встреча с консулами?", "Досаева"),
        # «что поручено …»: what was ordered, not a sum of «денег»
        ("Что поручено акиматам районов в части бюджетных денег?", "контроль"),
        # «каких стран»: a sentence naming several countries, not the one naming the meeting
        ("Генконсулы каких стран выступили на встрече с Досаевым?", "КНР, Ирана, Турции"),
        # the article's own typo («совщание») is read as the word it misspells
        ("Какое совещание провел аким в январе?", "провел совщание"),
        # Russian in Latin letters: «dlya» is the function word «для», not «доля» (a share)
        ("kakie goroda primer dlya modeli 24/7", "Нью-Йорка"),
        # «kakaya» is «какая»: «ya» after a vowel
        ("kakaya eshe klyuchevaya zadacha krome cifrovizacii", "инвестиционной привлекательности"),
        # only words found everywhere, every one found (here «almaty» through its group)
        ("kto akim almaty", "Аким Алматы"),
        # «результат» for «эффект», «преобразование» for «реформа»
        ("Каких результатов ждут от преобразований?", "наполнение реформ"),
        # «власти», like «аким», are whom every article is about
        ("Какие настроения власти хотят снизить?", "иждивенческих настроений"),
        # general synonyms: «положение» for «позиции», «после заката» for the night,
        # «главный» for «ключевой», «разбирать» for «рассматривать»
        ("Какое положение у Алматы по развитию частного бизнеса?", "лидирующие позиции"),
        ("Что решили про безопасность людей после заката?", "в ночное время суток"),
        ("какой главный проект у акимата по туризму", "горный кластер"),
        ("Какие вопросы разбирали по образованию?", "подушевого финансирования"),
        # «как охарактеризовали …» asks a description: «динамика» is no change asked for
        ("Как в акимате охарактеризовали динамику показателей туризма?", "положительная динамика"),
        # general synonyms: «быстрый» for «скоростной», «лидер» for «лидирующие позиции»,
        # «ставка» for «акцент», «руководитель города» for the akim
        ("Какие быстрые перевозки хотят создать в городе?", "скоростного общественного"),
        ("По развитию чего Алматы лидер?", "лидирующие позиции"),
        ("На что делается ставка при создании рабочих мест?", "креативные индустрии"),
        ("Руководитель города встречался с кем в сентябре?", "с активом города"),
        # Kazakh: «және» (and), «үшін» (for) are function words, not unknown names or «үш»
        # (three); «кеңес» is a meeting, «басымдық» a priority, «талқыла-» to discuss
        ("Туризм және шағын бизнес үшін не жоспарланған?", "малого и среднего бизнеса"),
        ("Сатыбалды кеңесте қандай басымдықтарды талқылады?", "приоритетных направлений"),
        # «какой аким» asks who held the post
        ("Какой аким провёл встречу с генеральными и почётными консулами?", "Ерболата Досаева"),
        # «над чем …, чтобы деньги …»: a thing is asked, not a sum
        ("Над чем поручено ужесточить контроль, чтобы деньги тратились с пользой?", "контроль"),
        # «прийти на встречу» is taking part in it
        ("Кто пришёл на встречу с активом?", "представители городского акимата"),
        # «провёл встречу»: the meeting says what was done, not the verb
        ("Как зовут акима, который провёл встречу с консулами?", "Ерболата Досаева"),
        # «работать вместе» is «сотрудничество»
        ("В каких проектах город готов работать вместе с инвесторами?", "крупномасштабных"),
        # «какое финансирование обсуждали»: what was said about financing, not a sum
        ("Какое финансирование обсуждали в образовании?", "подушевого финансирования"),
        ("What kind of financing of schools was discussed?", "подушевого финансирования"),
        ("Who was instructed to ensure coordinated work after the meeting?", "профильным"),
        # «статус» asks what kind of thing; «в контексте», «в масштабах», «по замыслу» are
        # prepositions; «цель» is «задача»
        ("Каким статусом наделили программу Таза Казахстан в контексте экологии?", "приоритетом"),
        ("Чем по замыслу властей станет горный кластер в масштабах региона?", "всесезонный"),
        ("Какую ещё цель аким связал с инвестициями?", "инвестиционной привлекательности"),
        # «каких столиц»: a sentence naming several places names what is asked, though it
        # does not say «столица»
        (
            "По примеру каких мировых столиц Алматы хочет стать круглосуточным городом?",
            "Нью-Йорка",
        ),
        # …and so does an adjective before the place noun («мировым»)
        (
            "Каким мировым мегаполисам хочет подражать Алматы, чтобы жить круглосуточно?",
            "Парижа",
        ),
        # «помимо/кроме/ещё» asks one thing more: a sentence adding it («также …»)
        (
            "Что помимо цифровизации аким назвал ключевой задачей?",
            "инвестиционной привлекательности",
        ),
        # the meeting a question names is in the article's first sentence: its words in a
        # later sentence's context count as much as the sentence before's
        (
            "Какой способ выделения денег учебным заведениям обсуждался на январском совещании?",
            "подушевого финансирования",
        ),
    ],
)
def test_questions_without_a_figure_quote_the_sentence(seed_index, question, quoted):
    assert quoted in seed_index.match(question)[0].fact.text


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("рынко", "рынок"),  # two neighbouring letters swapped: one slip, not two
        ("ырнок", None),  # …unless it is the first letter: words are looked up by it
        ("рынак", None),  # a changed letter in five is too much: «рынок»? «рынка»?
        ("туризн", "туризм"),  # close enough by ratio
        ("услук", "услуг"),  # a consonant written by ear: voiced for voiceless
        ("услух", None),  # …but not any other letter
    ],
)
def test_closest_word_forgives_one_swap_of_neighbouring_letters(typed, meant):
    vocabulary = buckets(["рынок", "район", "туризм", "туристы", "услуг"])
    found = closest(typed, vocabulary, 82)
    assert (found[0] if found else None) == meant


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("Сколько туристов в Караганде?", "караганде"),  # a place the dictionary knows
        ("Какую долю рынка занимает Актобе?", "актобе"),  # a capitalised unknown word
        ("Актобе: доля рынка IT", None),  # the first word: capitalised anyway
        ("Сколько туристов приехало в Алматы?", None),
        ("Кто такой Досаев?", None),  # a name the facts mention
    ],
)
def test_an_unknown_name_is_remembered(seed_index, question, name):
    assert seed_index.parse_question(question).unknown_name == name


@pytest.mark.parametrize(
    ("question", "whole_year"),
    [
        ("Сколько туристов за весь 2025 год?", True),
        ("Налоговые поступления по итогам 2025 года", True),
        ("Годовой бюджет на 2026 год", True),
        ("Сколько туристов в 2025 году?", False),
        ("Сколько туристов за весь период?", False),  # no year named
    ],
)
def test_a_question_about_a_whole_year_is_told(seed_index, question, whole_year):
    assert (Cue.WHOLE_YEAR in seed_index.parse_question(question).cues) is whole_year


def test_a_whole_year_question_takes_a_whole_year_figure(seed_index):
    best = seed_index.match("Налоговые поступления от МСП по итогам 2025 года")[0]
    assert best.figure.text == "1,2 трлн тенге"


def test_a_hyphenated_word_the_facts_do_not_know_is_its_parts(seed_index):
    q = seed_index.parse_question("Сколько айти-компаний в городе?")
    assert [u.label for u in q.units] == ["айти", "компаний", "городе"]
    assert q.focus == (0, 1)  # what is counted: both parts


@pytest.mark.parametrize(
    ("question", "labels"),
    [
        ("Сколько инвестпроектов?", ["инвестиционный", "проектов"]),
        ("соцвыплаты пенсионерам", ["соцвыплаты", "пенсионерам"]),  # «выплата»: facts lack it
        ("медведи в горах", ["медведи", "горах"]),  # a word, not «мед» + «ведь»
    ],
)
def test_a_stump_compound_is_read_as_its_words_when_the_facts_use_the_noun(
    seed_index, question, labels
):
    assert [u.label for u in seed_index.parse_question(question).units] == labels


def test_a_kazakh_word_is_no_unknown_name(seed_index):
    kazakh = seed_index.parse_question("Алматы елдегі нарықтың неше пайызын алады?")
    assert kazakh.unknown_name is None
    assert max(unit.weight for unit in kazakh.units) == 1.0  # no unknown-name boost


def test_a_phrase_group_outweighs_the_group_of_one_of_its_words(seed_index):
    # «доходы бюджета» is a phrase of one group, «доход» alone a word of another
    (unit,) = [
        u for u in seed_index.parse_question("доходы бюджета страны").units if u.label == "доходы"
    ]
    groups = sorted(channel for term, channel in unit.alternatives if term.startswith("="))
    assert groups == [0.45, 0.9]


def test_a_year_in_the_question_picks_that_years_figure(seed_index):
    question = "Сколько было получателей адресной помощи в 2023 году?"
    assert seed_index.match(question)[0].figure.text == "21 тыс. человек"


def test_without_a_year_the_newest_figure_of_a_change_answers(seed_index):
    question = "Сколько получателей адресной социальной помощи?"
    assert seed_index.match(question)[0].figure.text == "10 тыс."


def test_limit_and_order(seed_index):
    matches = seed_index.match("малый и средний бизнес", limit=2)
    assert len(matches) == 2
    assert matches[0].score >= matches[1].score


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Сколько туристов?", "count"),
        ("Сколько денег потратили?", "money"),
        ("На сколько процентов вырос рынок?", "percent"),
        ("На сколько выросло число туристов?", "change"),
        ("Когда откроется центр?", "when"),
        ("В каком году?", "when"),
        ("Кто аким?", "who"),
        ("Где находится центр?", "where"),
        ("Какова площадь зоны?", "area"),
        ("Что такое город 24/7?", "define"),
        ("Туризм в Алматы", None),
        # «какой» + a noun that names no figure: which things, about money
        ("Какие вопросы финансирования обсуждались?", None),
        ("Какие проекты получат бюджет?", None),
        ("Какие зелёные проекты получат финансирование?", None),
        ("Что обсудили в части бюджета?", None),
        ("Что потратили на образование?", "money"),
        ("Что с бюджетом школ?", "money"),
        ("Почему сократилось число получателей помощи?", None),  # a reason
        ("Входит ли туризм в число приоритетных отраслей?", None),  # «в число»: among
        ("Какой бюджет у проекта?", "money"),
        ("Какая площадь у зоны?", "area"),
        ("Какое население города?", "count"),
        # «стоят» reads as «стоять» first; «сколько стоят» asks a price all the same
        ("Сколько стоят билеты?", "money"),
        ("Во сколько обойдётся ремонт?", "money"),
        # a definition is asked whatever topic word follows
        ("Что значит подушевое финансирование?", "define"),
        ("Что такое площадь застройки?", "define"),
        ("Как зовут акима?", "who"),
        ("Как выросло число туристов?", "change"),
        # «какого числа» asks a date, «какое число» a number
        ("Какого числа откроется центр?", "when"),
        ("Какое число туристов приехало?", "count"),
        # «что известно про …» asks a digest whatever topic word follows; plans stay sums
        ("Что известно про подушевое финансирование?", "digest"),
        ("Что планируется потратить на образование?", "money"),
        # «насколько велик»: how large; «насколько больше»: by how much
        ("Насколько велик вклад бизнеса?", "amount"),
        ("Насколько высока доля МСП?", "percent"),
        ("Насколько больше стало туристов?", "change"),
        # «на сколько» and a plural noun: into how many; with a verb of change: by how much
        ("На сколько участков разделили Атырау?", "count"),
        ("На сколько человек выросло население?", "change"),
        ("На сколько промзона будет расширена?", "change"),
        # «до какого числа» a date, unless something fell or rose to it
        ("До какого числа принимают заявки?", "when"),
        ("До какого числа сократилось число получателей?", "count"),
        # «как оценили/охарактеризовали» asks a description; «во сколько оценили» a sum
        ("Как охарактеризовали динамику туризма?", None),
        ("Как оценили проект?", None),
        ("Во сколько оценили проект?", "money"),
        # «какой» + a post: who holds it; «какие депутаты»: which body
        ("Какой аким встречался с консулами?", "who"),
        # a question word after «noun,» opens a clause about the noun; after «Скажите,» it asks
        ("Как называется центр, где лечат детей?", None),
        ("Скажите, сколько туристов приехало?", "count"),
        ("Какие депутаты были на встрече?", None),
        # «рассказало о» reports; «расскажи о» asks a digest
        ("Какое издание рассказало о встрече?", None),
        ("Расскажи о туризме", "digest"),
        # a year asked beats the figure words after it
        ("В каком году доля МСП составила 60%?", "when"),
        # «как характеризуется» asks a description; «, согласно статье,» opens no clause
        ("Как в статье характеризуется динамика?", None),
        ("Каков, согласно статье, объем рынка?", "money"),
        # «какие настроения … население»: which things; «население» is who, not a count
        ("От каких настроений хотят отучить население?", None),
        # a preposition and «что» open a question for a thing, even about money
        ("На что направлены экологические инициативы?", None),
        ("Над чем ужесточат контроль, чтобы деньги тратились с пользой?", None),
        # a topic noun with a verb of discussing: what was said, not a sum
        ("Какое финансирование обсуждали?", None),
        ("Какое финансирование предусмотрено на образование?", "money"),
        # a length of time, not a date and not a count
        ("За какой срок построят мост?", "duration"),
        ("Сколько лет строили мост?", "duration"),
        ("Сколько месяцев длился ремонт?", "duration"),
        # «насколько» before a level («были изношены»), not a change
        ("Насколько были изношены сети?", "amount"),
        ("Насколько выросло число туристов?", "change"),
        # what «сколько» counts comes before a verb of spending
        ("Сколько автобусов направят на маршруты?", "count"),
        ("Сколько мешков с песком ушло на дамбу?", "count"),
        ("Сколько денег ушло на ремонт?", "money"),
        ("Сколько горный кластер принесёт экономике?", "money"),
        ("Скока бабок ушло на соцподдержку?", "money"),
    ],
)
def test_question_kind(question, kind):
    assert question_kind(question, lexicon().tokens(question))[0] == kind


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Сколько мсп?", "count"),  # what is counted is named
        ("Сколько человек получают помощь?", "count"),  # a unit of measure: still a count
        ("Сколько составил турпоток?", "amount"),  # a verb follows: any quantity
        ("Сколько километров троп?", "length"),  # the unit says more than «сколько»
        ("Сколько предусмотрено километров троп?", "length"),  # …and more than a verb
        ("На сколько млрд проекты?", "money"),
        ("На сколько выросло число туристов?", "change"),
        # a word found everywhere right after the question word is still what is counted
        ("Какое количество горожан получило помощь?", "count"),
    ],
)
def test_question_kind_as_parsed(seed_index, question, kind):
    assert seed_index.parse_question(question).kind == kind


def test_suggestions_are_questions_the_index_answers(seed_index):
    suggestions = seed_index.suggestions("Сколько туристов приехало в Астану?")
    assert len(suggestions) == 3
    assert all(seed_index.match(s) for s in suggestions)
    # the nearest topic comes first
    assert "турист" in suggestions[0].lower()


def test_topics_come_from_the_facts(seed_index):
    topics = seed_index.topics()
    assert {"туризм", "МСП", "соцподдержка", "образование"} <= topics.keys()
    assert all(seed_index.topic_of(f) == "туризм" for f in topics["туризм"])


def test_an_empty_index_matches_nothing():
    index = FactIndex.build([])
    assert index.match("Сколько туристов?") == []
    assert index.suggestions("Сколько туристов?") == ()


def _closest_by_scanning(word, vocabulary, cutoff):
    """`closest` as it was before the bounds: every word of the letter compared."""
    from rapidfuzz import fuzz, process
    from rapidfuzz.distance import OSA, Levenshtein

    from knowledge.query.spelling import _sounds_alike

    bucket = [w for w in sorted(vocabulary) if w[:1] == word[:1]]
    best = process.extractOne(word, bucket, scorer=fuzz.ratio, score_cutoff=cutoff)
    if best:
        return best[0], best[1]
    for candidate, _, _ in process.extract(
        word, bucket, scorer=OSA.distance, score_cutoff=1, limit=8
    ):
        if Levenshtein.distance(word, candidate) == 2 or _sounds_alike(word, candidate):
            return candidate, cutoff
    return None


@settings(max_examples=300, deadline=None)
@given(
    vocabulary=st.lists(st.text(alphabet="абвгкоуыzq-1", min_size=1, max_size=9), max_size=40),
    word=st.text(alphabet="абвгкоуыzq-1", min_size=1, max_size=10),
    cutoff=st.sampled_from([60, 82, 84]),
)
def test_closest_word_is_the_one_a_scan_of_every_word_finds(vocabulary, word, cutoff):
    """The bounds that skip words (length, letters used) never skip the word found."""
    assert closest(word, buckets(vocabulary), cutoff) == _closest_by_scanning(
        word, vocabulary, cutoff
    )
