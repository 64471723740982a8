package org.dittofs.metadata.store.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.dittofs.metadata.lock.testing.Records.T0;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockType;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.spi.PersistedLock.Kind;
import org.dittofs.metadata.lock.testing.Records;
import org.junit.jupiter.api.Test;

/**
 * The store conformance suite, part 4: values round-trip exactly (ranges, kinds, times, epochs,
 * handles). The parts extend each other so that a store's one test class runs all of them: see
 * {@link AbstractMetadataStoreTest}.
 */
abstract class ValueConformance extends TransactionConformance {
  // ---- values: ranges, kinds, times, epochs, handles ----

  @Test
  void unsignedRangeBoundsRoundTripExactly() {
    List<ByteRange> ranges =
        List.of(
            ByteRange.of(0, 0),
            ByteRange.of(0, Long.MAX_VALUE),
            ByteRange.of(Long.MAX_VALUE, Long.MAX_VALUE),
            ByteRange.of(Long.MAX_VALUE, TOP),
            ByteRange.of(TOP, TOP),
            ByteRange.of(TOP, MAX),
            ByteRange.of(MAX, MAX),
            ByteRange.of(0, MAX - 1),
            ByteRange.of(1, MAX),
            ByteRange.span(MAX - 9, 10),
            ByteRange.span(TOP - 5, 10),
            ByteRange.toEnd(TOP + 1));
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < ranges.size(); i++) {
      data.add(Records.lock("r" + i).range(ranges.get(i)).build());
    }
    put(data);
    for (int i = 0; i < ranges.size(); i++) {
      String id = "r" + i;
      PersistedLock back = lock(id).orElseThrow();
      assertThat(back.range()).as("range %s", ranges.get(i)).isEqualTo(ranges.get(i));
      assertThat(back.range().first()).isEqualTo(ranges.get(i).first());
      assertThat(back.range().last()).isEqualTo(ranges.get(i).last());
    }
    assertThat(allLocks()).containsExactlyInAnyOrderElementsOf(data);
  }

  @Test
  void zeroLengthRangesRoundTripAndStayDistinctFromOneByteRanges() {
    List<ByteRange> ranges =
        List.of(
            ByteRange.zeroLength(0),
            ByteRange.of(0, 0),
            ByteRange.zeroLength(5),
            ByteRange.of(5, 5),
            ByteRange.zeroLength(TOP),
            ByteRange.of(TOP, TOP),
            ByteRange.zeroLength(MAX),
            ByteRange.of(MAX, MAX));
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < ranges.size(); i++) {
      data.add(Records.lock("z" + i).windows().shared().range(ranges.get(i)).build());
    }
    put(data);
    for (int i = 0; i < ranges.size(); i++) {
      String id = "z" + i;
      ByteRange back = lock(id).orElseThrow().range();
      assertThat(back).isEqualTo(ranges.get(i));
      assertThat(back.isZeroLength()).isEqualTo(ranges.get(i).isZeroLength());
    }
  }

  @Test
  void wholeFileAndToEndRangesRoundTrip() {
    put(
        Records.lock("whole").range(ByteRange.whole()).build(),
        Records.lock("tail").range(ByteRange.toEnd(TOP)).build(),
        Records.lock("last").range(ByteRange.toEnd(MAX)).build());
    assertThat(lock("whole").orElseThrow().range())
        .isEqualTo(ByteRange.whole())
        .matches(ByteRange::isToEnd);
    assertThat(lock("tail").orElseThrow().range()).isEqualTo(ByteRange.toEnd(TOP));
    assertThat(lock("last").orElseThrow().range()).isEqualTo(ByteRange.of(MAX, MAX));
  }

  @Test
  void lockRecordsOfEveryFlavourAndTypeRoundTripExactly() {
    List<PersistedLock> data = new ArrayList<>();
    for (LockFlavour flavour : LockFlavour.values()) {
      for (LockType type : LockType.values()) {
        data.add(
            Records.lock(flavour + "-" + type)
                .flavour(flavour)
                .type(type)
                .owner("owner-" + flavour)
                .client("client-" + type)
                .adapter(flavour == LockFlavour.POSIX ? "nlm" : "smb")
                .share("share-" + flavour)
                .range(ByteRange.span(7, 3))
                .epoch(42)
                .build());
      }
    }
    put(data);
    for (PersistedLock r : data) {
      assertThat(lock(r.id())).contains(r);
    }
    assertThat(allLocks()).containsExactlyInAnyOrderElementsOf(data);
  }

  @Test
  void openRecordsRoundTripEveryAccessAndDenySet() {
    List<Set<ShareAccess>> subsets = new ArrayList<>();
    for (int mask = 0; mask < 8; mask++) {
      Set<ShareAccess> s = EnumSet.noneOf(ShareAccess.class);
      for (ShareAccess a : ShareAccess.values()) {
        if ((mask & a.bit()) != 0) {
          s.add(a);
        }
      }
      subsets.add(s);
    }
    List<PersistedLock> data = new ArrayList<>();
    for (int a = 0; a < 8; a++) {
      for (int d = 0; d < 8; d++) {
        data.add(
            Records.open("open-" + a + "-" + d)
                .access(subsets.get(a))
                .deny(subsets.get(d))
                .adapter("smb")
                .build());
      }
    }
    put(data);
    List<PersistedLock> back = allLocks();
    assertThat(back).containsExactlyInAnyOrderElementsOf(data);
    assertThat(back)
        .allSatisfy(
            r -> {
              assertThat(r.kind()).isEqualTo(Kind.OPEN);
              assertThat(r.flavour()).isNull();
              assertThat(r.type()).isNull();
              assertThat(r.range()).isNull();
            });
  }

  @Test
  void acquisitionTimesKeepAtLeastMicroseconds() {
    List<Instant> exact =
        List.of(
            T0,
            Instant.EPOCH,
            Instant.parse("1969-12-31T23:59:59.999999Z"),
            Instant.parse("2000-02-29T12:00:00.000001Z"),
            Instant.parse("2999-12-31T23:59:59.999999Z"));
    Instant nanos = Instant.parse("2024-05-06T07:08:09.123456789Z");
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < exact.size(); i++) {
      data.add(Records.lock("t" + i).at(exact.get(i)).build());
    }
    data.add(Records.open("nanos").at(nanos).build());
    put(data);
    for (int i = 0; i < exact.size(); i++) {
      String id = "t" + i;
      assertThat(lock(id).orElseThrow().acquiredAt()).isEqualTo(exact.get(i));
    }
    Instant back = lock("nanos").orElseThrow().acquiredAt();
    assertThat(back).isCloseTo(nanos, within(1, ChronoUnit.MICROS));
    assertThat(back.truncatedTo(ChronoUnit.MILLIS)).isEqualTo(nanos.truncatedTo(ChronoUnit.MILLIS));
  }

  @Test
  void recordEpochsRoundTripUpToLongMax() {
    put(
        Records.lock("e0").epoch(0).build(),
        Records.lock("e1").epoch(1).build(),
        Records.open("emax").epoch(Long.MAX_VALUE).build());
    assertThat(lock("e0").orElseThrow().epoch()).isZero();
    assertThat(lock("e1").orElseThrow().epoch()).isEqualTo(1);
    assertThat(lock("emax").orElseThrow().epoch()).isEqualTo(Long.MAX_VALUE);
  }

  private static List<FileHandle> awkwardHandles() {
    byte[] every = new byte[256];
    for (int i = 0; i < 256; i++) {
      every[i] = (byte) i;
    }
    byte[] random = new byte[FileHandle.MAX_LENGTH];
    new Random(42).nextBytes(random);
    byte[] ones = new byte[FileHandle.MAX_LENGTH];
    Arrays.fill(ones, (byte) 0xff);
    return List.of(
        FileHandle.of(new byte[] {0}),
        FileHandle.of(new byte[] {0, 0}),
        FileHandle.of(new byte[] {1}),
        FileHandle.of(new byte[] {1, 0}),
        FileHandle.of(new byte[] {(byte) 0xff}),
        FileHandle.of(new byte[] {(byte) 0xff, 0}),
        FileHandle.of(new byte[] {(byte) 0xc3, (byte) 0xa9}), // é in UTF-8
        FileHandle.of(new byte[] {(byte) 0xe9}), // é in Latin-1
        FileHandle.of(new byte[] {(byte) 0xc3}), // not UTF-8
        FileHandle.of(new byte[] {'A'}),
        FileHandle.of(new byte[] {'a'}),
        FileHandle.of(every),
        FileHandle.of(random),
        FileHandle.of(ones));
  }

  @Test
  void fileHandlesWithArbitraryBytesRoundTripAndNeverCollide() {
    List<FileHandle> handles = awkwardHandles();
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < handles.size(); i++) {
      data.add(Records.lock("h" + i).file(handles.get(i)).build());
      data.add(Records.open("o" + i).file(handles.get(i)).build());
    }
    put(data);
    for (int i = 0; i < handles.size(); i++) {
      FileHandle h = handles.get(i);
      String id = "h" + i;
      assertThat(lock(id).orElseThrow().file().bytes()).isEqualTo(h.bytes());
      assertThat(ids(locks(LockQuery.byFile(h))))
          .as("records of handle %s", h)
          .containsExactly("h" + i, "o" + i);
    }
    for (int i = 0; i < handles.size(); i++) {
      FileHandle h = handles.get(i);
      assertThat(deleteLocksByFile(h)).as("deleted for handle %s", h).isEqualTo(2);
      assertThat(allLocks()).hasSize(data.size() - 2 * (i + 1));
    }
  }

  @Test
  void fileRecordHandlesAndParentsWithArbitraryBytesRoundTrip() {
    List<FileHandle> handles = awkwardHandles();
    List<FileRecord> files = new ArrayList<>();
    for (int i = 0; i < handles.size(); i++) {
      FileHandle parent = handles.get((i + 1) % handles.size());
      files.add(new FileRecord(handles.get(i), "export", "n" + i, parent, FileType.FILE, i));
    }
    write(
        tx -> {
          tx.putShare(new Share("export", LockingMode.ADVISORY));
          files.forEach(tx::putFile);
        });
    for (FileRecord f : files) {
      Optional<FileRecord> back = file(f.handle());
      assertThat(back).as("file %s", f.handle()).contains(f);
      assertThat(back.orElseThrow().parent().bytes()).isEqualTo(f.parent().bytes());
    }
    assertThat(files("export")).containsExactlyInAnyOrderElementsOf(files);
    for (FileRecord f : files) {
      assertThat(deleteFile(f.handle())).isTrue();
    }
    assertThat(files("export")).isEmpty();
  }
}
