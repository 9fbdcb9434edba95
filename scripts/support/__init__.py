"""Support for the tests and the bench and chaos scripts: servers and processes on 127.0.0.1.

- processes: spare ports, bounded waits, fetching a page, stopping a process group, redis-server;
- smtp: an SMTP sink (aiosmtpd) that keeps or refuses what it is sent;
- databases: creating or resetting a script's own PostgreSQL database;
- stack: gunicorn, a Celery worker, Celery beat and a private redis-server, started and stopped.

The load generator that `make bench` and `make chaos` drive through the stack is scripts.loadgen.
"""
