"""What every domain shares, importing none of them.

`errors` and `problems` (domain errors and their HTTP answers), `permissions` (roles,
permissions, scope) and `access` (the route rules that read them), `levels` (the territory's
levels and code lengths), `coordinates`, `workcalendar`, `pii` and `crypto` (personal data),
`inputs` (the input policy), `i18n`, `commands` (the command line's helpers), `jsontext`.
Each is imported by name (`from onegrid.core.levels import Level`): nothing is lifted here,
so that importing one does not load the rest.
"""
