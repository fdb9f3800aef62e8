package dev.localexec.core.internal.queue;

import dev.localexec.core.json.Json;
import java.math.BigInteger;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;

/**
 * The fields of one ledger line that the replay uses, each as the value {@link Json#parse} would
 * give (so that a line read here and a line read through {@code Json.parse} replay alike).
 *
 * <p>{@link #read} pulls them from the line's bytes with a streaming parser, skipping the job
 * document and the result instead of building them; it returns {@code null} for anything unusual
 * (not one JSON object, a blank line, bytes it cannot decode, an object or array where a scalar is
 * expected), and the caller then decides with {@link Json#parse} and {@link #of}. Not thread-safe;
 * instances are short-lived.
 */
final class LedgerEvent {
  /** A bare streaming factory: no data binding, buffers recycled per thread. */
  private static final JsonFactory FACTORY =
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.threadLocalPool()).build();

  Object kind;
  Object ts;
  Object jobId;
  Object workerId;
  Object lease;
  Object attempt;
  Object error;
  Object line;

  /** Whether the line has a {@code job} that is an object; then its id and type follow. */
  boolean jobIsObject;

  Object jobJobId;
  Object jobJobType;

  /** The event's kind, as replay compares it. */
  String kind() {
    return String.valueOf(kind);
  }

  /** The fields of a parsed ledger object. */
  static LedgerEvent of(Map<?, ?> m) {
    LedgerEvent ev = new LedgerEvent();
    ev.kind = m.get("event");
    ev.ts = m.get("ts_utc");
    ev.jobId = m.get("job_id");
    ev.workerId = m.get("worker_id");
    ev.lease = m.get("lease_expires_unix");
    ev.attempt = m.get("attempt");
    ev.error = m.get("error");
    ev.line = m.get("line");
    if (m.get("job") instanceof Map<?, ?> job) {
      ev.jobIsObject = true;
      ev.jobJobId = job.get("job_id");
      ev.jobJobType = job.get("job_type");
    }
    return ev;
  }

  /**
   * The fields of the JSON object in {@code bytes[from, from + length)}, or {@code null} when the
   * bytes are not plainly one JSON object (the caller then parses them with {@link Json#parse}).
   */
  static LedgerEvent read(byte[] bytes, int from, int length) {
    try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), bytes, from, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      LedgerEvent ev = new LedgerEvent();
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (name) {
          case "event" -> ev.kind = value(p, v);
          case "ts_utc" -> ev.ts = value(p, v);
          case "job_id" -> ev.jobId = value(p, v);
          case "worker_id" -> ev.workerId = value(p, v);
          case "lease_expires_unix" -> ev.lease = value(p, v);
          case "attempt" -> ev.attempt = value(p, v);
          case "error" -> ev.error = value(p, v);
          case "line" -> ev.line = value(p, v);
          case "job" -> readJob(p, v, ev);
          default -> p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
      return ev;
    } catch (JacksonException | IllegalArgumentException e) {
      return null;
    }
  }

  private static void readJob(JsonParser p, JsonToken v, LedgerEvent ev) {
    ev.jobJobId = null;
    ev.jobJobType = null;
    ev.jobIsObject = v == JsonToken.START_OBJECT;
    if (!ev.jobIsObject) {
      p.skipChildren();
      return;
    }
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken jv = p.nextToken();
      switch (name) {
        case "job_id" -> ev.jobJobId = value(p, jv);
        case "job_type" -> ev.jobJobType = value(p, jv);
        default -> p.skipChildren();
      }
    }
  }

  private static Object narrow(BigInteger b) {
    if (b.bitLength() < 32) {
      return b.intValue();
    }
    return b.bitLength() < 64 ? (Object) b.longValue() : b;
  }

  /** The current value as {@link Json#parse} gives it. */
  private static Object value(JsonParser p, JsonToken t) {
    return switch (t) {
      case VALUE_STRING -> p.getString();
      case VALUE_NUMBER_INT ->
          switch (p.getNumberType()) {
            case INT -> p.getIntValue();
            case LONG -> p.getLongValue();
            default -> narrow(p.getBigIntegerValue());
          };
      case VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      case VALUE_NULL -> null;
      // An object or array where the replay expects a scalar: left to Json.parse.
      default -> throw new IllegalArgumentException("not a scalar: " + t);
    };
  }
}
