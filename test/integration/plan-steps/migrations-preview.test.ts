/**
 * The pre-rollback preview names the migrations that ran since the target release, read from a real
 * PostgreSQL's Supabase history table or from a team's command, warns that up-only migrations stay
 * applied and says what the plan does about them. A listing that fails makes the check inconclusive
 * and never blocks the request.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SupabaseMigrations } from '../../../src/database/supabase-migrations';
import { BlueGreenService } from '../../../src/demo/bluegreen-service';
import type { Message } from '../../../src/domain/message';
import { renderPlainText } from '../../../src/messages/plain-text';
import { bluegreenCatalog, ONCALL, startHarness, type Harness } from '../../support/harness';
import { describeWithPostgres, startPostgres, type PostgresServer } from '../../support/postgres-server';
import { waitFor } from '../../support/wait-for';

const withPostgres = describeWithPostgres('the migrations preview tests');

const HOUR = 3_600_000;

/** A Supabase migration version for a moment `ago` ms before now: its UTC time as YYYYMMDDHHMMSS. */
function versionAgo(ago: number): string {
  return new Date(Date.now() - ago).toISOString().replace(/\D/g, '').slice(0, 14);
}

const migrationsItem = (message: Message) => message.sections.flatMap((s) => s.checklist ?? []).find((i) => i.label === 'Database migrations checked');

withPostgres('migrations since the target release in the preview', () => {
  let pg: PostgresServer;
  let target: BlueGreenService;
  let h: Harness | undefined;
  let db: string;
  let backups: string;

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.stop();
  });

  beforeEach(async () => {
    db = await pg.createDatabase(`app_${Math.random().toString(36).slice(2, 8)}`);
    // Green 2.4.1 went live an hour ago; blue 2.4.0, the target, was deployed a day ago.
    target = await BlueGreenService.start({ blue: { version: '2.4.0' }, green: { version: '2.4.1' }, live: 'green' });
    backups = mkdtempSync(join(tmpdir(), 'rewind-backups-'));
  });
  afterEach(async () => {
    await h?.close();
    h = undefined;
    await target.close();
    rmSync(backups, { recursive: true, force: true });
  });

  async function startWith(environmentYaml: string): Promise<Harness> {
    h = await startHarness(bluegreenCatalog(target.url, environmentYaml), { env: { DATABASE_URL: db } });
    return h;
  }

  async function dryRun(): Promise<Message> {
    const result = await h!.rewind.service.request({ service: 'checkout-api', severity: 'critical', dryRun: true, requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'dry_run') throw new Error(`expected a dry run, got ${result.kind}`);
    return result.message;
  }

  /** The CLI's history table; `withName: false` is the shape older CLIs created. */
  function supabaseHistory(rows: [version: string, name: string][], withName = true): void {
    pg.psql(
      db,
      [
        'create schema supabase_migrations;',
        `create table supabase_migrations.schema_migrations (version text primary key, statements text[]${withName ? ', name text' : ''});`,
        ...rows.map(([version, name]) =>
          withName
            ? `insert into supabase_migrations.schema_migrations values ('${version}', array['select 1'], '${name}');`
            : `insert into supabase_migrations.schema_migrations values ('${version}', array['select 1']);`,
        ),
      ].join('\n'),
    );
  }

  const BEFORE_TARGET: [string, string][] = [
    [versionAgo(72 * HOUR), 'create_orders'],
    [versionAgo(25 * HOUR), 'add_order_index'],
  ];
  const SINCE_TARGET: [string, string][] = [
    [versionAgo(12 * HOUR), 'add_discount'],
    [versionAgo(HOUR / 2), 'backfill_discount'],
  ];
  const SUPABASE = '        migrations: { type: supabase, database: "${DATABASE_URL}", timeout: 10s }';

  it('lists exactly the Supabase migrations newer than the target, warns they stay applied and that the plan has nothing for them', async () => {
    supabaseHistory([...BEFORE_TARGET, ...SINCE_TARGET]);
    await startWith(SUPABASE);
    const message = await dryRun();
    const text = renderPlainText(message);
    const expected = SINCE_TARGET.map(([version, name]) => `${version}_${name}`);

    expect(message.tone).toBe('danger');
    expect(message.sections[0]!.heading).toBe('DANGER: 2 up-only database migrations stay applied');
    expect(message.sections[0]!.text).toContain(`2 migrations ran since 2.4.0 (blue) and rolling the code back leaves them applied: \`${expected[0]}\`, \`${expected[1]}\`.`);
    expect(text).toContain('`supabase migration down` resets the database and drops its data, so never run it in production');
    expect(text).toContain('This plan has neither a down migration nor a restore point. Add one to checkout-api (production) in the catalog');
    for (const [version, name] of BEFORE_TARGET) {
      expect(text).not.toContain(version);
      expect(text).not.toContain(name);
    }
    const listed = message.sections.find((s) => s.heading?.startsWith('Database migrations since 2.4.0'))!;
    expect(listed.heading).toBe('Database migrations since 2.4.0 (blue) (2), left applied by the rollback');
    expect(listed.text!.split('\n')).toEqual(expected.map((id) => `• \`${id}\` — irreversible`));
    expect(migrationsItem(message)).toMatchObject({ status: 'fail' });
    expect(text).not.toContain(new URL(db).password);
  });

  it("says what the plan does about them: the backup taken first, the team's down migration after", async () => {
    supabaseHistory([...BEFORE_TARGET, ...SINCE_TARGET]);
    await startWith(
      [
        SUPABASE,
        '        steps:',
        '          before:',
        `            - { type: postgres-backup, database: "\${DATABASE_URL}", schemas: [public], dir: "${backups}" }`,
        '          after:',
        '            - { type: command, name: undo discount, run: [node, -e, "process.exit(0)"] }',
      ].join('\n'),
    );
    const message = await dryRun();
    const danger = message.sections[0]!;
    expect(danger.heading).toBe('DANGER: 2 up-only database migrations stay applied');
    expect(danger.text).toContain('This plan: PostgreSQL backup (public) is taken first; restore on request from the summary.');
    expect(danger.text).toContain('This plan: undo discount runs after the rollback.');
    expect(danger.text).not.toContain('neither');
    expect(migrationsItem(message)).toMatchObject({ status: 'warning' });
  });

  it('reads the history table of older CLIs, which has no name column: the ids are the versions', async () => {
    supabaseHistory([...BEFORE_TARGET, ...SINCE_TARGET], false);
    await startWith(SUPABASE);
    const message = await dryRun();
    const listed = message.sections.find((s) => s.heading?.startsWith('Database migrations since 2.4.0'))!;
    expect(listed.text!.split('\n')).toEqual(SINCE_TARGET.map(([version]) => `• \`${version}\` — irreversible`));
  });

  it('nothing since the target: the check passes', async () => {
    supabaseHistory(BEFORE_TARGET);
    await startWith(SUPABASE);
    const message = await dryRun();
    expect(message.sections.some((s) => s.heading?.startsWith('DANGER'))).toBe(false);
    expect(migrationsItem(message)).toEqual({ label: 'Database migrations checked', status: 'pass', detail: 'none since 2.4.0 (blue) (supabase_migrations.schema_migrations)' });
  });

  it('a database without the history table: the check is inconclusive with the reason, and the rollback still runs', async () => {
    await startWith(SUPABASE);
    const result = await h!.rewind.service.request({ service: 'checkout-api', severity: 'critical', reason: 'bad release', requester: ONCALL, origin: { platform: 'slack' } });
    if (result.kind !== 'created') throw new Error('expected a rollback');
    expect(result.record.preview?.migrationCheck).toEqual({
      source: 'supabase_migrations.schema_migrations',
      upOnly: true,
      error: expect.stringContaining('supabase_migrations.schema_migrations does not exist: this database has no Supabase migration history'),
    });
    const done = await h!.waitForState(result.record.id, ['succeeded', 'failed']);
    expect(done.state).toBe('succeeded');
    expect(target.switches).toBe(1);

    const preview = await waitFor(() => h!.sink.forRollback(done.id).find((e) => e.message.kind === 'preview'), (e) => e !== undefined, { what: 'the preview' });
    const message = preview!.message;
    expect(migrationsItem(message)).toMatchObject({ status: 'inconclusive', detail: expect.stringContaining('does not exist') });
    const text = renderPlainText(message);
    expect(text).toContain('Database migrations not checked');
    expect(text).toContain('this database has no Supabase migration history');
    expect(text).not.toContain('DANGER');
    expect(text).not.toContain(new URL(db).password);
  });

  it('a target whose deploy time the provider does not know: says which migrations are newest instead of guessing', async () => {
    supabaseHistory([...BEFORE_TARGET, ...SINCE_TARGET]);
    const lister = new SupabaseMigrations({ type: 'supabase', database: db, timeout: 10_000 });
    const newestFirst = [...BEFORE_TARGET, ...SINCE_TARGET].reverse().map(([version, name]) => `${version}_${name}`);
    await expect(lister.since({ id: '2.4.0', version: '2.4.0', slot: 'blue' })).rejects.toThrow(
      `the provider does not say when 2.4.0 (blue) was deployed, so which migrations ran since it is unknown; the newest applied are ${newestFirst.join(', ')}: check which of them came after it`,
    );
  });

  it('an unreachable database: inconclusive, without the password in the reason', async () => {
    const port = new URL(db).port;
    h = await startHarness(bluegreenCatalog(target.url, SUPABASE), { env: { DATABASE_URL: `postgres://rewind_test:not-the-password-42@127.0.0.1:${port}/missing` } });
    const message = await dryRun();
    const check = migrationsItem(message)!;
    expect(check.status).toBe('inconclusive');
    expect(renderPlainText(message)).toMatch(/could not be read: .*password authentication failed.*check migrations\.database in the catalog/);
    expect(renderPlainText(message)).not.toContain('not-the-password-42');
  });

  describe('a command lister', () => {
    it('gets the target release in its environment, with the catalog env, and each printed line is a migration', async () => {
      const script = [
        'echo 20240101_x',
        'echo',
        'echo "  20240102_y  "',
        'echo "for_$REWIND_TARGET_VERSION"',
        'echo "at_$REWIND_TARGET_DEPLOYED_AT"',
        'echo "commit_${REWIND_TARGET_COMMIT:-unknown}"',
        'echo "team_$TEAM_NOTE"',
      ].join('; ');
      await startWith(`        migrations: { type: command, run: [sh, -c, '${script}'], env: { TEAM_NOTE: from-catalog }, upOnly: true, timeout: 10s }`);
      const message = await dryRun();
      const listed = message.sections.find((s) => s.heading?.startsWith('Database migrations since 2.4.0'))!;
      const ids = listed.text!.split('\n').map((line) => /^• `(.*)` — irreversible$/.exec(line)?.[1]);
      expect(ids.slice(0, 3)).toEqual(['20240101_x', '20240102_y', 'for_2.4.0']);
      // Blue was deployed a day ago; the command gets that moment in ISO form.
      const deployedAt = Date.parse(ids[3]!.replace(/^at_/, ''));
      expect(Math.abs(Date.now() - 24 * HOUR - deployedAt)).toBeLessThan(HOUR);
      expect(ids[3]).toMatch(/^at_\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      // The blue/green service does not say which commit a side runs: the variable is left unset. The
      // catalog's env values count as secrets, as for command checks, so an id never shows one.
      expect(ids.slice(4)).toEqual(['commit_unknown', 'team_[redacted]']);
      expect(message.sections[0]!.heading).toBe('DANGER: 6 up-only database migrations stay applied');
      expect(message.sections[0]!.text).toContain('These migrations are up-only: there is no down to run.');
      expect(migrationsItem(message)).toMatchObject({ status: 'fail', detail: expect.stringContaining('since 2.4.0 (blue)') });
    });

    it('a reversible lister: the migrations are listed, the check passes', async () => {
      await startWith(`        migrations: { type: command, run: [sh, -c, 'echo 20240101_x; echo 20240102_y'] }`);
      const message = await dryRun();
      expect(message.sections.some((s) => s.heading?.startsWith('DANGER'))).toBe(false);
      expect(renderPlainText(message)).toContain('`20240102_y` — reversible, stays applied unless migrated down');
      expect(migrationsItem(message)).toEqual({ label: 'Database migrations checked', status: 'pass', detail: 'no irreversible migration since 2.4.0 (blue) (sh)' });
    });

    it('a command that fails: inconclusive with its masked output, and the request still works', async () => {
      await startWith(`        migrations: { type: command, run: [sh, -c, 'echo "cannot reach $DATABASE_URL" >&2; exit 3'], env: { DATABASE_URL: "\${DATABASE_URL}" } }`);
      const message = await dryRun();
      const check = migrationsItem(message)!;
      expect(check.status).toBe('inconclusive');
      const text = renderPlainText(message);
      expect(text).toContain('sh exited 3 after');
      expect(text).toContain('cannot reach [redacted]');
      expect(text).toContain('it must exit 0 after printing one migration id per line');
      expect(text).not.toContain(new URL(db).password);
      expect(message.title).toContain('2.4.1 → 2.4.0');
    });

    it('a command that does not finish in time is stopped and reported', async () => {
      await startWith(`        migrations: { type: command, run: [sh, -c, 'echo started >&2; sleep 30'], timeout: 1s }`);
      const message = await dryRun();
      expect(migrationsItem(message)).toMatchObject({ status: 'inconclusive' });
      expect(renderPlainText(message)).toContain('sh did not finish within 1 s: started; raise migrations.timeout in the catalog');
    });

    it('a command that is not installed says to check run and cwd', async () => {
      await startWith(`        migrations: { type: command, run: [no-such-migration-tool, list] }`);
      const message = await dryRun();
      expect(migrationsItem(message)).toMatchObject({ status: 'inconclusive' });
      expect(renderPlainText(message)).toMatch(/could not start no-such-migration-tool list \(ENOENT\); check run and cwd in the catalog's migrations/);
    });
  });
});
