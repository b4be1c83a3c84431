"""The question side of matching: normalise (spelling, Latin, English, Kazakh, years),
classify (pure functions of tokens) and parse into units.

Split from the index because none of it needs the facts' arrays, only their vocabulary.
"""

from .parse import Cue, Flow, Question, QuestionKind, QuestionParser, Unit
from .spelling import Speller

__all__ = ["Cue", "Flow", "Question", "QuestionKind", "QuestionParser", "Speller", "Unit"]
