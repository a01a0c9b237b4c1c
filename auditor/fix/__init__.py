"""Stage 7: the Elixir code that closes the gaps an audit found, as a patch of the port.

`conventions` reads how the port writes its types, `render` writes Python types that way, `vet` asks the
rules what they would say of a candidate text, `plan` decides the insertions and new files, `patch` turns
them into a unified diff or writes them.
"""

from auditor.fix.patch import unified_diff, write_plan
from auditor.fix.plan import FIXED_RULES, FixPlan, NotPlaced, plan_fix

__all__ = ["FIXED_RULES", "FixPlan", "NotPlaced", "plan_fix", "unified_diff", "write_plan"]
