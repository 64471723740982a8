/**
 * The protocol-agnostic lock manager: value types ({@link org.dittofs.metadata.lock.ByteRange},
 * {@link org.dittofs.metadata.lock.Lock}, ...), the {@link org.dittofs.metadata.lock.LockManager}
 * API, its plain-Java entry point {@link org.dittofs.metadata.lock.LockManagers} and the {@link
 * org.dittofs.metadata.lock.LockStore} persistence SPI. Semantics follow the project's SPEC.md:
 * POSIX (NLM, NFSv4) and Windows (SMB) lock flavours, share reservations and I/O checks.
 */
@Export
@Version("1.0.0")
package org.dittofs.metadata.lock;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
