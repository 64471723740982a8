/**
 * Gogo shell commands for operators: {@code lock:*} and {@code store:*}. Private: nothing here is
 * exported; the commands are found by the shell through their service properties.
 */
package org.dittofs.metadata.shell;
