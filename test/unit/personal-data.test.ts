import { idCheckChar, isValidIdNumber, maskBankAccount, maskIdNumber } from '../../src/domain/reference/id-number';
import {
  decryptPersonalData,
  derivePersonalDataKeys,
  encryptPersonalData,
  keyedHash,
} from '../../src/domain/reference/personal-data';

describe('resident ID numbers (GB 11643)', () => {
  it('computes the check character with ISO 7064 MOD 11-2', () => {
    // The standard's own example: 11010519491231002X
    expect(idCheckChar('11010519491231002')).toBe('X');
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
  });

  it('refuses a wrong check digit, a bad date, a wrong length', () => {
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    const feb30 = '61030219900230001';
    expect(isValidIdNumber(feb30 + idCheckChar(feb30))).toBe(false);
    expect(isValidIdNumber('6103021990010100')).toBe(false);
  });

  it('masks as 610302********1234', () => {
    expect(maskIdNumber('610302199001011234')).toBe('610302********1234');
    expect(maskBankAccount('6222020200112233445')).toBe('6222***********3445');
  });
});

describe('personal data encryption', () => {
  const keys = derivePersonalDataKeys(Buffer.alloc(32, 1));

  it('round-trips and detects a value that does not match its hash', () => {
    const enc = encryptPersonalData(keys, '11010519491231002X');
    expect(decryptPersonalData(keys, enc, keyedHash(keys, '11010519491231002X'))).toBe('11010519491231002X');
    expect(() => decryptPersonalData(keys, enc, keyedHash(keys, 'other'))).toThrow(/integrity/);
  });

  it('uses a random IV: the same value encrypts differently, hashes the same', () => {
    expect(encryptPersonalData(keys, 'a').equals(encryptPersonalData(keys, 'a'))).toBe(false);
    expect(keyedHash(keys, 'a').equals(keyedHash(keys, 'a'))).toBe(true);
  });
});
