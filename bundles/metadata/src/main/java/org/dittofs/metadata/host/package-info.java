/**
 * The host's API of the metadata layer: {@link org.dittofs.metadata.host.MetadataManager} (the
 * adapter face plus the lock manager's host face, the store in use, the hot swap and close) and its
 * plain-Java entry point {@link org.dittofs.metadata.host.MetadataServices}. Protocol adapters need
 * only {@code org.dittofs.metadata}. Versioned apart from it. 1.1: {@link
 * org.dittofs.metadata.host.MetadataManager#storeSelection()}, {@link
 * org.dittofs.metadata.config.ConfigurationValues}. 1.2: {@link
 * org.dittofs.metadata.host.StoreNames}.
 */
@Export
@Version("1.2.0")
package org.dittofs.metadata.host;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
