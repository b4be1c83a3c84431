from pathlib import Path

from knowledge import FactIndex
from knowledge.library import Library

VELO = "---\ndate: 2026-02-01\n---\n\nВ 2026 году в Алматы построят 120 км велодорожек.\n"


async def test_swap_listeners_see_each_new_index_once(
    library: Library, articles_dir: Path
) -> None:
    swapped: list[FactIndex] = []
    library.swap_listeners.append(swapped.append)
    first = library.index

    unchanged = await library.reload()
    assert not unchanged.changed_anything
    assert swapped == [] and library.index is first

    (articles_dir / "010_velo.txt").write_text(VELO, encoding="utf-8")
    changed = await library.reload()
    assert changed.changed_anything
    assert swapped == [library.index]
    assert library.index is not first
    assert library.index.generation == first.generation + 1
