import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import { buildConnector } from 'undici';
import { InvalidInputError } from '../errors/regatta-error.js';
import { RegistryNotAllowedError } from './errors.js';

const dnsName = /^([a-z0-9-]+\.)*[a-z0-9-]+$/;

/** `[::1]` (a URL's hostname) → `::1`. */
function bare(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

function family(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 6 ? 'ipv6' : 'ipv4';
}

/**
 * Where registries may be reached (REGATTA_REGISTRY_ALLOW): host names, IP addresses and CIDR
 * networks. A host is allowed when it is listed by name, or when it is an address, or a name
 * whose every address is, inside a listed network. Names are checked again at each connection,
 * so a name that resolves elsewhere later is refused then.
 */
export class RegistryAllowList {
  private readonly names = new Set<string>();
  private readonly networks = new BlockList();
  private hasNetworks = false;

  /** Parses the comma-separated list; an entry that is none of the three names the variable. */
  static parse(text: string): RegistryAllowList {
    const list = new RegistryAllowList();
    for (const raw of text.split(',')) {
      const entry = raw.trim().toLowerCase();
      if (entry === '') continue;
      const [address = '', prefix, extra] = bare(entry).split('/');
      const bits = Number(prefix);
      const kind = isIP(address);
      if (kind !== 0 && prefix === undefined) {
        list.networks.addAddress(address, family(address));
        list.hasNetworks = true;
      } else if (
        kind !== 0 &&
        extra === undefined &&
        /^\d+$/.test(prefix!) &&
        bits <= (kind === 4 ? 32 : 128)
      ) {
        list.networks.addSubnet(address, bits, family(address));
        list.hasNetworks = true;
      } else if (dnsName.test(entry)) {
        list.names.add(entry);
      } else {
        throw new InvalidInputError(
          `REGATTA_REGISTRY_ALLOW: "${entry}" is not a host name, an IP address or a CIDR network`,
          'REGATTA_REGISTRY_ALLOW',
        );
      }
    }
    return list;
  }

  /** Whether an address (`10.0.0.5`, `::1`, `[::1]`) is inside a listed network. */
  permitsAddress(address: string): boolean {
    const plain = bare(address);
    return isIP(plain) !== 0 && this.networks.check(plain, family(plain));
  }

  /**
   * Whether a URL's host may be connected to without looking at its addresses: listed by name,
   * or an address inside a listed network. A name not listed may still be allowed by its
   * addresses when networks are listed (see `admits`).
   */
  permitsHost(hostname: string): boolean {
    const host = hostname.toLowerCase();
    return isIP(bare(host)) !== 0 ? this.permitsAddress(host) : this.names.has(host);
  }

  /** Whether a host can be allowed at all: it is, or it is a name whose addresses will be checked. */
  mayReach(hostname: string): boolean {
    return this.permitsHost(hostname) || (this.hasNetworks && isIP(bare(hostname)) === 0);
  }

  /** Whether a registry at `url` is allowed now, a name not listed resolved and each address checked. */
  async admits(url: string): Promise<boolean> {
    const { hostname } = new URL(url);
    if (this.permitsHost(hostname)) return true;
    if (!this.mayReach(hostname)) return false;
    const addresses = await new Promise<LookupAddress[]>((resolve) =>
      dnsLookup(hostname, { all: true }, (error, found) => resolve(error ? [] : found)),
    );
    return addresses.length > 0 && addresses.every((found) => this.permitsAddress(found.address));
  }

  /**
   * A `lookup` for sockets: a name listed resolves as usual; any other must resolve only into
   * listed networks, else the connection fails with REGISTRY_NOT_ALLOWED.
   */
  readonly lookup: LookupFunction = (hostname, options, callback) => {
    if (this.names.has(hostname.toLowerCase())) {
      dnsLookup(hostname, options, callback);
      return;
    }
    dnsLookup(hostname, { ...options, all: true }, (error, found: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const outside = found.find((candidate) => !this.permitsAddress(candidate.address));
      if (outside || found.length === 0) {
        const refused = new RegistryNotAllowedError(
          `${hostname} (${outside?.address ?? 'no address'}) is outside REGATTA_REGISTRY_ALLOW`,
          { registry: hostname },
        );
        return callback(refused as NodeJS.ErrnoException, '', 0);
      }
      if (options.all) return (callback as (e: null, all: LookupAddress[]) => void)(null, found);
      return callback(null, found[0]!.address, found[0]!.family);
    });
  };

  /**
   * An undici connector that connects only where the list allows: an address host is checked
   * before connecting, a name through `lookup`. Every connection of a registry's dispatcher goes
   * through it: the registry's own, redirects (a CDN) and token realms alike.
   */
  connector(options: buildConnector.BuildOptions): buildConnector.connector {
    const connect = buildConnector({ ...options, lookup: this.lookup } as buildConnector.BuildOptions);
    return (target, callback) => {
      if (isIP(bare(target.hostname)) !== 0 && !this.permitsAddress(target.hostname)) {
        callback(
          new RegistryNotAllowedError(`${target.hostname} is outside REGATTA_REGISTRY_ALLOW`, {
            registry: target.hostname,
          }),
          null,
        );
        return;
      }
      connect(target, callback);
    };
  }
}
