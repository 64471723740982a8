package org.dittofs.metadata.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.dittofs.metadata.store.jdbc.Records.FILE;
import static org.dittofs.metadata.store.jdbc.Records.lock;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import javax.sql.DataSource;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.FileType;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.LockStoreOp;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.spi.Transaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every JDBC store must do, run by store-h2 and store-postgres against their database. A
 * fixture says how to reach the database ({@link #rawDataSource}) and how to open a store over it
 * ({@link #openStore}); each test starts from empty tables.
 */
public abstract class JdbcStoreContract {
  /** Unsigned offsets at the edges of the encoding: 0, 2^63-1, 2^63, 2^64-1. */
  static final long[] EDGES = {0L, Long.MAX_VALUE, Long.MIN_VALUE, -1L};

  /** Strings that break careless SQL or careless encodings. */
  static final List<String> NASTY =
      List.of(
          "nlm:host-a:1234:oh-1",
          "100%_owner",
          "it's \"quoted\"",
          "'; DROP TABLE locks; --",
          "back\\slash",
          "trailing space ",
          "Grüße 日本語 🔒",
          "tab\tand\nnewline");

  /** The fewest puts a store hands to its bulk insert ({@link JdbcTransaction#BULK_MIN}). */
  public static final int BULK_MIN = JdbcTransaction.BULK_MIN;

  /** The {@code locks} table's columns, in the order of {@link #rowValues}. */
  public static final List<String> LOCK_COLUMNS = LockRows.COLUMNS;

  /** A record's row, as a store hands it to its {@link BulkInsert}. */
  public static Object[] rowValues(PersistedLock r) {
    return LockRows.values(r);
  }

  protected JdbcMetadataStore store;

  /** The database behind the store. */
  protected abstract Dialect dialect();

  /** Plain connections to the store's database (for checks and fault injection). */
  protected abstract DataSource rawDataSource();

  /** Opens a new store over the database (migrating it if needed). */
  protected abstract JdbcMetadataStore openStore();

  @BeforeEach
  public void openEmptyStore() throws SQLException {
    store = openStore();
    try (Connection c = rawDataSource().getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM locks");
      s.executeUpdate("DELETE FROM files");
      s.executeUpdate("DELETE FROM shares");
      s.executeUpdate("UPDATE server_state SET epoch = 0, clean_shutdown = FALSE");
    }
  }

  @AfterEach
  public void closeStore() {
    store.close();
  }

  // ---- round trips ----

  @Test
  public void sharesRoundTripSortedAndReplaced() {
    store.inTransaction(
        tx -> {
          tx.putShare(new Share("b-share", LockingMode.ADVISORY));
          tx.putShare(new Share("a-share", LockingMode.MANDATORY));
          tx.putShare(new Share("B-share", LockingMode.MANDATORY));
          return null;
        });
    assertThat(shares()).extracting(Share::name).containsExactly("B-share", "a-share", "b-share");
    store.inTransaction(
        tx -> {
          tx.putShare(new Share("a-share", LockingMode.ADVISORY));
          return null;
        });
    assertThat(shareNamed("a-share")).contains(new Share("a-share", LockingMode.ADVISORY));
    assertThat(yes(tx -> tx.deleteShare("a-share"))).isTrue();
    assertThat(yes(tx -> tx.deleteShare("a-share"))).isFalse();
    assertThat(shareNamed("a-share")).isEmpty();
  }

  @Test
  public void filesRoundTripByteForByte() {
    FileHandle root = FileHandle.of(new byte[] {0});
    FileHandle child = FileHandle.of(new byte[] {(byte) 0xff, 0, (byte) 0x80, 1});
    FileRecord rootRecord = new FileRecord(root, "export", "", null, FileType.DIRECTORY, 0);
    FileRecord childRecord =
        new FileRecord(child, "export", "Grüße.txt", root, FileType.FILE, Long.MAX_VALUE);
    FileRecord other = new FileRecord(FILE, "other", "x", null, FileType.SYMLINK, 5);
    store.inTransaction(
        tx -> {
          tx.putFile(rootRecord);
          tx.putFile(childRecord);
          tx.putFile(other);
          return null;
        });
    assertThat(fileAt(root)).contains(rootRecord);
    assertThat(fileAt(child)).contains(childRecord);
    assertThat(filesOf("export")).containsExactlyInAnyOrder(rootRecord, childRecord);
    FileRecord grown = new FileRecord(child, "export", "renamed", root, FileType.FILE, 42);
    store.inTransaction(
        tx -> {
          tx.putFile(grown);
          return null;
        });
    assertThat(fileAt(child)).contains(grown);
    assertThat(yes(tx -> tx.deleteFile(child))).isTrue();
    assertThat(yes(tx -> tx.deleteFile(child))).isFalse();
    assertThat(filesOf("export")).containsExactly(rootRecord);
  }

  @Test
  public void locksAndOpensRoundTripExactly() {
    PersistedLock posix = lock("1.1", "owner-a", ByteRange.span(100, 50));
    PersistedLock windows = lock("1.2", "export", FILE, "owner-b", "client-9", "smb");
    PersistedLock open =
        Records.open(
            "1.3",
            FILE,
            "owner-c",
            EnumSet.of(ShareAccess.READ, ShareAccess.DELETE),
            EnumSet.of(ShareAccess.WRITE));
    PersistedLock bare = Records.open("1.4", FILE, "owner-d", Set.of(), Set.of());
    store.inTransaction(
        tx -> {
          for (PersistedLock r : List.of(posix, windows, open, bare)) {
            tx.locks().putLock(r);
          }
          return null;
        });
    for (PersistedLock r : List.of(posix, windows, open, bare)) {
      assertThat(lockById(r.id())).contains(r);
    }
    assertThat(lockById("9.9")).isEmpty();
  }

  @Test
  public void instantsRoundTripToTheNanosecond() {
    List<Instant> instants =
        List.of(
            Instant.EPOCH,
            Instant.ofEpochSecond(1_700_000_000L, 1),
            Instant.ofEpochSecond(-1, 999_999_999),
            Instant.MIN,
            Instant.MAX);
    store.inTransaction(
        tx -> {
          for (int i = 0; i < instants.size(); i++) {
            tx.locks().putLock(lock("t." + i, "o", ByteRange.whole(), instants.get(i)));
          }
          return null;
        });
    for (int i = 0; i < instants.size(); i++) {
      String id = "t." + i;
      assertThat(lockById(id).orElseThrow().acquiredAt()).isEqualTo(instants.get(i));
    }
  }

  @Test
  public void unsignedOffsetsRoundTripExactly() {
    List<ByteRange> ranges = new ArrayList<>();
    for (long edge : EDGES) {
      ranges.add(ByteRange.of(edge, edge));
      ranges.add(ByteRange.toEnd(edge));
      ranges.add(ByteRange.zeroLength(edge));
    }
    ranges.add(ByteRange.whole());
    ranges.add(ByteRange.of(Long.MAX_VALUE, Long.MIN_VALUE));
    store.inTransaction(
        tx -> {
          for (int i = 0; i < ranges.size(); i++) {
            tx.locks().putLock(lock("r." + i, "o", ranges.get(i)));
          }
          return null;
        });
    for (int i = 0; i < ranges.size(); i++) {
      String id = "r." + i;
      ByteRange back = lockById(id).orElseThrow().range();
      assertThat(back).isEqualTo(ranges.get(i));
      assertThat(back.isZeroLength()).isEqualTo(ranges.get(i).isZeroLength());
      assertThat(back.first()).isEqualTo(ranges.get(i).first());
      assertThat(back.last()).isEqualTo(ranges.get(i).last());
    }
  }

  @Test
  public void storedOffsetsSortInUnsignedOrder() throws SQLException {
    store.inTransaction(
        tx -> {
          for (int i = 0; i < EDGES.length; i++) {
            tx.locks().putLock(lock("e." + i, "o", ByteRange.of(EDGES[i], EDGES[i])));
          }
          return null;
        });
    List<String> order = new ArrayList<>();
    try (Connection c = rawDataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT id FROM locks ORDER BY range_first")) {
      while (rs.next()) {
        order.add(rs.getString(1));
      }
    }
    // 0 < 2^63-1 < 2^63 < 2^64-1, unsigned.
    assertThat(order).containsExactly("e.0", "e.1", "e.2", "e.3");
  }

  // ---- strings ----

  @Test
  public void awkwardStringsAreStoredAndMatchedExactly() throws SQLException {
    store.inTransaction(
        tx -> {
          for (int i = 0; i < NASTY.size(); i++) {
            String s = NASTY.get(i);
            tx.locks().putLock(lock(s, s, FileHandle.of(s), s, s, "a" + i));
            tx.putShare(new Share(s, LockingMode.MANDATORY));
            tx.putFile(new FileRecord(FileHandle.of(s), s, s, null, FileType.FILE, i));
          }
          return null;
        });
    for (String s : NASTY) {
      PersistedLock r = lockById(s).orElseThrow();
      assertThat(r.id()).isEqualTo(s);
      assertThat(r.owner()).isEqualTo(s);
      assertThat(r.clientId()).isEqualTo(s);
      assertThat(r.share()).isEqualTo(s);
      assertThat(r.file()).isEqualTo(FileHandle.of(s));
      assertThat(q(LockQuery.all().withOwner(s))).containsExactly(r);
      assertThat(q(LockQuery.all().withClientId(s))).containsExactly(r);
      assertThat(q(LockQuery.all().withShare(s))).containsExactly(r);
      assertThat(shareNamed(s).orElseThrow().name()).isEqualTo(s);
      assertThat(filesOf(s)).extracting(FileRecord::name).containsExactly(s);
    }
    // Patterns are characters, not wildcards; a prefix or a trimmed value is another value.
    assertThat(q(LockQuery.all().withOwner("100%"))).isEmpty();
    assertThat(q(LockQuery.all().withOwner("1000%_owner"))).isEmpty();
    assertThat(lockById("trailing space")).isEmpty();
    assertThat(lockById("grüße 日本語 🔒")).isEmpty();
    assertThat(q(LockQuery.all())).hasSize(NASTY.size());
    try (Connection c = rawDataSource().getConnection();
        Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM locks")) {
      rs.next();
      assertThat(rs.getInt(1)).isEqualTo(NASTY.size());
    }
  }

  @Test
  public void overLongValuesAreInvalidArgumentsAndChangeNothing() {
    String longId = "x".repeat(129);
    String longOwner = "ü".repeat(513); // 1026 UTF-8 bytes in 513 characters
    try (Transaction tx = store.begin()) {
      assertThatThrownBy(() -> tx.locks().putLock(lock(longId, "o", ByteRange.whole())))
          .isInstanceOfSatisfying(
              StoreError.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
                assertThat(e.getMessage()).contains("lock record id");
              });
      assertThatThrownBy(() -> tx.locks().putLock(lock("1.1", longOwner, ByteRange.whole())))
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
      assertThatThrownBy(
              () ->
                  tx.locks()
                      .apply(
                          List.of(
                              new LockStoreOp.Put(lock("1.2", "o", ByteRange.whole())),
                              new LockStoreOp.Put(lock(longId, "o", ByteRange.whole())))))
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
      assertThatThrownBy(() -> tx.putShare(new Share("s".repeat(256), LockingMode.ADVISORY)))
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
      // The transaction is still usable: nothing reached the database.
      tx.locks().putLock(lock("x".repeat(128), "ü".repeat(512), ByteRange.whole()));
      tx.commit();
    }
    assertThat(q(LockQuery.all())).extracting(PersistedLock::id).containsExactly("x".repeat(128));
  }

  // ---- transactions ----

  @Test
  public void rollbackLeavesNothing() {
    try (Transaction tx = store.begin()) {
      tx.putShare(new Share("s", LockingMode.ADVISORY));
      tx.putFile(new FileRecord(FILE, "s", "f", null, FileType.FILE, 1));
      tx.locks().putLock(lock("1.1", "o", ByteRange.whole()));
      tx.locks().apply(List.of(new LockStoreOp.Put(lock("1.2", "o", ByteRange.span(0, 1)))));
      tx.locks().incrementServerEpoch();
      tx.locks().setCleanShutdown(true);
      assertThat(tx.locks().listLocks(LockQuery.all())).hasSize(2);
      tx.rollback();
      tx.rollback();
    }
    try (Transaction tx = store.begin()) {
      tx.locks().putLock(lock("1.3", "o", ByteRange.whole()));
      // closed without commit
    }
    store.inTransaction(
        tx -> {
          assertThat(tx.listShares()).isEmpty();
          assertThat(tx.getFile(FILE)).isEmpty();
          assertThat(tx.locks().listLocks(LockQuery.all())).isEmpty();
          assertThat(tx.locks().getServerEpoch()).isZero();
          assertThat(tx.locks().isCleanShutdown()).isFalse();
          return null;
        });
  }

  @Test
  public void uncommittedWritesAreInvisibleToOtherTransactions() {
    try (Transaction writer = store.begin()) {
      writer.locks().putLock(lock("1.1", "o", ByteRange.whole()));
      assertThat(writer.locks().getLock("1.1")).isPresent();
      assertThat(lockById("1.1")).isEmpty();
      writer.commit();
    }
    assertThat(lockById("1.1")).isPresent();
  }

  @Test
  public void endedTransactionRefusesWork() {
    Transaction tx = store.begin();
    tx.commit();
    assertThatThrownBy(() -> tx.locks().getLock("1.1"))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT));
    assertThatThrownBy(tx::commit).isInstanceOf(StoreError.class);
    tx.rollback();
    tx.close();
  }

  @Test
  public void batchCommitAppliesOperationsInOrder() {
    PersistedLock a1 = lock("1.1", "first", ByteRange.span(0, 10));
    PersistedLock a2 = lock("1.1", "second", ByteRange.span(5, 10));
    PersistedLock b = lock("1.2", "b", ByteRange.toEnd(100));
    PersistedLock c = lock("1.3", "c", ByteRange.zeroLength(7));
    store.inTransaction(
        tx -> {
          tx.locks()
              .apply(
                  List.of(
                      new LockStoreOp.Put(a1),
                      new LockStoreOp.Put(b),
                      new LockStoreOp.Delete("1.1"),
                      new LockStoreOp.Put(a2),
                      new LockStoreOp.Put(a1),
                      new LockStoreOp.Put(a2),
                      new LockStoreOp.Put(c),
                      new LockStoreOp.Delete("1.3"),
                      new LockStoreOp.Delete("never-there")));
          return null;
        });
    assertThat(q(LockQuery.all())).containsExactlyInAnyOrder(a2, b);
  }

  @Test
  public void largeBatchCommitsAsOneTransaction() {
    List<LockStoreOp> ops = new ArrayList<>();
    for (int i = 0; i < 500; i++) {
      ops.add(new LockStoreOp.Put(lock("2." + i, "o" + (i % 7), ByteRange.span(i, 1))));
    }
    for (int i = 0; i < 500; i += 2) {
      ops.add(new LockStoreOp.Delete("2." + i));
    }
    try (Transaction tx = store.begin()) {
      tx.locks().apply(ops);
      assertThat(q(LockQuery.all())).isEmpty();
      tx.commit();
    }
    assertThat(q(LockQuery.all())).hasSize(250);
    assertThat(q(LockQuery.all().withOwner("o3")))
        .allMatch(r -> Integer.parseInt(r.id().substring(2)) % 2 == 1);
  }

  // ---- large lists of writes (a hot swap's copy: JdbcTransaction.apply, "Bulk") ----

  /**
   * {@link JdbcTransaction#BULK_MIN} and more records that only add rows, with every awkward value
   * the row form has: the strings of {@link #NASTY} in every text column, file handles holding the
   * bytes COPY's text format escapes, ranges at the encoding's edges and zero-length ones, opens
   * (no flavour, type or range) with access and deny masks.
   */
  public static List<PersistedLock> awkwardRecords(int count) {
    List<PersistedLock> records = new ArrayList<>();
    byte[][] handles = {
      {0}, {'\\', 'N'}, {'\t', '\n', '\r'}, {(byte) 0xff, 0x7f, 0x5c}, "\\.".getBytes()
    };
    for (int i = 0; i < count; i++) {
      String text = NASTY.get(i % NASTY.size());
      FileHandle file = FileHandle.of(handles[i % handles.length]);
      if (i % 5 == 0) {
        records.add(
            Records.open(
                "o." + i + ":" + text.substring(0, Math.min(text.length(), 20)),
                file,
                text,
                EnumSet.of(ShareAccess.READ),
                i % 10 == 0 ? EnumSet.allOf(ShareAccess.class) : Set.of()));
      } else if (i % 5 == 1) {
        records.add(Records.lock("w." + i, text, file, text, "\\.\n" + text, text));
      } else {
        long edge = EDGES[i % EDGES.length];
        ByteRange range =
            i % 3 == 0
                ? ByteRange.zeroLength(edge)
                : i % 3 == 1 ? ByteRange.of(edge, edge) : ByteRange.of(0, edge);
        records.add(lock("l." + i, text, range));
      }
    }
    return records;
  }

  @Test
  public void aLargeListOfNewRecordsIsWrittenAsItWas() {
    List<PersistedLock> records = awkwardRecords(BULK_MIN + 250);
    PersistedLock gone = lock("gone", "o", ByteRange.span(0, 1));
    store.inTransaction(
        tx -> {
          tx.locks().putLock(gone);
          return null;
        });
    List<LockStoreOp> ops = new ArrayList<>();
    ops.add(new LockStoreOp.Delete("gone"));
    ops.add(new LockStoreOp.Delete("never-there"));
    records.forEach(r -> ops.add(new LockStoreOp.Put(r)));
    try (Transaction tx = store.begin()) {
      tx.locks().apply(ops);
      tx.commit();
    }
    assertThat(q(LockQuery.all())).containsExactlyInAnyOrderElementsOf(records);
  }

  @Test
  public void aLargeListOverRowsStillThereReplacesThem() {
    List<PersistedLock> records = awkwardRecords(BULK_MIN + 10);
    List<PersistedLock> old = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      PersistedLock r = records.get(i * 7);
      old.add(lock(r.id(), "before", ByteRange.span(i, 1)));
    }
    PersistedLock other = lock("other", "o", ByteRange.span(99, 1));
    store.inTransaction(
        tx -> {
          old.forEach(tx.locks()::putLock);
          tx.locks().putLock(other);
          return null;
        });
    List<LockStoreOp> ops = new ArrayList<>();
    ops.add(new LockStoreOp.Delete("other"));
    records.forEach(r -> ops.add(new LockStoreOp.Put(r)));
    try (Transaction tx = store.begin()) {
      tx.locks().apply(ops);
      tx.locks().setServerEpoch(42); // the transaction is still good after the bulk insert failed
      tx.commit();
    }
    assertThat(q(LockQuery.all())).containsExactlyInAnyOrderElementsOf(records);
    long epoch = store.inTransaction(tx -> tx.locks().getServerEpoch());
    assertThat(epoch).isEqualTo(42);
  }

  @Test
  public void aLargeListWhoseOrderMattersKeepsIt() {
    List<PersistedLock> records = awkwardRecords(BULK_MIN + 5);
    List<LockStoreOp> ops = new ArrayList<>();
    records.forEach(r -> ops.add(new LockStoreOp.Put(r)));
    ops.add(new LockStoreOp.Delete(records.get(3).id())); // deleted after its put
    PersistedLock again = lock(records.get(4).id(), "again", ByteRange.span(1, 1));
    ops.add(new LockStoreOp.Put(again)); // put twice
    try (Transaction tx = store.begin()) {
      tx.locks().apply(ops);
      tx.commit();
    }
    List<PersistedLock> expected = new ArrayList<>(records);
    expected.remove(4);
    expected.remove(3);
    expected.add(again);
    assertThat(q(LockQuery.all())).containsExactlyInAnyOrderElementsOf(expected);
  }

  // ---- queries and bulk deletes ----

  @Test
  public void queriesCombineEveryFilter() {
    FileHandle other = FileHandle.of("other-file");
    PersistedLock l1 = lock("1.1", "export", FILE, "alice", "c1", "nlm");
    PersistedLock l2 = lock("1.2", "export", other, "alice", "c2", "nlm");
    PersistedLock l3 = lock("1.3", "second", FILE, "bob", "c1", "smb");
    PersistedLock o4 = Records.open("1.4", FILE, "alice", Set.of(ShareAccess.READ), Set.of());
    store.inTransaction(
        tx -> {
          List.of(l1, l2, l3, o4).forEach(tx.locks()::putLock);
          return null;
        });
    assertThat(q(LockQuery.byFile(FILE))).containsExactlyInAnyOrder(l1, l3, o4);
    assertThat(q(LockQuery.all().withOwner("alice"))).containsExactlyInAnyOrder(l1, l2, o4);
    assertThat(q(LockQuery.all().withClientId("c1"))).containsExactlyInAnyOrder(l1, l3);
    assertThat(q(LockQuery.all().withShare("second"))).containsExactly(l3);
    assertThat(q(LockQuery.all().withKind(PersistedLock.Kind.OPEN))).containsExactly(o4);
    assertThat(q(LockQuery.byFile(FILE).withOwner("alice").withKind(PersistedLock.Kind.LOCK)))
        .containsExactly(l1);
    assertThat(q(LockQuery.byFile(FILE).withOwner("nobody"))).isEmpty();

    assertThat(count(tx -> tx.locks().deleteLocksByClient("c1"))).isEqualTo(2);
    assertThat(count(tx -> tx.locks().deleteLocksByClient("c1"))).isZero();
    assertThat(count(tx -> tx.locks().deleteLocksByFile(FILE))).isEqualTo(1);
    assertThat(q(LockQuery.all())).containsExactly(l2);
    assertThat(yes(tx -> tx.locks().deleteLock("1.2"))).isTrue();
    assertThat(yes(tx -> tx.locks().deleteLock("1.2"))).isFalse();
  }

  // Typed reads, each one transaction (AssertJ's overloads cannot infer a generic result).

  private List<PersistedLock> q(LockQuery query) {
    return store.inTransaction(tx -> tx.locks().listLocks(query));
  }

  private Optional<PersistedLock> lockById(String id) {
    return store.inTransaction(tx -> tx.locks().getLock(id));
  }

  private Optional<Share> shareNamed(String name) {
    return store.inTransaction(tx -> tx.getShare(name));
  }

  private List<Share> shares() {
    return store.inTransaction(Transaction::listShares);
  }

  private Optional<FileRecord> fileAt(FileHandle handle) {
    return store.inTransaction(tx -> tx.getFile(handle));
  }

  private List<FileRecord> filesOf(String share) {
    return store.inTransaction(tx -> tx.listFiles(share));
  }

  private long epoch() {
    return store.inTransaction(tx -> tx.locks().getServerEpoch());
  }

  private boolean clean() {
    return store.inTransaction(tx -> tx.locks().isCleanShutdown());
  }

  private boolean yes(Function<Transaction, Boolean> work) {
    return store.inTransaction(work);
  }

  private int count(Function<Transaction, Integer> work) {
    return store.inTransaction(work);
  }

  private long num(Function<Transaction, Long> work) {
    return store.inTransaction(work);
  }

  // ---- server state ----

  @Test
  public void epochAndCleanShutdownPersist() {
    assertThat(epoch()).isZero();
    assertThat(clean()).isFalse();
    assertThat(num(tx -> tx.locks().incrementServerEpoch())).isEqualTo(1);
    assertThat(num(tx -> tx.locks().incrementServerEpoch())).isEqualTo(2);
    store.inTransaction(
        tx -> {
          tx.locks().setCleanShutdown(true);
          return null;
        });
    store.close();
    store = openStore();
    assertThat(epoch()).isEqualTo(2);
    assertThat(clean()).isTrue();
  }

  @Test
  public void concurrentEpochIncrementsLoseNothing() throws Exception {
    int threads = 4;
    int each = 25;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<List<Long>>> results = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        results.add(
            pool.submit(
                () -> {
                  List<Long> seen = new ArrayList<>();
                  for (int i = 0; i < each; i++) {
                    seen.add(store.inTransaction(tx -> tx.locks().incrementServerEpoch()));
                  }
                  return seen;
                }));
      }
      List<Long> all = new ArrayList<>();
      for (Future<List<Long>> f : results) {
        all.addAll(f.get(60, TimeUnit.SECONDS));
      }
      assertThat(all).doesNotHaveDuplicates().hasSize(threads * each);
      assertThat(epoch()).isEqualTo(threads * each);
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- lifecycle, migrations, failures ----

  @Test
  public void dataSurvivesCloseAndReopen() {
    PersistedLock r = lock("1.1", "o", ByteRange.of(Long.MIN_VALUE, -1L));
    store.inTransaction(
        tx -> {
          tx.putShare(new Share("export", LockingMode.MANDATORY));
          tx.locks().putLock(r);
          return null;
        });
    store.close();
    store = openStore();
    assertThat(lockById("1.1")).contains(r);
    assertThat(shareNamed("export")).isPresent();
  }

  @Test
  public void migrationsApplyOnce() throws SQLException {
    store.inTransaction(
        tx -> {
          tx.locks().putLock(lock("1.1", "o", ByteRange.whole()));
          return null;
        });
    assertThat(new Migrations(dialect()).apply(rawDataSource())).isZero();
    try (JdbcMetadataStore second = openStore()) {
      assertThat(second.inTransaction(tx -> tx.locks().getLock("1.1").isPresent()).booleanValue())
          .isTrue();
    }
    try (Connection c = rawDataSource().getConnection();
        Statement s = c.createStatement();
        ResultSet rs =
            s.executeQuery("SELECT version, description FROM schema_version ORDER BY version")) {
      // each of the dialect's scripts once, in order: V1__init.sql, (PostgreSQL) V2__cluster.sql
      List<String> scripts = dialect().scripts();
      for (int i = 0; i < scripts.size(); i++) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getInt(1)).isEqualTo(i + 1);
        assertThat("V" + rs.getInt(1) + "__" + rs.getString(2) + ".sql").isEqualTo(scripts.get(i));
      }
      assertThat(rs.next()).isFalse();
    }
    assertThat(new Migrations(dialect()).latestVersion()).isEqualTo(dialect().scripts().size());
  }

  @Test
  public void newerSchemaIsRefused() throws SQLException {
    try (Connection c = rawDataSource().getConnection();
        Statement s = c.createStatement()) {
      s.executeUpdate(
          "INSERT INTO schema_version (version, description, checksum, installed_at_millis)"
              + " VALUES (99, 'future', 0, 0)");
    }
    try {
      assertThatThrownBy(() -> new Migrations(dialect()).apply(rawDataSource()))
          .isInstanceOfSatisfying(
              StoreError.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.IO_ERROR);
                assertThat(e.getMessage()).contains("version 99");
              });
    } finally {
      try (Connection c = rawDataSource().getConnection();
          Statement s = c.createStatement()) {
        s.executeUpdate("DELETE FROM schema_version WHERE version = 99");
      }
    }
  }

  @Test
  public void serializationFailureIsRetried() {
    FaultyDataSource faulty = new FaultyDataSource(rawDataSource());
    AtomicInteger runs = new AtomicInteger();
    try (JdbcMetadataStore retrying = JdbcMetadataStore.open(faulty, dialect(), () -> {})) {
      faulty.failCommits(2, "40001");
      long epoch =
          retrying.inTransaction(
              tx -> {
                runs.incrementAndGet();
                tx.locks().putLock(lock("1.1", "o", ByteRange.whole()));
                return tx.locks().incrementServerEpoch();
              });
      assertThat(runs).hasValue(3);
      assertThat(epoch).isEqualTo(1);
    }
    assertThat(lockById("1.1")).isPresent();
    assertThat(epoch()).isEqualTo(1);
  }

  @Test
  public void retriesAreBounded() {
    FaultyDataSource faulty = new FaultyDataSource(rawDataSource());
    AtomicInteger runs = new AtomicInteger();
    try (JdbcMetadataStore retrying = JdbcMetadataStore.open(faulty, dialect(), () -> {})) {
      faulty.failCommits(Integer.MAX_VALUE, "40001");
      int before = faulty.commitCalls();
      assertThatThrownBy(
              () ->
                  retrying.inTransaction(
                      tx -> {
                        runs.incrementAndGet();
                        tx.locks().putLock(lock("1.1", "o", ByteRange.whole()));
                        return null;
                      }))
          .isInstanceOfSatisfying(
              StoreError.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.IO_ERROR);
                assertThat(e.getMessage()).contains("commit").contains("40001");
              });
      assertThat(runs).hasValue(JdbcMetadataStore.MAX_ATTEMPTS);
      assertThat(faulty.commitCalls() - before).isEqualTo(JdbcMetadataStore.MAX_ATTEMPTS);
    }
    assertThat(lockById("1.1")).isEmpty();
  }

  @Test
  public void otherFailuresAreNotRetried() {
    FaultyDataSource faulty = new FaultyDataSource(rawDataSource());
    AtomicInteger runs = new AtomicInteger();
    try (JdbcMetadataStore once = JdbcMetadataStore.open(faulty, dialect(), () -> {})) {
      faulty.failCommits(1, "23505");
      assertThatThrownBy(
              () ->
                  once.inTransaction(
                      tx -> {
                        runs.incrementAndGet();
                        return tx.locks().incrementServerEpoch();
                      }))
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.IO_ERROR));
      assertThat(runs).hasValue(1);
    }
    assertThat(epoch()).isZero();
  }

  @Test
  public void sqlFailureNamesTheOperationAndPoisonsTheTransaction() throws SQLException {
    try (Connection c = rawDataSource().getConnection();
        Statement s = c.createStatement()) {
      s.execute("ALTER TABLE shares RENAME TO shares_gone");
    }
    try (Transaction tx = store.begin()) {
      assertThatThrownBy(() -> tx.putShare(new Share("s", LockingMode.ADVISORY)))
          .isInstanceOfSatisfying(
              StoreError.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.IO_ERROR);
                assertThat(e.getMessage()).contains(dialect().storeType()).contains("putShare");
              });
      assertThatThrownBy(() -> tx.locks().getLock("1.1"))
          .isInstanceOfSatisfying(
              StoreError.class, e -> assertThat(e.getMessage()).contains("earlier"));
      assertThatThrownBy(tx::commit).isInstanceOf(StoreError.class);
    } finally {
      try (Connection c = rawDataSource().getConnection();
          Statement s = c.createStatement()) {
        s.execute("ALTER TABLE shares_gone RENAME TO shares");
      }
    }
  }

  @Test
  public void unreachableDatabaseIsStoreUnavailable() {
    FaultyDataSource faulty = new FaultyDataSource(rawDataSource());
    try (JdbcMetadataStore flaky = JdbcMetadataStore.open(faulty, dialect(), () -> {})) {
      faulty.failConnections("08006");
      assertThatThrownBy(flaky::begin)
          .isInstanceOfSatisfying(
              StoreError.class,
              e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE);
                assertThat(e.getMessage()).contains("begin");
              });
      faulty.failConnections(null);
      assertThat(flaky.inTransaction(tx -> tx.locks().getServerEpoch()).longValue()).isZero();
    }
    assertThatThrownBy(
            () -> JdbcMetadataStore.open(faulty.failConnections("08001"), dialect(), () -> {}))
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
  }

  @Test
  public void closedStoreIsUnavailable() {
    store.close();
    store.close();
    assertThatThrownBy(store::begin)
        .isInstanceOfSatisfying(
            StoreError.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_UNAVAILABLE));
    store = openStore();
    assertThat(store.type()).isEqualTo(dialect().storeType());
  }
}
