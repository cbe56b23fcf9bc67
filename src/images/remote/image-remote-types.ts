/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a host name to every address it has (the real one wraps `dns.lookup`). */
export type HostResolver = (hostname: string, signal: AbortSignal) => Promise<ResolvedAddress[]>;

/** A GET the fetcher has already checked: the connector must connect to `address`, never re-resolve `url`. */
export interface RemoteTarget {
  url: URL;
  address: string;
  family: 4 | 6;
  headers: Record<string, string>;
}

export interface RemoteResponse {
  status: number;
  /** A response header, lower-case name; the first value when repeated. */
  header(name: string): string | undefined;
  body: AsyncIterable<Uint8Array>;
  /** Releases the connection, whether or not the body was read. */
  close(): Promise<void>;
}

/** Opens one HTTP(S) request to a pinned address. Injected in tests to record attempts. */
export type RemoteConnector = (target: RemoteTarget, signal: AbortSignal) => Promise<RemoteResponse>;
