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
