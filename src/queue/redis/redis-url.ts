/** A Redis URL taken apart, with a form that is safe to print. */
export interface RedisAddress {
  /** The URL as given (with its password): for the client only, never for messages. */
  readonly url: string;
  /** The URL with its password replaced by `***`: for errors, logs and descriptions. */
  readonly redacted: string;
  /** The URL without user or password: what may travel to another process or machine. */
  readonly public: string;
  readonly tls: boolean;
  /** Secrets to scrub from any text that may quote them (a client's error message). */
  readonly secrets: readonly string[];
}

/**
 * Parses `redis://[user[:password]@]host[:port][/db]` or `rediss://…` (TLS). Throws TypeError naming
 * the accepted forms, with the password redacted from the message.
 */
export function parseRedisUrl(url: string): RedisAddress {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(`Expected a Redis URL like redis://user:password@host:6379/0, got \`${redactLoosely(url)}\``);
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(`Expected a redis:// or rediss:// URL, got the scheme \`${parsed.protocol}\` in \`${redactLoosely(url)}\``);
  }
  const password = decodeURIComponent(parsed.password);
  const secrets = password ? [...new Set([password, parsed.password])] : [];
  const redactedUrl = new URL(parsed.href);
  if (password) redactedUrl.password = '***';
  const publicUrl = new URL(parsed.href);
  publicUrl.username = '';
  publicUrl.password = '';
  return { url, redacted: redactedUrl.href, public: publicUrl.href, tls: parsed.protocol === 'rediss:', secrets };
}

/** `text` with every secret replaced by `***`. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join('***');
  return out;
}

// For a string that is not a URL: hide whatever sits between `:` and `@`.
function redactLoosely(text: string): string {
  return text.replace(/:[^:@/]*@/, ':***@');
}
