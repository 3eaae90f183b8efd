"""The one narrow door to a language model: any OpenAI-compatible endpoint via LangChain.

`LLMClient` is the interface the agent uses; `OpenAICompatibleLLM` is the real client
(`langchain-openai`'s ChatOpenAI, structured output by function calling, which OpenAI, vLLM
and llama.cpp's server all accept); tests use a scripted fake or a local stub server.
Every failure — down, timeout, 429, 500, garbage, schema violation — becomes `LLMError`;
callers keep their offline decision then. No client is created at import time.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from pydantic import ValidationError
from tenacity import (
    RetryError,
    Retrying,
    retry_if_exception,
    stop_after_attempt,
    wait_exponential,
)

from core.config import LLM
from core.ports import Call, LLMClient, LLMError, LLMTriage

log = logging.getLogger(__name__)


def _retryable(exc: BaseException) -> bool:
    import openai

    if isinstance(exc, openai.APIStatusError):
        return exc.status_code in {408, 409, 429} or exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError | openai.APITimeoutError)


class OpenAICompatibleLLM:
    def __init__(self, cfg: LLM) -> None:
        self.cfg = cfg
        self.model_name = cfg.model
        self.calls: list[Call] = []
        self._chat: Any = None

    def _client(self) -> Any:
        if self._chat is None:
            from langchain_openai import ChatOpenAI

            self._chat = ChatOpenAI(
                model=self.cfg.model, base_url=self.cfg.base_url,
                api_key=self.cfg.api_key() or "not-needed",
                timeout=self.cfg.timeout, max_retries=0, temperature=self.cfg.temperature,
                max_completion_tokens=self.cfg.max_tokens,
                # llama.cpp's server ignores max_completion_tokens; tiktoken is never needed
                extra_body={"max_tokens": self.cfg.max_tokens})
        return self._chat

    def _run(self, purpose: str, version: str, fn: Any) -> Any:
        start = time.perf_counter()
        retry = Retrying(stop=stop_after_attempt(self.cfg.max_retries + 1),
                         wait=wait_exponential(multiplier=0.5, max=8),
                         retry=retry_if_exception(_retryable), reraise=False)
        try:
            result = retry(fn)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            self._log(purpose, version, start, None, f"{type(cause).__name__}: {cause}")
            raise LLMError(f"{type(cause).__name__}: {cause}") from cause
        except Exception as exc:  # malformed output, schema violation, client errors
            self._log(purpose, version, start, None, f"{type(exc).__name__}: {exc}")
            raise LLMError(f"{type(exc).__name__}: {exc}") from exc
        usage = {}
        raw = result.get("raw") if isinstance(result, dict) else result
        meta = getattr(raw, "usage_metadata", None) or {}
        for key in ("input_tokens", "output_tokens", "total_tokens"):
            if key in meta:
                usage[key] = int(meta[key])
        self._log(purpose, version, start, usage, None)
        return result

    def _log(self, purpose: str, version: str, start: float, usage: dict[str, int] | None,
             error: str | None) -> None:
        self.calls.append(Call(purpose=purpose, model=self.model_name, prompt_version=version,
                               ok=error is None, latency_ms=1000 * (time.perf_counter() - start),
                               usage=usage or {}, error=error))
        if error:
            log.warning("llm %s failed (%s); keeping the offline decision", purpose, error)

    def triage(self, system: str, user: str, prompt_version: str) -> LLMTriage:
        chat = self._client().with_structured_output(LLMTriage, method="function_calling",
                                                     include_raw=True)
        result = self._run("triage", prompt_version,
                           lambda: chat.invoke([("system", system), ("user", user)]))
        parsed = result.get("parsed")
        if result.get("parsing_error") is not None or parsed is None:
            raise LLMError(f"unusable answer: {result.get('parsing_error') or 'no tool call'}")
        try:
            return LLMTriage.model_validate(parsed)
        except ValidationError as exc:
            raise LLMError(f"schema violation: {exc.errors()[0]['msg']}") from exc

    def write(self, system: str, user: str, prompt_version: str) -> str:
        result = self._run("draft", prompt_version,
                           lambda: self._client().invoke([("system", system), ("user", user)]))
        text = getattr(result, "content", "")
        if not isinstance(text, str) or not text.strip():
            raise LLMError("empty draft")
        return text.strip()


def build_llm(cfg: LLM | None) -> LLMClient | None:
    return OpenAICompatibleLLM(cfg) if cfg is not None else None
