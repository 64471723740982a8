/**
 * The persistence SPI of the lock manager, implemented by stores and called only by the lock
 * manager: {@link org.dittofs.metadata.lock.spi.LockStore} (durable, atomic calls), the records it
 * holds ({@link org.dittofs.metadata.lock.spi.PersistedLock}), the operations of one group commit
 * ({@link org.dittofs.metadata.lock.spi.LockStoreOp}), queries ({@link
 * org.dittofs.metadata.lock.spi.LockQuery}), the swap hook ({@link
 * org.dittofs.metadata.lock.spi.StoreCopier}) and cluster mode ({@link
 * org.dittofs.metadata.lock.spi.LockCluster}: one file's operation inside a coordinated
 * transaction, {@link org.dittofs.metadata.lock.spi.FileWork}, {@link
 * org.dittofs.metadata.lock.spi.FileTransaction}). Versioned apart from the adapter API in {@code
 * org.dittofs.metadata.lock}: a change here concerns store writers, not protocol adapters.
 */
@Export
@Version("1.2.0")
package org.dittofs.metadata.lock.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
