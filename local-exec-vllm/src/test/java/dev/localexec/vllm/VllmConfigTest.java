package dev.localexec.vllm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The YAML configuration: the template, every validation rule, the key, the serve command. */
class VllmConfigTest {
  static final String F = "dali_local_exec.yaml";
  static final String TEMPLATE =
      """
      serve:
        host: 127.0.0.1
        port: 8001
        api_key_env: OPENCLAW_LOCAL_EXEC_VLLM_API_KEY
        served_model_name: local-exec-coordinator
        gpu_memory_utilization: 0.85
        max_model_len: 8192
        max_num_seqs: 8
      openai_compat:
        base_url: http://127.0.0.1:8001/v1
        model: local-exec-coordinator
      generation:
        temperature: 0.0
        top_p: 1.0
        max_tokens: 1024
        parallel_tool_calls: false
      """;

  static VllmConfigException refused(String yaml) {
    return catchThrowableOfType(VllmConfigException.class, () -> VllmConfig.parse(yaml, F));
  }

  @Test
  void repositoryTemplate_loadsWithTheSpecValues() {
    VllmConfig c = VllmConfig.loadFromRoot(Path.of(".."));

    assertThat(c.serve())
        .isEqualTo(
            new VllmConfig.Serve(
                "127.0.0.1",
                8001,
                "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY",
                "local-exec-coordinator",
                0.85,
                8192,
                8,
                ""));
    assertThat(c.openaiCompat())
        .isEqualTo(
            new VllmConfig.OpenAiCompat(
                URI.create("http://127.0.0.1:8001/v1"), "local-exec-coordinator"));
    assertThat(c.generation()).isEqualTo(new VllmConfig.Generation(0.0, 1.0, 1024, false));
    assertThat(VllmConfig.parse(TEMPLATE, F).serve()).isEqualTo(c.serve());
    assertThat(VllmConfig.defaults().serve()).isEqualTo(c.serve());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "port: 8001|port: 0|dali_local_exec.yaml: serve.port: must be an integer from 1 to 65535,"
            + " got 0; e.g. 8001",
        "port: 8001|port: 70000|dali_local_exec.yaml: serve.port: must be an integer from 1 to"
            + " 65535, got 70000; e.g. 8001",
        "port: 8001|port: \"8001\"|dali_local_exec.yaml: serve.port: must be an integer from 1 to"
            + " 65535, got \"8001\"; e.g. 8001",
        "gpu_memory_utilization: 0.85|gpu_memory_utilization: 1.5|dali_local_exec.yaml:"
            + " serve.gpu_memory_utilization: must be a number > 0 and <= 1, got 1.5; e.g. 0.85",
        "gpu_memory_utilization: 0.85|gpu_memory_utilization: 0|dali_local_exec.yaml:"
            + " serve.gpu_memory_utilization: must be a number > 0 and <= 1, got 0; e.g. 0.85",
        "max_tokens: 1024|max_tokens: 8192|dali_local_exec.yaml: generation.max_tokens: must be"
            + " below serve.max_model_len (8192), got 8192; leave room for the prompt",
        "max_tokens: 1024|max_tokens: 0|dali_local_exec.yaml: generation.max_tokens: must be an"
            + " integer >= 1, got 0; e.g. 1024",
        "top_p: 1.0|top_p: 0|dali_local_exec.yaml: generation.top_p: must be a number > 0 and <="
            + " 1, got 0; e.g. 1",
        "parallel_tool_calls: false|parallel_tool_calls: no way|dali_local_exec.yaml:"
            + " generation.parallel_tool_calls: must be true or false, got \"no way\"",
        "max_num_seqs: 8|max_num_sequences: 8|dali_local_exec.yaml: serve.max_num_sequences:"
            + " unknown key; allowed here: api_key_env, gpu_memory_utilization, host,"
            + " max_model_len, max_num_seqs, model, port, served_model_name",
        "base_url: http://127.0.0.1:8001/v1|base_url: ftp://127.0.0.1:8001/v1|dali_local_exec.yaml:"
            + " openai_compat.base_url: must be an http or https URL with a host, got"
            + " \"ftp://127.0.0.1:8001/v1\"; write it like http://127.0.0.1:8001/v1",
        "base_url: http://127.0.0.1:8001/v1|base_url: http://127.0.0.1:9000/v1|dali_local_exec.yaml:"
            + " openai_compat.base_url: points at port 9000 but serve.port is 8001; make them the"
            + " same",
        "  model: local-exec-coordinator|  model: other|dali_local_exec.yaml: openai_compat.model:"
            + " is \"other\" but serve.served_model_name is \"local-exec-coordinator\"; the server"
            + " would answer 404: make them the same",
        "generation:|sampling:|dali_local_exec.yaml: sampling: unknown key; allowed here:"
            + " generation, openai_compat, serve",
      })
  void invalidValue_oneClearLine(String from, String to, String expected) {
    VllmConfigException e = refused(TEMPLATE.replace(from, to));

    assertThat(e.problems()).containsExactly(expected);
    assertThat(e.getMessage()).isEqualTo(expected);
    assertThat(e.code()).isEqualTo("vllm_config_invalid");
  }

  @Test
  void severalProblems_allReported() {
    VllmConfigException e =
        refused(TEMPLATE.replace("port: 8001", "port: 0").replace("max_num_seqs: 8", "x: 1"));

    assertThat(e.problems()).hasSize(2);
    assertThat(e.getMessage()).doesNotContain("\n");
  }

  @Test
  void literalKeyInTheFile_refusedWithoutShowingIt() {
    VllmConfigException e =
        refused(TEMPLATE.replace("  host: 127.0.0.1", "  api_key: sk-very-secret-value"));

    assertThat(e.getMessage())
        .isEqualTo(
            "dali_local_exec.yaml: serve.api_key: an API key must not be written in this file"
                + " (the value is not shown); remove it, export the key in the environment and"
                + " name that variable in serve.api_key_env")
        .doesNotContain("sk-very-secret-value");
  }

  @Test
  void keyInsteadOfVariableName_refusedWithoutShowingIt() {
    VllmConfigException e =
        refused(
            TEMPLATE.replace(
                "api_key_env: OPENCLAW_LOCAL_EXEC_VLLM_API_KEY", "api_key_env: sk-abc.123-xyz"));

    assertThat(e.getMessage())
        .startsWith("dali_local_exec.yaml: serve.api_key_env: must be the name of an environment")
        .doesNotContain("sk-abc.123-xyz");
  }

  @Test
  void credentialsInTheUrl_refusedWithoutShowingThem() {
    VllmConfigException e =
        refused(
            TEMPLATE.replace("http://127.0.0.1:8001/v1", "http://user:hunter2@127.0.0.1:8001/v1"));

    assertThat(e.getMessage())
        .isEqualTo(
            "dali_local_exec.yaml: openai_compat.base_url: must not hold credentials (the URL is"
                + " not shown); put the key in the environment variable named by"
                + " serve.api_key_env")
        .doesNotContain("hunter2");
  }

  @Test
  void badYaml_saysWhere() {
    VllmConfigException e = refused("serve:\n  port: [8001\n");

    assertThat(e.getMessage()).startsWith("dali_local_exec.yaml: not valid YAML at line ");
    assertThat(e.getMessage()).endsWith("; fix the syntax");
  }

  @Test
  void duplicateKey_refused() {
    VllmConfigException e = refused("serve:\n  port: 8001\n  port: 8002\n");

    assertThat(e.getMessage()).contains("not valid YAML").contains("port");
  }

  @Test
  void missingFile_saysWhatToDo(@TempDir Path dir) {
    VllmConfigException e =
        catchThrowableOfType(
            VllmConfigException.class, () -> VllmConfig.load(dir.resolve("nope.yaml")));

    assertThat(e.getMessage())
        .isEqualTo(
            dir.resolve("nope.yaml")
                + ": not found; create it from the template in config/vllm/dali_local_exec.yaml");
  }

  @Test
  void loadFromFile_namesTheFileInErrors(@TempDir Path dir) throws IOException {
    Path file = dir.resolve(F);
    Files.writeString(file, TEMPLATE.replace("port: 8001", "port: -1"));

    VllmConfigException e =
        catchThrowableOfType(VllmConfigException.class, () -> VllmConfig.load(file));

    assertThat(e.getMessage()).startsWith(file + ": serve.port: must be an integer");
  }

  @Test
  void apiKey_onlyFromTheNamedVariable() {
    VllmConfig c = VllmConfig.parse(TEMPLATE, F);

    assertThat(c.apiKey(Map.of("OPENCLAW_LOCAL_EXEC_VLLM_API_KEY", "s3cret"))).hasValue("s3cret");
    assertThat(c.apiKey(Map.of("VLLM_API_KEY", "other"))).isEmpty();
    assertThat(c.apiKey(Map.of("OPENCLAW_LOCAL_EXEC_VLLM_API_KEY", "  "))).isEmpty();
    assertThat(c.toString()).doesNotContain("s3cret");
    VllmConfig noKey =
        VllmConfig.parse(
            TEMPLATE.replace("api_key_env: OPENCLAW_LOCAL_EXEC_VLLM_API_KEY", "api_key_env: \"\""),
            F);
    assertThat(noKey.apiKey(Map.of("OPENCLAW_LOCAL_EXEC_VLLM_API_KEY", "s3cret"))).isEmpty();
    VllmConfig unsaid =
        VllmConfig.parse(
            TEMPLATE.replace("  api_key_env: OPENCLAW_LOCAL_EXEC_VLLM_API_KEY\n", ""), F);
    assertThat(unsaid.serve().apiKeyEnv()).isEqualTo("OPENCLAW_LOCAL_EXEC_VLLM_API_KEY");
  }

  @Test
  void serveCommand_flagsFromServe_keyByEnvironmentOnly() {
    VllmConfig c = VllmConfig.parse(TEMPLATE, F);

    VllmConfig.ServeCommand cmd = c.serveCommand("Qwen/Qwen3-8B");

    assertThat(cmd.argv())
        .containsExactly(
            "vllm",
            "serve",
            "Qwen/Qwen3-8B",
            "--host",
            "127.0.0.1",
            "--port",
            "8001",
            "--served-model-name",
            "local-exec-coordinator",
            "--gpu-memory-utilization",
            "0.85",
            "--max-model-len",
            "8192",
            "--max-num-seqs",
            "8");
    assertThat(cmd.argv()).noneMatch(a -> a.contains("api-key") || a.contains("API_KEY"));
    assertThat(cmd.shellLine())
        .isEqualTo(
            "VLLM_API_KEY=\"$OPENCLAW_LOCAL_EXEC_VLLM_API_KEY\" vllm serve Qwen/Qwen3-8B"
                + " --host 127.0.0.1 --port 8001 --served-model-name local-exec-coordinator"
                + " --gpu-memory-utilization 0.85 --max-model-len 8192 --max-num-seqs 8");
    assertThat(cmd.lines())
        .containsExactly(
            "# vLLM server for dali_local_exec.yaml",
            "# the API key goes by environment (VLLM_API_KEY from"
                + " $OPENCLAW_LOCAL_EXEC_VLLM_API_KEY), never on the command line; export"
                + " OPENCLAW_LOCAL_EXEC_VLLM_API_KEY first",
            cmd.shellLine());
    assertThat(cmd.environment(Map.of("OPENCLAW_LOCAL_EXEC_VLLM_API_KEY", "s3cret")))
        .isEqualTo(Map.of("VLLM_API_KEY", "s3cret"));
  }

  @Test
  void serveCommand_withoutModel_placeholderAndHint() {
    VllmConfig.ServeCommand cmd = VllmConfig.parse(TEMPLATE, F).serveCommand();

    assertThat(cmd.modelIsPlaceholder()).isTrue();
    assertThat(cmd.argv().get(2)).isEqualTo("<model>");
    assertThat(cmd.lines()).hasSize(4);
    assertThat(cmd.lines().get(2))
        .isEqualTo(
            "# replace <model> with the weights to serve (a Hugging Face id or a local folder),"
                + " or set serve.model in the file");
  }

  @Test
  void serveCommand_modelFromTheFile() {
    VllmConfig c =
        VllmConfig.parse(
            TEMPLATE.replace(
                "  max_num_seqs: 8\n", "  max_num_seqs: 8\n  model: /models/my model\n"),
            F);

    assertThat(c.serveCommand().argv().get(2)).isEqualTo("/models/my model");
    assertThat(c.serveCommand().shellLine()).contains(" vllm serve '/models/my model' --host");
  }

  @Test
  void serveCommand_noKeyVariable_noEnvironmentPrefix() {
    VllmConfig c =
        VllmConfig.parse(
            TEMPLATE.replace("api_key_env: OPENCLAW_LOCAL_EXEC_VLLM_API_KEY", "api_key_env: \"\""),
            F);

    assertThat(c.serveCommand("m").shellLine()).startsWith("vllm serve m --host");
    assertThat(c.serveCommand("m").lines().get(1))
        .isEqualTo(
            "# no serve.api_key_env: the server accepts requests without a key; keep --host on"
                + " 127.0.0.1");
    assertThat(c.serveCommand("m").environment(Map.of("X", "y"))).isEmpty();
  }
}
