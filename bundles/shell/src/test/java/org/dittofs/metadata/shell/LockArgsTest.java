package org.dittofs.metadata.shell;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.junit.jupiter.api.Test;

class LockArgsTest {
  private static LockArgs parse(String... args) {
    return LockArgs.parse(args, "usage-line", true);
  }

  @Test
  void defaultsToExclusivePosix() {
    LockArgs a = parse("alice", "f", "0", "100");
    assertThat(a.request().type()).isEqualTo(LockType.EXCLUSIVE);
    assertThat(a.request().flavour()).isEqualTo(LockFlavour.POSIX);
    assertThat(a.range()).isEqualTo(ByteRange.span(0, 100));
    assertThat(a.request().client().toString()).isEqualTo("shell:alice");
    assertThat(a.request().share()).isEqualTo("demo");
  }

  @Test
  void optionsInAnyOrder() {
    LockArgs a = parse("bob", "f", "10", "5", "windows", "shared");
    assertThat(a.type()).isEqualTo(LockType.SHARED);
    assertThat(a.flavour()).isEqualTo(LockFlavour.WINDOWS);
  }

  @Test
  void eofAndZeroLengthFollowProtocolConventions() {
    assertThat(parse("a", "f", "7", "eof").range()).isEqualTo(ByteRange.toEnd(7));
    assertThat(parse("a", "f", "7", "0").range()).isEqualTo(ByteRange.toEnd(7));
    assertThat(parse("a", "f", "7", "0", "windows").range()).isEqualTo(ByteRange.zeroLength(7));
  }

  @Test
  void unsignedOffsetsUpTo2To64Minus1() {
    assertThat(parse("a", "f", "18446744073709551615", "1").range().first()).isEqualTo(-1L);
  }

  @Test
  void wrongArgumentsGiveTheUsage() {
    assertThatThrownBy(() -> parse("a", "f", "0"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("usage-line");
    assertThatThrownBy(() -> parse("a", "f", "x", "1")).hasMessageContaining("offset 'x'");
    assertThatThrownBy(() -> parse("a", "f", "0", "1", "sideways"))
        .hasMessageContaining("unknown option 'sideways'");
    assertThatThrownBy(
            () -> LockArgs.parse(new String[] {"a", "f", "0", "1", "shared"}, "u", false))
        .hasMessageContaining("unexpected 'shared'");
  }
}
