"""The React example (``examples/react-otp``) started as its README says, for a test to drive.

``npm ci`` (when its lock file changed) and then ``npm start``, with the project ID and
passgate's URL in the environment, exactly as a user runs it; the example's own server
(esbuild's) serves it on a free port until the block ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

import httpx

from tests.browser import bundles
from tests.browser.pages import PAGE_HOST
from tests.browser.sdk_page import api_url
from tests.support import LiveServer, free_port, wait_until


@contextmanager
def react_example(project: LiveServer) -> Iterator[str]:
    """The running example signing in to ``project``; yields its origin (``http://localhost:<port>``)."""
    bundles.install(bundles.EXAMPLE)
    port = free_port()
    env = {**os.environ, "PORT": str(port), "PASSGATE_PROJECT_ID": project.project_id, "PASSGATE_URL": api_url(project)}
    command = [bundles.npm(), "start", "--silent"]
    with (
        tempfile.TemporaryFile() as log,
        subprocess.Popen(
            command, cwd=bundles.EXAMPLE, env=env, stdout=log, stderr=log, start_new_session=True
        ) as process,
    ):  # a process group of its own: npm, node and esbuild's service stop together
        try:
            wait_until(lambda: _serving(port, process, log), timeout=30)
            yield f"http://{PAGE_HOST}:{port}"
        finally:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=10)


def _serving(port: int, process: subprocess.Popen[bytes], log: IO[bytes]) -> bool:
    if process.poll() is not None:
        log.seek(0)
        raise RuntimeError(f"the example exited with {process.returncode}:\n{log.read().decode()}")
    try:
        return httpx.get(f"http://127.0.0.1:{port}/build/app.js", timeout=5).status_code == 200
    except httpx.HTTPError:
        return False
