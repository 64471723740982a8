package org.dittofs.metadata.lock.internal;

import java.util.function.Supplier;
import org.dittofs.metadata.lock.host.LockConfig;

/**
 * The manager's current configuration, shared by the parts that read it on every request; {@link
 * #set} applies a new one to the next request.
 *
 * <p>Concurrency: {@code config} is volatile; writers ({@link LockLimits#reconfigure}) serialise on
 * this object's monitor.
 */
final class LiveConfig implements Supplier<LockConfig> {
  private volatile LockConfig config;

  LiveConfig(LockConfig config) {
    this.config = config;
  }

  @Override
  public LockConfig get() {
    return config;
  }

  void set(LockConfig next) {
    config = next;
  }
}
