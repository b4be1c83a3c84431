"""How strongly each way of matching a question's word to a fact's term counts.

Set when the question is parsed (a unit's alternatives carry them) and read by retrieval:
one place for both.
"""

CHANNEL_LEMMA = 1.0
CHANNEL_GROUP = 0.9
CHANNEL_FUZZY = 0.85
CHANNEL_STEM = 0.6
CHANNEL_SHORT_STEM = 0.4
CHANNEL_CONTEXT = 0.4  # a word of the previous sentence: «В сфере туризма …. За 9 месяцев …»
# A word of the article's first sentence, which says what the whole article reports: «На
# встрече … с консулами …» for «Какой транспорт предлагали на встрече с консулами?». As
# strong as the sentence before: 0.34 to 0.42 scored alike on the tune questions, 0.3 lower.
CHANNEL_LEAD = CHANNEL_CONTEXT
PHRASE_PART = 0.5  # a word of a synonym phrase matched alone (see knowledge/query/parse.py)
# The city a question names, covered by a fact of an article about it (see retrieve.py).
CHANNEL_PLACE = 0.9
# A word of the previous sentence, for a sentence that points back to it («Его …»).
CHANNEL_ANAPHORA = 0.7
