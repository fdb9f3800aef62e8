package dev.localexec.core.internal.json;

import dev.localexec.core.json.Json;
import dev.localexec.core.json.JsonParseException;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** Jackson trees for {@link Json} and the schema validator: the plane's one JSON reader. */
public final class JsonTrees {
  /**
   * Jackson's default read limits (20 M characters a string, among others) are below what a job may
   * keep: a result holding {@code max_output_bytes} of output (up to 100 MiB, and up to six bytes a
   * character once escaped) must read back, or the job's final event would be unreadable and the
   * job would run again. The ledger's lines are the plane's own, so no length limit applies to
   * them; job documents are bounded by the validator before they are parsed.
   */
  private static final JsonMapper MAPPER =
      JsonMapper.builder(
              JsonFactory.builder()
                  .streamReadConstraints(
                      StreamReadConstraints.builder()
                          .maxStringLength(Integer.MAX_VALUE)
                          .maxDocumentLength(-1)
                          .build())
                  .build())
          .build();

  private JsonTrees() {}

  /**
   * Parses JSON text into a Jackson tree.
   *
   * @throws JsonParseException if the text is not one JSON value
   */
  public static JsonNode parseTree(String text) {
    try {
      JsonNode node = MAPPER.readTree(text);
      if (node == null || node.isMissingNode()) {
        throw new JsonParseException("empty document", 1, 1);
      }
      return node;
    } catch (JacksonException e) {
      var loc = e.getLocation();
      String msg = e.getOriginalMessage();
      int nl = msg.indexOf('\n');
      if (nl >= 0) {
        msg = msg.substring(0, nl);
      }
      throw new JsonParseException(
          msg, loc == null ? 0 : loc.getLineNr(), loc == null ? 0 : loc.getColumnNr());
    }
  }

  /** Converts a Jackson tree into a plain tree, as {@link Json#parse} does. */
  public static Object toJava(JsonNode node) {
    if (node.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        m.put(e.getKey(), toJava(e.getValue()));
      }
      return m;
    }
    if (node.isArray()) {
      List<Object> l = new ArrayList<>(node.size());
      for (JsonNode n : node) {
        l.add(toJava(n));
      }
      return l;
    }
    if (node.isString()) {
      return node.stringValue();
    }
    if (node.isIntegralNumber()) {
      BigInteger v = node.bigIntegerValue();
      if (v.bitLength() < 32) {
        return v.intValue();
      }
      return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }
    if (node.isNumber()) {
      return node.doubleValue();
    }
    if (node.isBoolean()) {
      return node.booleanValue();
    }
    if (node.isNull()) {
      return null;
    }
    throw new IllegalArgumentException("unsupported JSON node: " + node.getNodeType());
  }

  /** Converts a plain tree into a Jackson tree (for schema validation). */
  public static JsonNode toTree(Object value) {
    return MAPPER.valueToTree(value);
  }
}
