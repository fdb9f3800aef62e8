package dev.localexec.core.internal.queue;

import dev.localexec.core.json.Json;
import dev.localexec.core.queue.LedgerEvent;
import java.math.BigInteger;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.util.JsonRecyclerPools;

/**
 * Reads the {@link LedgerEvent} of one ledger line fast, for replay: a streaming parser pulls the
 * keys the event has from the line's bytes, each as the value {@link Json#parse} would give, and
 * skips the job document and the result instead of building them (so the event's {@link
 * LedgerEvent.Enqueued#job()} and {@link LedgerEvent.Completed#result()} are {@code null}); the
 * event is then decoded by {@link LedgerEvent#of}, as a line parsed whole is. {@link #read} returns
 * {@code null} for anything unusual (not one JSON object, a blank line, bytes it cannot decode, an
 * object or array where a scalar is expected), and the caller then decides with {@link Json#parse}.
 */
final class EventScanner {
  /** A bare streaming factory: no data binding, buffers recycled per thread. */
  private static final JsonFactory FACTORY =
      JsonFactory.builder().recyclerPool(JsonRecyclerPools.threadLocalPool()).build();

  /** A value that is not an object where the job document is expected. */
  private static final Object NOT_AN_OBJECT = new Object();

  private EventScanner() {}

  /**
   * The event of the JSON object in {@code bytes[from, from + length)}, without its job document or
   * result, or {@code null} when the bytes are not plainly one JSON object.
   */
  static LedgerEvent read(byte[] bytes, int from, int length) {
    try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), bytes, from, length)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      Map<String, Object> fields = new HashMap<>(16);
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
        String name = p.currentName();
        JsonToken v = p.nextToken();
        switch (name) {
          case "event",
              "ts_utc",
              "job_id",
              "worker_id",
              "lease_expires_unix",
              "attempt",
              "fence",
              "host",
              "error",
              "line",
              "bytes",
              "validator_mode",
              "requeue" ->
              fields.put(name, value(p, v));
          case "job" -> fields.put(name, readJob(p, v));
          case "evidence_head", "ledger_head", "previous_head" ->
              fields.put(name, readScalars(p, v));
          default -> p.skipChildren();
        }
      }
      if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
        return null;
      }
      LedgerEvent ev = LedgerEvent.of(fields);
      return ev instanceof LedgerEvent.Enqueued e ? e.withoutDocument() : ev;
    } catch (JacksonException | IllegalArgumentException e) {
      return null;
    }
  }

  /** The job document's {@code job_id} and {@code job_type}, or {@link #NOT_AN_OBJECT}. */
  private static Object readJob(JsonParser p, JsonToken v) {
    if (v != JsonToken.START_OBJECT) {
      p.skipChildren();
      return NOT_AN_OBJECT;
    }
    Map<String, Object> job = new HashMap<>(4);
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      JsonToken jv = p.nextToken();
      switch (name) {
        case "job_id", "job_type" -> job.put(name, value(p, jv));
        default -> p.skipChildren();
      }
    }
    return job;
  }

  /** A value that is {@code null}, a scalar, or an object of scalars (a chain head). */
  private static Object readScalars(JsonParser p, JsonToken v) {
    if (v != JsonToken.START_OBJECT) {
      return value(p, v);
    }
    Map<String, Object> m = new LinkedHashMap<>(8);
    while (p.nextToken() == JsonToken.PROPERTY_NAME) {
      String name = p.currentName();
      m.put(name, value(p, p.nextToken()));
    }
    return m;
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
