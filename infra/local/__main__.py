"""`python -m infra.local` (what `make run` calls): run the local stack until Ctrl-C.

Once the stack has stopped, the process leaves with os._exit: tearing the interpreter down
(thousands of objects and modules of moto, botocore and the app) took longer than the whole
orderly stop, and nothing is left that needs it."""

import logging
import os
import sys

from infra.local.server import main

code = main()
logging.shutdown()
sys.stdout.flush()
sys.stderr.flush()
os._exit(code)
