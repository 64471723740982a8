package org.dittofs.metadata.store.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Function;
import org.dittofs.metadata.FileRecord;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.spi.LockQuery;
import org.dittofs.metadata.lock.spi.PersistedLock;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.spi.Transaction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/**
 * The fixture handling every suite of the kit shares (Oak's {@code AbstractDocumentStoreTest}):
 * before each test the subclass's {@link #fixture()} is asked for a fresh store, which fails the
 * test if the fixture is not available; after each test the fixture is disposed. Plus the helpers
 * the suites use: transactions as lambdas, work on other threads, refusals.
 */
public abstract class StoreTestSupport {
  /** Fails unless {@code store.begin()} answers STORE_UNAVAILABLE; returns the error. */
  public static org.dittofs.metadata.errors.StoreError assertUnavailable(
      org.dittofs.metadata.spi.MetadataStore store) {
    try {
      store.begin().close();
    } catch (org.dittofs.metadata.errors.StoreError e) {
      assertThat(e.code()).isEqualTo(org.dittofs.metadata.errors.ErrorCode.STORE_UNAVAILABLE);
      return e;
    }
    return fail("begin() succeeded on a store that is not open");
  }

  /** How long a test waits for work on another thread before it fails. */
  protected static final Duration WAIT = Duration.ofSeconds(60);

  /** The fixture of the current test. */
  protected StoreFixture fixture;

  /** The store of the current test: fresh and empty at the start of each test. */
  protected MetadataStore store;

  private ExecutorService threads;

  /** The fixture of the store under test; called once before each test. */
  protected abstract StoreFixture fixture();

  @BeforeEach
  void createStore() {
    threads = Executors.newCachedThreadPool();
    fixture = fixture();
    assertThat(fixture.isAvailable())
        .as("the %s store fixture is not available here; its tests fail rather than skip", name())
        .isTrue();
    store = fixture.create();
    assertThat(store).as("store created by the %s fixture", name()).isNotNull();
  }

  @AfterEach
  void disposeStore() throws InterruptedException {
    threads.shutdownNow();
    threads.awaitTermination(WAIT.toSeconds(), TimeUnit.SECONDS);
    if (fixture != null) {
      fixture.dispose();
    }
  }

  private String name() {
    return fixture == null ? "?" : fixture.name();
  }

  // ---- transactions as lambdas ----

  /** Runs {@code work} in a committed transaction and returns its result. */
  protected final <T> T read(Function<Transaction, T> work) {
    return store.inTransaction(work);
  }

  /** Runs {@code work} in a committed transaction. */
  protected final void write(Consumer<Transaction> work) {
    store.inTransaction(
        tx -> {
          work.accept(tx);
          return null;
        });
  }

  /** Puts the records in one committed transaction. */
  protected final void put(PersistedLock... records) {
    put(List.of(records));
  }

  /** Puts the records in one committed transaction. */
  protected final void put(List<PersistedLock> records) {
    write(tx -> records.forEach(tx.locks()::putLock));
  }

  /** Every committed lock record. */
  protected final List<PersistedLock> allLocks() {
    return locks(LockQuery.all());
  }

  // ---- one call, one committed transaction ----

  protected final Optional<PersistedLock> lock(String id) {
    return store.inTransaction(tx -> tx.locks().getLock(id));
  }

  protected final List<PersistedLock> locks(LockQuery query) {
    return store.inTransaction(tx -> tx.locks().listLocks(query));
  }

  protected final boolean deleteLock(String id) {
    return store.inTransaction(tx -> tx.locks().deleteLock(id));
  }

  protected final int deleteLocksByClient(String clientId) {
    return store.inTransaction(tx -> tx.locks().deleteLocksByClient(clientId));
  }

  protected final int deleteLocksByFile(FileHandle file) {
    return store.inTransaction(tx -> tx.locks().deleteLocksByFile(file));
  }

  protected final Optional<Share> share(String name) {
    return store.inTransaction(tx -> tx.getShare(name));
  }

  protected final List<Share> shares() {
    return store.inTransaction(Transaction::listShares);
  }

  protected final boolean deleteShare(String name) {
    return store.inTransaction(tx -> tx.deleteShare(name));
  }

  protected final Optional<FileRecord> file(FileHandle handle) {
    return store.inTransaction(tx -> tx.getFile(handle));
  }

  protected final List<FileRecord> files(String share) {
    return store.inTransaction(tx -> tx.listFiles(share));
  }

  protected final boolean deleteFile(FileHandle handle) {
    return store.inTransaction(tx -> tx.deleteFile(handle));
  }

  protected final long epoch() {
    return store.inTransaction(tx -> tx.locks().getServerEpoch());
  }

  protected final long incrementEpoch() {
    return store.inTransaction(tx -> tx.locks().incrementServerEpoch());
  }

  protected final boolean cleanShutdown() {
    return store.inTransaction(tx -> tx.locks().isCleanShutdown());
  }

  /** The ids of records, sorted (duplicates kept, so a record listed twice shows). */
  protected static List<String> ids(List<PersistedLock> records) {
    return records.stream().map(PersistedLock::id).sorted().toList();
  }

  /** The ids of records, as a set. */
  protected static Set<String> idSet(List<PersistedLock> records) {
    return new TreeSet<>(ids(records));
  }

  // ---- refusals ----

  /**
   * Runs {@code work} in a transaction that is then rolled back, and asserts that it was refused
   * with a StoreError of {@code code}.
   */
  protected final StoreError refused(ErrorCode code, Consumer<Transaction> work) {
    try (Transaction tx = store.begin()) {
      try {
        work.accept(tx);
      } catch (StoreError e) {
        assertThat(e.code()).as("error code of %s", e).isEqualTo(code);
        return e;
      }
      tx.rollback();
      return fail("expected a StoreError " + code + ", but the call returned normally");
    }
  }

  /** As {@link #refused}, for INVALID_ARGUMENT. */
  protected final StoreError invalid(Consumer<Transaction> work) {
    return refused(ErrorCode.INVALID_ARGUMENT, work);
  }

  // ---- other threads ----

  /** Runs {@code work} on another thread and waits for its result. */
  protected final <T> T elsewhere(Callable<T> work) {
    return await(threads.submit(work));
  }

  /** Starts {@code work} on another thread. */
  protected final <T> Future<T> start(Callable<T> work) {
    return threads.submit(work);
  }

  /** Waits for a future of {@link #start}, rethrowing its failure. */
  protected static <T> T await(Future<T> f) {
    try {
      return f.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new AssertionError(e.getCause());
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new AssertionError("work on another thread did not finish within " + WAIT, e);
    }
  }

  /** A task of one of several concurrent workers. */
  @FunctionalInterface
  protected interface Worker {
    void run(int worker) throws Exception;
  }

  /**
   * Runs {@code n} workers at once, released together, and waits for all of them; the first failure
   * is rethrown with the others suppressed.
   */
  protected final void concurrently(int n, Worker worker) {
    CountDownLatch go = new CountDownLatch(1);
    List<Future<Void>> futures = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      int w = i;
      futures.add(
          threads.submit(
              () -> {
                go.await();
                worker.run(w);
                return null;
              }));
    }
    go.countDown();
    AssertionError failure = null;
    for (Future<Void> f : futures) {
      try {
        await(f);
      } catch (RuntimeException | AssertionError e) {
        if (failure == null) {
          failure = new AssertionError("a concurrent worker failed: " + e, e);
        } else {
          failure.addSuppressed(e);
        }
      }
    }
    if (failure != null) {
      throw failure;
    }
  }

  /** Closes a store the way the suites do: if it is {@link AutoCloseable}. */
  protected static void close(MetadataStore s) {
    if (s instanceof AutoCloseable c) {
      try {
        c.close();
      } catch (RuntimeException e) {
        throw e;
      } catch (Exception e) {
        throw new IllegalStateException("closing the store failed: " + e, e);
      }
    }
  }
}
