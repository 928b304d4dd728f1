// A value as an error message shows it: strings quoted, anything else by String(); a value whose
// conversion throws (a throwing Proxy, a null-prototype object) by its type, so the message is still made.
export function showValue(value: unknown): string {
  try {
    return typeof value === 'string' ? `'${value}'` : String(value);
  } catch {
    return `[${typeof value}]`;
  }
}
