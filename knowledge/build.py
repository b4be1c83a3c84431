"""What a rebuild of the store changes: its plan (articles added, changed, removed, kept)
and the report a person reads (`BuildReport.summary`)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .articles import Article, Skipped


class BuildError(Exception):
    """A rebuild that could not run at all (articles folder missing, database failure)."""


@dataclass(frozen=True)
class BuildReport:
    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    facts_before: int = 0
    facts_after: int = 0
    generation: int = 0
    kept: tuple[str, ...] = field(default=())  # skipped files whose previous version stays loaded
    # What the rebuild's IndexCheck made of the committed generation (None: no check ran).
    checked: object = field(default=None, compare=False, repr=False)

    @property
    def changed_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)

    def summary(self) -> list[str]:
        """Lines in Russian for a person: what was added, changed, removed and skipped."""
        lines: list[str] = []
        if self.changed_anything:
            lines.append(
                f"Статей: добавлено {len(self.added)}, изменено {len(self.changed)}, "
                f"удалено {len(self.removed)}, без изменений {len(self.unchanged)}"
            )
            lines.append(f"Фактов: {self.facts_before} → {self.facts_after}")
        else:
            stored = len(self.unchanged) + len(self.kept)
            lines.append(f"Изменений нет (статей: {stored}, фактов: {self.facts_after})")
        lines.extend(f"Пропущено: {s.path} — {s.reason}" for s in self.skipped)
        lines.extend(f"Оставлена прежняя версия: {article_id}" for article_id in self.kept)
        return lines


@dataclass(frozen=True)
class Stored:
    """What the database holds, as far as a rebuild needs to know."""

    versions: dict[str, tuple[str, int]]  # article id -> (content hash, extractor version)


@dataclass(frozen=True)
class Plan:
    added: tuple[str, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: tuple[str, ...]
    kept: tuple[str, ...]

    @property
    def changes_anything(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def plan_rebuild(
    by_id: dict[str, Article], skipped: tuple[Skipped, ...], stored: Stored, extractor: int
) -> Plan:
    """Which articles a rebuild adds, changes, removes, keeps; `extractor` is the version of
    the fact extraction (a stored article extracted by another one is changed)."""
    added: list[str] = []
    changed: list[str] = []
    unchanged: list[str] = []
    for article_id, article in by_id.items():
        version = stored.versions.get(article_id)
        if version is None:
            added.append(article_id)
        elif version == (article.content_hash, extractor):
            unchanged.append(article_id)
        else:
            changed.append(article_id)
    # A file that could not be read this time keeps its previous version: never lose data
    # because of a broken file.
    skipped_ids = {s.path for s in skipped}
    kept = sorted(i for i in skipped_ids if i in stored.versions and i not in by_id)
    removed = sorted(i for i in stored.versions if i not in by_id and i not in skipped_ids)
    return Plan(
        added=tuple(sorted(added)),
        changed=tuple(sorted(changed)),
        removed=tuple(removed),
        unchanged=tuple(sorted(unchanged)),
        kept=tuple(kept),
    )


def report_of(
    plan: Plan, skipped: tuple[Skipped, ...], before: int, after: int, generation: int
) -> BuildReport:
    return BuildReport(
        added=plan.added,
        changed=plan.changed,
        removed=plan.removed,
        unchanged=plan.unchanged,
        skipped=skipped,
        facts_before=before,
        facts_after=after,
        generation=generation,
        kept=plan.kept,
    )
