package dev.localexec.vllm;

import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.JsonNode;
import tools.jackson.dataformat.yaml.YAMLMapper;

/**
 * The vLLM configuration ({@code config/vllm/dali_local_exec.yaml}): how to start the server
 * ({@code serve}), how to reach it ({@code openai_compat}) and the generation defaults ({@code
 * generation}). Parsing validates every key and reports each problem on one line with the file, the
 * key path, the bad value and what to do; unknown keys are refused, and so is anything that looks
 * like an API key written into the file.
 *
 * <p>The API key is never part of this object: {@link #apiKey(Map)} reads it from the environment
 * variable named by {@code serve.api_key_env}, out of an environment map the caller passes in.
 *
 * <p>Immutable and thread-safe.
 */
public final class VllmConfig {

  /** Where the file lives, relative to the repo root the plane serves. */
  public static final String DEFAULT_LOCATION = "config/vllm/dali_local_exec.yaml";

  /**
   * The {@code serve} section: the {@code vllm serve} flags.
   *
   * @param host the address to bind, e.g. {@code 127.0.0.1}
   * @param port the port, 1..65535
   * @param apiKeyEnv the environment variable holding the API key ({@link #DEFAULT_KEY_ENV} when
   *     the file does not say), or {@code ""} when the file sets it empty: a server without a key
   * @param servedModelName the name clients ask for
   * @param gpuMemoryUtilization the share of GPU memory vLLM may take, in (0, 1]
   * @param maxModelLen the context length in tokens
   * @param maxNumSeqs the most sequences in a running batch (more are queued)
   * @param model the weights to serve (a Hugging Face id or a local folder), or {@code ""} when the
   *     file does not say (an optional key of this project, {@code serve.model})
   */
  public record Serve(
      String host,
      int port,
      String apiKeyEnv,
      String servedModelName,
      double gpuMemoryUtilization,
      int maxModelLen,
      int maxNumSeqs,
      String model) {

    /** Normalises absent strings to {@code ""}. */
    public Serve {
      apiKeyEnv = apiKeyEnv == null ? "" : apiKeyEnv;
      model = model == null ? "" : model;
    }
  }

  /**
   * The {@code openai_compat} section: how the client reaches the server.
   *
   * @param baseUrl the API base, e.g. {@code http://127.0.0.1:8001/v1}
   * @param model the model name sent with every request
   */
  public record OpenAiCompat(URI baseUrl, String model) {}

  /**
   * The {@code generation} section: defaults sent with every chat request.
   *
   * @param temperature sampling temperature, 0..2
   * @param topP nucleus sampling, in (0, 1]
   * @param maxTokens the token bound when a request sets none; below {@code serve.max_model_len}
   * @param parallelToolCalls whether the model may ask for several tool calls at once
   */
  public record Generation(
      double temperature, double topP, int maxTokens, boolean parallelToolCalls) {}

  /** The variable holding the API key when {@code serve.api_key_env} is not written. */
  public static final String DEFAULT_KEY_ENV = "OPENCLAW_LOCAL_EXEC_VLLM_API_KEY";

  private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
  private static final Pattern SECRET_KEY =
      Pattern.compile("(?i).*(api[_-]?key|token|secret|password|passwd|authorization|bearer).*");
  private static final Set<String> SECTIONS = Set.of("serve", "openai_compat", "generation");
  private static final Set<String> SERVE_KEYS =
      Set.of(
          "host",
          "port",
          "api_key_env",
          "served_model_name",
          "gpu_memory_utilization",
          "max_model_len",
          "max_num_seqs",
          "model");
  private static final Set<String> OPENAI_KEYS = Set.of("base_url", "model");
  private static final Set<String> GENERATION_KEYS =
      Set.of("temperature", "top_p", "max_tokens", "parallel_tool_calls");

  private final String source;
  private final Serve serve;
  private final OpenAiCompat openaiCompat;
  private final Generation generation;

  private VllmConfig(String source, Serve serve, OpenAiCompat openaiCompat, Generation generation) {
    this.source = source;
    this.serve = serve;
    this.openaiCompat = openaiCompat;
    this.generation = generation;
  }

  /**
   * Reads and validates a configuration file.
   *
   * @throws VllmConfigException if the file is missing, unreadable or invalid
   */
  public static VllmConfig load(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new VllmConfigException(
          file + ": not found; create it from the template in " + DEFAULT_LOCATION, e);
    } catch (IOException e) {
      throw new VllmConfigException(
          file + ": cannot be read (" + e + "); check its permissions", e);
    }
    return parse(text, file.toString());
  }

  /** Reads and validates {@link #DEFAULT_LOCATION} under a repo root. */
  public static VllmConfig loadFromRoot(Path root) {
    return load(root.resolve(DEFAULT_LOCATION));
  }

  /**
   * Validates configuration text.
   *
   * @param yaml the YAML text
   * @param source the name used in error messages, e.g. the file's path
   * @throws VllmConfigException listing every problem, one line each
   */
  public static VllmConfig parse(String yaml, String source) {
    JsonNode root;
    try {
      YAMLMapper mapper =
          YAMLMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
      root = mapper.readTree(yaml);
    } catch (JacksonException e) {
      String where =
          e.getLocation() == null
              ? ""
              : " at line "
                  + e.getLocation().getLineNr()
                  + ", column "
                  + e.getLocation().getColumnNr();
      String what = e.getOriginalMessage() == null ? "" : firstLine(e.getOriginalMessage());
      throw new VllmConfigException(
          source + ": not valid YAML" + where + " (" + what + "); fix the syntax", e);
    }
    return new Reader(source).read(root);
  }

  /** The values of the shipped template file, as if it were read. */
  public static VllmConfig defaults() {
    return new Reader("defaults").read(null);
  }

  /** The name of the file (or text) this came from, for messages. */
  public String source() {
    return source;
  }

  /** The {@code serve} section. */
  public Serve serve() {
    return serve;
  }

  /** The {@code openai_compat} section. */
  public OpenAiCompat openaiCompat() {
    return openaiCompat;
  }

  /** The {@code generation} section. */
  public Generation generation() {
    return generation;
  }

  /**
   * The API key, read only from the variable {@code serve.api_key_env} names, in {@code env}.
   *
   * @param env the environment, e.g. {@code System.getenv()} in an application's main
   * @return the key, or empty when no variable is named or it is unset or blank
   */
  public Optional<String> apiKey(Map<String, String> env) {
    if (serve.apiKeyEnv().isEmpty()) {
      return Optional.empty();
    }
    String value = env.get(serve.apiKeyEnv());
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }

  /** The {@code vllm serve} command for this configuration, model from {@code serve.model}. */
  public ServeCommand serveCommand() {
    return serveCommand(null);
  }

  /**
   * The {@code vllm serve} command for this configuration.
   *
   * @param model the weights to serve, or {@code null} for {@code serve.model} (or a {@code
   *     <model>} placeholder when the file names none)
   */
  public ServeCommand serveCommand(String model) {
    String m = model != null && !model.isBlank() ? model.strip() : serve.model();
    boolean placeholder = m.isEmpty();
    List<String> argv = new ArrayList<>();
    argv.add("vllm");
    argv.add("serve");
    argv.add(placeholder ? ServeCommand.MODEL_PLACEHOLDER : m);
    argv.add("--host");
    argv.add(serve.host());
    argv.add("--port");
    argv.add(Integer.toString(serve.port()));
    argv.add("--served-model-name");
    argv.add(serve.servedModelName());
    argv.add("--gpu-memory-utilization");
    argv.add(plain(serve.gpuMemoryUtilization()));
    argv.add("--max-model-len");
    argv.add(Integer.toString(serve.maxModelLen()));
    argv.add("--max-num-seqs");
    argv.add(Integer.toString(serve.maxNumSeqs()));
    return new ServeCommand(argv, serve.apiKeyEnv(), placeholder, source);
  }

  /**
   * The command that starts vLLM for a configuration. The API key is never part of it: vLLM reads
   * {@code VLLM_API_KEY} from its environment, which {@link #shellLine()} fills from the variable
   * {@code serve.api_key_env} names (a reference, never the value).
   *
   * @param argv the program and its arguments, starting {@code vllm serve}
   * @param apiKeyEnv the variable holding the key, or {@code ""} for a server without a key
   * @param modelIsPlaceholder whether the model is the {@code <model>} placeholder
   * @param source the configuration's file name
   */
  public record ServeCommand(
      List<String> argv, String apiKeyEnv, boolean modelIsPlaceholder, String source) {

    /** Stands for the model when neither the file nor the caller names one. */
    public static final String MODEL_PLACEHOLDER = "<model>";

    /** The variable vLLM reads its API key from when no {@code --api-key} is given. */
    public static final String VLLM_KEY_VARIABLE = "VLLM_API_KEY";

    /** Copies. */
    public ServeCommand {
      argv = List.copyOf(argv);
    }

    /**
     * The environment to start vLLM with, for a launcher: {@code VLLM_API_KEY} set from the named
     * variable in {@code env}, or empty. Holds the key: pass it to the process, never print it.
     */
    public Map<String, String> environment(Map<String, String> env) {
      if (apiKeyEnv.isEmpty()) {
        return Map.of();
      }
      String value = env.get(apiKeyEnv);
      return value == null || value.isBlank() ? Map.of() : Map.of(VLLM_KEY_VARIABLE, value.strip());
    }

    /**
     * One shell line: {@code VLLM_API_KEY="$NAMED_VAR" vllm serve ...}, arguments quoted where the
     * shell needs it. The key is referenced, never written.
     */
    public String shellLine() {
      StringBuilder b = new StringBuilder();
      if (!apiKeyEnv.isEmpty()) {
        b.append(VLLM_KEY_VARIABLE).append("=\"$").append(apiKeyEnv).append("\" ");
      }
      for (int i = 0; i < argv.size(); i++) {
        if (i > 0) {
          b.append(' ');
        }
        String a = argv.get(i);
        b.append(i == 2 && modelIsPlaceholder ? a : shellQuote(a));
      }
      return b.toString();
    }

    /** The lines to print for {@code local-exec vllm serve-command}: comments, then the command. */
    public List<String> lines() {
      List<String> lines = new ArrayList<>();
      lines.add("# vLLM server for " + source);
      if (apiKeyEnv.isEmpty()) {
        lines.add(
            "# no serve.api_key_env: the server accepts requests without a key;"
                + " keep --host on 127.0.0.1");
      } else {
        lines.add(
            "# the API key goes by environment ("
                + VLLM_KEY_VARIABLE
                + " from $"
                + apiKeyEnv
                + "), never on the command line; export "
                + apiKeyEnv
                + " first");
      }
      if (modelIsPlaceholder) {
        lines.add(
            "# replace "
                + MODEL_PLACEHOLDER
                + " with the weights to serve (a Hugging Face id or a local folder),"
                + " or set serve.model in the file");
      }
      lines.add(shellLine());
      return List.copyOf(lines);
    }

    private static String shellQuote(String s) {
      if (!s.isEmpty() && s.matches("[A-Za-z0-9_./:=@%+,-]+")) {
        return s;
      }
      return "'" + s.replace("'", "'\\''") + "'";
    }
  }

  @Override
  public String toString() {
    return "VllmConfig{source="
        + source
        + ", serve="
        + serve
        + ", openaiCompat="
        + openaiCompat
        + ", generation="
        + generation
        + "}";
  }

  private static String plain(double d) {
    return BigDecimal.valueOf(d).stripTrailingZeros().toPlainString();
  }

  private static String firstLine(String s) {
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** Walks the tree, collecting every problem before failing. */
  private static final class Reader {
    private final String source;
    private final List<String> problems = new ArrayList<>();

    Reader(String source) {
      this.source = source;
    }

    VllmConfig read(JsonNode root) {
      Map<String, JsonNode> sections = new LinkedHashMap<>();
      if (root != null && !root.isMissingNode() && !root.isNull()) {
        if (!root.isObject()) {
          problem("", "must be a mapping with the sections serve, openai_compat and generation");
        } else {
          for (Map.Entry<String, JsonNode> e : root.properties()) {
            if (!SECTIONS.contains(e.getKey())) {
              unknown(e.getKey(), SECTIONS);
            } else if (e.getValue().isNull()) {
              continue;
            } else if (!e.getValue().isObject()) {
              problem(e.getKey(), "must be a mapping of keys, got " + show(e.getValue()));
            } else {
              sections.put(e.getKey(), e.getValue());
            }
          }
        }
      }
      JsonNode s = section(sections, "serve", SERVE_KEYS);
      JsonNode o = section(sections, "openai_compat", OPENAI_KEYS);
      JsonNode g = section(sections, "generation", GENERATION_KEYS);

      String host = name(s, "serve.host", "host", "127.0.0.1", "the address vllm serve binds");
      int port = integer(s, "serve.port", "port", 8001, 1, 65535);
      String keyEnv = apiKeyEnv(s);
      String served =
          name(
              s,
              "serve.served_model_name",
              "served_model_name",
              "local-exec-coordinator",
              "the name clients ask for");
      double gpu = gpuShare(s);
      int maxModelLen = integer(s, "serve.max_model_len", "max_model_len", 8192, 2, 10_000_000);
      int maxNumSeqs = integer(s, "serve.max_num_seqs", "max_num_seqs", 8, 1, 100_000);
      String model = optionalText(s, "serve.model", "model");

      URI baseUrl = baseUrl(o, port);
      String apiModel = name(o, "openai_compat.model", "model", served, "the served model name");
      if (!apiModel.equals(served)) {
        problem(
            "openai_compat.model",
            "is "
                + quote(apiModel)
                + " but serve.served_model_name is "
                + quote(served)
                + "; the server would answer 404: make them the same");
      }
      if (baseUrl != null && isLoopback(baseUrl.getHost()) && effectivePort(baseUrl) != port) {
        problem(
            "openai_compat.base_url",
            "points at port "
                + effectivePort(baseUrl)
                + " but serve.port is "
                + port
                + "; make them the same");
      }

      double temperature = decimal(g, "generation.temperature", "temperature", 0.0, 0.0, 2.0, true);
      double topP = decimal(g, "generation.top_p", "top_p", 1.0, 0.0, 1.0, false);
      int maxTokens = integer(g, "generation.max_tokens", "max_tokens", 1024, 1, Integer.MAX_VALUE);
      if (maxTokens >= maxModelLen) {
        problem(
            "generation.max_tokens",
            "must be below serve.max_model_len ("
                + maxModelLen
                + "), got "
                + maxTokens
                + "; leave room for the prompt");
      }
      boolean parallel = bool(g, "generation.parallel_tool_calls", "parallel_tool_calls", false);

      if (!problems.isEmpty()) {
        throw new VllmConfigException(problems);
      }
      return new VllmConfig(
          source,
          new Serve(host, port, keyEnv, served, gpu, maxModelLen, maxNumSeqs, model),
          new OpenAiCompat(baseUrl, apiModel),
          new Generation(temperature, topP, maxTokens, parallel));
    }

    private JsonNode section(Map<String, JsonNode> sections, String name, Set<String> keys) {
      JsonNode n = sections.get(name);
      if (n == null) {
        return null;
      }
      for (String k : n.propertyNames()) {
        if (!keys.contains(k)) {
          unknown(name + "." + k, keys);
        }
      }
      return n;
    }

    private void unknown(String path, Set<String> allowed) {
      String last = path.substring(path.lastIndexOf('.') + 1);
      if (SECRET_KEY.matcher(last).matches() && !last.equals("api_key_env")) {
        problem(
            path,
            "an API key must not be written in this file (the value is not shown); remove it,"
                + " export the key in the environment and name that variable in serve.api_key_env");
      } else {
        problem(path, "unknown key; allowed here: " + String.join(", ", sorted(allowed)));
      }
    }

    private String apiKeyEnv(JsonNode s) {
      JsonNode v = s == null ? null : s.get("api_key_env");
      if (v == null) {
        return DEFAULT_KEY_ENV;
      }
      if (v.isNull() || (v.isString() && v.stringValue().isEmpty())) {
        return ""; // written empty on purpose: a server without a key
      }
      if (!v.isString() || !ENV_NAME.matcher(v.stringValue()).matches()) {
        problem(
            "serve.api_key_env",
            "must be the name of an environment variable (letters, digits and _, not starting"
                + " with a digit), e.g. OPENCLAW_LOCAL_EXEC_VLLM_API_KEY; the value is not shown"
                + " in case it is the key itself: put the key in that variable instead");
        return "";
      }
      return v.stringValue();
    }

    private double gpuShare(JsonNode s) {
      return decimal(
          s, "serve.gpu_memory_utilization", "gpu_memory_utilization", 0.85, 0.0, 1.0, false);
    }

    private URI baseUrl(JsonNode o, int port) {
      JsonNode v = o == null ? null : o.get("base_url");
      String text;
      if (v == null) {
        text = "http://127.0.0.1:" + port + "/v1";
      } else if (!v.isString() || v.stringValue().isBlank()) {
        problem("openai_compat.base_url", "must be an http(s) URL, got " + show(v));
        return null;
      } else {
        text = v.stringValue().strip();
      }
      URI uri;
      try {
        uri = new URI(text);
      } catch (URISyntaxException e) {
        problem(
            "openai_compat.base_url",
            "is not a URL (" + e.getReason() + "); write it like http://127.0.0.1:8001/v1");
        return null;
      }
      if (uri.getRawUserInfo() != null) {
        problem(
            "openai_compat.base_url",
            "must not hold credentials (the URL is not shown); put the key in the environment"
                + " variable named by serve.api_key_env");
        return null;
      }
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
        problem(
            "openai_compat.base_url",
            "must be an http or https URL with a host, got "
                + quote(text)
                + "; write it like http://127.0.0.1:8001/v1");
        return null;
      }
      if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
        problem(
            "openai_compat.base_url",
            "must not have a query or fragment, got " + quote(text) + "; end it with /v1");
        return null;
      }
      String s = text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
      return URI.create(s);
    }

    private String name(JsonNode sec, String path, String key, String dflt, String what) {
      JsonNode v = sec == null ? null : sec.get(key);
      if (v == null) {
        return dflt;
      }
      if (!v.isString() || v.stringValue().isBlank() || v.stringValue().matches(".*\\s.*")) {
        problem(path, "must be a non-empty name without spaces (" + what + "), got " + show(v));
        return dflt;
      }
      return v.stringValue();
    }

    private String optionalText(JsonNode sec, String path, String key) {
      JsonNode v = sec == null ? null : sec.get(key);
      if (v == null || v.isNull()) {
        return "";
      }
      if (!v.isString() || v.stringValue().isBlank()) {
        problem(path, "must be a Hugging Face id or a folder, got " + show(v));
        return "";
      }
      return v.stringValue().strip();
    }

    private int integer(JsonNode sec, String path, String key, int dflt, int min, int max) {
      JsonNode v = sec == null ? null : sec.get(key);
      if (v == null) {
        return dflt;
      }
      if (!v.isIntegralNumber()
          || !v.canConvertToInt()
          || v.intValue() < min
          || v.intValue() > max) {
        String range = max == Integer.MAX_VALUE ? ">= " + min : "from " + min + " to " + max;
        problem(path, "must be an integer " + range + ", got " + show(v) + "; e.g. " + dflt);
        return dflt;
      }
      return v.intValue();
    }

    private double decimal(
        JsonNode sec,
        String path,
        String key,
        double dflt,
        double min,
        double max,
        boolean minInclusive) {
      JsonNode v = sec == null ? null : sec.get(key);
      if (v == null) {
        return dflt;
      }
      double d = v.isNumber() ? v.doubleValue() : Double.NaN;
      boolean ok = !Double.isNaN(d) && (minInclusive ? d >= min : d > min) && d <= max;
      if (!ok) {
        problem(
            path,
            "must be a number "
                + (minInclusive ? ">= " : "> ")
                + plain(min)
                + " and <= "
                + plain(max)
                + ", got "
                + show(v)
                + "; e.g. "
                + plain(dflt));
        return dflt;
      }
      return d;
    }

    private boolean bool(JsonNode sec, String path, String key, boolean dflt) {
      JsonNode v = sec == null ? null : sec.get(key);
      if (v == null) {
        return dflt;
      }
      if (!v.isBoolean()) {
        problem(path, "must be true or false, got " + show(v));
        return dflt;
      }
      return v.booleanValue();
    }

    private void problem(String path, String what) {
      problems.add(source + ": " + (path.isEmpty() ? "" : path + ": ") + what);
    }

    private static boolean isLoopback(String host) {
      return host.equals("127.0.0.1") || host.equalsIgnoreCase("localhost") || host.equals("[::1]");
    }

    private static int effectivePort(URI uri) {
      if (uri.getPort() > 0) {
        return uri.getPort();
      }
      return "https".equalsIgnoreCase(uri.getScheme()) ? 443 : 80;
    }

    private static List<String> sorted(Set<String> keys) {
      return keys.stream().sorted().toList();
    }

    private static String show(JsonNode v) {
      if (v == null || v.isNull()) {
        return "nothing";
      }
      String s = v.isString() ? quote(v.stringValue()) : v.toString();
      return s.length() > 60 ? s.substring(0, 57) + "..." : s;
    }

    private static String quote(String s) {
      return "\"" + s + "\"";
    }
  }
}
