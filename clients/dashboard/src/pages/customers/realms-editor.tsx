import { useEffect, useId, useRef, useState } from 'react';

/**
 * Trusted realms as a list of rows: add a row, edit it, remove it. An empty list means any realm
 * may use the customer, which the legend says. After adding, focus moves to the new row; after
 * removing, to the row that took its place (or the Add button).
 */
export function RealmsEditor({ realms, onChange, error }: { realms: string[]; onChange: (realms: string[]) => void; error: string | undefined }) {
  const legendId = useId();
  const errorId = useId();
  const listRef = useRef<HTMLUListElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const [focusRow, setFocusRow] = useState<number | null>(null);

  useEffect(() => {
    if (focusRow === null) return;
    const inputs = listRef.current?.querySelectorAll<HTMLInputElement>('input');
    const target = inputs?.[Math.min(focusRow, (inputs?.length ?? 1) - 1)];
    if (target) target.focus();
    else addRef.current?.focus();
    setFocusRow(null);
  }, [focusRow]);

  return (
    <fieldset className="realms-editor" aria-describedby={error ? errorId : undefined}>
      <legend id={legendId}>Trusted realms</legend>
      <p className="muted">OpenID realms allowed to use this customer, such as https://*.shop.example.org/. With none listed, any realm may.</p>
      {error && (
        <p className="field-error" id={errorId}>
          {error}
        </p>
      )}
      <ul ref={listRef}>
        {realms.map((realm, index) => (
          <li key={index}>
            <input
              aria-label={`Trusted realm ${index + 1}`}
              data-field={index === 0 ? 'trustedRealms' : undefined}
              aria-invalid={error ? true : undefined}
              type="url"
              value={realm}
              onChange={(e) => onChange(realms.map((r, i) => (i === index ? e.target.value : r)))}
            />
            <button
              type="button"
              className="secondary"
              aria-label={`Remove trusted realm ${index + 1}${realm ? ` (${realm})` : ''}`}
              onClick={() => {
                onChange(realms.filter((_, i) => i !== index));
                setFocusRow(index);
              }}
            >
              Remove
            </button>
          </li>
        ))}
      </ul>
      <button
        type="button"
        className="secondary"
        ref={addRef}
        data-field={realms.length === 0 ? 'trustedRealms' : undefined}
        onClick={() => {
          onChange([...realms, '']);
          setFocusRow(realms.length);
        }}
      >
        Add a realm
      </button>
    </fieldset>
  );
}
