package dev.localexec.core.internal.plane;

import dev.localexec.core.internal.integrity.Redactor;
import dev.localexec.core.internal.killswitch.KillSwitch;
import dev.localexec.core.internal.limits.ResourceControl;
import dev.localexec.core.internal.plugin.TaskRegistry;
import dev.localexec.core.internal.schema.JobValidator;
import dev.localexec.core.plane.LocalExecPlane;
import dev.localexec.core.queue.JobQueue;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The parts of a {@link LocalExecPlane} that its public API does not hand out (the queue, the
 * validator, the registry, the kill switch, the redactor, the resource controls), for core's own
 * tests and benchmarks. The plane installs the access once, when its class is initialized.
 */
public final class PlaneInternals {
  private static volatile Function<LocalExecPlane, Parts> access;

  private PlaneInternals() {}

  /** A plane's parts; each is looked up when asked for, so a closed plane refuses as it would. */
  public record Parts(
      Supplier<JobQueue> queueRef,
      Supplier<JobValidator> validatorRef,
      Supplier<TaskRegistry> tasksRef,
      Supplier<KillSwitch> killSwitchRef,
      Supplier<Redactor> redactorRef,
      Supplier<ResourceControl> resourcesRef) {

    /** The plane's queue. */
    public JobQueue queue() {
      return queueRef.get();
    }

    /** The plane's job validator. */
    public JobValidator validator() {
      return validatorRef.get();
    }

    /** The plane's task plug-ins. */
    public TaskRegistry tasks() {
      return tasksRef.get();
    }

    /** The plane's kill switch. */
    public KillSwitch killSwitch() {
      return killSwitchRef.get();
    }

    /** The plane's redactor. */
    public Redactor redactor() {
      return redactorRef.get();
    }

    /** The plane's resource controls, probed the first time they are asked for. */
    public ResourceControl resources() {
      return resourcesRef.get();
    }
  }

  /**
   * Called once by {@link LocalExecPlane}'s class initializer.
   *
   * @throws IllegalStateException if the access was installed already
   */
  public static synchronized void install(Function<LocalExecPlane, Parts> planeAccess) {
    if (access != null) {
      throw new IllegalStateException("the plane's internal access is installed already");
    }
    access = Objects.requireNonNull(planeAccess, "planeAccess");
  }

  /** The parts of {@code plane}. */
  public static Parts of(LocalExecPlane plane) {
    return access.apply(Objects.requireNonNull(plane, "plane"));
  }
}
