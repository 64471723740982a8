package org.dittofs.metadata.store.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.RecordLimits;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.lock.spi.PersistedLock.Kind;
import org.dittofs.metadata.lock.testing.Records;
import org.junit.jupiter.api.Test;

/**
 * The store conformance suite, part 5: text values round-trip and match exactly; values beyond the
 * record limits are refused. The parts extend each other so that a store's one test class runs all
 * of them: see {@link AbstractMetadataStoreTest}.
 */
abstract class TextAndLimitConformance extends ValueConformance {
  // ---- values: text ----

  @Test
  void trickyIdsAreStoredAndFoundExactly() {
    List<String> texts = TrickyText.all();
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      data.add(Records.lock(texts.get(i)).owner("owner-" + i).build());
    }
    put(data);
    assertThat(allLocks()).containsExactlyInAnyOrderElementsOf(data);
    for (PersistedLock r : data) {
      assertThat(lock(r.id())).as("record %s", r.id()).contains(r);
    }
    for (int i = 0; i < data.size(); i++) {
      String id = data.get(i).id();
      assertThat(deleteLock(id)).as("delete %s", id).isTrue();
      assertThat(allLocks()).containsExactlyInAnyOrderElementsOf(data.subList(i + 1, data.size()));
    }
  }

  @Test
  void lookalikeIdsNeverCollide() {
    for (List<String> family : TrickyText.LOOKALIKES) {
      List<PersistedLock> data = new ArrayList<>();
      for (int i = 0; i < family.size(); i++) {
        data.add(Records.lock(family.get(i)).owner("member-" + i).build());
      }
      put(data);
      for (PersistedLock r : data) {
        assertThat(lock(r.id())).as("record %s", r.id()).contains(r);
      }
      assertThat(deleteLock(family.get(0))).isTrue();
      assertThat(allLocks())
          .as("after deleting %s", family.get(0))
          .containsExactlyInAnyOrderElementsOf(data.subList(1, data.size()));
      write(tx -> family.forEach(tx.locks()::deleteLock));
    }
  }

  @Test
  void trickyOwnersMatchOnlyThemselves() {
    List<String> texts = TrickyText.all();
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      data.add(Records.lock("r" + i).owner(texts.get(i)).build());
    }
    put(data);
    for (int i = 0; i < texts.size(); i++) {
      String owner = texts.get(i);
      assertThat(locks(LockQuery.all().withOwner(owner)))
          .as("records of owner [%s]", owner)
          .containsExactly(data.get(i));
    }
  }

  @Test
  void trickyClientIdsMatchAndDeleteOnlyThemselves() {
    List<String> texts = TrickyText.all();
    List<PersistedLock> data = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      data.add(Records.lock("l" + i).client(texts.get(i)).build());
      data.add(Records.open("o" + i).client(texts.get(i)).build());
    }
    put(data);
    for (int i = 0; i < texts.size(); i++) {
      String client = texts.get(i);
      assertThat(ids(locks(LockQuery.all().withClientId(client))))
          .as("records of client [%s]", client)
          .containsExactly("l" + i, "o" + i);
    }
    for (int i = 0; i < texts.size(); i++) {
      String client = texts.get(i);
      assertThat(deleteLocksByClient(client)).as("deleted for client [%s]", client).isEqualTo(2);
      assertThat(allLocks()).hasSize(data.size() - 2 * (i + 1));
    }
  }

  @Test
  void trickyShareNamesRoundTripAndMatchOnlyThemselves() {
    List<String> texts = TrickyText.all();
    List<PersistedLock> data = new ArrayList<>();
    write(
        tx -> {
          for (int i = 0; i < texts.size(); i++) {
            LockingMode mode = i % 2 == 0 ? LockingMode.ADVISORY : LockingMode.MANDATORY;
            tx.putShare(new Share(texts.get(i), mode));
          }
        });
    for (int i = 0; i < texts.size(); i++) {
      data.add(Records.lock("r" + i).share(texts.get(i)).build());
    }
    put(data);
    for (int i = 0; i < texts.size(); i++) {
      String share = texts.get(i);
      LockingMode mode = i % 2 == 0 ? LockingMode.ADVISORY : LockingMode.MANDATORY;
      assertThat(share(share)).contains(new Share(share, mode));
      assertThat(locks(LockQuery.all().withShare(share)))
          .as("records of share [%s]", share)
          .containsExactly(data.get(i));
    }
    assertThat(shares())
        .extracting(Share::name)
        .containsExactlyElementsOf(texts.stream().sorted().toList());
  }

  @Test
  void trickyFileAndShareNamesOfFileRecordsRoundTrip() {
    List<String> texts = TrickyText.all();
    List<FileRecord> files = new ArrayList<>();
    for (int i = 0; i < texts.size(); i++) {
      files.add(
          new FileRecord(
              FileHandle.of("h" + i), texts.get(i), texts.get(i), null, FileType.FILE, i));
    }
    write(
        tx -> {
          texts.forEach(t -> tx.putShare(new Share(t, LockingMode.ADVISORY)));
          files.forEach(tx::putFile);
        });
    for (int i = 0; i < texts.size(); i++) {
      String share = texts.get(i);
      assertThat(files(share)).as("files of share [%s]", share).containsExactly(files.get(i));
      FileHandle h = FileHandle.of("h" + i);
      assertThat(file(h)).contains(files.get(i));
    }
  }

  @Test
  void trickyTextInEveryStringFieldAtOnceRoundTrips() {
    String t = TrickyText.INJECTION + TrickyText.NON_ASCII;
    PersistedLock lock =
        Records.lock(t).owner(t).client(t).adapter("'; --").share(t).windows().build();
    PersistedLock open =
        Records.open(t + "%").owner(t + "%").client(t + "_").adapter("🔒").share(t).build();
    put(lock, open);
    assertThat(allLocks()).containsExactlyInAnyOrder(lock, open);
    LockQuery q =
        LockQuery.byFile(Records.FILE)
            .withOwner(t)
            .withClientId(t)
            .withShare(t)
            .withKind(Kind.LOCK);
    assertThat(locks(q)).containsExactly(lock);
    assertThat(deleteLocksByClient(t)).isEqualTo(1);
    assertThat(allLocks()).containsExactly(open);
  }

  // ---- limits ----

  @Test
  void idsOfTheMaximumLengthAreStored() {
    String bmp = TrickyText.ofChars(RecordLimits.MAX_ID_CHARS);
    String emoji = "🔒".repeat(RecordLimits.MAX_ID_CHARS / 2);
    String ascii = "x".repeat(RecordLimits.MAX_ID_CHARS);
    put(Records.lock(bmp).build(), Records.lock(emoji).build(), Records.lock(ascii).build());
    assertThat(lock(bmp)).map(PersistedLock::id).contains(bmp);
    assertThat(lock(emoji)).map(PersistedLock::id).contains(emoji);
    assertThat(lock(ascii)).map(PersistedLock::id).contains(ascii);
  }

  @Test
  void anIdOneCharacterOverTheLimitIsRefusedAndNothingIsStored() {
    put(Records.lock("kept").build());
    String tooLong = "x".repeat(RecordLimits.MAX_ID_CHARS + 1);
    StoreError e =
        invalid(
            tx -> {
              tx.locks().putLock(Records.lock("with-it").build());
              tx.locks().putLock(Records.lock(tooLong).build());
            });
    assertThat(e).hasMessageContaining("id");
    invalid(
        tx ->
            tx.locks()
                .putLock(Records.open(TrickyText.ofChars(RecordLimits.MAX_ID_CHARS + 1)).build()));
    assertThat(ids(allLocks())).containsExactly("kept");
  }

  @Test
  void ownersAndClientIdsOfTheMaximumSizeAreStoredAndOneByteMoreIsRefused() {
    String max = TrickyText.ofUtf8Bytes(RecordLimits.MAX_OWNER_BYTES);
    String over = TrickyText.ofUtf8Bytes(RecordLimits.MAX_OWNER_BYTES + 1);
    PersistedLock r = Records.lock("max").owner(max).client(max).build();
    put(r);
    assertThat(lock("max")).contains(r);
    assertThat(locks(LockQuery.all().withOwner(max).withClientId(max))).containsExactly(r);
    invalid(tx -> tx.locks().putLock(Records.lock("owner-over").owner(over).build()));
    invalid(tx -> tx.locks().putLock(Records.lock("client-over").client(over).build()));
    invalid(tx -> tx.locks().putLock(Records.open("ascii-over").owner("o".repeat(1025)).build()));
    assertThat(ids(allLocks())).containsExactly("max");
  }

  @Test
  void adapterNamesOverTheLimitAreRefused() {
    String max = TrickyText.ofUtf8Bytes(RecordLimits.MAX_ADAPTER_BYTES);
    put(Records.lock("max").adapter(max).build());
    assertThat(lock("max").orElseThrow().adapter()).isEqualTo(max);
    invalid(
        tx ->
            tx.locks()
                .putLock(
                    Records.lock("over")
                        .adapter(TrickyText.ofUtf8Bytes(RecordLimits.MAX_ADAPTER_BYTES + 1))
                        .build()));
    assertThat(ids(allLocks())).containsExactly("max");
  }

  @Test
  void shareNamesOverTheLimitAreRefusedForSharesLocksAndFiles() {
    String max = TrickyText.ofUtf8Bytes(RecordLimits.MAX_NAME_BYTES);
    String over = TrickyText.ofUtf8Bytes(RecordLimits.MAX_NAME_BYTES + 1);
    write(
        tx -> {
          tx.putShare(new Share(max, LockingMode.MANDATORY));
          tx.locks().putLock(Records.lock("max").share(max).build());
          tx.putFile(new FileRecord(FA, max, "a", null, FileType.FILE, 0));
        });
    assertThat(share(max)).contains(new Share(max, LockingMode.MANDATORY));
    invalid(tx -> tx.putShare(new Share(over, LockingMode.ADVISORY)));
    invalid(tx -> tx.locks().putLock(Records.lock("over").share(over).build()));
    invalid(tx -> tx.putFile(new FileRecord(FB, over, "b", null, FileType.FILE, 0)));
    assertThat(shares()).extracting(Share::name).containsExactly(max);
    assertThat(ids(allLocks())).containsExactly("max");
    assertThat(file(FB)).isEmpty();
  }

  @Test
  void fileNamesOverTheLimitAreRefused() {
    String max = TrickyText.ofUtf8Bytes(RecordLimits.MAX_NAME_BYTES);
    String over = TrickyText.ofUtf8Bytes(RecordLimits.MAX_NAME_BYTES + 1);
    FileRecord f = new FileRecord(FA, "export", max, null, FileType.FILE, 0);
    write(
        tx -> {
          tx.putShare(new Share("export", LockingMode.ADVISORY));
          tx.putFile(f);
        });
    assertThat(file(FA)).contains(f);
    invalid(tx -> tx.putFile(new FileRecord(FB, "export", over, null, FileType.FILE, 0)));
    invalid(tx -> tx.putFile(new FileRecord(FA, "export", over, null, FileType.FILE, 0)));
    assertThat(file(FA)).contains(f);
    assertThat(file(FB)).isEmpty();
  }
}
