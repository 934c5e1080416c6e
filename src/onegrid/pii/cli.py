"""`onegrid case mask-text`: masking the personal data in the text of cases stored before 0014.

It sits under `onegrid case` (the top-level cli attaches it there), and here, with what it
masks: pii reads the cases, the cases package never reads pii.
"""

from rich.console import Console

from onegrid.audit import service as audit
from onegrid.core.commands import acting
from onegrid.db import session_scope
from onegrid.pii.service import mask_stored

console = Console(stderr=True)


def mask_text() -> None:
    """Mask the phones, ID numbers, cards and names in cases stored before 0014 (once)."""
    who = acting()
    with session_scope() as session:
        changed = mask_stored(session=session)
        for district_code, rows in sorted(changed.items()):
            audit.record_by(
                session=session,
                who=who,
                district_code=district_code,
                action="pii.mask_stored",
                source="cli",
                detail={"rows": rows},
            )
    console.print(f"已遮蔽 masked {sum(changed.values())} row(s)")
