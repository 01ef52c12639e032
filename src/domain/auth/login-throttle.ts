/**
 * Failed-login throttling, per username and per client address, kept in Redis so that
 * every API process sees the same counts. After `slowAfter` failures each attempt is
 * delayed; after `lockAfter` failures attempts are refused for `lockSeconds`.
 */
import type Redis from 'ioredis';
import { Config } from '../../config';
import { AppError } from '../../core/errors';

const MAX_DELAY_MS = 3000;

export class LoginThrottle {
  constructor(
    private readonly redis: Redis,
    private readonly cfg: Config['login'],
    private readonly prefix: string,
  ) {}

  private keys(username: string, address: string): string[] {
    return [`${this.prefix}:login-fail:user:${username.toLowerCase()}`, `${this.prefix}:login-fail:addr:${address}`];
  }

  /** Refuses when locked; otherwise waits as long as the failure count asks for. */
  async beforeAttempt(username: string, address: string): Promise<void> {
    const counts = (await this.redis.mget(...this.keys(username, address))).map((c) => Number(c ?? 0));
    const failures = Math.max(...counts);
    if (failures >= this.cfg.lockAfter) {
      const ttl = Math.max(...(await Promise.all(this.keys(username, address).map((k) => this.redis.ttl(k)))));
      throw new AppError('TOO_MANY_REQUESTS', `too many failed logins; try again in ${Math.max(ttl, 1)} s`, {
        retryAfterSeconds: Math.max(ttl, 1),
      });
    }
    if (failures >= this.cfg.slowAfter) {
      const delay = Math.min(MAX_DELAY_MS, 250 * 2 ** (failures - this.cfg.slowAfter));
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }

  async recordFailure(username: string, address: string): Promise<void> {
    const multi = this.redis.multi();
    for (const key of this.keys(username, address)) multi.incr(key).expire(key, this.cfg.lockSeconds);
    await multi.exec();
  }

  async recordSuccess(username: string): Promise<void> {
    await this.redis.del(this.keys(username, '')[0]);
  }
}
