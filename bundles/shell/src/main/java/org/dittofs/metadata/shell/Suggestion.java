package org.dittofs.metadata.shell;

/**
 * A value a shell may offer for an argument when completing, with a short description of it.
 *
 * @param value the argument as it would be typed
 * @param description what it is, shown beside the value (never null)
 */
public record Suggestion(String value, String description) {}
