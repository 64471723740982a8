/**
 * The single error vocabulary of DittoFS metadata and locking: {@link
 * org.dittofs.metadata.errors.ErrorCode}, the unchecked {@link
 * org.dittofs.metadata.errors.StoreError} and its structured details. This package imports nothing
 * of the project; every other bundle reports failures with it.
 */
@Export
@Version("1.0.0")
package org.dittofs.metadata.errors;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
