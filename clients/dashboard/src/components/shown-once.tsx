import { useId, useState } from 'react';

/**
 * A secret the service shows once (a new API key, client secret, operator token, signing secret):
 * displayed with a copy button and a warning; it is held only in this component's state and gone
 * when the operator leaves the page.
 */
export function ShownOnce({ label, value }: { label: string; value: string }) {
  const id = useId();
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied('yes');
    } catch {
      setCopied('failed');
    }
  };
  return (
    <div className="secret" role="group" aria-labelledby={id}>
      <span id={id}>
        <strong>{label}</strong> (shown once: copy it now)
      </span>
      <code data-testid="shown-once">{value}</code>
      <button type="button" className="secondary" onClick={() => void copy()}>
        Copy
      </button>
      <span aria-live="polite">{copied === 'yes' ? 'Copied.' : copied === 'failed' ? 'Copy failed: select the text and copy it.' : ''}</span>
    </div>
  );
}
