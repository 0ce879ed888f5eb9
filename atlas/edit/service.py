"""The one write path: put or delete features, undo a commit — validated, atomic, recorded."""

from __future__ import annotations

from dataclasses import dataclass, field

from atlas.config import Settings
from atlas.storage import Change, Commit, Storage, apply_changes, etag
from atlas.validate import Problem, validate
from atlas.vocab import Layer


@dataclass(frozen=True)
class Op:
    """Write ``after`` as feature ``id`` of ``layer`` (None deletes it).

    ``if_match`` is the ETag the writer last read (None: no check); ``create`` refuses to
    overwrite an existing id."""

    layer: Layer
    id: str
    after: dict | None
    if_match: str | None = None
    create: bool = False


@dataclass
class EditError(Exception):
    """A write refused: HTTP ``status`` (404, 409, 412, 422), a message, and for 422 the
    validation problems (each with its feature id and the field it is about)."""

    status: int
    detail: str
    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return self.detail


def current_features(read_layer) -> dict[str, tuple[Layer, dict]]:
    """id -> (layer, feature) over every layer (ids are unique across layers)."""
    found = {}
    for layer in Layer:
        for feature in read_layer(layer).get("features", []):
            found[feature.get("id")] = (layer, feature)
    return found


def plan(collections: dict[Layer, dict], ops: list[Op]) -> list[Change]:
    """The changes ``ops`` make to ``collections``; raises EditError (404/409/412) when an op
    does not fit what is there now."""
    current = {f.get("id"): (layer, f) for layer, fc in collections.items()
               for f in fc.get("features", [])}
    changes = []
    for op in ops:
        layer, before = current.get(op.id, (op.layer, None))
        if before is not None and layer != op.layer:
            raise EditError(409, f"{op.id}: is a feature of {layer.value}, not {Layer(op.layer).value}")
        if op.create and before is not None:
            raise EditError(409, f"{op.id}: an entity with this id exists already")
        if before is None and op.after is None:
            raise EditError(404, f"{op.id}: no such entity")
        if op.if_match is not None and op.if_match != etag(before):
            raise EditError(412, f"{op.id}: changed since you read it (ETag {etag(before)}, "
                                 f"not {op.if_match}); reload and apply your edit again")
        if op.after is not None and op.after.get("id") != op.id:
            raise EditError(422, f"{op.id}: the feature's id is {op.after.get('id')!r}",
                            [Problem("id", Layer(op.layer).value, op.id, "id: does not match the URL")])
        changes.append(Change(Layer(op.layer), op.id, before, op.after))
        current[op.id] = (Layer(op.layer), op.after)
    return changes


def check(collections: dict[Layer, dict], changes: list[Change], settings: Settings) -> None:
    """Validate the atlas as it would be after ``changes``; EditError 422 with the problems."""
    after = {layer: apply_changes(fc, [c for c in changes if c.layer == layer])
             for layer, fc in collections.items()}
    report = validate(after, settings.corridor_width_m, settings.coast_tolerance_m)
    if not report.ok:
        touched = {c.id for c in changes}
        mine = [p for p in report.problems if p.feature_id in touched] or report.problems
        raise EditError(422, "; ".join(str(p) for p in mine[:5]), mine)


def apply(storage: Storage, settings: Settings, ops: list[Op], author: str, message: str,
          undoes: int | None = None, dry_run: bool = False) -> Commit | list[Change]:
    """Apply ``ops`` as one commit by ``author`` — all or nothing — and return the commit
    (with ``dry_run``: check everything, write nothing, return the changes)."""
    if not ops:
        raise EditError(422, "nothing to write")
    with storage.transaction() as tx:
        collections = {layer: tx.read_layer(layer) for layer in Layer}
        changes = plan(collections, ops)
        check(collections, changes, settings)
        if dry_run:
            return changes
        return tx.commit(changes, author, message, undoes)


def undo(storage: Storage, settings: Settings, number: int, author: str) -> Commit:
    """Revert commit ``number`` with a new commit (refused with 409 if its features changed since)."""
    commit = storage.commit_by_number(number)
    if commit is None:
        raise EditError(404, f"no commit {number}")
    ops = [Op(c.layer, c.id, c.before, if_match=etag(c.after)) for c in commit.changes]
    try:
        result = apply(storage, settings, ops, author, f"undo #{number}: {commit.message}",
                       undoes=number)
    except EditError as exc:
        if exc.status == 412:
            raise EditError(409, f"commit {number} cannot be undone: its features changed "
                                 f"since ({exc.detail}); undo the later commits first") from exc
        raise
    return result
