package dev.localexec.core.internal.plugin;

import dev.localexec.api.LocalExecException;
import dev.localexec.api.spi.TaskPlugin;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** An immutable set of task plug-ins by job type. Thread-safe. */
public final class TaskRegistry {
  private static final Logger LOG = LoggerFactory.getLogger(TaskRegistry.class);
  private static final Pattern ID = Pattern.compile("^[a-z][a-z0-9_]{0,63}$");

  private final Map<String, TaskPlugin> plugins;
  private final List<String> problems;

  private TaskRegistry(Map<String, TaskPlugin> plugins, List<String> problems) {
    this.plugins = Collections.unmodifiableMap(new LinkedHashMap<>(plugins));
    this.problems = List.copyOf(problems);
  }

  /** A builder; add plug-ins explicitly, and optionally discover the class path's. */
  public static Builder builder() {
    return new Builder();
  }

  /** The plug-ins registered explicitly plus those discovered by {@code loader}. */
  public static TaskRegistry discover(ClassLoader loader) {
    return builder().discover(loader).build();
  }

  /** The plug-in for {@code jobType}, if any. */
  public Optional<TaskPlugin> find(String jobType) {
    return Optional.ofNullable(plugins.get(jobType));
  }

  /**
   * The plug-in for {@code jobType}.
   *
   * @throws LocalExecException {@code unknown_job_type} listing the known types
   */
  public TaskPlugin require(String jobType) {
    TaskPlugin p = plugins.get(jobType);
    if (p == null) {
      throw new LocalExecException(
          "unknown_job_type",
          "unknown job type '" + jobType + "'; known types: " + String.join(", ", ids()),
          false);
    }
    return p;
  }

  /** The registered job types, sorted. */
  public List<String> ids() {
    return List.copyOf(new TreeSet<>(plugins.keySet()));
  }

  /** Every plug-in, in registration order. */
  public List<TaskPlugin> plugins() {
    return List.copyOf(plugins.values());
  }

  /** Providers that failed to load and were skipped, one sentence each. */
  public List<String> problems() {
    return problems;
  }

  /** Collects plug-ins. Not thread-safe. */
  public static final class Builder {
    private final Map<String, TaskPlugin> plugins = new LinkedHashMap<>();
    private final List<String> problems = new ArrayList<>();

    private Builder() {}

    /**
     * Adds a plug-in.
     *
     * @throws IllegalArgumentException if its id is malformed or its API version unknown
     * @throws IllegalStateException if another plug-in has the same id (both classes are named)
     */
    public Builder register(TaskPlugin plugin) {
      String id = plugin.id();
      if (id == null || !ID.matcher(id).matches()) {
        throw new IllegalArgumentException(
            "task plug-in "
                + plugin.getClass().getName()
                + " has id '"
                + id
                + "'; ids must match "
                + ID.pattern());
      }
      if (plugin.apiVersion() != TaskPlugin.API_VERSION) {
        throw new IllegalArgumentException(
            "task plug-in "
                + plugin.getClass().getName()
                + " was written for SPI version "
                + plugin.apiVersion()
                + ", this plane speaks version "
                + TaskPlugin.API_VERSION);
      }
      TaskPlugin previous = plugins.putIfAbsent(id, plugin);
      if (previous != null && previous.getClass() != plugin.getClass()) {
        throw new DuplicateIdException(
            "two task plug-ins have the id '"
                + id
                + "': "
                + previous.getClass().getName()
                + " and "
                + plugin.getClass().getName()
                + "; remove one from the class path or register only one");
      }
      return this;
    }

    /**
     * Adds every plug-in {@link ServiceLoader} finds through {@code loader}. A provider that fails
     * to load or register (a broken service file, a class that throws or does not link, such as one
     * compiled against another SPI) is logged, kept in {@link TaskRegistry#problems()}, and
     * skipped. A duplicate id is still an error.
     */
    public Builder discover(ClassLoader loader) {
      Iterator<TaskPlugin> it = ServiceLoader.load(TaskPlugin.class, loader).iterator();
      while (true) {
        TaskPlugin plugin;
        try {
          if (!it.hasNext()) {
            break;
          }
          plugin = it.next();
        } catch (ServiceConfigurationError | LinkageError | RuntimeException e) {
          Throwable cause = e.getCause();
          String problem =
              "task plug-in skipped: " + e.getMessage() + (cause == null ? "" : " (" + cause + ")");
          LOG.warn("{}", problem);
          problems.add(problem);
          continue;
        }
        try {
          register(plugin);
        } catch (IllegalArgumentException e) {
          LOG.warn("task plug-in skipped: {}", e.getMessage());
          problems.add("task plug-in skipped: " + e.getMessage());
        } catch (DuplicateIdException e) {
          throw e;
        } catch (LinkageError | RuntimeException e) {
          String problem =
              "task plug-in skipped: "
                  + plugin.getClass().getName()
                  + " failed while registering ("
                  + e
                  + "); it does not fit this plane's SPI";
          LOG.warn("{}", problem);
          problems.add(problem);
        }
      }
      return this;
    }

    /** The registry. */
    public TaskRegistry build() {
      return new TaskRegistry(plugins, problems);
    }
  }

  /** Two plug-ins with one id: an error, never skipped. */
  private static final class DuplicateIdException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    DuplicateIdException(String message) {
      super(message);
    }
  }
}
