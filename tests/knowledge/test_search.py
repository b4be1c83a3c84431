import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge import FactIndex
from knowledge.query import Cue
from knowledge.query.classify import question_kind
from knowledge.query.spelling import buckets, closest
from knowledge.text import lexicon

A000 = "000_76f55cd445ededdb.txt"
A001 = "001_9e8737218ffa3194.txt"
A004 = "004_e37ac366897bb94f.txt"


@pytest.mark.parametrize(
    ("question", "article", "figure"),
    [
        ("Сколько туристов приехало в Алматы в 2025 году?", A001, "1,9 млн человек"),
        ("На сколько выросло число туристов?", A001, "на 8%"),
        ("Каков объём туристских услуг?", A001, "82,4 млрд тенге"),
        ("Сколько субъектов МСП в Алматы?", A001, "порядка 405 тыс. субъектов"),
        ("Налоговые поступления от малого и среднего бизнеса в 2025 году", A001, "1,2 трлн тенге"),
        ("Сколько денег выделят на образование в 2026 году?", A001, "более 432 млрд тенге"),
        ("Сколько проектов реализуют до 2030 года?", A000, "порядка 190 проектов"),
        ("Какова площадь индустриальной зоны?", A004, "490 га"),
        ("Когда откроется фронт-офис для инвесторов?", A004, "в июне 2024 года"),
        ("Какая доля Алматы на рынке IT-услуг?", A000, "53%"),
        # typos, slang, other scripts and languages
        ("Сколько денег выделят на обрзование в 2026 году?", A001, "более 432 млрд тенге"),
        ("Какова плошадь ИЗА?", A004, "490 га"),
        ("скока туристов было в 2025", A001, "1,9 млн человек"),
        ("skolko turistov priehalo v almaty v 2025", A001, "1,9 млн человек"),
        ("How many tourists visited Almaty in 2025?", A001, "1,9 млн человек"),
        ("Алматыға 2025 жылы қанша турист келді?", A001, "1,9 млн человек"),
        # a year in two digits; a swapped pair of letters; the counted thing as a phrase
        ("туристы в 25м", A001, "1,9 млн человек"),
        ("Сколько турситов приехало в 2025 году?", A001, "1,9 млн человек"),
        ("Сколько в Алматы малых и средних предприятий?", A001, "порядка 405 тыс. субъектов"),
        # «раньше» asks for the older figure of a «с … до …»
        ("А раньше сколько было получателей адресной помощи?", A001, "21 тыс. человек"),
        ("Какой прирост индустриальной зоны?", A004, "на 40%"),
        # scale and unit words written out; a two-digit year with a case ending alone
        ("Сколько километров троп благоустроят?", A001, "350 км"),
        ("Сколько миллиардов выделят на образование в 2026 году?", A001, "более 432 млрд тенге"),
        ("турпоток 25го", A001, "1,9 млн человек"),
        # a «сколько» that names nothing counted takes any quantity; «на скока млрд» is a sum
        ("Сколько составил турпоток в 2025 году?", A001, "1,9 млн человек"),
        ("на скока млрд проекты горного кластера", A000, "более 300 млрд тенге"),
        # «до конца десятилетия»: the decade the articles speak in ends in 2030
        ("Сколько проектов реализуют до конца десятилетия?", A000, "порядка 190 проектов"),
        # a name the facts write in Latin letters, asked in Cyrillic
        ("интервью газете туркистан", A001, None),
        # Kazakh: a hyphenated word, a stem whose last consonant is voiced («нарық» → «нарығы»)
        ("IT-қызметтер нарығының көлемі қанша?", A000, "4 трлн тенге"),
        ("Сколько гостей приехало в Алматы в 2025 году?", A001, "1,9 млн человек"),
        # «денег» only says how a money question's answer is measured: not a word to find
        ("Сколько всего денег вложат в проекты до 2030 года?", A000, "свыше 3,6 трлн тенге"),
        # ordinals and months say when, not what about; «квартал» is a unit of time
        ("Число туристов за первые 3 квартала 2025 года", A001, "1,9 млн человек"),
        ("Выручка от туристских услуг за январь-сентябрь 2025", A001, "82,4 млрд тенге"),
        # numbers and months in the Kazakh and English lexicons
        ("2025 жылдың алғашқы тоғыз айындағы туристер саны қанша?", A001, "1,9 млн человек"),
        ("Tourists in Almaty over nine months of 2025: how many?", A001, "1,9 млн человек"),
        # Kazakh words the lexicon lacks are no names: they do not sink the match
        ("Алматы IT-қызметтер нарығының неше пайызын иеленеді?", A000, "53%"),
        # synonyms: a by-name of the city, an abbreviation, a wider word for a sector
        ("Сколько субъектов МСБ работает в южной столице?", A001, "порядка 405 тыс. субъектов"),
        ("Какая доля занятых в МСБ?", A001, "до 90%"),
        # «малый бизнес» is how people say МСБ
        ("Сколько налогов заплатил малый бизнес?", A001, "1,2 трлн тенге"),
        # «дали» is «дать», not the painter Dalí: no unknown-name weight on a verb
        ("Сколько денег дали на соцподдержку в 2025?", A001, "38,8 млрд тенге"),
        # a stump compound is the two words it stands for
        ("Сколько инвестпроектов реализуют до 2030?", A000, "порядка 190 проектов"),
        # a figure the question states is known to the asker: the answer is another one
        ("Сколько стоят 190 проектов?", A000, "свыше 3,6 трлн тенге"),
        ("На сколько выросло число туристов до 1,9 млн?", A001, "на 8%"),
        # slang: «скок», «адреска» (адресная помощь), «турики»
        ("скок людей получают адреску", A001, "10 тыс."),
        ("турики 2025", A001, "1,9 млн человек"),
        ("Сколько налогов заплатил небольшой бизнес?", A001, "1,2 трлн тенге"),
        # a case ending on a four-digit year is no word to find
        ("выручка туристической отрасли 2025-го", A001, "82,4 млрд тенге"),
        ("Туристер саны қалай өзгерді?", A001, "на 8%"),
        # Kazakh glue and general words: «бар», «мен», «қаражат», «қай айда», «қанша бөлігін»
        ("Алматыда қанша кәсіпкер бар?", A001, "порядка 405 тыс. субъектов"),
        ("Мектептер мен балабақшаларға қанша ақша бөлінеді?", A001, "более 432 млрд тенге"),
        ("2025 жылы әлеуметтік көмекке қанша қаражат бағытталды?", A001, "38,8 млрд тенге"),
        ("Инвесторларға арналған фронт-офис қай айда ашылады?", A004, "в июне 2024 года"),
        ("Алматы елдің бюджет кірісінің қанша бөлігін береді?", A004, "26,2%"),
        # English: «how big» asks a size, «produce» a share someone gives
        ("How big is the industrial zone?", A004, "490 га"),
        ("What share of the economy of Kazakhstan does Almaty produce?", A004, "20,6%"),
        # «больше»/«меньше» only compare: the change is the question type
        ("Насколько больше стало туристов в 2025?", A001, "на 8%"),
        # people counted as «человек»; taxes «отчисления»; budget revenue in other words
        ("Сколько граждан охвачено соцподдержкой?", A001, "порядка 330 тыс. человек"),
        ("Каков объем налоговых отчислений малого и среднего бизнеса?", A001, "1,2 трлн тенге"),
        ("Какую долю бюджетных поступлений Казахстана обеспечивает Алматы?", A004, "26,2%"),
        # «до цифровизации» asks the time before the change
        ("Сколько было получателей АСП до цифровизации?", A001, "21 тыс. человек"),
        # a year counted from the newest article's (2026)
        ("Сколько потратили на соцподдержку в прошлом году?", A001, "38,8 млрд тенге"),
        ("Сколько выделят на образование в этом году?", A001, "более 432 млрд тенге"),
        # «на что сколько»: what the amount is for, not what is counted
        ("на образование сколько в 2026", A001, "более 432 млрд тенге"),
        # a share answers «сколько» of a whole (singular) or of people, not of things
        ("Сколько экономики страны приходится на Алматы?", A004, "20,6%"),
        ("Сколько народу работает в малом бизнесе?", A001, "до 90%"),
        # «работоспособный» is «трудоспособный»; «субъект» of business is a company
        ("Какая доля работоспособных людей в малом и среднем бизнесе?", A001, "до 90%"),
        ("Какая часть всех компаний МСБ страны работает в Алматы?", A001, "около 18%"),
        # «прибыль» asks a sum, «как сильно» a change; «общая» adds nothing to «стоимость»
        ("Какую прибыль принесёт горный кластер?", A000, "более 300 млрд тенге"),
        ("Как сильно расширят индустриальную зону?", A004, "на 40%"),
        ("Какова общая стоимость инвестиционных проектов?", A000, "свыше 3,6 трлн тенге"),
        # trails counted in the kilometres of them
        ("Сколько троп благоустроят?", A001, "350 км"),
        # general synonyms: «инициатива» for «проект», «воплотить» for «реализовать»
        ("Число инициатив, которые город воплотит к 2030 году?", A000, "порядка 190 проектов"),
        # «привести в порядок» is «благоустроить»; «мегаполис» is the city
        ("Сколько км дорожек в горах приведут в порядок?", A001, "350 км"),
        ("Какова сумма проектов, которые воплотят в мегаполисе?", A000, "свыше 3,6 трлн тенге"),
        # «во сколько раз», Kazakh «қанша өсті»: by how much
        ("во сколько раз больше станет индустриальная зона", A004, "на 40%"),
        ("Туристер саны қанша өсті?", A001, "на 8%"),
        # general synonyms: «промышленный парк», «вкладчик капитала», «небольшие фирмы»
        ("На сколько процентов увеличат промышленный парк?", A004, "на 40%"),
        ("Когда откроется центр для вкладчиков капитала?", A004, "в июне 2024 года"),
        ("Сколько небольших и средних фирм в Алматы?", A001, "порядка 405 тыс. субъектов"),
        ("Сколько в Алматы небольших фирм?", A001, "порядка 405 тыс. субъектов"),
        # Kazakh: a case ending after a hyphen («ШОБ-тан») is no word
        ("2025 жылы ШОБ-тан түскен салық қанша болды?", A001, "1,2 трлн тенге"),
        # Kazakh: «ШОБ» is МСБ, «үлес қосады» contributes
        ("ШОБ экономикаға қанша үлес қосады?", A001, "около 60%"),
        # what is counted may come before «скока»; a noun after a preposition is not it
        ("туристов скока в алмате за 9 мес 2025", A001, "1,9 млн человек"),
        # «каков охват»: the figure next to the amount asked about, not the sentence's sum
        ("Каков охват мер социальной поддержки в 2025 году?", A001, "порядка 330 тыс. человек"),
        # schools are a part of education: its budget is theirs
        ("бюджет школ 2026", A001, "более 432 млрд тенге"),
        # of several sentences, the one that asks: the rest says why one asks
        (
            "Как много туристов было в Алматы в 2025 году? Готовлю урок по краеведению.",
            A001,
            "1,9 млн человек",
        ),
        # «в настоящее время» is how the question is put, not what it is about
        ("Какова в настоящее время площадь индустриальной зоны?", A004, "490 га"),
        # visiting is what tourists do
        ("Сколько человек приехало в Алматы в 2025 году?", A001, "1,9 млн человек"),
        # a month the article was written in: the meeting it reports was then
        ("Какая сумма налогов от МСП названа на январском совещании?", A001, "1,2 трлн тенге"),
        # «насколько велик»: how large, not by how much it changed
        ("Насколько велик вклад малых и средних компаний в экономику города?", A001, "около 60%"),
        # «до какого числа сократилось»: the level it fell to, not a date
        ("До какого числа сократилось количество получателей адресной помощи?", A001, "10 тыс."),
        # English: «should» and «become» are glossary words, «all-season» a compound
        (
            "By what year should the mountain cluster become the largest all-season project?",
            A000,
            "к 2029 году",
        ),
        # «согласно статье» is no clause: «объем» still asks the sum
        (
            "Каков, согласно статье, объем национального рынка IT-услуг страны?",
            A000,
            "4 трлн тенге",
        ),
        # «гости из-за границы» are foreign tourists
        (
            "Сколько гостей из-за границы будут принимать в горах каждый год?",
            A000,
            "около 1 млн иностранных туристов",
        ),
        # «за какой год» asks the year, though «доля» names a share
        ("За какой год приведена доля Алматы в экономике страны?", A004, "в 2023 году"),
        # money earned is answered by what it brings in
        ("Сколько денег принесёт горный кластер?", A000, "более 300 млрд тенге"),
        # «кол-во» is «количество»
        ("на сколько % выросло кол-во туристов", A001, "на 8%"),
        # an adjective the facts do not use («учебные») weighs half: it qualifies the thing
        (
            "Какую сумму в 2026 году заложили на школы, детсады и прочие учебные учреждения?",
            A001,
            "более 432 млрд тенге",
        ),
        # Kazakh: «қорытындысы бойынша» is «по итогам»
        ("Қорытындысы бойынша ШОБ салығы қанша?", A001, "1,2 трлн тенге"),
        # a share of people asked: the share followed by a word for people, not the 60% of
        # the economy in the same sentence
        ("Какая доля горожан трудится в малом и среднем бизнесе?", A001, "до 90%"),
        # «бизнес» asked about is the small and medium business the facts count
        ("Сколько налогов заплатил бизнес в 2025 году?", A001, "1,2 трлн тенге"),
        # «цифры» are «показатели»; «включительно» bounds a period, asks nothing
        ("Как меняются главные цифры туризма?", A001, "на 8%"),
        (
            "Сколько путешественников посетило Алматы с января по сентябрь 2025 г. включительно?",
            A001,
            "1,9 млн человек",
        ),
    ],
)
def test_questions_find_the_fact_and_the_figure(seed_index, question, article, figure):
    best = seed_index.match(question)[0]
    assert (best.fact.article_id, best.figure.text if best.figure else None) == (article, figure)


@pytest.mark.parametrize(
    "question",
    [
        "Какая погода завтра в Алматы?",
        "Сколько стоит проезд в метро?",
        "Сколько туристов приехало в Астану в 2025 году?",
        "Что эксперт сказала про игрушки Лабубу?",
        "Когда в Татарстан придёт потепление?",
        "Сколько туристов приехало в Алматы в 2020 году?",  # no figure for that year
        "Сколько детских садов в Алматы?",  # money is not a count of kindergartens
        # what the cluster costs is not what it brings in («принося экономике … 300 млрд»)
        "Сколько вложат в горный кластер?",
        "Сколько стоит горный кластер?",
        # the role is named, but no name follows it: «генеральные консулы КНР, Ирана, …»
        "Кто генеральный консул Китая?",
        "Как зовут почётного консула Швеции?",
        # an unknown adjective weighs half, not nothing: «китайских», «ледовый» still matter
        "Сколько китайских туристов приехало в 2025 году?",
        "Сколько туристов приехало на ледовый фестиваль?",
        "Алматы город аким",  # words that occur everywhere, nothing else
        "Сколько в Алматы?",
        # «сколько X»: a fact that does not mention X counts something else
        "Сколько рабочих мест создадут в индустриальной зоне?",
        "Сколько иностранных туристов приехало в 2025 году?",
        "а",
        "?!",
        # a place the facts never name: their figures are about other places
        "Астанада шағын бизнес субъектілері қанша?",  # Kazakh: «Астана» with a case ending
        "Сколько субъектов малого и среднего бизнеса в Караганде?",
        "Какую долю рынка IT-услуг занимает Актобе?",  # a capitalised name, not a known place
        # the whole year asked, nine months of it in the facts
        "Каков объём туристских услуг за целый 2025 год?",
        "Объем туристских услуг в Шымкенте за девять месяцев 2025 года",
        # «население» wants a number of people, not a share of them
        "Каково население города?",
        # kilometres of trails in a sentence on tourism are no number of tourists
        "Сколько туристов ожидается в 2026 году?",
        # the consuls stand in the sentence before the one with figures (of something else)
        "Сколько консулов было на встрече?",
        # «в следующем году» is 2027: the articles give nothing for it
        "Сколько выделят на образование в следующем году?",
        "Сколько было получателей адресной помощи в позапрошлом году?",  # 2024
        # what is priced must be named: the cluster's income is no ticket price
        "Сколько стоит билет на горнолыжный курорт?",
        # people counted: the «26,2%» near «участников встречи» is a share of the budget
        "Сколько человек всего приняло участие во встрече акима с активом города?",
        # only the verb says what is counted, and no fact says it
        "Сколько людей проживает в Алматы?",
        # things counted one by one: the sentence's 53% is a share of a market, not a count
        "Сколько центров цифровой медицины в Алматы?",
    ],
)
def test_questions_the_articles_do_not_answer_are_not_matched(seed_index, question):
    assert seed_index.match(question) == []


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
