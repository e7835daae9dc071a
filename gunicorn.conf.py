"""gunicorn settings, read from the working directory (command-line options add to them).

Access log lines name the path without its query string, and no Referer: invitation links carry
their token in the query string (see responses/account_views.py), and no token may reach a log.
"""

access_log_format = '%(h)s %(l)s %(u)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)s "%(a)s"'
