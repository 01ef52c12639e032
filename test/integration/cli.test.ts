import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { seedRegions } from '../../src/domain/reference/seed.service';
import { createTestEnv, TestEnv } from '../support/harness';

const cli = (name: string, args: string[], env: Record<string, string>) =>
  spawnSync(process.execPath, [join(__dirname, '..', '..', 'dist', 'src', 'cli', `${name}.js`), ...args], {
    env: { ...process.env, NODE_ENV: 'test', ...env },
    encoding: 'utf8',
  });

describe('command line', () => {
  let t: TestEnv;
  beforeAll(async () => {
    t = await createTestEnv();
    await seedRegions(t.services);
  });
  afterAll(() => t.close());

  it('a malformed variable stops the process with one line naming it', () => {
    const res = cli('migrate', [], { DATABASE_URL: 'mysql://nope' });
    expect(res.status).not.toBe(0);
    expect(res.stderr.trim().split('\n')).toEqual(['configuration error: DATABASE_URL must use postgres: or postgresql:, got mysql:']);
    const prod = cli('serve', [], { NODE_ENV: 'production', DATABASE_URL: t.databaseUrl, REDIS_URL: 'redis://127.0.0.1:6379' });
    expect(prod.stderr.trim()).toBe('configuration error: JWT_SECRET or JWT_KEYS is required when NODE_ENV=production');
  });

  it('npm run migrate prints the migrations it applied as JSON', () => {
    const res = cli('migrate', [], { DATABASE_URL: t.databaseUrl });
    expect(res.status).toBe(0);
    expect(JSON.parse(res.stdout.trim().split('\n').pop()!)).toEqual({ applied: [] });
  });

  it('npm run user -- add creates the user and its department', async () => {
    const res = cli(
      'user',
      ['add', '--username', 'wang.wu', '--password', 'a-long-password-1', '--department', 'HEALTH:610303', '--roles', 'investigator,LEADER'],
      { DATABASE_URL: t.databaseUrl },
    );
    expect(res.stderr).toBe('');
    expect(JSON.parse(res.stdout.trim())).toMatchObject({ username: 'wang.wu', department: '金台区卫生健康委员会', roles: ['INVESTIGATOR', 'LEADER'] });
    const [row] = await t.services.db.query(`SELECT d.kind, d.region_code FROM app_user u JOIN department d ON d.id = u.department_id WHERE u.username = 'wang.wu'`);
    expect(row).toEqual({ kind: 'HEALTH', region_code: '610303' });
  });

  it('npm run user refuses bad input with a clear message', () => {
    const args = ['add', '--username', 'x.y', '--password', 'a-long-password-1', '--roles', 'INVESTIGATOR'];
    expect(cli('user', [...args, '--department', 'POLICE:610303'], { DATABASE_URL: t.databaseUrl }).stderr).toMatch(/--department must be KIND:REGION/);
    expect(cli('user', [...args, '--department', 'HEALTH:999999'], { DATABASE_URL: t.databaseUrl }).stderr).toMatch(/unknown region 999999/);
    expect(cli('user', ['add', '--username', 'x.y'], { DATABASE_URL: t.databaseUrl }).stderr).toMatch(/--password is required/);
  });
});
