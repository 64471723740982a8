package org.dittofs.metadata.lock.fuzz;

import static org.assertj.core.api.Assertions.assertThat;
import static org.dittofs.metadata.lock.fuzz.Fuzz.outcome;
import static org.quicktheories.generators.SourceDSL.arbitrary;
import static org.quicktheories.generators.SourceDSL.booleans;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;
import static org.quicktheories.generators.SourceDSL.strings;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.testing.Fuzzing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.quicktheories.core.Gen;
import org.quicktheories.generators.Generate;

/**
 * Property-based fuzzing (QuickTheories) of the public API's value types with random, malformed and
 * extreme input (issue 10, item 5): unsigned 64-bit edges, wrapping spans, nulls, empty and huge
 * strings and handles, malformed ids, configuration values out of range. Each property states its
 * oracle independently of the implementation (BigInteger arithmetic for ranges, the documented
 * bounds for the rest): valid input builds the value with exactly the given parts; invalid input is
 * refused with a {@code StoreError} of the documented code and a message; nothing else is ever
 * thrown. Inputs per property: {@link Fuzzing}.
 */
class ValueTypeFuzzTest {
  private static final int EXAMPLES = 1_200;
  private static final BigInteger TWO_64 = BigInteger.ONE.shiftLeft(64);

  @AfterAll
  static void report() {
    System.out.println("value type fuzzing: " + Fuzz.INPUTS.get() + " inputs in total so far");
  }

  static BigInteger unsigned(long v) {
    return v >= 0 ? BigInteger.valueOf(v) : BigInteger.valueOf(v).add(TWO_64);
  }

  /** Any long, often an unsigned edge (0, 1, 2^63-1, 2^63, 2^64-2, 2^64-1) or near one. */
  static Gen<Long> u64() {
    return Generate.oneOf(
        longs().all(),
        arbitrary()
            .pick(
                0L,
                1L,
                2L,
                Long.MAX_VALUE - 1,
                Long.MAX_VALUE,
                Long.MIN_VALUE,
                Long.MIN_VALUE + 1,
                -3L,
                -2L,
                -1L),
        longs().between(-64, 64));
  }

  static <T> Gen<T> orNull(Gen<T> g) {
    return Generate.frequency(
        org.quicktheories.api.Pair.of(19, g),
        org.quicktheories.api.Pair.of(1, Generate.constant(() -> (T) null)));
  }

  @Test
  void aSpanIsExactOrRefusedWhenEmptyOrWrapping() {
    Fuzzing.qt(EXAMPLES)
        .forAll(u64(), u64())
        .checkAssert(
            (offset, length) -> {
              BigInteger last = unsigned(offset).add(unsigned(length)).subtract(BigInteger.ONE);
              Object r = outcome(() -> ByteRange.span(offset, length));
              if (length == 0 || last.compareTo(TWO_64) >= 0) {
                assertThat(r).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              } else {
                ByteRange b = (ByteRange) r;
                assertThat(unsigned(b.first())).isEqualTo(unsigned(offset));
                assertThat(unsigned(b.last())).isEqualTo(last);
                assertThat(b.isZeroLength()).isFalse();
              }
            });
  }

  @Test
  void aRangeOfFirstAndLastIsExactOrRefusedWhenBackwards() {
    Fuzzing.qt(EXAMPLES)
        .forAll(u64(), u64())
        .checkAssert(
            (first, last) -> {
              Object r = outcome(() -> ByteRange.of(first, last));
              if (unsigned(last).compareTo(unsigned(first)) < 0) {
                assertThat(r).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              } else {
                ByteRange b = (ByteRange) r;
                assertThat(b.first()).isEqualTo(first);
                assertThat(b.last()).isEqualTo(last);
                assertThat(b).isEqualTo(ByteRange.of(first, last));
                assertThat(b.hashCode()).isEqualTo(ByteRange.of(first, last).hashCode());
              }
            });
  }

  @Test
  void toEndAndZeroLengthTakeEveryOffset() {
    Fuzzing.qt(EXAMPLES)
        .forAll(u64())
        .checkAssert(
            offset -> {
              ByteRange toEnd = (ByteRange) outcome(() -> ByteRange.toEnd(offset));
              assertThat(toEnd.first()).isEqualTo(offset);
              assertThat(toEnd.last()).isEqualTo(ByteRange.MAX);
              ByteRange zero = (ByteRange) outcome(() -> ByteRange.zeroLength(offset));
              assertThat(zero.isZeroLength()).isTrue();
              assertThat(zero.first()).isEqualTo(offset);
              assertThat(zero).isNotEqualTo(ByteRange.of(offset, offset));
            });
  }

  static Gen<byte[]> handleBytes() {
    Gen<Integer> sizes =
        Generate.oneOf(integers().between(0, 1100), integers().between(1020, 1030));
    return orNull(
        Generate.byteArrays(sizes, Generate.bytes(Byte.MIN_VALUE, Byte.MAX_VALUE, (byte) 0)));
  }

  @Test
  void aFileHandleHoldsOneTo1024BytesOrIsAnInvalidHandle() {
    Fuzzing.qt(EXAMPLES)
        .forAll(handleBytes())
        .checkAssert(
            bytes -> {
              Object r = outcome(() -> FileHandle.of(bytes));
              if (bytes == null || bytes.length == 0 || bytes.length > FileHandle.MAX_LENGTH) {
                assertThat(r).isEqualTo(ErrorCode.INVALID_HANDLE);
              } else {
                FileHandle h = (FileHandle) r;
                FileHandle copy = FileHandle.fromHex(h.toHex());
                assertThat(copy).isEqualTo(h);
                bytes[0]++; // the handle keeps its own copy
                assertThat(FileHandle.fromHex(h.toHex())).isEqualTo(copy);
              }
            });
  }

  static Gen<String> hexish() {
    return orNull(
        Generate.oneOf(
            strings().betweenCodePoints('0', 'g').ofLengthBetween(0, 2100),
            strings().betweenCodePoints(' ', 'z').ofLengthBetween(0, 40),
            strings().allPossible().ofLengthBetween(0, 40)));
  }

  @Test
  void aHexHandleParsesExactlyOrIsAnInvalidHandle() {
    Fuzzing.qt(EXAMPLES)
        .forAll(hexish())
        .checkAssert(
            hex -> {
              Object r = outcome(() -> FileHandle.fromHex(hex));
              boolean valid =
                  hex != null
                      && !hex.isEmpty()
                      && hex.length() % 2 == 0
                      && hex.length() / 2 <= FileHandle.MAX_LENGTH
                      && hex.chars().allMatch(c -> c < 128 && Character.digit(c, 16) >= 0);
              if (valid) {
                assertThat(((FileHandle) r).toHex()).isEqualToIgnoringCase(hex);
              } else {
                assertThat(r).isEqualTo(ErrorCode.INVALID_HANDLE);
              }
            });
  }

  /** Strings: short of any code point, long (past 1024 UTF-8 bytes), odd, empty or null. */
  static Gen<String> ids() {
    return orNull(
        Generate.oneOf(
            strings().allPossible().ofLengthBetween(0, 30),
            strings().basicLatinAlphabet().ofLengthBetween(1000, 1100),
            strings().betweenCodePoints(0x80, 0x10FFFF).ofLengthBetween(300, 600),
            arbitrary().pick("", " ", "nlm:host:1:2", "smb:\u0000", "\ud83d")));
  }

  @Test
  void anOwnerIsAnyNonEmptyStringAndKnowsItsUtf8Length() {
    Fuzzing.qt(EXAMPLES)
        .forAll(ids())
        .checkAssert(
            id -> {
              Object r = outcome(() -> LockOwner.of(id));
              if (id == null || id.isEmpty()) {
                assertThat(r).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              } else {
                LockOwner o = (LockOwner) r;
                assertThat(o.id()).isEqualTo(id);
                assertThat(o.utf8Length()).isEqualTo(id.getBytes(StandardCharsets.UTF_8).length);
              }
            });
  }

  @Test
  void aClientNeedsANonEmptyIdAndAdapter() {
    Fuzzing.qt(EXAMPLES)
        .forAll(ids(), ids())
        .checkAssert(
            (id, adapter) -> {
              Object r = outcome(() -> new LockClient(id, adapter));
              if (id == null || id.isEmpty() || adapter == null || adapter.isEmpty()) {
                assertThat(r).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              } else {
                assertThat(r).isEqualTo(new LockClient(id, adapter));
              }
            });
  }

  static Gen<String> lockIdText() {
    return orNull(
        Generate.oneOf(
            longs().all().zip(longs().all(), (a, b) -> a + "." + b),
            strings().betweenCodePoints('+', '9').ofLengthBetween(0, 25),
            arbitrary().pick("", ".", "1.", ".1", "1..2", "9223372036854775808.1", "1.-0")));
  }

  @Test
  void aLockIdParsesItsOwnTextAndRefusesAnythingElse() {
    Fuzzing.qt(EXAMPLES)
        .forAll(lockIdText())
        .checkAssert(
            text -> {
              Object r = outcome(() -> LockId.parse(text));
              if (r instanceof LockId id) {
                assertThat(LockId.parse(id.toString())).isEqualTo(id);
                assertThat(id.epoch()).isNotNegative();
                assertThat(id.sequence()).isNotNegative();
              } else {
                assertThat(r).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              }
            });
  }

  /** A request's parts, each possibly missing, and POSIX with a zero-length range. */
  @Test
  void aRequestNeedsEveryPartAndAPosixRangeHoldingBytes() {
    Gen<Integer> missing = integers().between(0, 12); // 0..5: that part is missing
    Fuzzing.qt(EXAMPLES)
        .forAll(orNull(arbitrary().enumValues(LockFlavour.class)), missing, booleans().all(), u64())
        .checkAssert(
            (flavour, gap, zero, offset) -> {
              FileHandle file = gap == 0 ? null : FileHandle.of("f");
              String share = gap == 1 ? null : "export";
              LockOwner owner = gap == 2 ? null : LockOwner.of("o");
              LockClient client = gap == 3 ? null : new LockClient("c", "nlm");
              LockType type =
                  gap == 4 ? null : offset % 2 == 0 ? LockType.SHARED : LockType.EXCLUSIVE;
              ByteRange range =
                  gap == 5 ? null : zero ? ByteRange.zeroLength(offset) : ByteRange.toEnd(offset);
              boolean posixZero = flavour == LockFlavour.POSIX && zero && range != null;
              boolean lockValid = gap > 5 && flavour != null && !posixZero;
              Object r =
                  outcome(() -> new LockRequest(file, share, owner, client, flavour, type, range));
              assertThat(r instanceof LockRequest).as("lock request %s", r).isEqualTo(lockValid);
              if (!lockValid) {
                assertThat(r).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              }
              boolean unlockValid =
                  file != null && owner != null && flavour != null && range != null && !posixZero;
              Object u = outcome(() -> new UnlockRequest(file, owner, flavour, range));
              assertThat(u instanceof UnlockRequest).as("unlock %s", u).isEqualTo(unlockValid);
              if (!unlockValid) {
                assertThat(u).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              }
              Set<ShareAccess> access = gap == 4 ? null : EnumSet.of(ShareAccess.READ);
              Set<ShareAccess> deny = gap == 5 ? null : EnumSet.noneOf(ShareAccess.class);
              Object o = outcome(() -> new OpenRequest(file, share, owner, client, access, deny));
              assertThat(o instanceof OpenRequest).as("open %s", o).isEqualTo(gap > 5);
              if (o instanceof OpenRequest req) {
                access.add(ShareAccess.WRITE); // the request keeps its own copy
                assertThat(req.access()).containsExactly(ShareAccess.READ);
              } else {
                assertThat(o).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              }
            });
  }

  static Gen<Duration> durations() {
    return orNull(
        Generate.oneOf(
            longs().between(-5, 100_000_000_000_000L).map(Duration::ofNanos),
            arbitrary()
                .pick(
                    Duration.ZERO,
                    Duration.ofMillis(1),
                    Duration.ofNanos(999_999),
                    Duration.ofSeconds(1),
                    Duration.ofHours(1),
                    Duration.ofHours(1).plusNanos(1),
                    Duration.ofDays(1),
                    Duration.ofDays(1).plusNanos(1),
                    Duration.ofSeconds(Long.MAX_VALUE),
                    Duration.ofSeconds(Long.MIN_VALUE))));
  }

  /** A built configuration has the values given; a bad one is refused naming its field. */
  @Test
  void aConfigurationIsBuiltAsGivenOrRefused() {
    Gen<int[]> limits =
        integers().all().zip(integers().all(), integers().all(), (a, b, c) -> new int[] {a, b, c});
    Gen<Duration[]> times =
        durations()
            .zip(
                durations(), durations(), durations(), (a, b, c, d) -> new Duration[] {a, b, c, d});
    Fuzzing.qt(EXAMPLES)
        .forAll(limits, times, orNull(arbitrary().enumValues(LockConfig.Fairness.class)))
        .checkAssert(
            (l, t, fairness) -> {
              Object r =
                  outcome(
                      () ->
                          LockConfig.builder()
                              .maxLocksPerFile(l[0])
                              .maxLocksPerClient(l[1])
                              .maxWaitersPerFile(l[2])
                              .lockTimeout(t[0])
                              .leaseTime(t[1])
                              .gracePeriod(t[2])
                              .storeRetryInterval(t[3])
                              .fairness(fairness)
                              .build());
              boolean valid =
                  fairness != null
                      && within(t[0], Duration.ofMillis(1), Duration.ofDays(1))
                      && within(t[1], Duration.ofSeconds(1), Duration.ofDays(1))
                      && within(t[2], Duration.ZERO, Duration.ofDays(1))
                      && within(t[3], Duration.ofMillis(1), Duration.ofHours(1));
              if (valid) {
                LockConfig c = (LockConfig) r;
                assertThat(c.maxLocksPerFile()).isEqualTo(l[0]);
                assertThat(c.maxLocksPerClient()).isEqualTo(l[1]);
                assertThat(c.maxWaitersPerFile()).isEqualTo(l[2]);
                assertThat(c.lockTimeout()).isEqualTo(t[0]);
                assertThat(c.gracePeriod()).isEqualTo(t[2]);
                assertThat(c.fairness()).isEqualTo(fairness);
              } else {
                assertThat(r).isEqualTo(ErrorCode.INVALID_ARGUMENT);
              }
            });
  }

  private static boolean within(Duration d, Duration min, Duration max) {
    return d != null && d.compareTo(min) >= 0 && d.compareTo(max) <= 0;
  }
}
