/**
 * The store SPI of the metadata layer, implemented by store bundles (memory, H2, PostgreSQL) and
 * called only by the metadata service: {@link org.dittofs.metadata.spi.MetadataStore}, its {@link
 * org.dittofs.metadata.spi.Transaction}s and the {@link org.dittofs.metadata.spi.LockRecords} of a
 * transaction. Versioned apart from the adapter API in {@code org.dittofs.metadata}.
 */
@Export
@Version("1.0.0")
package org.dittofs.metadata.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
