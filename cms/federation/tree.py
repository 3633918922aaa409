"""The federation's tree: who may share with the associations below it, and who they are.

Only the federation and the regional unions share (items of the pool, watched sources), and
only with the associations below them: the federation with its whole tree, a union with its
members (and theirs, if a union has sub-levels). An association of another branch is never
below. A loop in the parents (a mistake in the admin) is never followed twice.
"""

from __future__ import annotations

from .models import Association

SHARING_KINDS = (Association.Kind.FEDERATION, Association.Kind.UNION)


def can_share(association: Association) -> bool:
    return association.kind in SHARING_KINDS


def below(association: Association) -> list[Association]:
    """Every association under ``association`` in the federation's tree (not itself)."""
    children: dict[int | None, list[Association]] = {}
    for row in Association.objects.select_related("site").exclude(pk=association.pk):
        children.setdefault(row.parent_id, []).append(row)
    found: list[Association] = []
    seen = {association.pk}
    todo = [association.pk]
    while todo:
        for child in children.get(todo.pop(), []):
            if child.pk not in seen:
                seen.add(child.pk)
                found.append(child)
                todo.append(child.pk)
    return sorted(found, key=lambda a: (str(a).casefold(), a.pk))


def above(association: Association) -> list[Association]:
    """The unions and the federation ``association`` belongs to, nearest first."""
    found: list[Association] = []
    seen = {association.pk}
    parent = association.parent
    while parent is not None and parent.pk not in seen:
        seen.add(parent.pk)
        found.append(parent)
        parent = parent.parent
    return found
