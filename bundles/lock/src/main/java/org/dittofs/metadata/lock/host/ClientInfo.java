package org.dittofs.metadata.lock.host;

import java.time.Duration;
import java.time.Instant;
import org.dittofs.metadata.lock.LockClient;

/**
 * A registered client as the manager sees it.
 *
 * @param client the client
 * @param remoteAddress where it connects from, as the adapter gave it (may be empty)
 * @param ttl how long its state outlives an unregistration
 * @param lastSeen the last request or keep-alive
 * @param connected whether it is registered (false while a ttl release is pending)
 * @param courtesy whether it has been silent longer than the lease time
 * @param locks its lock records
 */
public record ClientInfo(
    LockClient client,
    String remoteAddress,
    Duration ttl,
    Instant lastSeen,
    boolean connected,
    boolean courtesy,
    long locks) {}
