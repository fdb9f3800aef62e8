package dev.localexec.vllm;

import dev.localexec.api.spi.ChatMessage;
import java.util.ArrayList;
import java.util.List;

/**
 * One chat completion request as {@link VllmClient} sends it. A token bound is always part of it;
 * so is the model (the client's when this names none). Build with {@link #builder(List, int)}.
 *
 * @param model the model to ask, or {@code null} for the client's
 * @param messages the conversation, at least one message
 * @param maxTokens the most tokens to generate, always sent
 * @param tokenField which field carries {@code maxTokens}
 * @param temperature sampling temperature, or {@code null} for the server's default
 * @param topP nucleus sampling, or {@code null} for the server's default
 * @param responseSchemaName the {@code json_schema} name, or {@code null} for free text
 * @param responseSchemaJson the JSON Schema the answer must follow, or {@code null}
 * @param tools the functions the model may call; empty for none
 * @param toolChoice how the model picks a tool, or {@code null} for the server's default
 * @param parallelToolCalls whether several tool calls may come at once, or {@code null} to not say
 */
public record VllmChatRequest(
    String model,
    List<ChatMessage> messages,
    int maxTokens,
    TokenField tokenField,
    Double temperature,
    Double topP,
    String responseSchemaName,
    String responseSchemaJson,
    List<ToolDefinition> tools,
    ToolChoice toolChoice,
    Boolean parallelToolCalls) {

  /** The request field that carries the token bound. */
  public enum TokenField {
    /** {@code max_tokens}: understood by every vLLM release (deprecated by OpenAI). */
    MAX_TOKENS("max_tokens"),
    /** {@code max_completion_tokens}: the newer name. */
    MAX_COMPLETION_TOKENS("max_completion_tokens");

    private final String json;

    TokenField(String json) {
      this.json = json;
    }

    /** The JSON field name. */
    public String json() {
      return json;
    }
  }

  /**
   * A function the model may call.
   *
   * @param name the function's name
   * @param description what it does, or {@code ""}
   * @param parametersJson its parameters as a JSON Schema object
   */
  public record ToolDefinition(String name, String description, String parametersJson) {

    /** Validates. */
    public ToolDefinition {
      if (name == null || !name.matches("^[A-Za-z0-9_-]{1,64}$")) {
        throw new IllegalArgumentException(
            "tool name must match ^[A-Za-z0-9_-]{1,64}$, got '" + name + "'");
      }
      description = description == null ? "" : description;
      if (parametersJson == null || parametersJson.isBlank()) {
        parametersJson = "{\"type\":\"object\",\"properties\":{}}";
      }
    }
  }

  /**
   * How the model picks a tool: {@code none}, {@code auto}, {@code required}, or one named
   * function. A named choice and {@code required} need no server flags; {@code auto} needs vLLM
   * started with {@code --enable-auto-tool-choice --tool-call-parser ...}.
   *
   * @param mode {@code none}, {@code auto}, {@code required} or {@code function}
   * @param functionName the function for {@code function}, else {@code ""}
   */
  public record ToolChoice(String mode, String functionName) {

    /** Validates. */
    public ToolChoice {
      functionName = functionName == null ? "" : functionName;
      boolean named = "function".equals(mode);
      if (!(named || "none".equals(mode) || "auto".equals(mode) || "required".equals(mode))) {
        throw new IllegalArgumentException(
            "tool choice mode must be none, auto, required or function, got '" + mode + "'");
      }
      if (named == functionName.isEmpty()) {
        throw new IllegalArgumentException(
            "a function name goes with mode 'function' only; got mode '"
                + mode
                + "' and name '"
                + functionName
                + "'");
      }
    }

    /** The model must call this function. */
    public static ToolChoice named(String functionName) {
      return new ToolChoice("function", functionName);
    }

    /** The model must call some tool. */
    public static ToolChoice required() {
      return new ToolChoice("required", "");
    }

    /** The model decides (needs the server's auto tool choice flags). */
    public static ToolChoice auto() {
      return new ToolChoice("auto", "");
    }

    /** The model calls no tool. */
    public static ToolChoice none() {
      return new ToolChoice("none", "");
    }
  }

  /** Validates and copies. */
  public VllmChatRequest {
    if (messages == null || messages.isEmpty()) {
      throw new IllegalArgumentException("messages must hold at least one message");
    }
    messages = List.copyOf(messages);
    if (maxTokens < 1) {
      throw new IllegalArgumentException(
          "maxTokens must be >= 1 (a bound is always sent), got " + maxTokens);
    }
    tokenField = tokenField == null ? TokenField.MAX_TOKENS : tokenField;
    if ((responseSchemaName == null) != (responseSchemaJson == null)) {
      throw new IllegalArgumentException(
          "a json_schema response format needs both a name and a schema; got name "
              + responseSchemaName
              + " with "
              + (responseSchemaJson == null ? "no schema" : "a schema"));
    }
    if (responseSchemaName != null && !responseSchemaName.matches("^[A-Za-z0-9_-]{1,64}$")) {
      throw new IllegalArgumentException(
          "responseSchemaName must match ^[A-Za-z0-9_-]{1,64}$, got '" + responseSchemaName + "'");
    }
    tools = tools == null ? List.of() : List.copyOf(tools);
    if (toolChoice != null && tools.isEmpty() && !toolChoice.mode().equals("none")) {
      throw new IllegalArgumentException(
          "tool choice '" + toolChoice.mode() + "' needs at least one tool");
    }
    if (toolChoice != null && toolChoice.mode().equals("function")) {
      String wanted = toolChoice.functionName();
      if (tools.stream().noneMatch(t -> t.name().equals(wanted))) {
        throw new IllegalArgumentException(
            "tool choice names '"
                + wanted
                + "' but the tools are "
                + tools.stream().map(ToolDefinition::name).toList());
      }
    }
    if (toolChoice != null && toolChoice.mode().equals("function") && responseSchemaName != null) {
      throw new IllegalArgumentException(
          "a named tool choice and a json_schema response format cannot go together");
    }
  }

  /** A builder for a request with these messages and this token bound. */
  public static Builder builder(List<ChatMessage> messages, int maxTokens) {
    return new Builder(messages, maxTokens);
  }

  /** Builds a {@link VllmChatRequest}; not thread-safe. */
  public static final class Builder {
    private final List<ChatMessage> messages;
    private final int maxTokens;
    private String model;
    private TokenField tokenField = TokenField.MAX_TOKENS;
    private Double temperature;
    private Double topP;
    private String schemaName;
    private String schemaJson;
    private final List<ToolDefinition> tools = new ArrayList<>();
    private ToolChoice toolChoice;
    private Boolean parallelToolCalls;

    private Builder(List<ChatMessage> messages, int maxTokens) {
      this.messages = messages;
      this.maxTokens = maxTokens;
    }

    /** Asks this model instead of the client's. */
    public Builder model(String model) {
      this.model = model;
      return this;
    }

    /** Sends the bound as this field. */
    public Builder tokenField(TokenField field) {
      this.tokenField = field;
      return this;
    }

    /** Sets the sampling temperature. */
    public Builder temperature(double temperature) {
      this.temperature = temperature;
      return this;
    }

    /** Sets top_p. */
    public Builder topP(double topP) {
      this.topP = topP;
      return this;
    }

    /** Asks for JSON following {@code schemaJson}, as {@code response_format} json_schema. */
    public Builder responseSchema(String name, String schemaJson) {
      this.schemaName = name;
      this.schemaJson = schemaJson;
      return this;
    }

    /** Offers a function to the model. */
    public Builder tool(String name, String description, String parametersJson) {
      tools.add(new ToolDefinition(name, description, parametersJson));
      return this;
    }

    /** Sets how the model picks a tool. */
    public Builder toolChoice(ToolChoice choice) {
      this.toolChoice = choice;
      return this;
    }

    /** Sets {@code parallel_tool_calls}. */
    public Builder parallelToolCalls(boolean parallel) {
      this.parallelToolCalls = parallel;
      return this;
    }

    /** Validates and builds. */
    public VllmChatRequest build() {
      return new VllmChatRequest(
          model,
          messages,
          maxTokens,
          tokenField,
          temperature,
          topP,
          schemaName,
          schemaJson,
          tools,
          toolChoice,
          parallelToolCalls);
    }
  }
}
