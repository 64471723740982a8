package org.dittofs.metadata.console.internal;

import java.util.Locale;
import org.dittofs.metadata.lock.Lock;

/**
 * What the files table shows: locks whose owner, client or file contains the given text (case
 * insensitive; empty matches all), one page of files at a time.
 *
 * @param owner text the owner id must contain
 * @param client text the client ({@code adapter:id}) must contain
 * @param file text the file name must contain
 * @param page the page of files, from 1
 */
record Filter(String owner, String client, String file, int page) {
  /** Files per page. */
  static final int PAGE_SIZE = 20;

  /** Longest filter text accepted; longer text is refused, not cut. */
  static final int MAX_TEXT = 256;

  Filter {
    owner = clean("owner", owner);
    client = clean("client", client);
    file = clean("file", file);
    if (page < 1) {
      throw new IllegalArgumentException("page must be 1 or more, not " + page);
    }
  }

  /**
   * Reads a filter from request parameters.
   *
   * @throws IllegalArgumentException naming the parameter that cannot be used
   */
  static Filter parse(String owner, String client, String file, String page) {
    int p = 1;
    if (page != null && !page.isBlank()) {
      try {
        p = Integer.parseInt(page.trim());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("page must be a number, not '" + page + "'");
      }
    }
    return new Filter(owner, client, file, p);
  }

  boolean any() {
    return !owner.isEmpty() || !client.isEmpty() || !file.isEmpty();
  }

  boolean matches(Lock l, String fileName) {
    return contains(l.owner().id(), owner)
        && contains(l.client().toString(), client)
        && contains(fileName, file);
  }

  Filter page(int p) {
    return new Filter(owner, client, file, p);
  }

  private static boolean contains(String value, String part) {
    return part.isEmpty() || value.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT));
  }

  private static String clean(String name, String value) {
    String v = value == null ? "" : value.strip();
    if (v.length() > MAX_TEXT) {
      throw new IllegalArgumentException(
          name + " filter is longer than " + MAX_TEXT + " characters");
    }
    return v;
  }
}
