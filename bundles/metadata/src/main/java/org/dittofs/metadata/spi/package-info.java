/**
 * The store SPI of the metadata layer, implemented by store bundles (memory, H2, PostgreSQL) and
 * called only by the metadata service: {@link org.dittofs.metadata.spi.MetadataStore}, its {@link
 * org.dittofs.metadata.spi.Transaction}s and the {@link org.dittofs.metadata.spi.LockRecords} of a
 * transaction; a store that several servers share as one lock space is a {@link
 * org.dittofs.metadata.spi.ClusteredMetadataStore}; {@link
 * org.dittofs.metadata.spi.ForwardingMetadataStore} is the base of a store that wraps another.
 * Versioned apart from the adapter API in {@code org.dittofs.metadata}.
 */
@Export
@Version("1.2.0")
package org.dittofs.metadata.spi;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
