package dev.localexec.core.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.localexec.api.PolicyViolationException;
import dev.localexec.api.ResourceLimits;
import org.junit.jupiter.api.Test;

class ResourcePolicyTest {

  private static final long MIB = 1L << 20;
  private static final long GIB = 1L << 30;

  @Test
  void standard_isFourGibibytesCappedAtHalfTheRam_1024Processes_16GibibyteFiles_noCpuLimit() {
    ResourcePolicy big = ResourcePolicy.standard(64 * GIB);
    ResourcePolicy small = ResourcePolicy.standard(6 * GIB);

    assertThat(big.defaults()).isEqualTo(new ResourceLimits(4 * GIB, 1024, 0, 16 * GIB));
    assertThat(big.ceilings()).isEqualTo(big.defaults());
    assertThat(big.tmpfsBytes()).isEqualTo(256 * MIB);
    assertThat(small.defaults().maxMemoryBytes()).isEqualTo(3 * GIB);
    assertThat(ResourcePolicy.standard(0).defaults().maxMemoryBytes()).isEqualTo(4 * GIB);
  }

  @Test
  void aCeiling_becomesTheDefault_unlessADefaultIsGiven() {
    ResourcePolicy p =
        ResourcePolicy.standard(64 * GIB)
            .withCeilings(new ResourceLimits(8 * GIB, 64, 60, 0))
            .withDefaults(new ResourceLimits(GIB, 0, 0, 0));

    assertThat(p.ceilings()).isEqualTo(new ResourceLimits(8 * GIB, 64, 60, 16 * GIB));
    assertThat(p.defaults()).isEqualTo(new ResourceLimits(GIB, 64, 60, 16 * GIB));
  }

  @Test
  void aDefaultAboveItsCeiling_isRefused() {
    IllegalArgumentException e =
        catchThrowableOfType(
            IllegalArgumentException.class,
            () ->
                ResourcePolicy.standard(64 * GIB).withDefaults(new ResourceLimits(0, 2048, 0, 0)));

    assertThat(e.getMessage())
        .isEqualTo(
            "the default max_processes 2048 is above its ceiling 1024; lower the default or"
                + " raise the ceiling");
  }

  @Test
  void effective_takesWhatTheJobAsks_andTheDefaultsForTheRest() {
    ResourcePolicy p = ResourcePolicy.standard(64 * GIB);

    assertThat(p.effective(new ResourceLimits(256 * MIB, 0, 2, 0)))
        .isEqualTo(new ResourceLimits(256 * MIB, 1024, 2, 16 * GIB));
    assertThat(p.effective(ResourceLimits.NONE)).isEqualTo(p.defaults());
  }

  @Test
  void effective_refusesAValueAboveTheCeiling_withTheValueTheCeilingAndTheFix() {
    ResourcePolicy p = ResourcePolicy.standard(64 * GIB);

    PolicyViolationException e =
        catchThrowableOfType(
            PolicyViolationException.class,
            () -> p.effective(new ResourceLimits(0, 0, 0, 32 * GIB)));

    assertThat(e.code()).isEqualTo("resource_above_ceiling:max_file_bytes");
    assertThat(e.retryable()).isFalse();
    assertThat(e.getMessage())
        .isEqualTo(
            "budgets.max_file_bytes 34359738368 is above the operator's ceiling 17179869184;"
                + " ask for at most 17179869184, or have the operator raise the ceiling"
                + " (--max-file-bytes N on the command line, LocalExecPlane.Builder"
                + ".resourceCeilings in code)");
  }

  @Test
  void theTmpfsSize_isAtMostTheMemoryLimit() {
    ResourcePolicy p = ResourcePolicy.standard(64 * GIB);

    assertThat(p.tmpfsBytesFor(new ResourceLimits(64 * MIB, 0, 0, 0))).isEqualTo(64 * MIB);
    assertThat(p.tmpfsBytesFor(p.defaults())).isEqualTo(256 * MIB);
  }
}
