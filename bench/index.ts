/**
 * `npm run bench [-- <name>...]`: runs the named benchmarks (all when none is named). Each prints
 * its figure next to a baseline measured in the same run, and the ratio between them. Results and
 * the command that produced them go in BENCHMARKS.md. Benchmarks are not timed tests: they never
 * fail on a slow figure, only on a wrong result (a ledger that no longer verifies, a node that
 * does not stop cleanly).
 */
const BENCHMARKS: Record<string, { about: string; run: (options: readonly string[]) => Promise<void> }> = {
  ledger: {
    about: 'ledger entries appended by concurrent writers on PostgreSQL, sequenced and signed (entries/s)',
    run: async () => (await import('./ledger.js')).run(),
  },
  'catalog-import': {
    about: 'catalog entries (10 info items each) imported from an xlsx on PGlite, and PostgreSQL with DATABASE_URL (entries/s)',
    run: async () => (await import('./catalog-import.js')).run(),
  },
  'catalog-search': {
    about: 'catalog search with facets at a scale (--scale N, --engine pglite|postgres): p50/p95 ms',
    run: async (options) => (await import('./catalog-search.js')).run(options),
  },
  ingest: {
    about: 'a 1,000,000-row, 12-column CSV loaded into a table resource with every value checked, against a plain COPY, on PostgreSQL (DATABASE_URL): rows/s, peak RSS',
    run: async () => (await import('./ingest.js')).run(),
  },
  gateway: {
    about: 'signed, authorised, masked, recorded lookups by key through the sharing gateway over HTTP on PostgreSQL (DATABASE_URL), against a bare Fastify + pg handler: req/s, p99',
    run: async () => (await import('./gateway.js')).run(),
  },
  feed: {
    about: 'change feeds over HTTP on PostgreSQL (DATABASE_URL): upserts followed with signed long polls, from commit to receipt: changes/s, p50, p99; backlog drain against an in-process read',
    run: async () => (await import('./feed.js')).run(),
  },
  startup: {
    about: '`tianshu start` on an existing PGlite directory to a healthy /api/v1/health (ms)',
    run: async () => (await import('./startup.js')).run(),
  },
};

function usage(): string {
  const names = Object.entries(BENCHMARKS).map(([name, b]) => `  ${name.padEnd(10)} ${b.about}`);
  return `Usage: npm run bench [-- <name>... [--option value ...]]\n\nBenchmarks (all run when none is named):\n${names.join('\n')}`;
}

async function main(args: string[]): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage());
    return 0;
  }
  // `--name value` after the names are options for the benchmarks (e.g. --scale 100000).
  const firstOption = args.findIndex((a) => a.startsWith('--'));
  const options = firstOption === -1 ? [] : args.slice(firstOption);
  if (firstOption !== -1) args = args.slice(0, firstOption);
  const unknown = args.filter((a) => !(a in BENCHMARKS));
  if (unknown.length > 0) {
    console.error(`unknown benchmark: ${unknown.join(', ')}\n\n${usage()}`);
    return 2;
  }
  const names = args.length > 0 ? args : Object.keys(BENCHMARKS);
  for (const name of names) await BENCHMARKS[name]!.run(options);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  },
);
