/**
 * The adapter API of the protocol-agnostic lock manager: {@link
 * org.dittofs.metadata.lock.LockService}, what NLM/NFSv4/SMB adapters call, and its value types
 * ({@link org.dittofs.metadata.lock.ByteRange}, {@link org.dittofs.metadata.lock.LockRequest},
 * {@link org.dittofs.metadata.lock.Lock}, ...). Semantics follow the project's lock contract
 * ({@code docs/lock-semantics.md}): POSIX (NLM, NFSv4) and Windows (SMB) lock flavours, share
 * reservations and I/O checks. The host's API is in {@code org.dittofs.metadata.lock.host}, the
 * store SPI in {@code org.dittofs.metadata.lock.spi}.
 */
@Export
@Version("1.1.0")
package org.dittofs.metadata.lock;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
