package org.dittofs.metadata.lock.internal;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.dittofs.metadata.lock.ByteRange;
import org.dittofs.metadata.lock.FileHandle;
import org.dittofs.metadata.lock.GraceStatus;
import org.dittofs.metadata.lock.Lock;
import org.dittofs.metadata.lock.LockClient;
import org.dittofs.metadata.lock.LockId;
import org.dittofs.metadata.lock.LockOwner;
import org.dittofs.metadata.lock.LockRequest;
import org.dittofs.metadata.lock.LockResult;
import org.dittofs.metadata.lock.LockingMode;
import org.dittofs.metadata.lock.OpenRequest;
import org.dittofs.metadata.lock.PendingLock;
import org.dittofs.metadata.lock.ShareAccess;
import org.dittofs.metadata.lock.ShareReservation;
import org.dittofs.metadata.lock.UnlockRequest;
import org.dittofs.metadata.lock.host.ClientInfo;
import org.dittofs.metadata.lock.host.LockConfig;
import org.dittofs.metadata.lock.host.LockEventListener;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.LockManagers;
import org.dittofs.metadata.lock.host.SwapReport;
import org.dittofs.metadata.lock.spi.LockStore;
import org.dittofs.metadata.lock.spi.StoreCopier;
import org.dittofs.metadata.lock.testing.InMemoryLockCluster;

/**
 * The nodes of a cluster seen as one lock manager: every call goes to a node drawn at random, so a
 * test written for one manager (the model-based harness, say) drives a cluster whose nodes keep
 * working on state the others made. Client calls, configuration and listeners go to every node. Not
 * thread-safe (one random source).
 */
final class RoutedLockManager implements LockManager {
  private final List<DefaultLockManager> nodes;
  private final Random random;

  RoutedLockManager(List<DefaultLockManager> nodes, Random random) {
    this.nodes = nodes;
    this.random = random;
  }

  /** {@code count} nodes over one in-memory cluster, each with the default configuration. */
  static RoutedLockManager over(InMemoryLockCluster cluster, int count, long seed) {
    List<DefaultLockManager> nodes = new java.util.ArrayList<>();
    for (int i = 0; i < count; i++) {
      nodes.add((DefaultLockManager) LockManagers.builder().cluster(cluster.node("n" + i)).build());
    }
    return new RoutedLockManager(nodes, new Random(seed));
  }

  List<DefaultLockManager> nodes() {
    return nodes;
  }

  private LockManager any() {
    return nodes.get(random.nextInt(nodes.size()));
  }

  @Override
  public LockResult lock(LockRequest r) {
    return any().lock(r);
  }

  @Override
  public LockResult lockAll(List<LockRequest> r) {
    return any().lockAll(r);
  }

  @Override
  public void unlock(UnlockRequest r) {
    any().unlock(r);
  }

  @Override
  public void unlockAll(List<UnlockRequest> r) {
    any().unlockAll(r);
  }

  @Override
  public Optional<Lock> test(LockRequest r) {
    return any().test(r);
  }

  @Override
  public ShareReservation open(OpenRequest r) {
    return any().open(r);
  }

  @Override
  public ShareReservation downgrade(
      FileHandle file, LockId open, Set<ShareAccess> access, Set<ShareAccess> deny) {
    return any().downgrade(file, open, access, deny);
  }

  @Override
  public void close(FileHandle file, LockId open) {
    any().close(file, open);
  }

  @Override
  public void checkRead(FileHandle file, LockOwner owner, ByteRange range, LockingMode mode) {
    any().checkRead(file, owner, range, mode);
  }

  @Override
  public void checkWrite(FileHandle file, LockOwner owner, ByteRange range, LockingMode mode) {
    any().checkWrite(file, owner, range, mode);
  }

  @Override
  public PendingLock lockBlocking(LockRequest r, Duration timeout) {
    return any().lockBlocking(r, timeout);
  }

  @Override
  public LockResult reclaim(LockRequest r) {
    return any().reclaim(r);
  }

  @Override
  public ShareReservation reclaimOpen(OpenRequest r) {
    return any().reclaimOpen(r);
  }

  @Override
  public void reclaimComplete(LockClient client) {
    any().reclaimComplete(client);
  }

  @Override
  public GraceStatus graceStatus() {
    return any().graceStatus();
  }

  @Override
  public void registerClient(LockClient client, String remoteAddress, Duration ttl) {
    any().registerClient(client, remoteAddress, ttl);
  }

  @Override
  public void unregisterClient(LockClient client) {
    any().unregisterClient(client);
  }

  @Override
  public void clientRebooted(LockClient client) {
    any().clientRebooted(client);
  }

  @Override
  public void keepAlive(LockClient client) {
    nodes.forEach(n -> n.keepAlive(client));
  }

  @Override
  public List<ClientInfo> clients() {
    return any().clients();
  }

  @Override
  public LockConfig config() {
    return nodes.get(0).config();
  }

  @Override
  public void reconfigure(LockConfig config) {
    nodes.forEach(n -> n.reconfigure(config));
  }

  @Override
  public void addListener(LockEventListener listener) {
    nodes.forEach(n -> n.addListener(listener));
  }

  @Override
  public void removeListener(LockEventListener listener) {
    nodes.forEach(n -> n.removeListener(listener));
  }

  @Override
  public SwapReport swapStore(LockStore next, StoreCopier copier) {
    return any().swapStore(next, copier);
  }

  @Override
  public int pendingStoreWrites() {
    return nodes.stream().mapToInt(LockManager::pendingStoreWrites).sum();
  }

  @Override
  public void close() {
    nodes.forEach(LockManager::close);
  }

  @Override
  public int removeFile(FileHandle file, boolean refuseIfHeld, Runnable storeWork) {
    return any().removeFile(file, refuseIfHeld, storeWork);
  }

  @Override
  public List<Lock> locks(FileHandle file) {
    return any().locks(file);
  }

  @Override
  public List<ShareReservation> opens(FileHandle file) {
    return any().opens(file);
  }

  @Override
  public long lockCount() {
    return any().lockCount();
  }

  @Override
  public List<FileHandle> files() {
    return any().files();
  }

  @Override
  public List<Lock> waiters(FileHandle file) {
    return any().waiters(file);
  }

  @Override
  public void endGrace() {
    any().endGrace();
  }

  @Override
  public long epoch() {
    return nodes.get(0).epoch();
  }

  /**
   * Every node's invariants ({@link LockTableInvariants}) once each node has read every file in
   * {@code files} (so its tables hold the whole committed state the counters are checked against).
   */
  void checkInvariants(FileHandle... files) {
    for (DefaultLockManager n : nodes) {
      for (FileHandle f : files) {
        n.locks(f);
      }
      LockTableInvariants.check(n);
    }
  }
}
