/**
 * The metadata layer that hosts the locks. Protocol adapters use {@link
 * org.dittofs.metadata.MetadataService} (shares, file records, I/O checks and, through {@link
 * org.dittofs.metadata.MetadataService#locks()}, the adapter face of the lock manager); the host
 * that owns the service (the OSGi component, or code that starts one with {@link
 * org.dittofs.metadata.host.MetadataServices}) and operator tools use {@link
 * org.dittofs.metadata.host.MetadataManager}. Stores implement the SPI in {@code
 * org.dittofs.metadata.spi}.
 */
@Export
@Version("1.0.0")
package org.dittofs.metadata;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
