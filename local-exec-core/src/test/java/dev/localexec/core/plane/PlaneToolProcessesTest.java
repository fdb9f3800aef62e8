package dev.localexec.core.plane;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.localexec.api.PolicyViolationException;
import dev.localexec.api.spi.ToolBackend;
import dev.localexec.api.spi.ToolDescription;
import dev.localexec.api.spi.ToolProcessSpec;
import dev.localexec.api.spi.ToolProcesses;
import dev.localexec.api.spi.ToolRequest;
import dev.localexec.api.spi.ToolResult;
import dev.localexec.api.spi.ToolSettings;
import dev.localexec.core.internal.exec.DirectLauncher;
import dev.localexec.core.internal.sandbox.UnavailableLauncher;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The plane opens a {@link ToolBackend.Factory} with its own launcher and closes the backend. */
class PlaneToolProcessesTest {
  @TempDir Path root;
  @TempDir Path outside;

  /** A backend that only records that it was closed. */
  private static final class ClosingBackend implements ToolBackend {
    final AtomicInteger closed = new AtomicInteger();

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public ToolSettings settings() {
      return ToolSettings.none();
    }

    @Override
    public List<ToolDescription> listTools(Duration timeout) {
      return List.of();
    }

    @Override
    public ToolResult call(ToolRequest request) {
      throw new UnsupportedOperationException();
    }

    @Override
    public void close() {
      closed.incrementAndGet();
    }
  }

  @Test
  void theFactoryGetsThePlanesLauncher_andThePlaneClosesTheBackend() throws Exception {
    AtomicReference<ToolProcesses> given = new AtomicReference<>();
    ClosingBackend backend = new ClosingBackend();
    LocalExecPlane plane =
        LocalExecPlane.builder(root)
            .launcher(new DirectLauncher())
            .tools(
                processes -> {
                  given.set(processes);
                  return backend;
                })
            .build();

    assertThat(given.get()).isSameAs(plane.toolProcesses());
    assertThat(given.get().sandbox()).isEqualTo("none");
    Process p =
        given
            .get()
            .start(
                new ToolProcessSpec(
                    List.of("cat"), root, Map.of("PATH", "/usr/bin:/bin"), false, null, List.of()));
    p.getOutputStream().write("piped\n".getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
    assertThat(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
        .isEqualTo("piped\n");
    assertThat(backend.closed).hasValue(0);

    plane.close();
    assertThat(backend.closed).hasValue(1);
  }

  @Test
  void aWorkingFolderOutsideTheRoot_isRefused() throws Exception {
    try (LocalExecPlane plane =
        LocalExecPlane.builder(root).launcher(new DirectLauncher()).build()) {
      Path marker = outside.resolve("ran");
      assertThatThrownBy(
              () ->
                  plane
                      .toolProcesses()
                      .start(
                          new ToolProcessSpec(
                              List.of("touch", marker.toString()),
                              outside,
                              Map.of(),
                              false,
                              null,
                              List.of())))
          .isInstanceOfSatisfying(
              PolicyViolationException.class,
              e -> assertThat(e.code()).isEqualTo("cwd_outside_root"));
      assertThat(Files.exists(marker)).isFalse();
    }
  }

  @Test
  void withoutAWorkingSandbox_nothingStarts() {
    try (LocalExecPlane plane =
        LocalExecPlane.builder(root)
            .launcher(new UnavailableLauncher("no sandbox works here"))
            .build()) {
      assertThatThrownBy(
              () ->
                  plane
                      .toolProcesses()
                      .start(
                          new ToolProcessSpec(
                              List.of("true"), root, Map.of(), false, null, List.of())))
          .isInstanceOfSatisfying(
              PolicyViolationException.class,
              e -> assertThat(e.code()).isEqualTo("sandbox_unavailable"));
    }
  }
}
