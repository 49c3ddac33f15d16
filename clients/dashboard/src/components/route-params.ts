import { useParams } from 'react-router';

/** The customer a /c/:customerId page is about (always present under that route). */
export function useCustomerId(): string {
  const { customerId } = useParams();
  if (!customerId) throw new Error('useCustomerId outside /c/:customerId');
  return customerId;
}
