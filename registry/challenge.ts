/** One challenge of a `WWW-Authenticate` header: a scheme and its auth-params. */
export interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

/**
 * Parses `WWW-Authenticate` (RFC 7235): `Bearer realm="…",service="…",scope="…"`, `Basic realm="…"`,
 * or several challenges separated by commas. Param names are lowercased; unknown shapes are skipped.
 */
export function parseChallenges(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let current: Challenge | undefined;
  let i = 0;
  const skip = (pattern: RegExp) => {
    while (i < header.length && pattern.test(header[i]!)) i++;
  };
  while (i < header.length) {
    skip(/[\s,]/);
    const tokenMatch = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+/.exec(header.slice(i));
    if (!tokenMatch) break;
    const token = tokenMatch[0];
    i += token.length;
    skip(/\s/);
    if (header[i] === '=') {
      i++;
      skip(/\s/);
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < header.length && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < header.length) i++;
          value += header[i];
          i++;
        }
        i++;
      } else {
        const bare = /^[^\s,]*/.exec(header.slice(i))![0];
        value = bare;
        i += bare.length;
      }
      if (current) current.params[token.toLowerCase()] = value;
    } else {
      current = { scheme: token.toLowerCase(), params: {} };
      challenges.push(current);
    }
  }
  return challenges;
}

/**
 * The token realm a registry's Bearer challenge names, as a URL Regatta may send the registry's
 * credentials to, or why not: it must be an absolute http(s) URL without user or password, and
 * https unless the registry itself is plain http (never a downgrade). Another host is fine:
 * Docker Hub's realm is auth.docker.io; only the registry's own 401 can name it.
 */
export function tokenRealm(realm: string, registryOrigin: string): URL | string {
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    return 'is not an absolute URL';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'is not http(s)';
  if (url.username !== '' || url.password !== '') return 'holds a user name or password';
  if (url.protocol === 'http:' && new URL(registryOrigin).protocol === 'https:')
    return 'is plain HTTP for an https registry';
  return url;
}
