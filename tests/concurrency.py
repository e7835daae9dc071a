"""Running functions at the same moment in threads, each with its own database connection."""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connection


def run_together(*functions: Callable[[], Any], timeout: float = 60) -> list[Any]:
    """Start the functions together behind a barrier; return their results or their errors."""
    barrier = threading.Barrier(len(functions))
    results: list[Any] = [None] * len(functions)

    def run(index: int, function: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = function()
        except Exception as error:  # reported to the test
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    return results
