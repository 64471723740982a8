package org.dittofs.metadata.lock;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.ErrorDetail;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEvent;
import org.dittofs.metadata.lock.host.LockManagers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * SPEC 8, limits: lock records per file, per client and in total, and the owner id length. A
 * refusal is LOCK_LIMIT_EXCEEDED naming the limit, the current count and the maximum, and changes
 * nothing; a value {@code <= 0} disables a limit; only grants that add records are counted against
 * a limit, releases never are; concurrent requests never overshoot.
 */
class LimitsTest extends ManagerOnManualClock {

  private final Requests f1 = Requests.on("limits-file-1");
  private final Requests f2 = Requests.on("limits-file-2");

  private void use(LockConfig.Builder config) {
    use(config.build());
  }

  // ---- helpers -------------------------------------------------------------------------------

  private static StoreError error(ThrowingCallable call) {
    return Answers.error(call);
  }

  /** Asserts the request is refused by {@code limit} at {@code current} of {@code max}. */
  private void refused(LockRequest r, String limit, long current, long max) {
    List<Lock> before = locks.locks(r.file());
    long count = locks.lockCount();
    StoreError e = error(() -> locks.lock(r));
    assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED);
    assertThat(e.detail()).contains(new ErrorDetail.Limit(limit, current, max));
    assertThat(e.getMessage()).contains(limit).contains(Long.toString(max));
    assertThat(locks.locks(r.file())).as("nothing changed").isEqualTo(before);
    assertThat(locks.lockCount()).isEqualTo(count);
  }

  /** A POSIX request of {@code owner} through {@code client} on {@code file}. */
  private static LockRequest request(
      Requests file, String owner, LockClient client, LockType type, long offset, long length) {
    return new LockRequest(
        file.file(),
        "export",
        LockOwner.of(owner),
        client,
        LockFlavour.POSIX,
        type,
        Requests.range(offset, length));
  }

  // ---- each limit refuses
  // ------------------------------------------------------------------------

  @Test
  void perFileLimitRefusesTheRecordBeyondIt() {
    use(LockConfig.builder().maxLocksPerFile(3));
    grant(f1.posix("a").exclusive(0, 10));
    grant(f1.posix("b").exclusive(20, 10));
    grant(f1.posix("c").shared(40, 10));

    refused(f1.posix("d").shared(60, 10), "per-file", 3, 3);

    grant(f2.posix("d").shared(60, 10)); // another file has its own count
    assertThat(eventsOf(LockEvent.LimitHit.class))
        .containsExactly(new LockEvent.LimitHit("per-file", 3, 3));
  }

  @Test
  void perClientLimitRefusesTheRecordBeyondItOnAnyFile() {
    use(LockConfig.builder().maxLocksPerClient(2));
    LockClient host = new LockClient("host-1", "nlm");
    grant(request(f1, "nlm:host-1:1:a", host, LockType.SHARED, 0, 10));
    grant(request(f2, "nlm:host-1:2:b", host, LockType.EXCLUSIVE, 0, 10));

    refused(request(f1, "nlm:host-1:3:c", host, LockType.SHARED, 50, 10), "per-client", 2, 2);

    // another client, and the same client id over another adapter, count on their own
    grant(request(f1, "nlm:host-2:1:a", new LockClient("host-2", "nlm"), LockType.SHARED, 50, 10));
    grant(request(f1, "nfs4:host-1:c", new LockClient("host-1", "nfs4"), LockType.SHARED, 70, 5));
    assertThat(eventsOf(LockEvent.LimitHit.class))
        .containsExactly(new LockEvent.LimitHit("per-client", 2, 2));
  }

  @Test
  void totalLimitRefusesTheRecordBeyondItAcrossFilesAndClients() {
    use(LockConfig.builder().maxLocksTotal(3));
    grant(f1.posix("a").exclusive(0, 10));
    grant(f2.posix("b").exclusive(0, 10));
    grant(Requests.on("limits-file-3").windows("smb:c").shared(0, 10));

    refused(Requests.on("limits-file-4").posix("d").shared(0, 10), "total", 3, 3);

    assertThat(locks.lockCount()).isEqualTo(3);
    assertThat(eventsOf(LockEvent.LimitHit.class))
        .containsExactly(new LockEvent.LimitHit("total", 3, 3));
  }

  @Test
  void limitRefusalIsNotADenialAndEmitsNoGrant() {
    use(LockConfig.builder().maxLocksPerFile(1));
    grant(f1.posix("a").exclusive(0, 10));
    events.clear();

    LockRequest r = f1.posix("b").exclusive(20, 10);
    refused(r, "per-file", 1, 1);

    assertThat(events)
        .containsExactly(
            new LockEvent.LimitHit("per-file", 1, 1),
            new LockEvent.Refused(r, ErrorCode.LOCK_LIMIT_EXCEEDED));
  }

  @Test
  void blockingRequestGrantedAtOnceIsRefusedByTheLimitToo() {
    use(LockConfig.builder().maxLocksPerFile(1));
    grant(f1.posix("a").exclusive(0, 10));

    StoreError e = error(() -> locks.lockBlocking(f1.posix("b").exclusive(20, 10), null));

    assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED);
    assertThat(e.detail()).contains(new ErrorDetail.Limit("per-file", 1, 1));
    assertThat(locks.locks(f1.file())).hasSize(1);
  }

  @Test
  void windowsStackedLocksEachCount() {
    use(LockConfig.builder().maxLocksPerFile(2));
    Requests.Owner w = f1.windows("smb:s1:fid");
    grant(w.shared(0, 10));
    grant(w.shared(0, 10));

    refused(w.shared(0, 10), "per-file", 2, 2);
  }

  @Test
  void releaseGivesTheCountBack() {
    use(LockConfig.builder().maxLocksPerFile(1).maxLocksPerClient(1).maxLocksTotal(1));
    grant(f1.posix("a").exclusive(0, 10));
    refused(f2.posix("a").exclusive(0, 10), "per-client", 1, 1);

    locks.unlock(f1.posix("a").unlock(0, 10));

    grant(f2.posix("a").exclusive(0, 10));
    assertThat(locks.lockCount()).isEqualTo(1);
  }

  // ---- <= 0 disables ---------------------------------------------------------------------------

  @ParameterizedTest
  @ValueSource(ints = {0, -1, Integer.MIN_VALUE})
  void perFileLimitAtOrBelowZeroIsDisabled(int max) {
    use(LockConfig.builder().maxLocksPerFile(max));
    Requests.Owner w = f1.windows("smb:s1:fid");
    for (int i = 0; i < 1001; i++) { // beyond the default of 1000
      grant(w.shared(0, 10));
    }
    assertThat(locks.locks(f1.file())).hasSize(1001);
    assertThat(eventsOf(LockEvent.LimitHit.class)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -5})
  void perClientLimitAtOrBelowZeroIsDisabled(int max) {
    use(LockConfig.builder().maxLocksPerFile(0).maxLocksPerClient(max));
    Requests.Owner w = f1.windows("smb:s1:fid");
    for (int i = 0; i < 10_001; i++) { // beyond the default of 10000
      grant(w.shared(i, 1));
    }
    assertThat(locks.lockCount()).isEqualTo(10_001);
    assertThat(eventsOf(LockEvent.LimitHit.class)).isEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1})
  void totalLimitAtOrBelowZeroIsDisabled(int max) {
    use(LockConfig.builder().maxLocksTotal(max).maxLocksPerFile(2).maxLocksPerClient(2));
    for (int i = 0; i < 20; i++) {
      grant(Requests.on("file-" + i).posix("o" + i).exclusive(0, 10));
      grant(Requests.on("file-" + i).posix("o" + i).exclusive(20, 10));
    }
    assertThat(locks.lockCount()).isEqualTo(40);
    refused(Requests.on("file-0").posix("x").shared(40, 1), "per-file", 2, 2);
  }

  // ---- coalescing and splitting at the limit ---------------------------------------------------

  @Test
  void posixCoalescingThatAddsNoRecordIsGrantedAtTheLimit() {
    use(LockConfig.builder().maxLocksPerFile(2).maxLocksPerClient(2).maxLocksTotal(2));
    grant(f1.posix("a").shared(0, 10));
    grant(f1.posix("b").shared(20, 10));

    Lock merged = grant(f1.posix("a").shared(10, 10)); // touches [0, 9]: one record replaces one

    assertThat(merged.range()).isEqualTo(ByteRange.of(0, 19));
    assertThat(locks.locks(f1.file())).hasSize(2);
  }

  @Test
  void posixCoalescingThatRemovesRecordsIsGrantedAtTheLimit() {
    use(LockConfig.builder().maxLocksPerFile(2).maxLocksTotal(2));
    grant(f1.posix("a").exclusive(0, 10));
    grant(f1.posix("a").exclusive(20, 10));

    Lock merged = grant(f1.posix("a").exclusive(10, 10));

    assertThat(merged.range()).isEqualTo(ByteRange.of(0, 29));
    assertThat(locks.lockCount()).isEqualTo(1);
  }

  @Test
  void upgradeInPlaceIsGrantedAtTheLimit() {
    use(LockConfig.builder().maxLocksPerFile(1).maxLocksTotal(1));
    grant(f1.posix("a").shared(0, 10));

    assertThat(grant(f1.posix("a").exclusive(0, 10)).type()).isEqualTo(LockType.EXCLUSIVE);
    assertThat(locks.lockCount()).isEqualTo(1);
  }

  @Test
  void grantThatSplitsALockIsRefusedAtThePerFileLimit() {
    use(LockConfig.builder().maxLocksPerFile(2));
    Lock whole = grant(f1.posix("a").shared(0, 100));

    // an EXCLUSIVE upgrade in the middle leaves three records: two more than before
    refused(f1.posix("a").exclusive(40, 10), "per-file", 1, 2);

    assertThat(locks.locks(f1.file())).containsExactly(whole);
  }

  @Test
  void grantThatSplitsALockIsRefusedAtTheTotalLimit() {
    use(LockConfig.builder().maxLocksTotal(2));
    grant(f1.posix("a").shared(0, 100));

    refused(f1.posix("a").exclusive(40, 10), "total", 1, 2);

    grant(f1.posix("a").exclusive(0, 10)); // an upgrade splitting into two pieces fits
    assertThat(locks.lockCount()).isEqualTo(2);
  }

  @Test
  void grantThatSplitsALockIsRefusedAtThePerClientLimit() {
    use(LockConfig.builder().maxLocksPerClient(2));
    grant(f1.posix("a").shared(0, 100));

    refused(f1.posix("a").exclusive(40, 10), "per-client", 1, 2);
  }

  @Test
  void releaseThatSplitsIsNeverRefusedEvenBeyondTheLimit() {
    use(LockConfig.builder().maxLocksPerFile(1).maxLocksPerClient(1).maxLocksTotal(1));
    grant(f1.posix("a").exclusive(0, 100));

    locks.unlock(f1.posix("a").unlock(40, 10));

    assertThat(locks.locks(f1.file()))
        .extracting(Lock::range)
        .containsExactly(ByteRange.of(0, 39), ByteRange.of(50, 99));
    assertThat(locks.lockCount()).isEqualTo(2);
    assertThat(eventsOf(LockEvent.LimitHit.class)).isEmpty();
    // over the limit now: the next grant that adds a record is refused with the true count
    refused(f1.posix("b").shared(200, 10), "per-file", 2, 1);
  }

  // ---- concurrency
  // -------------------------------------------------------------------------------

  /**
   * Runs {@code threads} real threads, each asking for {@code perThread} distinct, non-touching
   * ranges at once (released together by a barrier), and returns {granted, refused}.
   */
  private int[] race(
      int threads, int perThread, IntFunction<Requests> fileOf, IntFunction<LockClient> clientOf)
      throws Exception {
    AtomicInteger granted = new AtomicInteger();
    AtomicInteger refusedCount = new AtomicInteger();
    CyclicBarrier start = new CyclicBarrier(threads);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> all = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        all.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    LockRequest r =
                        request(
                            fileOf.apply(id),
                            "race:" + id,
                            clientOf.apply(id),
                            LockType.EXCLUSIVE,
                            (id * 10_000L) + i * 20L,
                            10);
                    try {
                      assertThat(locks.lock(r).granted()).isTrue();
                      granted.incrementAndGet();
                    } catch (StoreError e) {
                      assertThat(e.code()).isEqualTo(ErrorCode.LOCK_LIMIT_EXCEEDED);
                      refusedCount.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      for (Future<?> f : all) {
        f.get(5, TimeUnit.MINUTES);
      }
    } finally {
      pool.shutdownNow();
    }
    return new int[] {granted.get(), refusedCount.get()};
  }

  private long recordsOn(List<Requests> files) {
    return files.stream().mapToLong(f -> locks.locks(f.file()).size()).sum();
  }

  @Test
  void concurrentRequestsNeverOvershootTheTotalLimit() throws Exception {
    use(LockConfig.builder().maxLocksTotal(100));
    List<Requests> files =
        List.of(Requests.on("race-0"), Requests.on("race-1"), Requests.on("race-2"));

    int[] r = race(8, 50, t -> files.get(t % 3), t -> new LockClient("race-" + t, "nlm"));

    assertThat(r[0]).isEqualTo(100);
    assertThat(r[1]).isEqualTo(300);
    assertThat(locks.lockCount()).isEqualTo(100);
    assertThat(recordsOn(files)).isEqualTo(100);
    assertThat(eventsOf(LockEvent.LimitHit.class))
        .hasSize(300)
        .allSatisfy(
            h -> {
              assertThat(h.limit()).isEqualTo("total");
              assertThat(h.max()).isEqualTo(100);
            });
  }

  @Test
  void concurrentRequestsOfOneClientNeverOvershootThePerClientLimit() throws Exception {
    use(LockConfig.builder().maxLocksPerClient(100));
    List<Requests> files = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      files.add(Requests.on("race-client-" + t));
    }
    LockClient shared = new LockClient("one-host", "nlm");

    int[] r = race(8, 50, files::get, t -> shared);

    assertThat(r[0]).isEqualTo(100);
    assertThat(r[1]).isEqualTo(300);
    assertThat(locks.lockCount()).isEqualTo(100);
    assertThat(recordsOn(files)).isEqualTo(100);
    assertThat(locks.clients())
        .filteredOn(c -> c.client().equals(shared))
        .singleElement()
        .extracting(ClientInfo::locks)
        .isEqualTo(100L);
  }

  @Test
  void concurrentRequestsOnOneFileNeverOvershootThePerFileLimit() throws Exception {
    use(LockConfig.builder().maxLocksPerFile(100));
    Requests hot = Requests.on("race-hot");

    int[] r = race(8, 50, t -> hot, t -> new LockClient("race-" + t, "nlm"));

    assertThat(r[0]).isEqualTo(100);
    assertThat(r[1]).isEqualTo(300);
    assertThat(locks.locks(hot.file())).hasSize(100);
    assertThat(locks.lockCount()).isEqualTo(100);
  }

  // ---- reconfigure
  // -------------------------------------------------------------------------------

  @Test
  void raisingALimitAppliesToTheNextRequest() {
    use(LockConfig.builder().maxLocksPerFile(2));
    grant(f1.posix("a").exclusive(0, 10));
    grant(f1.posix("b").exclusive(20, 10));
    refused(f1.posix("c").exclusive(40, 10), "per-file", 2, 2);

    locks.reconfigure(locks.config().toBuilder().maxLocksPerFile(3).build());

    grant(f1.posix("c").exclusive(40, 10));
    refused(f1.posix("d").exclusive(60, 10), "per-file", 3, 3);
  }

  @Test
  void loweringALimitDropsNothingHeldAndAppliesToTheNextRequest() {
    use(LockConfig.builder().maxLocksTotal(10));
    for (int i = 0; i < 4; i++) {
      grant(f1.posix("o" + i).exclusive(i * 20L, 10));
    }
    List<Lock> held = locks.locks(f1.file());

    locks.reconfigure(locks.config().toBuilder().maxLocksTotal(2).build());

    assertThat(locks.locks(f1.file())).isEqualTo(held);
    assertThat(locks.lockCount()).isEqualTo(4);
    refused(f2.posix("x").shared(0, 10), "total", 4, 2);
    locks.unlock(f1.posix("o0").unlock(0, 0));
    locks.unlock(f1.posix("o1").unlock(0, 0));
    refused(f2.posix("x").shared(0, 10), "total", 2, 2);
    locks.unlock(f1.posix("o2").unlock(0, 0));
    grant(f2.posix("x").shared(0, 10));
  }

  @Test
  void turningTheTotalLimitOnCountsWhatWasGrantedWhileItWasOff() {
    // while the total limit is off the total is not counted as records change; turning it on
    // counts the records held then, so the limit is exact from the first request after it
    use(LockConfig.builder().maxLocksTotal(0));
    for (int i = 0; i < 5; i++) {
      grant(f1.posix("o" + i).exclusive(i * 20L, 10));
    }
    grant(f2.posix("o0").shared(0, 10));
    locks.unlock(f1.posix("o4").unlock(0, 0));
    // a split while off: one record becomes two
    locks.unlock(f1.posix("o3").unlock(62, 2));
    assertThat(locks.lockCount()).isEqualTo(6);

    locks.reconfigure(locks.config().toBuilder().maxLocksTotal(7).build());

    assertThat(locks.lockCount()).isEqualTo(6);
    grant(f2.posix("o1").shared(20, 10));
    refused(f2.posix("o2").shared(40, 10), "total", 7, 7);
    locks.unlock(f2.posix("o1").unlock(0, 0));
    grant(f2.posix("o2").shared(40, 10));

    // off and on again: counted afresh
    locks.reconfigure(locks.config().toBuilder().maxLocksTotal(0).build());
    grant(f2.posix("o3").shared(60, 10));
    grant(f2.posix("o4").shared(80, 10));
    locks.unlock(f1.posix("o0").unlock(0, 0));
    assertThat(locks.lockCount()).isEqualTo(8);
    locks.reconfigure(locks.config().toBuilder().maxLocksTotal(9).build());
    grant(f2.posix("o5").shared(100, 10));
    refused(f2.posix("o6").shared(120, 10), "total", 9, 9);
  }

  @Test
  void disablingALimitByReconfigureLiftsIt() {
    use(LockConfig.builder().maxLocksPerClient(1));
    grant(f1.posix("a").exclusive(0, 10));
    refused(f2.posix("a").exclusive(0, 10), "per-client", 1, 1);

    locks.reconfigure(locks.config().toBuilder().maxLocksPerClient(0).build());

    grant(f2.posix("a").exclusive(0, 10));
  }

  // ---- owner id length
  // -----------------------------------------------------------------------------

  @Test
  void ownerIdLongerThanTheDefaultMaximumIsInvalidArgument() {
    String longest = "o".repeat(1024);
    grant(f1.posix(longest).exclusive(0, 10));

    String tooLong = "o".repeat(1025);
    StoreError e = error(() -> locks.lock(f1.posix(tooLong).exclusive(20, 10)));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.detail()).contains(new ErrorDetail.Limit("owner-id-length", 1025, 1024));
    assertThat(locks.locks(f1.file())).hasSize(1);
  }

  @Test
  void ownerIdLengthCountsUtf8Bytes() {
    String fits = "é".repeat(512); // 1024 bytes
    String tooLong = "é".repeat(513); // 513 characters, 1026 bytes
    grant(f1.posix(fits).exclusive(0, 10));

    StoreError e = error(() -> locks.lock(f1.posix(tooLong).exclusive(20, 10)));

    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(e.detail()).contains(new ErrorDetail.Limit("owner-id-length", 1026, 1024));
  }

  @Test
  void ownerIdLimitAppliesToEveryRequestKind() {
    use(LockConfig.builder().maxOwnerIdBytes(8));
    Requests.Owner o = f1.posix("123456789");

    assertThat(error(() -> locks.lock(o.exclusive(0, 10))).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(error(() -> locks.lockBlocking(o.exclusive(0, 10), null)).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(error(() -> locks.test(o.exclusive(0, 10))).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    assertThat(error(() -> locks.open(o.open("R", ""))).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    grant(f1.posix("12345678").exclusive(0, 10));
    assertThat(locks.lockCount()).isEqualTo(1);
  }

  @Test
  void ownerIdLimitSetOnTheManagersBuilder() {
    locks.close();
    locks = LockManagers.builder().scheduler(clock).maxOwnerIdBytes(4).build();

    assertThat(error(() -> locks.lock(f1.posix("abcde").exclusive(0, 10))).code())
        .isEqualTo(ErrorCode.INVALID_ARGUMENT);
    grant(f1.posix("abcd").exclusive(0, 10));
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1})
  void ownerIdLimitAtOrBelowZeroIsDisabled(int max) {
    use(LockConfig.builder().maxOwnerIdBytes(max));

    grant(f1.posix("o".repeat(5000)).exclusive(0, 10));
  }
}
