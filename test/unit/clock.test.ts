import { loadConfig } from '../../src/config';
import { dateIn, MovableClock, systemClock } from '../../src/core/clock';

describe('clock', () => {
  it('dates an instant in Asia/Shanghai: 16:00 UTC is the next day', () => {
    expect(dateIn(new Date('2025-03-10T15:59:59Z'))).toBe('2025-03-10');
    expect(dateIn(new Date('2025-03-10T16:00:00Z'))).toBe('2025-03-11');
  });

  it('a movable clock stays where it is put and moves by days', () => {
    const clock = new MovableClock('2025-09-30T23:30:00+08:00');
    expect(clock.today()).toBe('2025-09-30');
    clock.advanceDays(1);
    expect(clock.today()).toBe('2025-10-01');
    clock.set('2026-04-30T00:00:00+08:00');
    expect(clock.now().toISOString()).toBe('2026-04-29T16:00:00.000Z');
    expect(clock.today()).toBe('2026-04-30');
  });

  it('the system clock is shifted by CLOCK_OFFSET_DAYS (0 by default)', () => {
    const env = { NODE_ENV: 'test', DATABASE_URL: 'postgres://x@db/fs' };
    expect(loadConfig(env).clockOffsetDays).toBe(0);
    expect(loadConfig({ ...env, CLOCK_OFFSET_DAYS: '183' }).clockOffsetDays).toBe(183);
    const shifted = systemClock(183).now().getTime() - Date.now();
    expect(Math.abs(shifted - 183 * 86_400_000)).toBeLessThan(1000);
  });
});
