"""`python -m infra.local` (what `make run` calls): run the local stack until Ctrl-C."""

from infra.local.server import main

raise SystemExit(main())
