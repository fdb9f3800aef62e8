package dev.localexec.core.internal.plugin;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.LocalExecException;
import dev.localexec.api.spi.TaskContext;
import dev.localexec.api.spi.TaskPlugin;
import dev.localexec.api.spi.TaskResult;
import dev.localexec.core.testing.SchemaOnlyPlugin;
import java.util.List;
import org.junit.jupiter.api.Test;

class TaskRegistryTest {

  /** A second plug-in class, to collide with {@link SchemaOnlyPlugin} on an id. */
  static final class OtherPlugin implements TaskPlugin {
    private final String id;
    private final int apiVersion;

    OtherPlugin(String id, int apiVersion) {
      this.id = id;
      this.apiVersion = apiVersion;
    }

    @Override
    public String id() {
      return id;
    }

    @Override
    public int apiVersion() {
      return apiVersion;
    }

    @Override
    public String payloadSchema() {
      return "{\"type\":\"object\"}";
    }

    @Override
    public TaskResult run(TaskContext context) {
      throw new UnsupportedOperationException("test plug-in");
    }
  }

  private static ClassLoader testClassPath() {
    return TaskRegistryTest.class.getClassLoader();
  }

  @Test
  void register_keepsRegistrationOrderAndSortsIds() {
    SchemaOnlyPlugin b = SchemaOnlyPlugin.permissive("b_task");
    SchemaOnlyPlugin a = SchemaOnlyPlugin.permissive("a_task");

    TaskRegistry registry = TaskRegistry.builder().register(b).register(a).build();

    assertThat(registry.plugins()).containsExactly(b, a);
    assertThat(registry.ids()).containsExactly("a_task", "b_task");
    assertThat(registry.find("a_task")).containsSame(a);
    assertThat(registry.require("b_task")).isSameAs(b);
    assertThat(registry.find("c_task")).isEmpty();
    assertThat(registry.problems()).isEmpty();
  }

  @Test
  void register_duplicateIdFromAnotherClassNamesBoth() {
    TaskRegistry.Builder builder =
        TaskRegistry.builder().register(SchemaOnlyPlugin.permissive("dup_task"));

    assertThatThrownBy(() -> builder.register(new OtherPlugin("dup_task", TaskPlugin.API_VERSION)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage(
            "two task plug-ins have the id 'dup_task': "
                + "dev.localexec.core.testing.SchemaOnlyPlugin and "
                + "dev.localexec.core.internal.plugin.TaskRegistryTest$OtherPlugin; "
                + "remove one from the class path or register only one");
  }

  @Test
  void register_sameClassTwiceKeepsTheFirst() {
    SchemaOnlyPlugin first = SchemaOnlyPlugin.permissive("same_task");

    TaskRegistry registry =
        TaskRegistry.builder()
            .register(first)
            .register(new SchemaOnlyPlugin("same_task", "{}"))
            .build();

    assertThat(registry.plugins()).containsExactly(first);
  }

  @Test
  void register_malformedIdIsRefused() {
    assertThatThrownBy(() -> TaskRegistry.builder().register(SchemaOnlyPlugin.permissive("Bad-Id")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "task plug-in dev.localexec.core.testing.SchemaOnlyPlugin has id 'Bad-Id'; "
                + "ids must match ^[a-z][a-z0-9_]{0,63}$");
  }

  @Test
  void register_unknownApiVersionIsRefused() {
    assertThatThrownBy(() -> TaskRegistry.builder().register(new OtherPlugin("future_task", 2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "task plug-in dev.localexec.core.internal.plugin.TaskRegistryTest$OtherPlugin was written for"
                + " SPI version 2, this plane speaks version 1");
  }

  @Test
  void require_unknownTypeListsTheKnownIds() {
    TaskRegistry registry =
        TaskRegistry.builder()
            .register(SchemaOnlyPlugin.permissive("repo_index_task"))
            .register(SchemaOnlyPlugin.permissive("doc_compactor_task"))
            .build();

    assertThatThrownBy(() -> registry.require("nope_task"))
        .isInstanceOfSatisfying(
            LocalExecException.class,
            e -> {
              assertThat(e.code()).isEqualTo("unknown_job_type");
              assertThat(e.retryable()).isFalse();
              assertThat(e.getMessage())
                  .isEqualTo(
                      "unknown job type 'nope_task'; known types: "
                          + "doc_compactor_task, repo_index_task");
            });
  }

  @Test
  void discover_findsTheGoodProviderAndReportsTheBrokenOnes() {
    TaskRegistry registry = TaskRegistry.discover(testClassPath());

    assertThat(registry.find(DiscoveredProbePlugin.ID))
        .get()
        .isInstanceOf(DiscoveredProbePlugin.class);
    assertThat(registry.ids()).containsExactly(DiscoveredProbePlugin.ID);
    assertThat(registry.problems())
        .containsExactly(
            "task plug-in skipped: dev.localexec.api.spi.TaskPlugin: Provider"
                + " dev.localexec.core.internal.plugin.ExplodingPlugin could not be instantiated"
                + " (java.lang.IllegalStateException: ExplodingPlugin fails to construct on"
                + " purpose)",
            "task plug-in skipped: dev.localexec.api.spi.TaskPlugin: Provider"
                + " dev.localexec.core.plugin.NoSuchPlugin not found");
  }

  @Test
  void discover_addsToExplicitRegistrations() {
    SchemaOnlyPlugin explicit = SchemaOnlyPlugin.permissive("explicit_task");

    TaskRegistry registry =
        TaskRegistry.builder().register(explicit).discover(testClassPath()).build();

    assertThat(registry.plugins().get(0)).isSameAs(explicit);
    assertThat(registry.ids()).contains("explicit_task", DiscoveredProbePlugin.ID);
  }

  @Test
  void discover_explicitAndDiscoveredOfTheSameClassIsNoConflict() {
    DiscoveredProbePlugin explicit = new DiscoveredProbePlugin();

    TaskRegistry registry =
        TaskRegistry.builder().register(explicit).discover(testClassPath()).build();

    assertThat(registry.require(DiscoveredProbePlugin.ID)).isSameAs(explicit);
  }

  @Test
  void discover_duplicateIdOfAnotherClassIsStillAnError() {
    TaskRegistry.Builder builder =
        TaskRegistry.builder().register(SchemaOnlyPlugin.permissive(DiscoveredProbePlugin.ID));

    assertThatThrownBy(() -> builder.discover(testClassPath()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("dev.localexec.core.testing.SchemaOnlyPlugin and ")
        .hasMessageContaining(DiscoveredProbePlugin.class.getName());
  }

  @Test
  void plugins_isUnmodifiable() {
    TaskRegistry registry =
        TaskRegistry.builder().register(SchemaOnlyPlugin.permissive("a_task")).build();

    assertThatThrownBy(() -> registry.plugins().add(SchemaOnlyPlugin.permissive("b_task")))
        .isInstanceOf(UnsupportedOperationException.class);
    assertThat(registry.ids()).isEqualTo(List.of("a_task"));
  }
}
