/**
 * The metadata layer that hosts the locks: shares, file records, the {@link
 * org.dittofs.metadata.MetadataStore} SPI whose {@link org.dittofs.metadata.Transaction} extends
 * the lock bundle's {@link org.dittofs.metadata.lock.LockStore}, and the {@link
 * org.dittofs.metadata.MetadataService} that owns a lock manager and persists through the store.
 */
@Export
@Version("1.0.0")
package org.dittofs.metadata;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
