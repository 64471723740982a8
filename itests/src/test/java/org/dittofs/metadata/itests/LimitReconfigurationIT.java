package org.dittofs.metadata.itests;

import static org.dittofs.metadata.itests.Locks.expectError;
import static org.dittofs.metadata.itests.Locks.grant;
import static org.dittofs.metadata.itests.Locks.posix;
import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.inject.Inject;
import org.dittofs.metadata.errors.ErrorCode;
import org.dittofs.metadata.errors.StoreError;
import org.dittofs.metadata.host.MetadataManager;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockType;
import org.junit.Test;
import org.junit.runner.RunWith;
import org.ops4j.pax.exam.Configuration;
import org.ops4j.pax.exam.Option;
import org.ops4j.pax.exam.junit.PaxExam;
import org.ops4j.pax.exam.spi.reactors.ExamReactorStrategy;
import org.ops4j.pax.exam.spi.reactors.PerClass;

/**
 * Native Felix: a change of a limit in the metadata service's configuration (Config Admin, PID
 * org.dittofs.metadata.service) takes effect in the running lock manager, without restarting it:
 * the locks held before the change are still held, with their ids, after it.
 */
@RunWith(PaxExam.class)
@ExamReactorStrategy(PerClass.class)
public class LimitReconfigurationIT extends ItestSupport {
  private static final FileHandle FILE = FileHandle.of("limit-file");
  private static final LockOwner OWNER = LockOwner.of("nlm:limit-host:1:oh");
  private static final LockClient CLIENT = new LockClient("limit-host", "nlm");

  @Inject private MetadataManager service;

  @Configuration
  public Option[] config() {
    return felix(core(), memoryStore());
  }

  @Test
  public void lockingLimitPerFileChangesInTheRunningManager() {
    awaitBound(service, "memory");
    assertEquals("default", 1000, service.lockManager().config().maxLocksPerFile());

    configure(METADATA_PID, Map.of("max.locks.per.file", 3));
    await("limit 3 in force", () -> service.lockManager().config().maxLocksPerFile() == 3);
    List<Lock> held = new ArrayList<>();
    for (int slot = 0; slot < 3; slot++) {
      held.add(grant(service, slot(slot)));
    }
    StoreError refused =
        expectError(ErrorCode.LOCK_LIMIT_EXCEEDED, () -> service.locks().lock(slot(3)));
    System.out.println("[itests] fourth lock with the limit at 3: " + refused.getMessage());

    configure(METADATA_PID, Map.of("max.locks.per.file", 5));
    await("limit 5 in force", () -> service.lockManager().config().maxLocksPerFile() == 5);
    held.add(grant(service, slot(3)));
    held.add(grant(service, slot(4)));
    expectError(ErrorCode.LOCK_LIMIT_EXCEEDED, () -> service.locks().lock(slot(5)));

    List<String> ids = held.stream().map(l -> l.id().toString()).sorted().toList();
    assertEquals(
        "the locks of before the changes are still held",
        ids,
        service.lockManager().locks(FILE).stream().map(l -> l.id().toString()).sorted().toList());
    assertTrue("still on the memory store", "memory".equals(service.store().type()));
  }

  private static org.dittofs.metadata.lock.LockRequest slot(int n) {
    return posix(FILE, OWNER, CLIENT, LockType.EXCLUSIVE, ByteRange.span(n * 100L, 50));
  }
}
