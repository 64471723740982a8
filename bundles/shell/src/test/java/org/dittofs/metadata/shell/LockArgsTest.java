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
        .hasMessage("unknown option 'shared' (expected posix or windows); usage: u");
    assertThatThrownBy(() -> parse("a", "f", "0", "1", "shared", "exclusive"))
        .hasMessage("unexpected 'exclusive'; usage: usage-line");
    assertThatThrownBy(() -> parse("a", "f", "0", "1", "posix", "shared", "windows"))
        .isInstanceOf(UsageException.class)
        .hasMessage("usage: usage-line");
  }

  @Test
  void numbersAreDecimalAsciiUpTo2To64Minus1() {
    assertThat(parse("a", "f", "18446744073709551614", "1").range().last()).isEqualTo(-2L);
    for (String bad : new String[] {"18446744073709551616", "+1", "-0", " 1", "0x10", "١", ""}) {
      assertThatThrownBy(() -> parse("a", "f", bad, "1"))
          .isInstanceOf(UsageException.class)
          .hasMessageStartingWith("offset '" + bad + "' is not an unsigned 64-bit number");
    }
  }

  @Test
  void aRangePast2To64Minus1IsAUsageError() {
    assertThatThrownBy(() -> parse("a", "f", "18446744073709551615", "2"))
        .isInstanceOf(UsageException.class)
        .hasMessageStartingWith("range '18446744073709551615+2': ");
    assertThat(parse("a", "f", "18446744073709551615", "eof").range().last()).isEqualTo(-1L);
  }

  @Test
  void ownersAndFilesNoIdOrHandleCanHoldAreUsageErrors() {
    assertThatThrownBy(() -> parse("", "f", "0", "1")).hasMessageStartingWith("owner '': ");
    assertThatThrownBy(() -> parse("a", "", "0", "1")).hasMessageStartingWith("file '': ");
    assertThatThrownBy(() -> parse("a", "x".repeat(10_000), "0", "1"))
        .hasMessageContaining("at most");
    assertThatThrownBy(() -> parse("a", null, "0", "1")).hasMessage("usage: usage-line");
  }
}
