package dev.localexec.vllm;

import dev.localexec.api.ModelCallException.Kind;
import dev.localexec.api.spi.ChatMessage;
import dev.localexec.api.spi.ChatReply;
import dev.localexec.api.spi.ChatToolCall;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.regex.Pattern;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The OpenAI chat wire format as vLLM speaks it, across its releases: request bodies, completion
 * and stream chunk parsing, and the three error envelopes. Reads JSON as a tree, so unknown fields
 * are ignored.
 */
final class WireFormat {

  static final JsonMapper JSON = JsonMapper.builder().build();

  private static final Set<String> CONTEXT_PARAMS =
      Set.of("input_tokens", "input_text", "max_tokens");
  private static final Pattern CONTEXT_WORDING = Pattern.compile("(?i)context length");
  private static final int SNIPPET = 300;

  private WireFormat() {}

  /** What a call is about, for error messages (never the key itself). */
  record CallContext(
      String baseUrl,
      String path,
      String model,
      int maxTokens,
      String apiKeyEnv,
      boolean keySent,
      UnaryOperator<String> redact) {}

  /** The request body. */
  static String requestBody(VllmChatRequest r, String model, boolean stream) {
    ObjectNode body = JSON.createObjectNode();
    body.put("model", model);
    ArrayNode messages = body.putArray("messages");
    for (ChatMessage m : r.messages()) {
      messages.addObject().put("role", m.role()).put("content", m.content());
    }
    body.put(r.tokenField().json(), r.maxTokens());
    if (r.temperature() != null) {
      body.put("temperature", r.temperature());
    }
    if (r.topP() != null) {
      body.put("top_p", r.topP());
    }
    if (r.responseSchemaName() != null) {
      ObjectNode format = body.putObject("response_format");
      format.put("type", "json_schema");
      ObjectNode schema = format.putObject("json_schema");
      schema.put("name", r.responseSchemaName());
      schema.set("schema", parseObject(r.responseSchemaJson(), "responseSchemaJson"));
      schema.put("strict", true);
    }
    if (!r.tools().isEmpty()) {
      ArrayNode tools = body.putArray("tools");
      for (VllmChatRequest.ToolDefinition t : r.tools()) {
        ObjectNode fn = tools.addObject().put("type", "function").putObject("function");
        fn.put("name", t.name());
        if (!t.description().isEmpty()) {
          fn.put("description", t.description());
        }
        fn.set("parameters", parseObject(t.parametersJson(), "parameters of tool " + t.name()));
      }
    }
    if (r.toolChoice() != null) {
      if (r.toolChoice().mode().equals("function")) {
        body.putObject("tool_choice")
            .put("type", "function")
            .putObject("function")
            .put("name", r.toolChoice().functionName());
      } else {
        body.put("tool_choice", r.toolChoice().mode());
      }
    }
    if (r.parallelToolCalls() != null && !r.tools().isEmpty()) {
      body.put("parallel_tool_calls", r.parallelToolCalls());
    }
    body.put("stream", stream);
    if (stream) {
      body.putObject("stream_options").put("include_usage", true);
    }
    return JSON.writeValueAsString(body);
  }

  private static JsonNode parseObject(String json, String what) {
    JsonNode n;
    try {
      n = JSON.readTree(json);
    } catch (JacksonException e) {
      throw new IllegalArgumentException(
          what + " is not JSON: " + e.getOriginalMessage() + "; pass a JSON Schema object", e);
    }
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException(what + " must be a JSON object, got " + n);
    }
    return n;
  }

  /** Parses a non-streamed chat completion. */
  static ChatReply parseCompletion(String body, int status, Duration latency, CallContext ctx) {
    JsonNode root = readOrNull(body);
    if (root == null || !root.isObject()) {
      throw badResponse(status, "not JSON", body, ctx);
    }
    ServerError inline = serverError(root);
    if (inline != null) {
      throw new VllmException(
          Kind.SERVER_ERROR,
          status,
          "vLLM at "
              + ctx.baseUrl()
              + " answered "
              + status
              + " with an error body: "
              + inline.describe(ctx),
          inline.type(),
          inline.param(),
          ctx.redact().apply(inline.message()),
          null);
    }
    JsonNode choices = root.path("choices");
    if (!choices.isArray() || choices.isEmpty()) {
      throw badResponse(status, "no choices", body, ctx);
    }
    JsonNode choice = choices.get(0);
    JsonNode message = choice.path("message");
    if (!message.isObject()) {
      throw badResponse(status, "choices[0] has no message", body, ctx);
    }
    List<ChatToolCall> calls = new ArrayList<>();
    for (JsonNode tc : message.path("tool_calls")) {
      JsonNode fn = tc.path("function");
      String name = text(fn.get("name"));
      if (name.isEmpty()) {
        throw badResponse(status, "a tool call without a function name", body, ctx);
      }
      calls.add(new ChatToolCall(text(tc.get("id")), name, arguments(fn.get("arguments"))));
    }
    JsonNode usage = root.path("usage");
    return new ChatReply(
        text(root.get("model")),
        text(message.get("content")),
        reasoning(message),
        text(choice.get("finish_reason")),
        count(usage, "prompt_tokens"),
        count(usage, "completion_tokens"),
        calls,
        latency);
  }

  /** Assembles a streamed answer from its {@code data:} events. Not thread-safe. */
  static final class StreamAssembler {
    private final CallContext ctx;
    private final VllmStreamListener listener;
    private final StringBuilder content = new StringBuilder();
    private final StringBuilder reasoning = new StringBuilder();
    private final TreeMap<Integer, String[]> tools = new TreeMap<>();
    private String model = "";
    private String finishReason = "";
    private int promptTokens = -1;
    private int completionTokens = -1;
    private int events;
    private boolean done;

    StreamAssembler(CallContext ctx, VllmStreamListener listener) {
      this.ctx = ctx;
      this.listener = listener;
    }

    /** Takes one line of the body; returns whether {@code [DONE]} has been seen. */
    boolean line(String raw) {
      if (done) {
        return true;
      }
      String line = raw.endsWith("\r") ? raw.substring(0, raw.length() - 1) : raw;
      if (line.isEmpty() || line.startsWith(":") || !line.startsWith("data:")) {
        return false; // blank separator, comment (keep-alive), or event:/id:/retry: fields
      }
      String data = line.substring(5);
      if (data.startsWith(" ")) {
        data = data.substring(1);
      }
      if (data.strip().equals("[DONE]")) {
        done = true;
        return true;
      }
      events++;
      JsonNode chunk = readOrNull(data);
      if (chunk == null || !chunk.isObject()) {
        throw new VllmException(
            Kind.BAD_RESPONSE,
            200,
            "the stream from vLLM at "
                + ctx.baseUrl()
                + " carried an event that is not JSON (event "
                + events
                + "): "
                + snippet(data, ctx),
            null);
      }
      ServerError err = serverError(chunk);
      if (err != null) {
        throw new VllmException(
            Kind.STREAM_ERROR,
            200,
            "the stream from vLLM at "
                + ctx.baseUrl()
                + " was interrupted by an error event after "
                + content.length()
                + " characters of answer: "
                + err.describe(ctx)
                + "; the partial answer is discarded, ask again",
            err.type(),
            err.param(),
            ctx.redact().apply(err.message()),
            null);
      }
      if (chunk.hasNonNull("model")) {
        model = text(chunk.get("model"));
      }
      JsonNode usage = chunk.get("usage");
      if (usage != null && usage.isObject()) {
        promptTokens = count(usage, "prompt_tokens");
        completionTokens = count(usage, "completion_tokens");
      }
      for (JsonNode choice : chunk.path("choices")) {
        if (choice.path("index").asInt(0) != 0) {
          continue;
        }
        JsonNode delta = choice.path("delta");
        String c = text(delta.get("content"));
        if (!c.isEmpty()) {
          content.append(c);
          listener.onContent(c);
        }
        String r = reasoning(delta);
        if (!r.isEmpty()) {
          reasoning.append(r);
          listener.onReasoning(r);
        }
        int position = 0;
        for (JsonNode tc : delta.path("tool_calls")) {
          int index = tc.path("index").asInt(position);
          position++;
          String[] acc = tools.computeIfAbsent(index, i -> new String[] {"", "", ""});
          if (tc.hasNonNull("id")) {
            acc[0] = text(tc.get("id"));
          }
          JsonNode fn = tc.path("function");
          if (fn.hasNonNull("name")) {
            acc[1] = acc[1] + text(fn.get("name"));
          }
          if (fn.hasNonNull("arguments")) {
            acc[2] = acc[2] + arguments(fn.get("arguments"));
          }
        }
        String fr = text(choice.get("finish_reason"));
        if (!fr.isEmpty()) {
          finishReason = fr;
        }
      }
      return false;
    }

    boolean done() {
      return done;
    }

    int events() {
      return events;
    }

    ChatReply reply(Duration latency) {
      List<ChatToolCall> calls = new ArrayList<>();
      for (String[] t : tools.values()) {
        if (t[1].isEmpty()) {
          throw new VllmException(
              Kind.BAD_RESPONSE,
              200,
              "the stream from vLLM at "
                  + ctx.baseUrl()
                  + " sent a tool call without a function name",
              null);
        }
        calls.add(new ChatToolCall(t[0], t[1], t[2]));
      }
      return new ChatReply(
          model,
          content.toString(),
          reasoning.toString(),
          finishReason,
          promptTokens,
          completionTokens,
          calls,
          latency);
    }
  }

  /**
   * The server's error, from any of vLLM's envelopes: nested {@code {"error":{message,type,param,
   * code}}}, flat {@code {"object":"error",message,type,param,code}}, or {@code {"error":"text"}}.
   */
  record ServerError(String message, String type, String param, String code) {
    String describe(CallContext ctx) {
      StringBuilder b = new StringBuilder();
      if (!type.isEmpty()) {
        b.append(type);
      }
      if (!param.isEmpty()) {
        b.append(b.length() > 0 ? ", " : "").append("param ").append(param);
      }
      if (!code.isEmpty()) {
        b.append(b.length() > 0 ? ", " : "").append("code ").append(code);
      }
      String m = snippet(message, ctx);
      return b.length() == 0 ? m : b + ": " + m;
    }
  }

  static ServerError serverError(JsonNode root) {
    if (root == null || !root.isObject()) {
      return null;
    }
    JsonNode e = root.get("error");
    if (e != null && e.isString()) {
      return new ServerError(e.stringValue(), "", "", "");
    }
    if (e != null && e.isObject()) {
      return fields(e);
    }
    if ("error".equals(text(root.get("object")))) {
      return fields(root);
    }
    return null;
  }

  private static ServerError fields(JsonNode e) {
    return new ServerError(
        text(e.get("message")), text(e.get("type")), text(e.get("param")), text(e.get("code")));
  }

  /** Classifies an HTTP error response. */
  static VllmException httpError(int status, String body, int attempts, CallContext ctx) {
    JsonNode root = readOrNull(body);
    ServerError err = serverError(root);
    String detail =
        err != null
            ? err.describe(ctx)
            : root != null && root.hasNonNull("detail")
                ? snippet(text(root.get("detail")), ctx)
                : body == null || body.isBlank() ? "empty body" : snippet(body, ctx);
    String type = err == null ? "" : err.type();
    String param = err == null ? "" : err.param();
    String serverMessage = err == null ? "" : ctx.redact().apply(err.message());
    String at = "vLLM at " + ctx.baseUrl();
    Kind kind;
    String message;
    if (status == 401 || status == 403) {
      kind = Kind.UNAUTHORIZED;
      message = at + " refused the request (" + status + ": " + detail + "); " + keyAdvice(ctx);
    } else if (status == 404) {
      kind = Kind.UNKNOWN_MODEL;
      boolean routeMissing = err == null;
      message =
          routeMissing
              ? at
                  + " has no "
                  + ctx.path()
                  + " (404: "
                  + detail
                  + "); check that openai_compat.base_url ends with /v1"
              : at
                  + " does not serve model '"
                  + ctx.model()
                  + "' (404: "
                  + detail
                  + "); set openai_compat.model to the served name"
                  + " (local-exec vllm health lists it)";
    } else if ((status == 400 || status == 413)
        && (CONTEXT_PARAMS.contains(param)
            || (err != null && CONTEXT_WORDING.matcher(err.message()).find()))) {
      kind = Kind.CONTEXT_LENGTH;
      message =
          "the prompt plus max_tokens "
              + ctx.maxTokens()
              + " do not fit the context length of '"
              + ctx.model()
              + "' at "
              + ctx.baseUrl()
              + " ("
              + status
              + ": "
              + detail
              + "); shorten the prompt or lower max_tokens";
    } else if (status >= 400 && status < 500) {
      kind = Kind.BAD_REQUEST;
      message = at + " rejected the request (" + status + ": " + detail + "); fix the request";
    } else if (status >= 500) {
      kind = Kind.SERVER_ERROR;
      message =
          at
              + " failed ("
              + status
              + ": "
              + detail
              + ")"
              + (attempts > 1 ? " after " + attempts + " attempts" : "")
              + "; check the server's log (an engine failure makes /health answer 503)";
    } else {
      kind = Kind.BAD_RESPONSE;
      message = at + " answered an unexpected status " + status + " (" + detail + ")";
    }
    return new VllmException(kind, status, message, type, param, serverMessage, null);
  }

  private static String keyAdvice(CallContext ctx) {
    if (ctx.keySent()) {
      return "the key in $"
          + ctx.apiKeyEnv()
          + " is not one the server accepts; set it to the key vllm serve was started with"
          + " (VLLM_API_KEY or --api-key)";
    }
    if (!ctx.apiKeyEnv().isEmpty()) {
      return "no API key was sent because $"
          + ctx.apiKeyEnv()
          + " is unset or empty; set it to the server's key";
    }
    return "no API key was sent; name the variable holding it in serve.api_key_env and set it";
  }

  static VllmException badResponse(int status, String why, String body, CallContext ctx) {
    return new VllmException(
        Kind.BAD_RESPONSE,
        status,
        "vLLM at "
            + ctx.baseUrl()
            + " answered "
            + status
            + " with a body that is not a chat completion ("
            + why
            + "): "
            + (body == null || body.isBlank() ? "empty body" : snippet(body, ctx)),
        null);
  }

  static JsonNode readOrNull(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(text);
    } catch (JacksonException e) {
      return null;
    }
  }

  /** A string field: {@code ""} when absent or null; numbers and booleans as text. */
  static String text(JsonNode n) {
    if (n == null || n.isNull() || n.isMissingNode()) {
      return "";
    }
    return n.isValueNode() ? n.asString() : n.toString();
  }

  private static String arguments(JsonNode n) {
    if (n == null || n.isNull()) {
      return "";
    }
    return n.isString() ? n.stringValue() : n.toString(); // some builds send an object
  }

  /** {@code reasoning} (newer) or {@code reasoning_content} (older); whichever has text. */
  static String reasoning(JsonNode message) {
    String r = text(message.get("reasoning"));
    return r.isEmpty() ? text(message.get("reasoning_content")) : r;
  }

  static int count(JsonNode usage, String field) {
    JsonNode n = usage == null ? null : usage.get(field);
    return n != null && n.isIntegralNumber() && n.canConvertToInt() ? n.intValue() : -1;
  }

  static String snippet(String s, CallContext ctx) {
    String one = ctx.redact().apply(s).replaceAll("\\s+", " ").strip();
    return one.length() > SNIPPET ? one.substring(0, SNIPPET) + "..." : one;
  }
}
