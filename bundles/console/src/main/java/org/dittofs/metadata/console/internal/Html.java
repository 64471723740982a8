package org.dittofs.metadata.console.internal;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;

/**
 * Escaping for everything the page writes that did not come from this code: owner ids, client ids,
 * file names and request parameters are text, never markup. Element content and quoted attribute
 * values get the same five-character escape (OWASP's rule for both contexts); parameters in links
 * are URL-encoded, then escaped.
 */
final class Html {
  private Html() {}

  /** Text for element content or a double-quoted attribute value. */
  static String text(String s) {
    if (s == null) {
      return "";
    }
    StringBuilder b = new StringBuilder(s.length() + 16);
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '&' -> b.append("&amp;");
        case '<' -> b.append("&lt;");
        case '>' -> b.append("&gt;");
        case '"' -> b.append("&quot;");
        case '\'' -> b.append("&#39;");
        default -> b.append(c);
      }
    }
    return b.toString();
  }

  /** A query parameter value, for a link that is itself written with {@link #text}. */
  static String param(String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8);
  }
}
