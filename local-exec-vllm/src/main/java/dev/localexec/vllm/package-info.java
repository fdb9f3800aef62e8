/**
 * A local vLLM server as the plane's coordinator model, through its OpenAI-compatible API: the
 * configuration file ({@link dev.localexec.vllm.VllmConfig}, with the {@code vllm serve} command it
 * implies), a client on the JDK's HTTP client ({@link dev.localexec.vllm.VllmClient}: chat
 * completions whole or streamed, health, errors of every vLLM release classified, bounded retries
 * while the model loads), and the plane's {@link dev.localexec.api.spi.ModelBackend} on top ({@link
 * dev.localexec.vllm.VllmModelBackend}). The API key is read from the environment variable the
 * configuration names and is never written anywhere.
 */
package dev.localexec.vllm;
