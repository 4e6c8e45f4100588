import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Value } from 'typebox/value';
import type { HostPolicy } from './connectors.hosts.js';
import * as E from './connectors.errors.js';

/** A row as a source gives it: column (or field) name → value. */
export type SourceRow = Record<string, unknown>;

export interface PullContext {
  /** Every host a kind contacts goes through it (SSRF). */
  hosts: HostPolicy;
  /**
   * Aborted when the read must stop (a test's time is up, the node stops, the job was taken over):
   * the kind cuts its connection — a query under way included — and rejects with the reason (a
   * `TimeoutError` reason as CONNECTOR_SOURCE_TIMEOUT).
   */
  signal: AbortSignal;
}

export interface Pull {
  /** The rows, in batches, in watermark order when the connector is incremental. */
  batches: AsyncIterable<SourceRow[]>;
  /** The watermark after the rows read (null: none seen); asked once the batches are consumed. */
  watermark(): string | null;
}

export interface Sample {
  /** The source's column (or field) names. */
  columns: string[];
  rows: SourceRow[];
}

/**
 * A kind of source (STYLE 2: registered, not wired in). It validates its own configuration, names
 * the host it contacts, and reads rows; it never writes anything: the connector service feeds the
 * rows to the resource's loader and keeps the watermark.
 */
export interface ConnectorKind<C extends object = object> {
  kind: string;
  /** The configuration's shape, for validation and the API documentation. */
  configSchema: TSchema;
  /** Checks that go beyond the shape (one of table or query, paging names); the config has its defaults. */
  refine?(config: C): E.ConfigProblem[];
  /** The host contacted, checked against the host policy when the connector is saved. */
  host(config: C): string;
  /** Whether a secret (password, secret header value) has a place in this configuration. */
  acceptsSecret(config: C): boolean;
  /** Problems of a secret as this configuration would send it (an http header value must be printable ASCII). */
  checkSecret?(config: C, secret: string): E.ConfigProblem[];
  /**
   * Where the secret goes, by configuration field (server, port, database and user; an http origin
   * and header name). A saved secret does not follow a change of any of these unless it is given
   * again (CONNECTOR_SECRET_REQUIRED): whoever changes the settings may not know it.
   */
  secretScope(config: C): Record<string, unknown>;
  /**
   * What an incremental watermark is relative to (the table or query and its watermark column);
   * null when the kind reads everything every time. A saved watermark is dropped when this changes.
   */
  watermarkScope(config: C): string | null;
  /** Connects and reads at most `limit` rows, from the start, writing nothing. */
  sample(config: C, secret: string | undefined, limit: number, context: PullContext): Promise<Sample>;
  /** The rows after `watermark` (all rows when null). */
  pull(config: C, secret: string | undefined, watermark: string | null, context: PullContext): Pull;
}

/**
 * What a read stopped by its signal rejects with: a deadline (a `TimeoutError`, as AbortSignal.timeout
 * gives) as the source's timeout; any other reason — the node stops, the job was taken over — as it is,
 * so the job queue sees it.
 */
export function abortReason(signal: AbortSignal, host: string): unknown {
  const reason: unknown = signal.reason;
  return (reason as { name?: unknown } | undefined)?.name === 'TimeoutError' ? E.sourceTimeout(host) : reason;
}

/** Column mapping and watermark settings every kind shares (validated by the service). */
export interface CommonConfig {
  /** source column → resource column; absent: source columns named like resource columns. */
  columns?: Record<string, string>;
}

/** The registered kinds. */
export class ConnectorKinds {
  readonly #kinds = new Map<string, { kind: ConnectorKind; check: ReturnType<typeof Compile> }>();

  register<C extends object>(kind: ConnectorKind<C>): this {
    if (this.#kinds.has(kind.kind)) throw new Error(`connector kind ${kind.kind} is already registered`);
    this.#kinds.set(kind.kind, { kind: kind as unknown as ConnectorKind, check: Compile(kind.configSchema) });
    return this;
  }

  names(): string[] {
    return [...this.#kinds.keys()];
  }

  get(name: string): ConnectorKind {
    const entry = this.#kinds.get(name);
    if (!entry) throw E.kindUnknown(name, this.names());
    return entry.kind;
  }

  /** The configuration with its defaults, or CONNECTOR_CONFIG_INVALID listing every problem. */
  validate(name: string, config: unknown): object {
    const entry = this.#kinds.get(name);
    if (!entry) throw E.kindUnknown(name, this.names());
    const withDefaults = Value.Default(entry.kind.configSchema, Value.Clone(config ?? {})) as object;
    if (!entry.check.Check(withDefaults)) {
      const problems = [...entry.check.Errors(withDefaults)]
        // TypeBox reports an additional property twice (the property, then its parent).
        .filter((e) => e.keyword !== 'boolean')
        // A missing property is named on its own path, where a form shows it.
        .flatMap((e) => {
          const missing = (e.params as { requiredProperties?: unknown }).requiredProperties;
          return e.keyword === 'required' && Array.isArray(missing)
            ? missing.map((name) => ({ path: `${e.instancePath}/${String(name)}`, message: 'is required' }))
            : [{ path: e.instancePath, message: e.message }];
        });
      throw E.configInvalid(problems.length > 0 ? problems : [{ path: '', message: 'is invalid' }]);
    }
    const problems = entry.kind.refine?.(withDefaults) ?? [];
    if (problems.length > 0) throw E.configInvalid(problems);
    return withDefaults;
  }
}
