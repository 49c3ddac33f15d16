import type { PrivacyCenterLanguage } from '../../../customers';

/** More ranges than a browser sends are ignored (a header is no place for work without bound). */
const MAX_RANGES = 20;

/**
 * The language of a privacy center page: `?lang=` when the customer offers it, else the first of
 * the browser's Accept-Language ranges (RFC 9110 §12.5.4, by quality, then order) that an offered
 * language matches (`de-CH` matches `de`; `*` matches the first offered), else English. `offered`
 * always holds `en` (privacyCenterOf).
 */
export function negotiateLanguage(offered: readonly PrivacyCenterLanguage[], asked: string | undefined, acceptLanguage: string | undefined): PrivacyCenterLanguage {
  const byName = (name: string) => offered.find((l) => l === name.toLowerCase());
  const chosen = asked !== undefined ? byName(asked) : undefined;
  if (chosen) return chosen;
  for (const range of rangesOf(acceptLanguage ?? '')) {
    if (range === '*') return offered[0] ?? 'en';
    const match = byName(range.split('-')[0]!);
    if (match) return match;
  }
  return 'en';
}

/** The header's language ranges, best first; quality 0 ("not acceptable") and malformed entries left out. */
function rangesOf(header: string): string[] {
  const ranges: Array<{ range: string; q: number; order: number }> = [];
  for (const [order, part] of header.split(',').slice(0, MAX_RANGES).entries()) {
    const [rawRange, ...params] = part.split(';').map((s) => s.trim());
    if (!rawRange || !/^(\*|[a-z]{1,8}(-[a-z0-9]{1,8})*)$/i.test(rawRange)) continue;
    let q = 1;
    const quality = params.find((p) => /^q\s*=/i.test(p));
    if (quality !== undefined) {
      const value = quality.replace(/^q\s*=\s*/i, '');
      if (!/^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value)) continue;
      q = Number(value);
    }
    if (q > 0) ranges.push({ range: rawRange, q, order });
  }
  return ranges.sort((a, b) => b.q - a.q || a.order - b.order).map((r) => r.range);
}
