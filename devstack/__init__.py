"""`make run`'s supervisor: the whole development stack in one terminal.

Run as ``python -m devstack`` (``make run``) or ``python -m devstack worker``
(``make worker``). Modules, in the order a reader needs them:

- plan.py        what runs: the children's environment and the ordered list of services
- probes.py      how we know a service is up (Redis ping, HTTP answer, RQ registration, ports)
- runfile.py     instance/devstack.pids: who a run started, so the next run can clean up
                 after a supervisor that was killed with SIGKILL
- supervisor.py  starting, watching and stopping the children (process groups, prefixed output)
- __main__.py    the command line

Stdlib only at import time (redis is imported where a probe needs it), so the supervisor
starts fast and its tests need nothing but the venv.
"""
