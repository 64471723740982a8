package org.dittofs.metadata.host;

import java.util.Optional;
import org.dittofs.metadata.MetadataService;
import org.dittofs.metadata.lock.host.LockManager;
import org.dittofs.metadata.lock.host.SwapReport;
import org.dittofs.metadata.spi.MetadataStore;
import org.osgi.annotation.versioning.ProviderType;

/**
 * The host's face of the metadata service: everything of {@link MetadataService} plus the lock
 * manager's host face, the store in use, the hot swap and the service's life. Outside OSGi, {@link
 * MetadataServices} returns one and its caller is the host. In OSGi the metadata service component
 * is the host and registers this face too, for operator tools in the same container (shell,
 * metrics, console): the component chooses and swaps the store itself from its configuration
 * ({@code store.target}), so tools change the store through Config Admin, and {@link #close()} of
 * the registered service is refused (the component's life follows its bundle and configuration).
 * Protocol adapters use {@link MetadataService} only.
 *
 * <p>Thread-safe.
 */
@ProviderType
public interface MetadataManager extends MetadataService, AutoCloseable {

  /** The lock manager's host face: snapshots, listeners, configuration. */
  LockManager lockManager();

  /**
   * Moves the service to another store while it serves (hot swap): lock traffic is held, and in one
   * transaction of {@code next} the shares and files are copied from the current store and the lock
   * records and epoch from the lock manager's memory (which is authoritative); then traffic resumes
   * on {@code next}. With {@code next == null} the service runs without a store: grants fail with
   * STORE_UNAVAILABLE and releases are kept for the next store.
   *
   * @return how long lock traffic was held and how many lock records were copied
   * @throws org.dittofs.metadata.errors.StoreError if the copy failed; the service then stays on
   *     its current store
   */
  SwapReport swapStore(MetadataStore next);

  /** The bound store, or null while none is bound. */
  MetadataStore store();

  /**
   * How this service selects its store, for operator tools ({@code store:show}, {@code
   * store:swap}): present for a service that chooses its store itself from a {@code store.target}
   * filter (the OSGi component), empty for one whose host calls {@link #swapStore} (a manager
   * started with {@link MetadataServices}). Read-only; it may wait for a store move in progress to
   * end, and never holds lock traffic.
   */
  default Optional<StoreSelection> storeSelection() {
    return Optional.empty();
  }

  /** Stops the lock manager cleanly (the store's clean-shutdown marker is set if all landed). */
  @Override
  void close();
}
