/**
 * The host's API of the lock manager: {@link org.dittofs.metadata.lock.host.LockManager} (the
 * adapter face plus store swap, configuration, listeners, snapshots and close), its plain-Java
 * entry point {@link org.dittofs.metadata.lock.host.LockManagers}, its configuration, scheduler,
 * events and metrics. Used by the code that owns a manager (the metadata service, tests,
 * benchmarks, embedding) and by operator tools; protocol adapters need only {@code
 * org.dittofs.metadata.lock}. Versioned apart from it.
 */
@Export
@Version("1.3.0")
package org.dittofs.metadata.lock.host;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
