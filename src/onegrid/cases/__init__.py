"""Cases: the closed loop from intake to evaluation (GB/T 30428).

The normal path, one case at a time:
- `intake`: the one service every channel calls to open a case;
- `machine`: the state table (`target`) and who may take each action (`PERMISSION`);
- `flows`: the one dispatcher, `transition`; `effects`: what each action changes;
- `steps`: what a step writes (its timeline row, its audit record, what the case counts);
- `rollup`: the indicators' counts kept current; `scheduled`: the escalation sweep.

The bulk path, `bulk/`: the same intake and transitions in memory, written in batches (imports,
the demo's history). Both use `models`, `drafts` (cases held in memory) and `lookups`.
"""

from onegrid.cases.machine import Action
from onegrid.cases.models import Case, CaseEvent, CaseRollup, Channel, Evidence, Stage, State

__all__ = ["Action", "Case", "CaseEvent", "CaseRollup", "Channel", "Evidence", "Stage", "State"]
