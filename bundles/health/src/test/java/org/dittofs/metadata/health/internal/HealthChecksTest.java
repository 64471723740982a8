package org.dittofs.metadata.health.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.annotation.Annotation;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import org.apache.felix.hc.api.Result;
import org.dittofs.metadata.Share;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.host.MetadataServices;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockFlavour;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.spi.MetadataStore;
import org.dittofs.metadata.spi.Transaction;
import org.dittofs.metadata.store.memory.MemoryMetadataStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The three checks against a real metadata service on the memory store: attached or not, store
 * answering and its writes landing or backing up, grace period or not; and the HTTP status each
 * overall result maps to.
 */
class HealthChecksTest {
  private final WriteFailingStore store = new WriteFailingStore(new MemoryMetadataStore());
  private MetadataManager service = MetadataServices.over(store).start();
  private final MetadataAttachedCheck attached = new MetadataAttachedCheck();
  private final StoreHealthCheck storeCheck = new StoreHealthCheck();
  private final GraceHealthCheck grace = new GraceHealthCheck();

  private static final FileHandle FILE = FileHandle.of("health-file");
  private static final LockOwner OWNER = LockOwner.of("nlm:host:1:o");

  {
    attached.service = service;
    storeCheck.service = service;
    grace.service = service;
    storeCheck.configure(config(3));
    service.putShare(new Share("s", LockingMode.ADVISORY));
  }

  @AfterEach
  void stop() {
    service.close();
  }

  private static LockRequest lock(long offset) {
    return LockRequest.builder(FILE, OWNER)
        .share("s")
        .client(new LockClient("host", "nlm"))
        .posix()
        .exclusive()
        .range(ByteRange.span(offset, 1))
        .build();
  }

  @Test
  void anAttachedServiceWithAStoreThatWritesIsHealthy() {
    assertThat(attached.execute().getStatus()).isEqualTo(Result.Status.OK);
    assertThat(storeCheck.execute().getStatus()).isEqualTo(Result.Status.OK);
    assertThat(grace.execute().getStatus()).isEqualTo(Result.Status.OK);
    assertThat(attached.execute().toString()).contains("memory");
  }

  @Test
  void withoutAStoreAttachedAndStoreAreCritical() {
    service.swapStore(null);
    assertThat(attached.execute().getStatus()).isEqualTo(Result.Status.CRITICAL);
    assertThat(storeCheck.execute().getStatus()).isEqualTo(Result.Status.CRITICAL);
    assertThat(grace.execute().getStatus()).isEqualTo(Result.Status.OK);

    service.swapStore(new MemoryMetadataStore());
    assertThat(attached.execute().getStatus()).isEqualTo(Result.Status.OK);
    assertThat(storeCheck.execute().getStatus()).isEqualTo(Result.Status.OK);
  }

  @Test
  void withoutAMetadataServiceEveryCheckSaysSo() {
    attached.service = null;
    storeCheck.service = null;
    grace.service = null;
    assertThat(attached.execute().getStatus()).isEqualTo(Result.Status.CRITICAL);
    assertThat(storeCheck.execute().toString()).contains("no metadata service");
    assertThat(grace.execute().getStatus()).isEqualTo(Result.Status.OK);
  }

  @Test
  void releasesWaitingForTheStoreWarnThenTurnCriticalAndClearWhenTheyLand() {
    for (int i = 0; i < 3; i++) {
      assertThat(service.lockManager().lock(lock(i * 10)).granted()).isTrue();
    }
    store.failWrites = true;
    unlock(0);
    assertThat(storeCheck.execute().getStatus()).isEqualTo(Result.Status.WARN);
    unlock(10);
    unlock(20);
    Result r = storeCheck.execute();
    assertThat(r.getStatus()).isEqualTo(Result.Status.CRITICAL);
    assertThat(r.toString()).contains("3 lock store writes are waiting");

    store.failWrites = false;
    service.lockManager().lock(lock(100)); // the next write drains the queue in order
    assertThat(storeCheck.execute().getStatus()).isEqualTo(Result.Status.OK);
  }

  private void unlock(long offset) {
    service
        .lockManager()
        .unlock(new UnlockRequest(FILE, OWNER, LockFlavour.POSIX, ByteRange.span(offset, 1)));
  }

  @Test
  void afterARestartWithLocksTheGracePeriodWarns() {
    assertThat(service.lockManager().lock(lock(0)).granted()).isTrue();
    service.close();
    service = MetadataServices.over(store).start();
    grace.service = service;

    Result r = grace.execute();
    assertThat(r.getStatus()).isEqualTo(Result.Status.WARN);
    assertThat(r.toString()).contains("0 of 1 restored records reclaimed");

    service.lockManager().endGrace();
    assertThat(grace.execute().getStatus()).isEqualTo(Result.Status.OK);
  }

  @Test
  void okAndWarnAre200EverythingWorseAndAnEmptyRunAre503() {
    assertThat(HealthServlet.httpStatus(Result.Status.OK, false)).isEqualTo(200);
    assertThat(HealthServlet.httpStatus(Result.Status.WARN, false)).isEqualTo(200);
    assertThat(HealthServlet.httpStatus(Result.Status.TEMPORARILY_UNAVAILABLE, false))
        .isEqualTo(503);
    assertThat(HealthServlet.httpStatus(Result.Status.CRITICAL, false)).isEqualTo(503);
    assertThat(HealthServlet.httpStatus(Result.Status.HEALTH_CHECK_ERROR, false)).isEqualTo(503);
    assertThat(HealthServlet.httpStatus(Result.Status.OK, true)).isEqualTo(503);
  }

  private static StoreHealthCheck.Config config(int critical) {
    return new StoreHealthCheck.Config() {
      @Override
      public int pending_writes_critical() {
        return critical;
      }

      @Override
      public Class<? extends Annotation> annotationType() {
        return StoreHealthCheck.Config.class;
      }
    };
  }

  /** A store that reads but, while {@code failWrites}, refuses to commit (a full disk). */
  private static final class WriteFailingStore implements MetadataStore {
    private final MetadataStore d;
    volatile boolean failWrites;

    WriteFailingStore(MetadataStore d) {
      this.d = d;
    }

    @Override
    public String type() {
      return d.type();
    }

    /** A transaction that passes every call on, but a commit while {@code failWrites}. */
    @Override
    public Transaction begin() {
      Transaction t = d.begin();
      InvocationHandler failingCommit =
          (proxy, method, args) -> {
            if (failWrites && method.getName().equals("commit")) {
              throw new IllegalStateException("disk full");
            }
            try {
              return method.invoke(t, args);
            } catch (InvocationTargetException e) {
              throw e.getCause();
            }
          };
      return (Transaction)
          Proxy.newProxyInstance(
              Transaction.class.getClassLoader(),
              new Class<?>[] {Transaction.class},
              failingCommit);
    }
  }
}
