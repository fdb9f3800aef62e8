package dev.localexec.mcporter.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class BoundedCaptureTest {

  @Test
  void flood_keepsTheLimitAndCountsEverything() {
    InputStream flood =
        new InputStream() {
          long left = 10_000_000;

          @Override
          public int read() {
            return left-- > 0 ? 'x' : -1;
          }

          @Override
          public int read(byte[] b, int off, int len) {
            if (left <= 0) {
              return -1;
            }
            int n = (int) Math.min(len, left);
            java.util.Arrays.fill(b, off, off + n, (byte) 'x');
            left -= n;
            return n;
          }
        };

    BoundedCapture c = BoundedCapture.start(flood, 1000, "test");
    c.await(10_000);

    assertThat(c.text()).hasSize(1000);
    assertThat(c.total()).isEqualTo(10_000_000);
    assertThat(c.overflowed()).isTrue();
  }

  @Test
  void small_isKeptWhole() {
    BoundedCapture c =
        BoundedCapture.start(
            new ByteArrayInputStream("{\"a\":\"é\"}".getBytes(StandardCharsets.UTF_8)), 1000, "t");
    c.await(10_000);

    assertThat(c.text()).isEqualTo("{\"a\":\"é\"}");
    assertThat(c.overflowed()).isFalse();
  }
}
