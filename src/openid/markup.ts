/**
 * Escaping for text and attribute values in HTML and XML. The five characters cover both
 * contexts (always quote attributes with `"`), so one function serves the auto-submit form
 * (§5.2.1), the discovery pages and the XRDS documents (§7.3).
 */
export function escapeMarkup(text: string): string {
  return text.replace(/[&<>"']/g, (char) => {
    switch (char) {
      case '&':
        return '&amp;';
      case '<':
        return '&lt;';
      case '>':
        return '&gt;';
      case '"':
        return '&quot;';
      default:
        return '&#39;';
    }
  });
}
