/**
 * A local vLLM server as the plane's coordinator model, through its OpenAI-compatible API. This
 * module holds no client yet: until it does, {@code model_mode} is {@code off} in every run header
 * and no job can call a model.
 */
package dev.localexec.vllm;
