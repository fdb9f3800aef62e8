package dev.localexec.tasks.testing;

import dev.localexec.api.EvidenceSink;
import dev.localexec.api.JsonValues;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/** An evidence sink that keeps every event, in order. Thread-safe. */
public final class RecordingEvidence implements EvidenceSink {

  /** One recorded event; the payload is an immutable copy. */
  public record Event(String kind, Map<String, Object> payload) {}

  private final List<Event> events = new CopyOnWriteArrayList<>();

  @Override
  public void record(String kind, Map<String, ?> payload) {
    events.add(new Event(kind, JsonValues.copyObject(payload)));
  }

  /** Every event so far. */
  public List<Event> events() {
    return List.copyOf(events);
  }

  /** The events of one kind. */
  public List<Event> ofKind(String kind) {
    return events.stream().filter(e -> e.kind().equals(kind)).toList();
  }
}
