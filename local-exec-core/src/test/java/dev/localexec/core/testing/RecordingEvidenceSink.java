package dev.localexec.core.testing;

import dev.localexec.api.EvidenceSink;
import dev.localexec.api.JsonValues;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** An {@link EvidenceSink} that keeps every event in order, payloads deep-copied. Thread-safe. */
public final class RecordingEvidenceSink implements EvidenceSink {

  /**
   * One recorded event.
   *
   * @param kind the event kind
   * @param payload an unmodifiable copy of the payload, key order kept
   */
  public record Event(String kind, Map<String, Object> payload) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();

  /** Creates an empty sink. */
  public RecordingEvidenceSink() {}

  @Override
  public void record(String kind, Map<String, ?> payload) {
    events.add(new Event(kind, JsonValues.copyObject(payload)));
  }

  /** Every event so far, in order. */
  public List<Event> events() {
    return List.copyOf(events);
  }

  /** The kinds of every event so far, in order. */
  public List<String> kinds() {
    return events.stream().map(Event::kind).toList();
  }

  /** The payloads of the events of one kind, in order. */
  public List<Map<String, Object>> payloads(String kind) {
    return events.stream().filter(e -> e.kind().equals(kind)).map(Event::payload).toList();
  }

  /**
   * The payload of the only event of one kind.
   *
   * @throws AssertionError if there is not exactly one
   */
  public Map<String, Object> single(String kind) {
    List<Map<String, Object>> found = payloads(kind);
    if (found.size() != 1) {
      throw new AssertionError(
          "expected exactly one '" + kind + "' event, found " + found.size() + " in " + kinds());
    }
    return found.get(0);
  }

  /** Forgets every event. */
  public void clear() {
    events.clear();
  }
}
