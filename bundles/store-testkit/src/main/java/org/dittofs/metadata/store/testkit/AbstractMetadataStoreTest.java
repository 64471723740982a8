package org.dittofs.metadata.store.testkit;

import org.dittofs.metadata.RecordLimits;
import org.dittofs.metadata.spi.Transaction;

/**
 * The store conformance suite: every {@link org.dittofs.metadata.spi.MetadataStore} runs it through
 * its {@link StoreFixture} ({@code class H2StoreConformanceTest extends
 * AbstractMetadataStoreTest}). Each test starts from a fresh, empty store.
 *
 * <p>What it pins down, beyond the javadoc of {@link Transaction} and {@link
 * org.dittofs.metadata.lock.spi.LockStore}:
 *
 * <ul>
 *   <li>Values round-trip exactly and are matched exactly: every string as given (no case folding,
 *       trimming, Unicode normalisation or pattern matching; see {@link TrickyText}), file handles
 *       byte for byte, unsigned 64-bit range bounds and the zero-length flag.
 *   <li>Acquisition times are compared at <b>microsecond</b> precision: a time with whole
 *       microseconds comes back equal; a time with nanoseconds comes back within one microsecond (a
 *       store may truncate or round below that).
 *   <li>{@link Transaction#listShares()} orders by {@link String#compareTo}, which for names
 *       without supplementary characters is code point order, i.e. binary UTF-8 order (a SQL store
 *       sorts with a binary collation, or in Java), never a linguistic collation.
 *   <li>A value beyond {@link RecordLimits} is refused with INVALID_ARGUMENT by the call that
 *       writes it, and nothing of the transaction is stored once it is rolled back.
 *   <li>A bulk delete given null deletes nothing (it returns 0 or refuses with INVALID_ARGUMENT).
 *   <li>Concurrent transactions through {@link
 *       org.dittofs.metadata.spi.MetadataStore#inTransaction} never fail for concurrency reasons
 *       and lose nothing.
 * </ul>
 *
 * <p>The tests live in its parts, one topic each: {@link LockRecordConformance}, {@link
 * LockQueryConformance}, {@link TransactionConformance}, {@link ValueConformance} and {@link
 * TextAndLimitConformance}.
 */
public abstract class AbstractMetadataStoreTest extends TextAndLimitConformance {}
