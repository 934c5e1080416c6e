"""Submissions: a report sent with an idempotency key opens its case once, with its photos.

A browser that lost the answer sends the same report again with the same key: it gets the
first case's receipt back, and nothing is opened or stored twice. The same key with another
report is refused (Conflict). The case, its key and its photos are written in one
transaction (intake's group commit), so a resend never finds half a report.

    submitted = submit(session=s, submission=Submission(key, entry, photos))
    submitted.receipt, submitted.replayed  # replayed: the key's case, answered again
"""

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from onegrid.cases import evidence, intake, service
from onegrid.cases.drafts import CaseDraft
from onegrid.cases.models import Case, CaseSubmission
from onegrid.cases.schemas import Receipt
from onegrid.core.errors import Conflict, DomainError, Invalid
from onegrid.db import write_durably_together
from onegrid.db.base import utcnow

MAX_PHOTOS = 6
# A UUID (36) fits; any client's own key of printable ASCII up to the column's width too.
_KEY = re.compile(r"[\x21-\x7e]{8,64}")


@dataclass(frozen=True)
class Submission:
    """A report to open (intake's Entry), the key its sender gave it, and its checked photos."""

    key: str | None
    entry: intake.Entry
    photos: tuple[evidence.Upload, ...] = ()


@dataclass(frozen=True)
class Submitted:
    """The receipt of a submission's case; `replayed`: opened before under the same key."""

    receipt: Receipt
    case_id: int
    replayed: bool = False


def check_key(key: str | None) -> str | None:
    """Returns the idempotency key as given (None if none), or raises Invalid naming it."""
    if key is None or key == "":
        return None
    if not _KEY.fullmatch(key):
        raise Invalid(
            "Idempotency-Key 须为 8 至 64 个可打印 ASCII 字符（例如 UUID）",
            "the Idempotency-Key must be 8 to 64 printable ASCII characters (e.g. a UUID)",
        )
    return key


def too_many_photos() -> Invalid:
    return Invalid(
        f"一次报告最多 {MAX_PHOTOS} 张照片",
        f"a report carries at most {MAX_PHOTOS} photos",
        field="photos",
    )


def check_photos(photos: Sequence[evidence.Upload]) -> tuple[evidence.Upload, ...]:
    """Returns the photos, or raises Invalid when there are more than a report may carry."""
    if len(photos) > MAX_PHOTOS:
        raise too_many_photos()
    pdf = next((p for p in photos if p.content_type == evidence.PDF), None)
    if pdf is not None:
        raise Invalid(
            "报告只接受照片（JPEG、PNG、WebP）",
            "a report takes photos only (JPEG, PNG, WebP)",
            field="photos",
        )
    return tuple(photos)


def digest(submission: Submission) -> str:
    """Returns the SHA-256 of the report as its sender sent it: its fields, who sent it, and
    the hashes of its photos as received."""
    report = submission.entry.report
    fields = {
        "who": submission.entry.who.user_id,
        "public": submission.entry.public,
        "channel": report.channel.value,
        "category": report.category_code,
        "description": report.description,
        "lon": report.lon,
        "lat": report.lat,
        "crs": report.crs.value,
        "address": report.address,
        "attributes": report.attributes,
        "name": report.reporter_name,
        "phone": report.reporter_phone,
        "anonymous": report.anonymous,
        "media_url": report.media_url,
        "photos": [p.received_sha256 for p in submission.photos],
    }
    text = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _reused() -> Conflict:
    return Conflict(
        "此 Idempotency-Key 已用于另一份报告：同一报告重发时请用同一个键，新报告请用新键",
        "this Idempotency-Key was already used for another report: resend the same report "
        "with the same key, and give a new report a new key",
    )


def _earlier(session: Session, submission: Submission, sent: str) -> Submitted | None:
    """The answer given before to this key, None if the key is new; Conflict if it came with
    another report."""
    row = session.execute(
        select(CaseSubmission.digest, Case)
        .join(Case, Case.id == CaseSubmission.case_id)
        .where(CaseSubmission.key == submission.key)
    ).first()
    if row is None:
        return None
    if row.digest != sent:
        raise _reused()
    case = row.Case
    duplicate = service.receipt_if_readable(
        session=session, who=submission.entry.who, case_id=case.duplicate_of_id
    )
    receipt = Receipt(
        receipt=case.receipt,
        state=case.state,
        possible_duplicate=case.duplicate_of_id is not None,
        duplicate_of=duplicate,
    )
    return Submitted(receipt, case.id, replayed=True)


def submit(*, session: Session, submission: Submission) -> Submitted:
    """Opens the submission's case with its photos, or answers again what its key opened
    before; raises the DomainError naming the problem, having written nothing."""
    if submission.key is not None:
        earlier = _earlier(session, submission, digest(submission))
        if earlier is not None:
            return earlier
    for photo in submission.photos:
        evidence.keep(photo)  # files first, outside the write lock: stored by content hash
    return write_durably_together(session, submit_many, submission)


def submit_many(
    session: Session, submissions: Sequence[Submission]
) -> list[Submitted | DomainError]:
    """Opens the submissions' cases in the session's transaction (see intake.intake_many),
    each key's once; returns in order each one's answer or the DomainError naming its problem."""
    results: list[Submitted | DomainError | None] = [None] * len(submissions)
    digests = [digest(s) if s.key is not None else "" for s in submissions]
    fresh: list[int] = []
    first_of: dict[str, int] = {}  # a key sent twice in the same group: the first one opens
    for i, submission in enumerate(submissions):
        if submission.key is None:
            fresh.append(i)
            continue
        if submission.key in first_of:
            continue
        try:
            results[i] = _earlier(session, submission, digests[i])
        except DomainError as error:
            results[i] = error
            continue
        if results[i] is None:
            first_of[submission.key] = i
            fresh.append(i)
    opened = intake.intake_many(session, [submissions[i].entry for i in fresh])
    for i, outcome in zip(fresh, opened, strict=True):
        results[i] = (
            outcome
            if isinstance(outcome, DomainError)
            else _keep(session, submissions[i], digests[i], outcome)
        )
    for i, submission in enumerate(submissions):
        if results[i] is None:  # the second of a key in this group: as the first was answered
            first = results[first_of[submission.key]]
            if isinstance(first, Submitted) and digests[i] == digests[first_of[submission.key]]:
                results[i] = Submitted(first.receipt, first.case_id, replayed=True)
            else:
                results[i] = first if isinstance(first, DomainError) else _reused()
    return results


def _keep(session: Session, submission: Submission, sent: str, opened: intake.Opened) -> Submitted:
    """Stores an opened case's key and photos; returns its receipt."""
    case: CaseDraft = opened.case
    if submission.key is not None:
        session.add(
            CaseSubmission(
                district_code=case.district_code,
                key=submission.key,
                case_id=case.id,
                digest=sent,
                created_at=utcnow(),
            )
        )
    for photo in submission.photos:
        evidence.store(session=session, case=case, upload=photo, who=submission.entry.who)
    session.flush()
    receipt = Receipt(
        receipt=case.receipt,
        state=case.state,
        possible_duplicate=case.duplicate_of_id is not None,
        duplicate_of=opened.duplicate_receipt,
    )
    return Submitted(receipt, case.id)
