import { scheduledWindow } from '../../workers/maintenance.processor';

describe('scheduled collision windows (Asia/Shanghai)', () => {
  it('nightly covers yesterday in Shanghai, also just after midnight there', () => {
    expect(scheduledWindow('collision-nightly', new Date('2025-03-10T17:30:00Z'))).toEqual({ from: '2025-03-10', to: '2025-03-10' });
    expect(scheduledWindow('collision-nightly', new Date('2025-03-01T01:30:00+08:00'))).toEqual({ from: '2025-02-28', to: '2025-02-28' });
  });

  it('monthly covers the whole previous month, across a year end and a leap February', () => {
    expect(scheduledWindow('collision-monthly', new Date('2025-01-01T03:00:00+08:00'))).toEqual({ from: '2024-12-01', to: '2024-12-31' });
    expect(scheduledWindow('collision-monthly', new Date('2024-03-01T03:00:00+08:00'))).toEqual({ from: '2024-02-01', to: '2024-02-29' });
  });
});
