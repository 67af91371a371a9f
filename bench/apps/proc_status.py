"""A process's own memory, from /proc/self/status (Linux; 0 elsewhere for the current size), for the bench apps.

Stdlib only: the bare app that measures the start-up floor imports it too.
"""


def rss_bytes() -> int:
    """The resident set size now."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def peak_rss() -> int:
    # VmHWM, not getrusage's ru_maxrss: that one carries the parent's peak over fork and exec
    with open("/proc/self/status", encoding="ascii") as fh:
        return next(int(line.split()[1]) * 1024 for line in fh if line.startswith("VmHWM:"))
