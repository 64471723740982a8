package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

/** SPEC 1 and 2: identities, ranges, requests and persisted records. */
class ValueTypesTest {
  private static final FileHandle FILE = FileHandle.of("file-1");
  private static final LockOwner OWNER = LockOwner.of("nlm:host:1:oh");
  private static final LockClient CLIENT = new LockClient("host", "nlm");
  private static final Instant T0 = Instant.parse("2026-03-04T05:06:07.123Z");

  private static void assertCode(Executable call, ErrorCode code) {
    assertThatThrownBy(call::execute)
        .isInstanceOfSatisfying(StoreError.class, e -> assertThat(e.code()).isEqualTo(code));
  }

  // ---- FileHandle ------------------------------------------------------------------------

  @Test
  void fileHandlesWithTheSameBytesAreEqual() {
    FileHandle a = FileHandle.of(new byte[] {1, 2, 3});
    FileHandle b = FileHandle.of(new byte[] {1, 2, 3});
    FileHandle c = FileHandle.of(new byte[] {1, 2, 4});

    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b).isNotEqualTo(c);
    assertThat(FileHandle.of("abc")).isEqualTo(FileHandle.of("abc".getBytes()));
    assertThat(a).isNotEqualTo("010203");
  }

  @Test
  void fileHandleCopiesBytesInAndOut() {
    byte[] source = {9, 8, 7};
    FileHandle h = FileHandle.of(source);
    source[0] = 0;

    byte[] out = h.bytes();
    out[1] = 0;

    assertThat(h.bytes()).containsExactly(9, 8, 7);
    assertThat(h).isEqualTo(FileHandle.of(new byte[] {9, 8, 7}));
    assertThat(h.length()).isEqualTo(3);
  }

  @Test
  void fileHandleTextIsItsNameOnlyForPrintableUtf8() {
    assertThat(FileHandle.of("report 2024.txt").text()).contains("report 2024.txt");
    assertThat(FileHandle.of("caf\u00e9").text()).contains("caf\u00e9");
    assertThat(FileHandle.of(new byte[] {(byte) 0xff, 0x41}).text()).isEmpty();
    assertThat(FileHandle.of("a\nb").text()).isEmpty();
    assertThat(FileHandle.of(new byte[] {0}).text()).isEmpty();
  }

  @Test
  void emptyOrNullFileHandleIsRefusedAsInvalidHandle() {
    assertCode(() -> FileHandle.of(new byte[0]), ErrorCode.INVALID_HANDLE);
    assertCode(() -> FileHandle.of((byte[]) null), ErrorCode.INVALID_HANDLE);
    assertCode(() -> FileHandle.of((String) null), ErrorCode.INVALID_HANDLE);
    assertCode(() -> FileHandle.of(""), ErrorCode.INVALID_HANDLE);
  }

  @Test
  void fileHandleLongerThanMaxIsRefusedAndMaxIsAccepted() {
    assertThat(FileHandle.of(new byte[FileHandle.MAX_LENGTH]).length())
        .isEqualTo(FileHandle.MAX_LENGTH);
    assertCode(() -> FileHandle.of(new byte[FileHandle.MAX_LENGTH + 1]), ErrorCode.INVALID_HANDLE);
  }

  @Test
  void fileHandleHexFormRoundTrips() {
    FileHandle h = FileHandle.of(new byte[] {0, 0x7f, (byte) 0x80, (byte) 0xff});

    assertThat(h.toHex()).isEqualTo("007f80ff");
    assertThat(h.toString()).isEqualTo("007f80ff");
    assertThat(FileHandle.fromHex(h.toHex())).isEqualTo(h);
    assertThat(FileHandle.fromHex("007F80FF")).isEqualTo(h);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "abc", "zz", "0g"})
  void malformedHexHandleIsRefusedAsInvalidHandle(String hex) {
    assertCode(() -> FileHandle.fromHex(hex), ErrorCode.INVALID_HANDLE);
  }

  @Test
  void nullHexHandleIsRefusedAsInvalidHandle() {
    assertCode(() -> FileHandle.fromHex(null), ErrorCode.INVALID_HANDLE);
  }

  // ---- LockOwner -------------------------------------------------------------------------

  @ParameterizedTest
  @NullAndEmptySource
  void nullOrEmptyOwnerIsRefusedAsInvalidArgument(String id) {
    assertCode(() -> LockOwner.of(id), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void ownerUtf8LengthCountsBytesNotChars() {
    assertThat(LockOwner.of("abc").utf8Length()).isEqualTo(3);
    assertThat(LockOwner.of("é").utf8Length()).isEqualTo(2);
    assertThat(LockOwner.of("€").utf8Length()).isEqualTo(3);
    assertThat(LockOwner.of("\uD83D\uDE00").utf8Length()).isEqualTo(4);
    String mixed = "smb:Grüße-€";
    assertThat(LockOwner.of(mixed).utf8Length())
        .isEqualTo(mixed.getBytes(StandardCharsets.UTF_8).length)
        .isEqualTo(15);
  }

  @Test
  void ownersCompareByIdOnly() {
    assertThat(LockOwner.of("nfs4:x")).isEqualTo(LockOwner.of("nfs4:x"));
    assertThat(LockOwner.of("nfs4:x")).hasSameHashCodeAs(LockOwner.of("nfs4:x"));
    assertThat(LockOwner.of("nfs4:x")).isNotEqualTo(LockOwner.of("nlm:x"));
    assertThat(LockOwner.of("nfs4:x").id()).isEqualTo("nfs4:x");
    assertThat(LockOwner.of("nfs4:x").toString()).isEqualTo("nfs4:x");
  }

  // ---- LockClient ------------------------------------------------------------------------

  @Test
  void clientNeedsNonEmptyIdAndAdapter() {
    assertCode(() -> new LockClient(null, "nlm"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new LockClient("", "nlm"), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new LockClient("host", null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new LockClient("host", ""), ErrorCode.INVALID_ARGUMENT);

    LockClient c = new LockClient("host", "nlm");
    assertThat(c.id()).isEqualTo("host");
    assertThat(c.adapter()).isEqualTo("nlm");
    assertThat(c.toString()).isEqualTo("nlm:host");
  }

  // ---- LockId ----------------------------------------------------------------------------

  @Test
  void lockIdStringFormRoundTrips() {
    LockId id = new LockId(7, 123456789012L);

    assertThat(id.toString()).isEqualTo("7.123456789012");
    assertThat(LockId.parse(id.toString())).isEqualTo(id);
    assertThat(LockId.parse("0.0")).isEqualTo(new LockId(0, 0));
    LockId max = new LockId(Long.MAX_VALUE, Long.MAX_VALUE);
    assertThat(LockId.parse(max.toString())).isEqualTo(max);
  }

  @Test
  void lockIdsOrderByEpochThenSequence() {
    List<LockId> ids =
        new ArrayList<>(
            List.of(
                new LockId(2, 1),
                new LockId(1, 100),
                new LockId(1, 2),
                new LockId(3, 0),
                new LockId(2, 50)));
    Collections.sort(ids);

    assertThat(ids)
        .containsExactly(
            new LockId(1, 2),
            new LockId(1, 100),
            new LockId(2, 1),
            new LockId(2, 50),
            new LockId(3, 0));
    assertThat(new LockId(1, 5).compareTo(new LockId(1, 5))).isZero();
    assertThat(new LockId(1, 10)).isLessThan(new LockId(2, 9));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "1",
        "1.",
        ".1",
        "a.b",
        "1.2.3",
        "-1.2",
        "1.-2",
        "1 .2",
        "99999999999999999999.1"
      })
  void malformedLockIdIsRefusedAsInvalidArgument(String text) {
    assertCode(() -> LockId.parse(text), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void nullLockIdTextAndNegativePartsAreRefused() {
    assertCode(() -> LockId.parse(null), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new LockId(-1, 0), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new LockId(0, -1), ErrorCode.INVALID_ARGUMENT);
  }

  // ---- ByteRange (SPEC 2) ----------------------------------------------------------------

  @Test
  void spanIsInclusiveAndToEndEndsAtTwoToThe64MinusOne() {
    ByteRange s = ByteRange.span(10, 5);
    assertThat(s.first()).isEqualTo(10);
    assertThat(s.last()).isEqualTo(14);
    assertThat(s.isToEnd()).isFalse();

    ByteRange e = ByteRange.toEnd(10);
    assertThat(e.last()).isEqualTo(-1L);
    assertThat(e.isToEnd()).isTrue();
    assertThat(ByteRange.span(-1L, 1).last()).isEqualTo(-1L);
    assertThat(ByteRange.span(0, -1L)).isEqualTo(ByteRange.of(0, -2L));
    assertThat(ByteRange.whole()).isEqualTo(ByteRange.toEnd(0));
  }

  @Test
  void spanThatWrapsPastTheLastByteIsRefused() {
    assertCode(() -> ByteRange.span(-1L, 2), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> ByteRange.span(2, -1L), ErrorCode.INVALID_ARGUMENT);
    assertThat(ByteRange.span(1, -1L).last()).isEqualTo(-1L); // 1 + (2^64-1) - 1 does not wrap
    assertCode(() -> ByteRange.span(1L << 63, 1L << 63 | 1), ErrorCode.INVALID_ARGUMENT);
    assertThat(ByteRange.span(1L << 63, 1L << 63).last()).isEqualTo(-1L);
  }

  @Test
  void spanOfLengthZeroAndInvertedRangeAreRefused() {
    assertCode(() -> ByteRange.span(5, 0), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> ByteRange.of(10, 9), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> ByteRange.of(-1L, 1L << 63), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void rangesOverlapIffTheyShareAByteUnsigned() {
    assertThat(ByteRange.span(0, 10).overlaps(ByteRange.span(9, 5))).isTrue();
    assertThat(ByteRange.span(0, 10).overlaps(ByteRange.span(10, 5))).isFalse(); // adjacent
    assertThat(ByteRange.span(10, 5).overlaps(ByteRange.span(0, 10))).isFalse();
    assertThat(ByteRange.toEnd(1L << 63).overlaps(ByteRange.span(5, 10))).isFalse();
    assertThat(ByteRange.toEnd(5).overlaps(ByteRange.span(-1L, 1))).isTrue();
    assertThat(ByteRange.span(-2L, 1).overlaps(ByteRange.span(-1L, 1))).isFalse();
  }

  @Test
  void zeroLengthRangeOverlapsOnlyARangeHoldingTheByteBeforeAndAt() {
    ByteRange z = ByteRange.zeroLength(10);

    assertThat(z.overlaps(ByteRange.span(9, 2))).isTrue();
    assertThat(ByteRange.span(9, 2).overlaps(z)).isTrue();
    assertThat(z.overlaps(ByteRange.span(10, 5))).isFalse();
    assertThat(z.overlaps(ByteRange.span(0, 10))).isFalse();
    assertThat(z.overlaps(ByteRange.zeroLength(10))).isFalse();
    assertThat(ByteRange.zeroLength(0).overlaps(ByteRange.whole())).isFalse();
    assertThat(ByteRange.whole().overlaps(ByteRange.zeroLength(0))).isFalse();
    assertThat(ByteRange.zeroLength(-1L).overlaps(ByteRange.toEnd(-2L))).isTrue();
  }

  // ---- requests --------------------------------------------------------------------------

  @Test
  void lockRequestWithAMissingPartIsRefused() {
    ByteRange r = ByteRange.span(0, 10);
    LockFlavour p = LockFlavour.POSIX;
    LockType x = LockType.EXCLUSIVE;
    assertCode(
        () -> new LockRequest(null, "s", OWNER, CLIENT, p, x, r), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> new LockRequest(FILE, null, OWNER, CLIENT, p, x, r), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new LockRequest(FILE, "s", null, CLIENT, p, x, r), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new LockRequest(FILE, "s", OWNER, null, p, x, r), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> new LockRequest(FILE, "s", OWNER, CLIENT, null, x, r), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> new LockRequest(FILE, "s", OWNER, CLIENT, p, null, r), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> new LockRequest(FILE, "s", OWNER, CLIENT, p, x, null), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void posixRequestWithZeroLengthRangeIsRefusedButWindowsOneIsAccepted() {
    assertCode(
        () ->
            new LockRequest(
                FILE,
                "s",
                OWNER,
                CLIENT,
                LockFlavour.POSIX,
                LockType.SHARED,
                ByteRange.zeroLength(5)),
        ErrorCode.INVALID_ARGUMENT);

    LockRequest w =
        new LockRequest(
            FILE,
            "s",
            OWNER,
            CLIENT,
            LockFlavour.WINDOWS,
            LockType.SHARED,
            ByteRange.zeroLength(5));
    assertThat(w.range().isZeroLength()).isTrue();
  }

  /** The builder's shorthands for flavour and type, with the flavour and type each sets. */
  static Stream<Arguments> builderShorthands() {
    UnaryOperator<LockRequest.Builder> windowsExclusive = b -> b.windows().exclusive();
    UnaryOperator<LockRequest.Builder> posixShared = b -> b.posix().shared();
    return Stream.of(
        Arguments.of(windowsExclusive, LockFlavour.WINDOWS, LockType.EXCLUSIVE),
        Arguments.of(posixShared, LockFlavour.POSIX, LockType.SHARED));
  }

  @ParameterizedTest(name = "{1} {2}")
  @MethodSource("builderShorthands")
  void lockRequestBuilderBuildsEveryPart(
      UnaryOperator<LockRequest.Builder> flavourAndType, LockFlavour flavour, LockType type) {
    LockRequest r =
        flavourAndType
            .apply(LockRequest.builder(FILE, OWNER).share("export").client(CLIENT))
            .range(ByteRange.span(4, 4))
            .build();

    assertThat(r)
        .isEqualTo(
            new LockRequest(FILE, "export", OWNER, CLIENT, flavour, type, ByteRange.span(4, 4)));
  }

  @Test
  void lockRequestBuilderRefusesAMissingPartNamingIt() {
    LockRequest.Builder b =
        LockRequest.builder(FILE, OWNER).share("export").posix().shared().range(ByteRange.whole());

    assertThatThrownBy(b::build)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT))
        .hasMessageContaining("client");
    assertCode(
        () -> LockRequest.builder(FILE, OWNER).share("e").client(CLIENT).posix().build(),
        ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void openRequestWithAMissingPartIsRefused() {
    Set<ShareAccess> a = EnumSet.of(ShareAccess.READ);
    Set<ShareAccess> d = Set.of();
    assertCode(() -> new OpenRequest(null, "s", OWNER, CLIENT, a, d), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new OpenRequest(FILE, null, OWNER, CLIENT, a, d), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new OpenRequest(FILE, "s", null, CLIENT, a, d), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new OpenRequest(FILE, "s", OWNER, null, a, d), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> new OpenRequest(FILE, "s", OWNER, CLIENT, null, d), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> new OpenRequest(FILE, "s", OWNER, CLIENT, a, null), ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void openRequestCopiesItsModes() {
    Set<ShareAccess> access = EnumSet.of(ShareAccess.READ);
    OpenRequest r =
        new OpenRequest(FILE, "s", OWNER, CLIENT, access, EnumSet.noneOf(ShareAccess.class));
    access.add(ShareAccess.WRITE);

    assertThat(r.access()).containsExactly(ShareAccess.READ);
    assertThat(r.deny()).isEmpty();
    assertThatThrownBy(() -> r.access().add(ShareAccess.DELETE))
        .isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void unlockRequestWithAMissingPartIsRefused() {
    ByteRange r = ByteRange.span(0, 1);
    LockFlavour p = LockFlavour.POSIX;
    assertCode(() -> new UnlockRequest(null, OWNER, p, r), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new UnlockRequest(FILE, null, p, r), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new UnlockRequest(FILE, OWNER, null, r), ErrorCode.INVALID_ARGUMENT);
    assertCode(() -> new UnlockRequest(FILE, OWNER, p, null), ErrorCode.INVALID_ARGUMENT);
    assertThatCode(() -> new UnlockRequest(FILE, OWNER, p, r)).doesNotThrowAnyException();
  }

  // ---- PersistedLock ---------------------------------------------------------------------

  private static Lock sampleLock(ByteRange range) {
    return new Lock(
        new LockId(4, 99),
        OWNER,
        CLIENT,
        "export",
        FILE,
        range,
        LockType.EXCLUSIVE,
        LockFlavour.WINDOWS,
        T0,
        4);
  }

  private static ShareReservation sampleOpen() {
    return new ShareReservation(
        new LockId(4, 100),
        OWNER,
        CLIENT,
        "export",
        FILE,
        EnumSet.of(ShareAccess.READ, ShareAccess.DELETE),
        EnumSet.of(ShareAccess.WRITE),
        T0,
        4);
  }

  @Test
  void persistedLockRoundTripsALock() {
    for (ByteRange range :
        List.of(ByteRange.span(5, 10), ByteRange.toEnd(1L << 63), ByteRange.zeroLength(-1L))) {
      Lock l = sampleLock(range);

      PersistedLock p = PersistedLock.of(l);

      assertThat(p.kind()).isEqualTo(PersistedLock.Kind.LOCK);
      assertThat(p.id()).isEqualTo("4.99");
      assertThat(p.owner()).isEqualTo(OWNER.id());
      assertThat(p.clientId()).isEqualTo("host");
      assertThat(p.adapter()).isEqualTo("nlm");
      assertThat(p.access()).isEmpty();
      assertThat(p.deny()).isEmpty();
      assertThat(p.epoch()).isEqualTo(4);
      assertThat(p.toLock()).isEqualTo(l);
    }
  }

  @Test
  void persistedLockRoundTripsAnOpen() {
    ShareReservation o = sampleOpen();

    PersistedLock p = PersistedLock.of(o);

    assertThat(p.kind()).isEqualTo(PersistedLock.Kind.OPEN);
    assertThat(p.range()).isNull();
    assertThat(p.type()).isNull();
    assertThat(p.flavour()).isNull();
    assertThat(p.access()).containsExactlyInAnyOrder(ShareAccess.READ, ShareAccess.DELETE);
    assertThat(p.deny()).containsExactly(ShareAccess.WRITE);
    assertThat(p.toReservation()).isEqualTo(o);
  }

  @Test
  void persistedLockOfTheWrongKindCannotBeConverted() {
    assertCode(() -> PersistedLock.of(sampleOpen()).toLock(), ErrorCode.INVALID_ARGUMENT);
    assertCode(
        () -> PersistedLock.of(sampleLock(ByteRange.span(0, 1))).toReservation(),
        ErrorCode.INVALID_ARGUMENT);
  }

  @Test
  void persistedLockWithoutRangeTypeOrFlavourIsRefused() {
    refused(with(lockRecord(), FLAVOUR, null));
    refused(with(lockRecord(), TYPE, null));
    refused(with(lockRecord(), RANGE, null));
  }

  @Test
  void persistedLockWithShareModesIsRefused() {
    refused(with(lockRecord(), ACCESS, EnumSet.of(ShareAccess.READ)));
  }

  @Test
  void persistedOpenWithRangeTypeOrFlavourIsRefused() {
    refused(with(openRecord(), RANGE, ByteRange.span(0, 1)));
    refused(with(openRecord(), TYPE, LockType.SHARED));
    refused(with(openRecord(), FLAVOUR, LockFlavour.POSIX));
    PersistedLock ok = persisted(openRecord());
    assertThat(ok.access()).isEmpty();
    assertThat(ok.deny()).isEmpty();
  }

  /** Each identity component (id, kind, share, file, owner, client, adapter, time) is required. */
  @Test
  void persistedLockWithMissingOrEmptyIdentityIsRefused() {
    for (int i : new int[] {0, 1, 2, 3, 4, 5, 6, ACQUIRED_AT}) {
      refused(with(openRecord(), i, null));
      if (openRecord()[i] instanceof String) {
        refused(with(openRecord(), i, ""));
      }
    }
  }

  @Test
  void persistedRecordWithANonLockIdCannotBeConverted() {
    PersistedLock p = persisted(with(lockRecord(), 0, "foreign-id"));
    assertCode(p::toLock, ErrorCode.INVALID_ARGUMENT);
  }

  // The components of a PersistedLock in record order, varied one at a time.
  private static final int FLAVOUR = 7;
  private static final int TYPE = 8;
  private static final int RANGE = 9;
  private static final int ACCESS = 10;
  private static final int ACQUIRED_AT = 12;

  private static Object[] lockRecord() {
    return new Object[] {
      "1.1",
      PersistedLock.Kind.LOCK,
      "s",
      FILE,
      "o",
      "c",
      "a",
      LockFlavour.POSIX,
      LockType.SHARED,
      ByteRange.span(0, 1),
      null,
      null,
      T0,
      1L
    };
  }

  private static Object[] openRecord() {
    return new Object[] {
      "1.1", PersistedLock.Kind.OPEN, "s", FILE, "o", "c", "a", null, null, null, null, null, T0, 1L
    };
  }

  private static Object[] with(Object[] components, int i, Object value) {
    Object[] c = components.clone();
    c[i] = value;
    return c;
  }

  @SuppressWarnings("unchecked")
  private static PersistedLock persisted(Object[] c) {
    return new PersistedLock(
        (String) c[0],
        (PersistedLock.Kind) c[1],
        (String) c[2],
        (FileHandle) c[3],
        (String) c[4],
        (String) c[5],
        (String) c[6],
        (LockFlavour) c[FLAVOUR],
        (LockType) c[TYPE],
        (ByteRange) c[RANGE],
        (Set<ShareAccess>) c[ACCESS],
        (Set<ShareAccess>) c[11],
        (Instant) c[ACQUIRED_AT],
        (long) c[13]);
  }

  private static void refused(Object[] components) {
    assertCode(() -> persisted(components), ErrorCode.INVALID_ARGUMENT);
  }

  // ---- LockQuery -------------------------------------------------------------------------

  private static PersistedLock record(
      String id,
      PersistedLock.Kind kind,
      FileHandle file,
      String owner,
      String client,
      String share) {
    boolean lock = kind == PersistedLock.Kind.LOCK;
    Object[] c = lock ? lockRecord() : with(openRecord(), ACCESS, EnumSet.of(ShareAccess.READ));
    c[0] = id;
    c[2] = share;
    c[3] = file;
    c[4] = owner;
    c[5] = client;
    c[6] = lock ? "nlm" : "smb";
    return persisted(c);
  }

  @Test
  void queryAllMatchesEveryRecord() {
    assertThat(LockQuery.all().matches(record("1.1", PersistedLock.Kind.LOCK, FILE, "o", "c", "s")))
        .isTrue();
    assertThat(LockQuery.all().matches(record("1.2", PersistedLock.Kind.OPEN, FILE, "o", "c", "s")))
        .isTrue();
  }

  @Test
  void queryMatchesEachFilterExactly() {
    FileHandle other = FileHandle.of("file-2");
    PersistedLock r = record("1.1", PersistedLock.Kind.LOCK, FILE, "own%", "cli_1", "export");

    assertThat(LockQuery.byFile(FILE).matches(r)).isTrue();
    assertThat(LockQuery.byFile(FileHandle.of("file-1")).matches(r)).isTrue();
    assertThat(LockQuery.byFile(other).matches(r)).isFalse();

    assertThat(LockQuery.all().withOwner("own%").matches(r)).isTrue();
    assertThat(LockQuery.all().withOwner("own").matches(r)).isFalse();
    assertThat(LockQuery.all().withOwner("ownX").matches(r)).isFalse();

    assertThat(LockQuery.all().withClientId("cli_1").matches(r)).isTrue();
    assertThat(LockQuery.all().withClientId("cliX1").matches(r)).isFalse();

    assertThat(LockQuery.all().withShare("export").matches(r)).isTrue();
    assertThat(LockQuery.all().withShare("EXPORT").matches(r)).isFalse();

    assertThat(LockQuery.all().withKind(PersistedLock.Kind.LOCK).matches(r)).isTrue();
    assertThat(LockQuery.all().withKind(PersistedLock.Kind.OPEN).matches(r)).isFalse();
  }

  @Test
  void queryCombinationMatchesOnlyWhenEveryFilterMatches() {
    LockQuery q =
        LockQuery.byFile(FILE)
            .withOwner("o")
            .withClientId("c")
            .withShare("s")
            .withKind(PersistedLock.Kind.OPEN);

    assertThat(q.matches(record("1.1", PersistedLock.Kind.OPEN, FILE, "o", "c", "s"))).isTrue();
    assertThat(q.matches(record("1.1", PersistedLock.Kind.LOCK, FILE, "o", "c", "s"))).isFalse();
    assertThat(q.matches(record("1.1", PersistedLock.Kind.OPEN, FileHandle.of("g"), "o", "c", "s")))
        .isFalse();
    assertThat(q.matches(record("1.1", PersistedLock.Kind.OPEN, FILE, "p", "c", "s"))).isFalse();
    assertThat(q.matches(record("1.1", PersistedLock.Kind.OPEN, FILE, "o", "d", "s"))).isFalse();
    assertThat(q.matches(record("1.1", PersistedLock.Kind.OPEN, FILE, "o", "c", "t"))).isFalse();
  }

  @Test
  void queryWithersLeaveTheOriginalUnchanged() {
    LockQuery base = LockQuery.byFile(FILE);
    LockQuery narrowed = base.withOwner("o").withShare("s");

    assertThat(base.owner()).isNull();
    assertThat(base.share()).isNull();
    assertThat(base.file()).isEqualTo(FILE);
    assertThat(narrowed.owner()).isEqualTo("o");
    assertThat(narrowed.share()).isEqualTo("s");
    assertThat(narrowed.file()).isEqualTo(FILE);
    assertThat(LockQuery.all()).isEqualTo(new LockQuery(null, null, null, null, null));
  }
}
